/**
 * `vn-gateway outbox` on SQLite files that are not (yet) outboxes: read-only commands never create,
 * migrate or leave files; writing commands refuse instead of creating an outbox.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQLITE_OUTBOX_SCHEMA_VERSION, sqliteOutbox } from '../../src/fallback/outbox/sqlite.js';
import { FULL_NAME, fileState, PERSONAL_ID, runCli, spawnCli } from './helpers.js';

// Schema 1 as released (before input hashes and discards).
const SQLITE_V1 = `CREATE TABLE outbox_items (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, upstream TEXT NOT NULL,
  operation TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('write', 'deferred-read')),
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivering', 'delivered', 'dead')),
  input TEXT NOT NULL, idempotency_key TEXT, request_id TEXT NOT NULL, context TEXT NOT NULL,
  last_error TEXT, attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL, lease_owner TEXT,
  lease_expires_at INTEGER, result TEXT, delivered_at INTEGER) STRICT;`;
const V1_ID = '11111111-1111-4111-8111-111111111111';

let tmp: string;
const files: Record<string, string> = {};
const TICKET = '22222222-2222-4222-8222-222222222222';

/** A SQLite database of another application, in `mode` journal mode, with its own user_version. */
function foreign(file: string, mode: 'delete' | 'wal'): string {
  const db = new Database(file);
  db.pragma(`journal_mode = ${mode}`);
  db.exec('CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT)');
  db.prepare('INSERT INTO people (name) VALUES (?)').run(FULL_NAME);
  db.pragma('user_version = 7');
  db.close();
  return file;
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'vngw-cli-ro-'));
  files.foreign = foreign(path.join(tmp, 'foreign.db'), 'delete');
  files.foreignWal = foreign(path.join(tmp, 'foreign-wal.db'), 'wal');
  files.text = path.join(tmp, 'notes.db');
  writeFileSync(
    files.text,
    'not a database at all, but long enough to hold a header of one hundred bytes or so ...\n'.repeat(3),
  );
  files.empty = path.join(tmp, 'empty.db');
  writeFileSync(files.empty, '');
  // A table named like the outbox's, from something else.
  files.lookalike = path.join(tmp, 'lookalike.db');
  const look = new Database(files.lookalike);
  look.exec('CREATE TABLE outbox_items (id TEXT, payload TEXT)');
  look.close();
  // An outbox written by a newer version of the library.
  files.newer = path.join(tmp, 'newer.db');
  await (await sqliteOutbox({ path: files.newer })).close();
  const newer = new Database(files.newer);
  newer.pragma(`user_version = ${SQLITE_OUTBOX_SCHEMA_VERSION + 1}`);
  newer.close();
  // A real outbox of this version (WAL mode, closed cleanly) and one of schema 1.
  files.outbox = path.join(tmp, 'outbox.db');
  const store = sqliteOutbox({ path: files.outbox });
  await store.enqueue(
    {
      upstream: 'land',
      operation: 'submitRegistration',
      kind: 'write',
      input: { personalId: PERSONAL_ID, fullName: FULL_NAME },
      idempotencyKey: 'HS-1',
      requestId: 'req-1',
      context: { purpose: '1.004227', actor: 'officer-17', dossierCode: 'HS-1' },
    },
    Date.now(),
  );
  await store.close();
  files.v1 = path.join(tmp, 'v1.db');
  const v1 = new Database(files.v1);
  v1.exec(SQLITE_V1);
  v1.prepare(
    `INSERT INTO outbox_items (id, upstream, operation, kind, state, input, idempotency_key, request_id, context,
       attempts, created_at, updated_at, next_attempt_at)
     VALUES (?, 'vneid', 'registerResidence', 'write', 'dead', ?, 'k-1', 'r-1', '{"dossierCode":"HS-V1"}', 3, 1, 1, 1)`,
  ).run(V1_ID, JSON.stringify({ personalId: PERSONAL_ID, fullName: FULL_NAME }));
  v1.pragma('user_version = 1');
  v1.close();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ALL = [
  ['list'],
  ['list', '--json'],
  ['show', TICKET],
  ['retry', TICKET],
  ['discard', TICKET, '--reason', 'filed on paper'],
  ['purge', '--older-than', '0s'],
];

