import { fork } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createAuditTrail,
  hashSubject,
  postgresAuditSink,
  verifyPostgresAuditChain,
} from 'vn-national-gateway';
import { requirePostgres } from '../helpers/services.js';

const ROOT = join(import.meta.dirname, '../..');
const db = await requirePostgres({ suite: 'audit chain on PostgreSQL' });

describe.skipIf(!db.available)('audit chain on PostgreSQL', () => {
  const schema = `vngw_audit_test_${process.pid}_${Date.now()}`;
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  it('three processes appending concurrently produce one chain that verifies; a tampered row is detected', async () => {
    await pool.query(`CREATE SCHEMA "${schema}"`);
    const table = `${schema}.trail`;
    const run = (w: number) =>
      new Promise<number | null>((resolve) =>
        fork(join(ROOT, 'test/telemetry/fixtures/audit-pg-worker.ts'), [db.url, table, '40', String(w)], {
          cwd: ROOT,
          execArgv: ['--import', 'tsx'],
          stdio: 'inherit',
        }).on('exit', resolve),
      );
    expect(await Promise.all([1, 2, 3].map(run))).toEqual([0, 0, 0]);

    const ok = await verifyPostgresAuditChain({ pool, table });
    expect(ok).toMatchObject({ ok: true, records: 120 });
    // Interleaved: the chain holds every worker's records, not one worker's after another's.
    const actors = (
      await pool.query<{ record: string }>(`SELECT record FROM "${schema}".trail ORDER BY seq`)
    ).rows.map((r) => JSON.parse(r.record).actor as string);
    expect(new Set(actors).size).toBe(3);
    // The subject is stored as its HMAC, never raw.
    const raw = JSON.stringify(actors);
    expect(raw).not.toContain('07901');
    const first = JSON.parse(
      (await pool.query<{ record: string }>(`SELECT record FROM "${schema}".trail WHERE seq = 1`)).rows[0]!
        .record,
    );
    expect(first.subjectHash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.subjectHash).not.toBe(hashSubject('another-salt-0123456', '079010000000'));

    await pool.query(
      `UPDATE "${schema}".trail SET record = replace(record, '"outcome":"ok"', '"outcome":"denied"') WHERE seq = 57`,
    );
    const bad = await verifyPostgresAuditChain({ pool, table });
    expect(bad).toMatchObject({ ok: false, line: 57 });

    await pool.query(`DELETE FROM "${schema}".trail WHERE seq >= 57 AND seq <= 57`);
    expect(await verifyPostgresAuditChain({ pool, table })).toMatchObject({ ok: false, line: 57 });
  }, 60_000);

  it('a single in-process trail on a fresh table starts at the genesis and verifies', async () => {
    const table = `${schema}.single`;
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const trail = createAuditTrail({
      salt: 'test-salt-0123456789',
      sink: postgresAuditSink({ pool, table }),
    });
    for (let i = 0; i < 5; i++) {
      trail.record({
        time: 0,
        actor: 'a',
        purpose: 'p',
        upstream: 'u',
        operation: 'o',
        outcome: 'ok',
        requestId: `r${i}`,
      });
    }
    await trail.flush();
    expect(await verifyPostgresAuditChain({ pool, table })).toMatchObject({ ok: true, records: 5 });
  });

  it('rejects a table name that is not a plain identifier (nothing sent)', () => {
    expect(() => postgresAuditSink({ pool, table: 'x; DROP TABLE y' })).toThrow(TypeError);
    expect(() => postgresAuditSink({ table: 'x' })).toThrow(/exactly one of pool or connectionString/);
  });
});
