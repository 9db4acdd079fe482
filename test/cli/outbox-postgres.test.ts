/**
 * `vn-gateway outbox` on a PostgreSQL outbox: every subcommand by URL (`--database-url` or
 * `DATABASE_URL`, `--schema`, `--table`), and refusals that create nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/errors.js';
import { describeUrl } from '../../src/cli/outbox-target.js';
import {
  loadPgClient,
  openPostgresReader,
  type PgClientConstructor,
  pgReason,
} from '../../src/cli/postgres-reader.js';
import { POSTGRES_OUTBOX_SCHEMA_VERSION, postgresOutbox } from '../../src/fallback/outbox/postgres.js';
import { requirePostgres } from '../helpers/services.js';
import { pgSchema } from '../outbox/helpers.js';
import { cleanEnv, FULL_NAME, PERSONAL_ID, runCli, spawnCli } from './helpers.js';

const postgres = await requirePostgres({ suite: 'CLI on PostgreSQL' });

const DAY = 86_400_000;
const item = (code: string) => ({
  upstream: 'land',
  operation: 'submitRegistration',
  kind: 'write' as const,
  input: { dossierCode: code, applicant: { personalId: PERSONAL_ID, fullName: FULL_NAME } },
  idempotencyKey: code,
  requestId: `req-${code}`,
  context: { purpose: '1.004227', actor: 'officer-17', dossierCode: code },
  lastError: { code: 'UPSTREAM_UNAVAILABLE', message: 'The upstream answered HTTP 503' },
});

describe.skipIf(!postgres.available)('vn-gateway outbox on PostgreSQL', { timeout: 120_000 }, () => {
  const pg = pgSchema();
  const url = postgres.url;
  /** The CLI in this process, the outbox given by DATABASE_URL and --schema. */
  const cli = (...args: string[]) =>
    runCli(['outbox', ...args, '--schema', pg.schema], cleanEnv({ DATABASE_URL: url }));
  const t = { pending: '', retried: '', discarded: '', delivered: '' };
  const tables = async (schema: string) =>
    (
      await pg.pool.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [
        schema,
      ])
    ).rows.map((r: { table_name: string }) => r.table_name);

  beforeAll(async () => {
    // Times days in the past: the store writes them as given (the default takes the database's own).
    const store = postgresOutbox({ pool: pg.pool, schema: pg.schema, clock: 'caller' });
    const at = Date.now() - 5 * DAY;
    for (const key of ['pending', 'retried', 'discarded', 'delivered'] as const)
      t[key] = (await store.enqueue(item(`HS-${key}`), at)).id;
    await store.claim({ owner: 'test', now: at, leaseMs: 1000, limit: 4 });
    await store.release(t.pending, 'test', { code: 'TIMEOUT', message: 'x' }, Date.now() + DAY, at);
    for (const id of [t.retried, t.discarded])
      await store.fail(id, 'test', { code: 'REJECTED', message: 'The upstream answered REJECTED' }, at);
    await store.complete(t.delivered, 'test', { receiptId: 'R-1' }, Date.now() - 4 * DAY);
    await store.close();
  });
  afterAll(() => pg.drop());

  it('list (DATABASE_URL): counts and routing, no personal data', async () => {
    const r = await cli('list', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.counts).toEqual({ pending: 1, delivering: 0, delivered: 1, dead: 2 });
    expect(out.items.map((i: { ticket: string }) => i.ticket).sort()).toEqual(Object.values(t).sort());
    expect(out.items[0]).toMatchObject({ upstream: 'land', operation: 'submitRegistration', attempts: 1 });
    expect(r.stdout).not.toContain(PERSONAL_ID);
    expect(r.stdout).not.toContain(FULL_NAME);
    const dead = JSON.parse((await cli('list', '--state', 'dead', '--json')).stdout);
    expect(dead.items.map((i: { dossierCode: string }) => i.dossierCode)).toEqual([
      'HS-retried',
      'HS-discarded',
    ]);
    expect(JSON.parse((await cli('list', '--limit', '1', '--json')).stdout).items).toHaveLength(1);
    expect(JSON.parse((await cli('list', '--upstream', 'land', '--json')).stdout).items).toHaveLength(4);
    expect(JSON.parse((await cli('list', '--upstream', 'tax', '--json')).stdout).items).toEqual([]);
  });

  it('the real binary with --database-url prints the table', () => {
    const r = spawnCli(['outbox', 'list', '--database-url', url, '--schema', pg.schema]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/┌─+┬/);
    expect(r.stdout).toContain(t.retried);
    expect(r.stdout).not.toContain(PERSONAL_ID);
  });

  it('show: the input only with --show-input; an unknown ticket is exit 1', async () => {
    const shown = await cli('show', t.retried);
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      ticket: t.retried,
      state: 'dead',
      lastError: 'REJECTED',
      dossierCode: 'HS-retried',
      inputSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      createdAt: expect.stringMatching(/^\d{4}-/),
    });
    expect(shown.stdout).not.toContain(PERSONAL_ID);
    expect((await cli('show', t.retried, '--show-input')).stdout).toContain(PERSONAL_ID);
    for (const ticket of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const r = await cli('show', ticket);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`No item ${ticket} in table "${pg.schema}"."vngw_outbox" at `);
    }
  });

  it('retry requeues a dead letter once; discard erases its input; purge keeps 3 days by default', async () => {
    const retried = await cli('retry', t.retried);
    expect(retried.status).toBe(0);
    expect(retried.stdout).toContain(`Requeued ${t.retried} (land.submitRegistration)`);
    const again = await cli('retry', t.retried);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`No dead-lettered item ${t.retried}`);

    const discarded = await cli('discard', t.discarded, '--reason', 'filed again on paper');
    expect(discarded.status).toBe(0);
    expect(discarded.stdout).toContain(`Discarded ${t.discarded}`);
    expect(JSON.parse((await cli('show', t.discarded, '--show-input')).stdout)).toMatchObject({
      input: null,
      discarded: true,
      discardReason: 'filed again on paper',
    });
    expect((await cli('discard', t.discarded, '--reason', 'again')).status).toBe(1);

    const purged = await cli('purge', '--json');
    expect(purged.status).toBe(0);
    expect(JSON.parse(purged.stdout)).toMatchObject({ delivered: 1, discarded: 0 });
    const all = await cli('purge', '--older-than', '0s');
    expect(all.stdout).toContain('Purged 0 delivered and 1 discarded item(s)');
    expect(JSON.parse((await cli('list', '--json')).stdout).counts).toEqual({
      pending: 2,
      delivering: 0,
      delivered: 0,
      dead: 0,
    });
  });

  it('a schema without the table, or no such schema: every subcommand exits 1 and creates nothing', async () => {
    const empty = `${pg.schema}_empty`;
    await pg.pool.query(`CREATE SCHEMA "${empty}"`);
    const absent = `${pg.schema}_absent`;
    try {
      for (const schema of [empty, absent]) {
        for (const args of [
          ['list'],
          ['show', '00000000-0000-4000-8000-000000000000'],
          ['retry', '00000000-0000-4000-8000-000000000000'],
          ['discard', '00000000-0000-4000-8000-000000000000', '--reason', 'x'],
          ['purge'],
        ]) {
          const r = await runCli(['outbox', ...args, '--database-url', url, '--schema', schema], cleanEnv());
          expect({ args, status: r.status }).toEqual({ args, status: 1 });
          expect(r.stderr).toContain(`No outbox table "${schema}"."vngw_outbox" at ${describeUrl(url)}`);
        }
      }
      expect(await tables(empty)).toEqual([]);
      const ns = await pg.pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [absent]);
      expect(ns.rowCount).toBe(0);
    } finally {
      await pg.pool.query(`DROP SCHEMA IF EXISTS "${empty}" CASCADE`);
    }
  });

  it('a table that is not an outbox is refused and left as it is', async () => {
    await pg.pool.query(`CREATE TABLE "${pg.schema}".people (id serial PRIMARY KEY, name text)`);
    for (const args of [['list'], ['purge'], ['retry', '00000000-0000-4000-8000-000000000000']]) {
      const r = await cli(...args, '--table', 'people');
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`table "${pg.schema}"."people" at ${describeUrl(url)} is not an outbox`);
    }
    expect((await tables(pg.schema)).sort()).toEqual(['people', 'vngw_outbox', 'vngw_outbox_migrations']);
  });

  it('an outbox of a newer schema is refused by reads and writes, and not changed', async () => {
    const store = postgresOutbox({ pool: pg.pool, schema: pg.schema, table: 'newer' });
    await store.enqueue(item('HS-newer'), Date.now());
    await store.close();
    const future = POSTGRES_OUTBOX_SCHEMA_VERSION + 1;
    await pg.pool.query(`INSERT INTO "${pg.schema}".newer_migrations (version) VALUES ($1)`, [future]);
    for (const args of [['list'], ['purge', '--older-than', '0s']]) {
      const r = await cli(...args, '--table', 'newer');
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`holds an outbox of schema version ${future}, newer than this vn-gateway's`);
    }
    const n = await pg.pool.query(`SELECT count(*)::int AS n FROM "${pg.schema}".newer`);
    expect(n.rows[0].n).toBe(1);
  });

  it('a schema-1 outbox is listed without being migrated', async () => {
    const v1 = `"${pg.schema}"."v1"`;
    await pg.pool.query(
      `CREATE TABLE ${v1} (seq BIGSERIAL PRIMARY KEY, id UUID NOT NULL UNIQUE, upstream TEXT NOT NULL,
         operation TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL, input TEXT NOT NULL,
         idempotency_key TEXT, request_id TEXT NOT NULL, context TEXT NOT NULL, last_error TEXT,
         attempts INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
         next_attempt_at BIGINT NOT NULL, lease_owner TEXT, lease_expires_at BIGINT, result TEXT,
         delivered_at BIGINT);
       CREATE TABLE "${pg.schema}"."v1_migrations" (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now());
       INSERT INTO "${pg.schema}"."v1_migrations" (version) VALUES (1);
       INSERT INTO ${v1} (id, upstream, operation, kind, state, input, request_id, context, created_at,
         updated_at, next_attempt_at)
       VALUES ('11111111-1111-4111-8111-111111111111', 'vneid', 'registerResidence', 'write', 'dead', '{}',
         'r-1', '{"dossierCode":"HS-V1"}', 1750000000000, 1750000000000, 1750000000000);`,
    );
    const r = await cli('list', '--table', 'v1', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      counts: { dead: 1 },
      items: [{ dossierCode: 'HS-V1', createdAt: '2025-06-15T15:06:40.000Z' }],
    });
    const versions = await pg.pool.query(`SELECT max(version)::int AS v FROM "${pg.schema}"."v1_migrations"`);
    expect(versions.rows[0].v).toBe(1);
  });

  it('a server that cannot be reached is exit 1, naming host and database but never the password', async () => {
    const r = await runCli(
      ['outbox', 'list', '--database-url', 'postgres://officer:s3cret-pw@127.0.0.1:1/gateway'],
      cleanEnv(),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot connect to PostgreSQL at 127.0.0.1:1/gateway (ECONNREFUSED)');
    expect(r.stderr).not.toContain('s3cret-pw');
    expect(r.stderr).not.toContain('officer');
  });
});

