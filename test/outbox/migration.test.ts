import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  POSTGRES_OUTBOX_SCHEMA_VERSION,
  postgresOutbox,
  SQLITE_OUTBOX_SCHEMA_VERSION,
  sqliteOutbox,
} from '../../src/fallback/outbox/index.js';
import { pgSchema, tempDir } from './helpers.js';

// Schema 1 as released, to prove an existing outbox upgrades in place (items kept, then minimised).
const SQLITE_V1 = `CREATE TABLE outbox_items (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, upstream TEXT NOT NULL,
  operation TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('write', 'deferred-read')),
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivering', 'delivered', 'dead')),
  input TEXT NOT NULL, idempotency_key TEXT, request_id TEXT NOT NULL, context TEXT NOT NULL,
  last_error TEXT, attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL, lease_owner TEXT,
  lease_expires_at INTEGER, result TEXT, delivered_at INTEGER) STRICT;
CREATE INDEX outbox_items_due ON outbox_items (state, next_attempt_at);
CREATE INDEX outbox_items_lease ON outbox_items (state, lease_expires_at);`;

const ID = '11111111-1111-4111-8111-111111111111';
const INPUT = JSON.stringify({ personalId: '001099012345', fullName: 'Nguyễn Văn A' });
const T0 = 1_750_000_000_000;

const pg = pgSchema();
afterAll(() => pg.drop());
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('schema 1 → 2 upgrade keeps queued items and minimises them on delivery', () => {
  it('SQLite', async () => {
    const path = join(tmp.dir, 'v1.db');
    const db = new Database(path);
    db.exec(SQLITE_V1);
    db.prepare(
      `INSERT INTO outbox_items (id, upstream, operation, kind, state, input, idempotency_key, request_id, context,
         attempts, created_at, updated_at, next_attempt_at)
       VALUES (?, 'vneid', 'registerResidence', 'write', 'pending', ?, 'k-1', 'r-1', '{}', 0, ?, ?, ?)`,
    ).run(ID, INPUT, T0, T0, T0);
    db.pragma('user_version = 1');
    db.close();

    const store = sqliteOutbox({ path });
    const item = await store.get(ID);
    expect(item).toMatchObject({ state: 'pending', input: JSON.parse(INPUT) });
    expect(item).not.toHaveProperty('inputSha256');
    await store.claim({ owner: 'd', now: T0, leaseMs: 1000, limit: 1 });
    await store.complete(ID, 'd', { ok: true }, T0 + 1);
    expect(await store.get(ID)).toMatchObject({ state: 'delivered', input: null, result: { ok: true } });
    expect(await store.purge(T0 + 1)).toEqual({ delivered: 1, discarded: 0 });
    await store.close();
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SQLITE_OUTBOX_SCHEMA_VERSION);
    expect(SQLITE_OUTBOX_SCHEMA_VERSION).toBe(2);
    check.close();
  });

  it('PostgreSQL', async () => {
    const t = `"${pg.schema}"."v1"`;
    await pg.pool.query(`CREATE SCHEMA IF NOT EXISTS "${pg.schema}"`);
    await pg.pool.query(
      `CREATE TABLE ${t} (seq BIGSERIAL PRIMARY KEY, id UUID NOT NULL UNIQUE, upstream TEXT NOT NULL,
         operation TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL, input TEXT NOT NULL,
         idempotency_key TEXT, request_id TEXT NOT NULL, context TEXT NOT NULL, last_error TEXT,
         attempts INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
         next_attempt_at BIGINT NOT NULL, lease_owner TEXT, lease_expires_at BIGINT, result TEXT,
         delivered_at BIGINT);
       CREATE TABLE "${pg.schema}"."v1_migrations" (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now());
       INSERT INTO "${pg.schema}"."v1_migrations" (version) VALUES (1);`,
    );
    await pg.pool.query(
      `INSERT INTO ${t} (id, upstream, operation, kind, state, input, idempotency_key, request_id, context,
         created_at, updated_at, next_attempt_at)
       VALUES ($1, 'vneid', 'registerResidence', 'write', 'pending', $2, 'k-1', 'r-1', '{}', $3, $3, $3)`,
      [ID, INPUT, T0],
    );
    const store = postgresOutbox({ pool: pg.pool, schema: pg.schema, table: 'v1' });
    expect(await store.get(ID)).toMatchObject({ state: 'pending', input: JSON.parse(INPUT) });
    await store.claim({ owner: 'd', now: T0, leaseMs: 1000, limit: 1 });
    await store.complete(ID, 'd', { ok: true }, T0 + 1);
    const { rows } = await pg.pool.query(`SELECT input FROM ${t} WHERE id = $1`, [ID]);
    expect(rows).toEqual([{ input: 'null' }]);
    const versions = await pg.pool.query(
      `SELECT version FROM "${pg.schema}"."v1_migrations" ORDER BY version`,
    );
    expect(versions.rows.map((r) => r.version)).toEqual([1, POSTGRES_OUTBOX_SCHEMA_VERSION]);
    await store.close();
  });
});
