/**
 * {@link OutboxReader} on a PostgreSQL outbox table. The session is read-only
 * (`default_transaction_read_only`), so nothing can be created or migrated: a schema without the
 * table, or a table that is not an outbox, is refused as it is.
 */
import type * as Pg from 'pg';
import { POSTGRES_OUTBOX_SCHEMA_VERSION } from '../fallback/outbox/postgres.js';
import { rowToItem, zeroCounts } from '../fallback/outbox/internal.js';
import type { OutboxItem, OutboxListFilter, OutboxState } from '../fallback/outbox/types.js';
import { failure } from './errors.js';
import { LIST_ORDER, missingColumns, type OutboxReader, toOutboxRow } from './outbox-reader.js';
import { describeUrl, type PostgresTarget } from './outbox-target.js';

/** `pg`'s `Client` constructor: enough of the module for this reader. */
export type PgClientConstructor = new (config: Pg.ClientConfig) => Pg.Client;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT8_OID = 20;

/**
 * Loads `pg`, an optional peer dependency, only when a PostgreSQL outbox is asked for.
 * `load` is the import itself (a test passes one that fails).
 */
export async function loadPgClient(
  load: () => Promise<unknown> = () => import('pg'),
): Promise<PgClientConstructor> {
  let mod: { Client?: PgClientConstructor; default?: { Client?: PgClientConstructor } };
  try {
    mod = (await load()) as typeof mod;
  } catch (cause) {
    throw failure(
      'a PostgreSQL outbox needs the optional dependency pg (npm install pg@8), which is not installed',
      cause,
    );
  }
  const Client = mod.Client ?? mod.default?.Client;
  if (typeof Client !== 'function') throw failure('the installed pg module has no Client (npm install pg@8)');
  return Client;
}

/** A short reason from a driver error, with the URL (which may hold a password) never echoed. */
export function pgReason(err: unknown, url: string): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  const message = err instanceof Error ? err.message : String(err);
  return message.split(url).join('<url>');
}

/** How long connecting may take before the command fails. @default 10000 */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Connects to `target.url` read-only and checks, before reading, that `"schema"."table"` is an
 * outbox this version can read. Throws a {@link failure} (exit 1) otherwise.
 */
export async function openPostgresReader(
  target: PostgresTarget,
  Client?: PgClientConstructor,
): Promise<OutboxReader> {
  const Ctor = Client ?? (await loadPgClient());
  const host = describeUrl(target.url);
  const qualified = `"${target.schema}"."${target.table}"`;
  const where = `table ${qualified} at ${host}`;
  const client = new Ctor({
    connectionString: target.url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'vn-gateway outbox',
    // Every transaction of this session is read-only: the server refuses any write, whatever runs.
    options: '-c default_transaction_read_only=on',
  });
  // A connection that dies while idle emits 'error'; the next query fails and is reported instead.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw failure(`cannot connect to PostgreSQL at ${host} (${pgReason(err, target.url)})`, err);
  }

  const query = async (text: string, values: unknown[] = []) => {
    try {
      return await client.query(text, values);
    } catch (err) {
      throw failure(`reading ${where} failed (${pgReason(err, target.url)})`, err);
    }
  };

  let columns: Set<string>;
  try {
    const { rows } = await query('SELECT to_regclass($1)::text AS t, to_regclass($2)::text AS m', [
      qualified,
      `"${target.schema}"."${target.table}_migrations"`,
    ]);
    const found = rows[0] as { t: string | null; m: string | null };
    if (found.t === null)
      throw failure(`No outbox ${where} (check --database-url, --schema and --table); nothing was created`);
    const cols = await query(
      'SELECT column_name::text AS c FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
      [target.schema, target.table],
    );
    columns = new Set((cols.rows as { c: string }[]).map((r) => r.c));
    const missing = missingColumns(columns);
    if (found.m === null || missing.length > 0)
      throw failure(
        `${where} is not an outbox (${found.m === null ? `no "${target.table}_migrations" table` : `no ${missing.join(', ')}`}); it was left untouched`,
      );
    const versions = await query(
      `SELECT coalesce(max(version), 0)::int AS v FROM "${target.schema}"."${target.table}_migrations"`,
    );
    const version = (versions.rows[0] as { v: number }).v;
    if (version > POSTGRES_OUTBOX_SCHEMA_VERSION)
      throw failure(
        `${where} holds an outbox of schema version ${version}, newer than this vn-gateway's ${POSTGRES_OUTBOX_SCHEMA_VERSION}; upgrade vn-national-gateway (the table was left untouched)`,
      );
    if (version === 0) throw failure(`${where} is not an outbox (no schema version); it was left untouched`);
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }

  const undiscarded = columns.has('discarded_at') ? 'WHERE discarded_at IS NULL' : '';
  /** Rows with BIGINT columns (times, seq: strings from pg) as numbers, as the store casts them. */
  const items = (res: Pg.QueryResult): OutboxItem[] => {
    const int8 = res.fields.filter((f) => f.dataTypeID === INT8_OID).map((f) => f.name);
    return res.rows.map((r: Record<string, unknown>) => {
      for (const name of int8) if (r[name] !== null) r[name] = Number(r[name]);
      return rowToItem(toOutboxRow(r));
    });
  };

  return {
    where,
    get: async (id) => {
      // A ticket is a UUID: anything else is not found (the column's type would refuse it).
      if (!UUID.test(id)) return undefined;
      return items(await query(`SELECT * FROM ${qualified} WHERE id = $1`, [id]))[0];
    },
    list: async (filter: OutboxListFilter) =>
      items(
        await query(
          `SELECT * FROM ${qualified}
            WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR upstream = $2)
            ${LIST_ORDER} LIMIT $3`,
          [filter.state ?? null, filter.upstream ?? null, filter.limit ?? null],
        ),
      ),
    counts: async () => {
      const counts = zeroCounts();
      const { rows } = await query(
        `SELECT state, count(*)::int AS n FROM ${qualified} ${undiscarded} GROUP BY state`,
      );
      for (const { state, n } of rows as { state: OutboxState; n: number }[]) counts[state] = n;
      return counts;
    },
    close: () => client.end(),
  };
}