describe('vn-gateway outbox: which outbox, and usage errors (exit 2)', () => {
  const PG = 'postgres://officer:s3cret-pw@127.0.0.1:1/gateway';
  it.each([
    [['list', '--db', 'x.db', '--database-url', PG], 'give either --db <file> (SQLite) or --database-url'],
    [['list', '--db', 'x.db', '--schema', 'ops'], '--schema and --table apply to a PostgreSQL outbox only'],
    [['list', '--db', PG], '--db takes a SQLite file; for PostgreSQL give --database-url'],
    [['list', '--database-url', 'mysql://officer:s3cret-pw@h/d'], '--database-url must be a postgres://'],
    [['list', '--database-url', PG, '--schema', 'Ops-1'], '--schema must be a lower-case SQL name'],
    [['purge', '--database-url', PG, '--table', 'x;drop'], '--table must be a lower-case SQL name'],
    [['discard', 'T-1', '--database-url', PG], '--reason <text> is required'],
    [
      ['discard', 'T-1', '--database-url', PG, '--reason', 'call 0912345678'],
      '--reason: a discard reason must not',
    ],
    [['retry', 'T-1'], 'say which outbox: --db <file> (SQLite) or --database-url <url>'],
  ])('%j', async (args, message) => {
    const r = await runCli(['outbox', ...args], cleanEnv());
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('s3cret-pw');
    expect(r.stderr).not.toContain('0912345678');
  });

  it('DATABASE_URL that is not a postgres URL is named, not echoed', async () => {
    const r = await runCli(['outbox', 'list'], cleanEnv({ DATABASE_URL: 'mysql://officer:s3cret-pw@h/d' }));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('DATABASE_URL must be a postgres:// or postgresql:// URL');
    expect(r.stderr).not.toContain('s3cret-pw');
  });

  it('--db wins over DATABASE_URL (a shell may hold it for another tool)', async () => {
    const r = await runCli(['outbox', 'list', '--db', 'typo.db'], cleanEnv({ DATABASE_URL: PG }));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('No outbox file at typo.db');
  });

  it('a missing pg driver is exit 1 with the command to install it', async () => {
    const err = await loadPgClient(() => Promise.reject(new Error("Cannot find package 'pg'"))).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({ exitCode: 1, message: expect.stringContaining('npm install pg@8') });
  });

  it('connects read-only, with a connect timeout, and reports a refused connection as exit 1', async () => {
    const configs: Record<string, unknown>[] = [];
    class FakeClient {
      constructor(config: Record<string, unknown>) {
        configs.push(config);
      }
      on() {}
      connect = () => Promise.reject(Object.assign(new Error('no'), { code: 'ECONNREFUSED' }));
      end = () => Promise.resolve();
    }
    const err = await openPostgresReader(
      { kind: 'postgres', url: PG, schema: 'public', table: 'vngw_outbox' },
      FakeClient as unknown as PgClientConstructor,
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({
      exitCode: 1,
      message: 'cannot connect to PostgreSQL at 127.0.0.1:1/gateway (ECONNREFUSED)',
    });
    expect(configs).toEqual([
      expect.objectContaining({
        connectionString: PG,
        connectionTimeoutMillis: 10_000,
        options: '-c default_transaction_read_only=on',
      }),
    ]);
  });

  it('driver messages never echo the URL; hosts are shown without credentials', () => {
    expect(pgReason(new Error(`bad ${PG} here`), PG)).toBe('bad <url> here');
    expect(pgReason(Object.assign(new Error('x'), { code: '28P01' }), PG)).toBe('28P01');
    expect(describeUrl(PG)).toBe('127.0.0.1:1/gateway');
    expect(describeUrl('postgresql://u:p@db.example:6432/city')).toBe('db.example:6432/city');
    expect(describeUrl('postgres://%2Fvar%2Frun%2Fpostgresql/city')).toBe('/var/run/postgresql:5432/city');
  });
});