const REFUSED: [string, RegExp][] = [
  ['foreign', /is a SQLite database but not an outbox \(no outbox_items table/],
  ['foreignWal', /is a SQLite database but not an outbox/],
  ['text', /is not a SQLite database, so not an outbox/],
  ['empty', /is not a SQLite database, so not an outbox/],
  ['lookalike', /has an outbox_items table that is not an outbox's/],
  ['newer', new RegExp(`schema version ${SQLITE_OUTBOX_SCHEMA_VERSION + 1}, newer than this vn-gateway's`)],
];

describe('vn-gateway outbox on a SQLite file that is not an outbox', () => {
  it.each(REFUSED)(
    '%s: every subcommand exits 1, names the file, and leaves it byte-identical',
    async (name, message) => {
      const file = files[name]!;
      const before = fileState(file);
      expect(before.sidecars).toEqual([]);
      for (const args of ALL) {
        const r = await runCli(['outbox', ...args, '--db', file]);
        expect({ args, status: r.status }).toEqual({ args, status: 1 });
        expect(r.stderr).toMatch(message);
        expect(r.stderr).toContain(file);
        expect(r.stdout).toBe('');
        expect(fileState(file)).toEqual(before);
      }
    },
  );

  it('a foreign file keeps its tables and user_version (no outbox_items, no migration)', () => {
    const db = new Database(files.foreign!, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(7);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual([
      'people',
    ]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
    db.close();
  });

  it('the real binary: list and purge on a foreign file exit 1, file byte-identical, no -wal/-shm', {
    timeout: 120_000,
  }, () => {
    const before = fileState(files.foreign!);
    for (const args of [['list'], ['purge']]) {
      const r = spawnCli(['outbox', ...args, '--db', files.foreign!]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`vn-gateway: ${files.foreign} is a SQLite database but not an outbox`);
      expect(fileState(files.foreign!)).toEqual(before);
    }
  });

  it('a missing file is exit 1 for every subcommand, and nothing is created', async () => {
    const missing = path.join(tmp, 'typo.db');
    for (const args of ALL) {
      const r = await runCli(['outbox', ...args, '--db', missing]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`No outbox file at ${missing} (check --db)`);
    }
    expect(existsSync(missing)).toBe(false);
    const dir = await runCli(['outbox', 'list', '--db', tmp]);
    expect(dir.status).toBe(1);
    expect(dir.stderr).toContain('is a directory, not an outbox file');
  });
});

describe('vn-gateway outbox list and show on an outbox are read-only', () => {
  it('a WAL outbox closed cleanly: byte-identical after list and show, no -wal/-shm left', async () => {
    const before = fileState(files.outbox!);
    expect(before.sidecars).toEqual([]);
    const listed = await runCli(['outbox', 'list', '--db', files.outbox!, '--json']);
    expect(listed.status).toBe(0);
    const ticket = JSON.parse(listed.stdout).items[0].ticket as string;
    const other = await runCli(['outbox', 'list', '--db', files.outbox!, '--upstream', 'tax', '--json']);
    expect(JSON.parse(other.stdout).items).toEqual([]);
    const shown = await runCli(['outbox', 'show', ticket, '--db', files.outbox!]);
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ ticket, state: 'pending', dossierCode: 'HS-1' });
    for (const out of [listed.stdout, shown.stdout]) {
      expect(out).not.toContain(PERSONAL_ID);
      expect(out).not.toContain(FULL_NAME);
    }
    expect(fileState(files.outbox!)).toEqual(before);
  });

  it('a WAL outbox in use by a gateway is read without disturbing it', async () => {
    const store = sqliteOutbox({ path: files.outbox! });
    try {
      const r = await runCli(['outbox', 'list', '--db', files.outbox!, '--json']);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout).counts.pending).toBe(1);
      expect((await store.counts()).pending).toBe(1);
    } finally {
      await store.close();
    }
    expect(fileState(files.outbox!).sidecars).toEqual([]);
  });

  it('a schema-1 outbox is listed and shown as it is (not migrated); a write command migrates it', async () => {
    const before = fileState(files.v1!);
    const listed = await runCli(['outbox', 'list', '--db', files.v1!, '--json']);
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      counts: { dead: 1 },
      items: [{ ticket: V1_ID, state: 'dead', dossierCode: 'HS-V1', attempts: 3 }],
    });
    const shown = await runCli(['outbox', 'show', V1_ID, '--db', files.v1!, '--show-input']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ ticket: V1_ID, input: { personalId: PERSONAL_ID } });
    expect(fileState(files.v1!)).toEqual(before);
    const version = () => {
      const db = new Database(files.v1!, { readonly: true });
      try {
        return db.pragma('user_version', { simple: true });
      } finally {
        db.close();
      }
    };
    expect(version()).toBe(1);

    const retried = await runCli(['outbox', 'retry', V1_ID, '--db', files.v1!]);
    expect(retried.status).toBe(0);
    expect(version()).toBe(SQLITE_OUTBOX_SCHEMA_VERSION);
  });
});
