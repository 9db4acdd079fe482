import { checkOptionKeys, type OptionKeys } from '../option-keys.js';
import { nodeRequire } from '../util/node-require.js';
import type { PgModule, PgPool as Pool, PgPoolClient as PoolClient } from '../util/peer-types.js';
import {
  AUDIT_GENESIS_HASH,
  type AuditRecord,
  type AuditSink,
  type AuditVerification,
  rechainAuditRecord,
  type VerifyAuditOptions,
  verifyAuditRecords,
} from './audit.js';

/** Options of {@link postgresAuditSink} and {@link verifyPostgresAuditChain}: give `pool` or `connectionString`. */
export interface PostgresAuditOptions {
  /** A `pg` Pool you own (not closed by the sink). */
  pool?: Pool | undefined;
  /** A PostgreSQL URL; the sink opens its own pool (max 2) and closes it with the trail. */
  connectionString?: string | undefined;
  /** Table of the chain, optionally schema-qualified (`audit.trail`); created if missing. @default 'vngw_audit' */
  table?: string | undefined;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

function resolve(o: PostgresAuditOptions): { pool: Pool; owned: boolean; table: string; lockKey: string } {
  if (!o || (o.pool === undefined) === (o.connectionString === undefined)) {
    throw new TypeError('postgres audit: give exactly one of pool or connectionString');
  }
  const name = o.table ?? 'vngw_audit';
  if (!IDENT.test(name))
    throw new TypeError('postgres audit: table must be [schema.]name in lower-case letters, digits, _');
  const table = name
    .split('.')
    .map((p) => `"${p}"`)
    .join('.');
  if (o.pool) return { pool: o.pool, owned: false, table, lockKey: name };
  let pg: PgModule;
  try {
    pg = nodeRequire()('pg') as typeof pg;
  } catch (e) {
    if ((e as { code?: string }).code === 'MODULE_NOT_FOUND') {
      throw new TypeError('postgres audit needs the optional peer dependency pg (npm install pg@8)');
    }
    throw e;
  }
  const pool = new pg.Pool({ connectionString: o.connectionString!, max: 2 });
  pool.on('error', () => {}); // an idle client's broken connection surfaces on the next write
  return { pool, owned: true, table, lockKey: name };
}

const POSTGRES_AUDIT_KEYS: OptionKeys<PostgresAuditOptions> = {
  pool: true,
  connectionString: true,
  table: true,
};

/**
 * An audit sink that appends to ONE hash chain in a PostgreSQL table shared by every instance.
 * Each append runs in a transaction that takes a transaction-level advisory lock on the table
 * name, reads the last row and inserts the record at `seq + 1` after its `hash`: appends from any
 * number of processes are serialized, so the table is one gap-free chain that
 * {@link verifyPostgresAuditChain} verifies. The stored row is authoritative: the `seq`, `prevHash`
 * and `hash` that `trail.record()` returns are this process's local view and differ from the row's
 * when other instances append too (subject HMAC, fields and record format are unchanged).
 * Appends are one round-trip transaction each (a few ms); the lock is held only for the insert.
 */
export function postgresAuditSink(options: PostgresAuditOptions): AuditSink {
  checkOptionKeys('postgresAuditSink', options, POSTGRES_AUDIT_KEYS);
  const { pool, owned, table, lockKey } = resolve(options);
  let created = false;
  return {
    async write(record) {
      const client: PoolClient = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey]);
        // Under the lock: two instances creating the table at once would otherwise collide.
        if (!created) {
          await client.query(
            `CREATE TABLE IF NOT EXISTS ${table} (seq bigint PRIMARY KEY, record text NOT NULL)`,
          );
        }
        const last = await client.query<{ record: string }>(
          `SELECT record FROM ${table} ORDER BY seq DESC LIMIT 1`,
        );
        const prev = last.rows[0] ? (JSON.parse(last.rows[0].record) as AuditRecord) : undefined;
        const placed = rechainAuditRecord(record, (prev?.seq ?? 0) + 1, prev?.hash ?? AUDIT_GENESIS_HASH);
        await client.query(`INSERT INTO ${table} (seq, record) VALUES ($1, $2)`, [
          placed.seq,
          serialize(placed),
        ]);
        await client.query('COMMIT');
        created = true;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    async close() {
      if (owned) await pool.end();
    },
  };
}

/**
 * Verifies the shared chain in `table` (every row in `seq` order) with the same checks as
 * `verifyAuditChain`: an edited, deleted, inserted or reordered row is reported at its position.
 */
export async function verifyPostgresAuditChain(
  options: PostgresAuditOptions,
  verify: VerifyAuditOptions = {},
): Promise<AuditVerification> {
  const { pool, owned, table } = resolve(options);
  try {
    const rows = await pool.query<{ record: string }>(`SELECT record FROM ${table} ORDER BY seq`);
    const records: AuditRecord[] = [];
    for (const [i, r] of rows.rows.entries()) {
      try {
        records.push(JSON.parse(r.record) as AuditRecord);
      } catch {
        return { ok: false, records: i, line: i + 1, reason: 'row is not valid JSON' };
      }
    }
    return verifyAuditRecords(records, verify);
  } finally {
    if (owned) await pool.end();
  }
}

function serialize(r: AuditRecord): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (v !== undefined && k !== 'hash') out[k] = v;
  out.hash = r.hash;
  return JSON.stringify(out);
}
