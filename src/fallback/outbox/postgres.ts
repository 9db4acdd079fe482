import { createHash, randomUUID } from 'node:crypto';
import { nodeRequire } from '../../util/node-require.js';
import type { PgModule, PgPool, PgPoolClient } from '../../util/peer-types.js';
import { isOutboxStoreError, OutboxStoreError } from './errors.js';
import { checkOptionKeys } from '../../option-keys.js';
import { POSTGRES_OPTION_KEYS } from './option-keys.js';
import {
  claimArgs,
  discardReason,
  errorJson,
  listLimit,
  ms,
  newRow,
  type OutboxRow,
  resultColumns,
  rowToItem,
  toJson,
  zeroCounts,
} from './internal.js';
import type {
  ClaimOptions,
  NewOutboxItem,
  OutboxError,
  OutboxItem,
  OutboxListFilter,
  OutboxState,
  OutboxStore,
  PurgeCounts,
  UpstreamOutboxStats,
} from './types.js';

/** Anything with node-postgres's `query`: a `pg.Client`, a `pg.PoolClient` inside a transaction. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/** Options of {@link postgresOutbox}. Give either `pool` or `connectionString`. */
export interface PostgresOutboxOptions {
  /** A `pg.Pool` owned by the caller (not ended by `close()`). */
  pool?: PgPool | undefined;
  /** Used to create a pool owned by the store (ended by `close()`), e.g. `postgres://postgres@127.0.0.1:5432/test`. */
  connectionString?: string | undefined;
  /** Schema holding the table; created if missing. @default 'public' */
  schema?: string | undefined;
  /** Table name; its migrations are recorded in `<table>_migrations`. @default 'vngw_outbox' */
  table?: string | undefined;
  /**
   * Longest wait for an enqueue (outside a caller's transaction) before it fails with
   * `UNAVAILABLE`, so that a silent network (a partition: no reset, no answer) turns into a call
   * that fails "NOT queued" instead of one that hangs. The insert may still land later, and is then
   * delivered: resubmit with the same idempotency key, which the platform deduplicates.
   * @default 10000
   */
  enqueueTimeoutMs?: number | undefined;
  /**
   * Longest wait for any other call (`claim`, `complete`, `release`, `fail`, `purge`, `list`, …)
   * before it fails with `OutboxStoreError` `UNAVAILABLE`, so a drainer on a silent network moves
   * on instead of hanging. Nothing is lost: a claim that lands late leaves items leased until the
   * lease lapses; a completion that lands late only spares a replay.
   * @default 10000
   */
  queryTimeoutMs?: number | undefined;
  /**
   * Whose clock the stored times follow.
   * - `'database'`: PostgreSQL's (`clock_timestamp()`), the one clock every instance shares. Due
   *   times, lease expiries, delivery times and the purge's cut-off are computed in SQL; the `now`
   *   each call receives only turns the caller's times into intervals (a backoff is
   *   `nextAttemptAt - now`, a retention is `now - before`). An instance whose clock is skewed
   *   never takes another's live lease and never replays an item early or late.
   * - `'caller'`: the `now` each call receives, as given. For tests on a fake clock, or a single
   *   instance; several instances whose clocks disagree then steal each other's leases.
   * @default 'database'
   */
  clock?: 'database' | 'caller' | undefined;
  /**
   * Run `VACUUM` on the table after a purge that deleted rows, so the space of deleted rows and of
   * the old row versions that held a delivered item's input becomes reusable at once rather than
   * at the next autovacuum. It does not zero bytes on disk (see the retention docs). @default false
   */
  vacuumAfterPurge?: boolean | undefined;
}

/** Options of a {@link PostgresOutboxStore.enqueue} inside the caller's transaction. */
export interface PostgresEnqueueOptions {
  /**
   * A client on which the caller opened a transaction (`BEGIN`): the item is inserted there and
   * exists only if that transaction commits. The caller commits or rolls back.
   */
  client?: PgQueryable | undefined;
}

/** The PostgreSQL outbox: the {@link OutboxStore} contract plus enqueue within a caller's transaction. */
export interface PostgresOutboxStore extends OutboxStore {
  /** Marks a store whose `enqueue` accepts the caller's transaction (`{ client }`). */
  readonly transactional: true;
  enqueue(item: NewOutboxItem, now: number, options?: PostgresEnqueueOptions): Promise<OutboxItem>;
  watch(onChange: () => void): () => void;
  wake(): Promise<void>;
  checkWritable(): Promise<void>;
}

/**
 * Schema migrations, applied in order under an advisory lock; `<table>_migrations` records the
 * ones applied. Append only: never edit a released entry. `{t}` is the quoted table name.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE {t} (
     seq BIGSERIAL PRIMARY KEY,
     id UUID NOT NULL UNIQUE,
     upstream TEXT NOT NULL,
     operation TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('write', 'deferred-read')),
     state TEXT NOT NULL CHECK (state IN ('pending', 'delivering', 'delivered', 'dead')),
     input TEXT NOT NULL,
     idempotency_key TEXT,
     request_id TEXT NOT NULL,
     context TEXT NOT NULL,
     last_error TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL,
     next_attempt_at BIGINT NOT NULL,
     lease_owner TEXT,
     lease_expires_at BIGINT,
     result TEXT,
     delivered_at BIGINT
   );
   CREATE INDEX {i}_due ON {t} (state, next_attempt_at);
   CREATE INDEX {i}_lease ON {t} (state, lease_expires_at);
   CREATE INDEX {i}_upstream ON {t} (upstream, state);`,
  // 2: minimisation and retention. Items stored before it keep no input hash.
  `ALTER TABLE {t} ADD COLUMN input_sha256 TEXT, ADD COLUMN result_sha256 TEXT,
     ADD COLUMN discarded_at BIGINT, ADD COLUMN discard_reason TEXT;
   CREATE INDEX {i}_delivered ON {t} (state, delivered_at);`,
];

/** The schema version this code writes; a table with a higher version is refused. */
export const POSTGRES_OUTBOX_SCHEMA_VERSION = MIGRATIONS.length;

// Times are BIGINT (pg returns them as strings): cast to float8 so they arrive as numbers.
const COLUMNS = `seq::float8 AS seq, id::text AS id, upstream, operation, kind, state, input,
  idempotency_key AS "idempotencyKey", request_id AS "requestId", context, last_error AS "lastError", attempts,
  created_at::float8 AS "createdAt", updated_at::float8 AS "updatedAt", next_attempt_at::float8 AS "nextAttemptAt",
  lease_owner AS "leaseOwner", lease_expires_at::float8 AS "leaseExpiresAt", result,
  delivered_at::float8 AS "deliveredAt", input_sha256 AS "inputSha256", result_sha256 AS "resultSha256",
  discarded_at::float8 AS "discardedAt", discard_reason AS "discardReason"`;

/** Epoch ms now: the caller's (a `$n` given) or, when it is `NULL`, the database's. */
const nowMs = (param: number) =>
  `coalesce($${param}::bigint, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint)`;

const IDENT = /^[a-z_][a-z0-9_]{0,47}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Loaded only when a PostgreSQL outbox is asked for, so the dependency stays optional. */
function loadDriver(): PgModule {
  try {
    const mod = nodeRequire()('pg') as PgModule & { default?: PgModule };
    return mod.Pool ? mod : (mod.default as PgModule);
  } catch (cause) {
    throw new OutboxStoreError(
      'DRIVER_MISSING',
      'postgresOutbox needs the optional dependency pg (npm install pg@8)',
      { cause },
    );
  }
}

/** Maps a driver or network error to an {@link OutboxStoreError}; others are returned as is. */
function storeError(err: unknown, where: string): unknown {
  if (isOutboxStoreError(err) || err instanceof TypeError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : '';
  const network =
    (typeof code === 'string' &&
      (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH)$/.test(code) ||
        code.startsWith('08') || // connection exceptions
        code.startsWith('57P') || // admin shutdown, cannot connect now
        code === '53300')) || // too many connections
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      message,
    );
  if (network) {
    // The driver's message names host and port at most, never item content.
    return new OutboxStoreError('UNAVAILABLE', `outbox ${where} is unreachable (${code ?? message})`, {
      cause: err,
    });
  }
  return err;
}

/** Row from pg: the numeric columns are floats already (see COLUMNS); nullable ones are `null`. */
function toItem(row: unknown): OutboxItem {
  return rowToItem(row as OutboxRow);
}

/**
 * The shared outbox: one PostgreSQL table used by every gateway instance of a city system, so an
 * item queued on a host that dies is delivered by another. Claims use `FOR UPDATE SKIP LOCKED`
 * (drainers never wait on each other) and leases (a crashed drainer's items are taken over when
 * the lease lapses). An enqueue, or {@link PostgresOutboxStore.wake}, sends a `NOTIFY` that wakes
 * the drainers of every instance at once (see {@link PostgresOutboxStore.watch}).
 *
 * Needs the optional dependency `pg@8`, loaded only when this is called. The schema is migrated on
 * first use under an advisory lock, so several instances may start at once. A server that cannot
 * be reached fails calls with {@link OutboxStoreError} `UNAVAILABLE`: the caller must then not
 * report `queued`.
 *
 * @example const outbox = postgresOutbox({ connectionString: process.env.DATABASE_URL });
 */
export function postgresOutbox(options: PostgresOutboxOptions): PostgresOutboxStore {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('postgresOutbox: options must be an object');
  checkOptionKeys('postgresOutbox', options, POSTGRES_OPTION_KEYS);
  const schema = options.schema ?? 'public';
  const table = options.table ?? 'vngw_outbox';
  if (!IDENT.test(schema)) throw new TypeError('postgresOutbox: schema must match /^[a-z_][a-z0-9_]*$/');
  if (!IDENT.test(table)) throw new TypeError('postgresOutbox: table must match /^[a-z_][a-z0-9_]*$/');
  if ((options.pool === undefined) === (options.connectionString === undefined))
    throw new TypeError('postgresOutbox: give exactly one of pool or connectionString');
  if (
    options.connectionString !== undefined &&
    (typeof options.connectionString !== 'string' || !options.connectionString)
  )
    throw new TypeError('postgresOutbox: connectionString must be a non-empty string');

  const enqueueTimeoutMs = options.enqueueTimeoutMs ?? 10_000;
  if (!(Number.isFinite(enqueueTimeoutMs) && enqueueTimeoutMs > 0))
    throw new TypeError('postgresOutbox: enqueueTimeoutMs must be a number above 0');

  const queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
  if (!(Number.isFinite(queryTimeoutMs) && queryTimeoutMs > 0))
    throw new TypeError('postgresOutbox: queryTimeoutMs must be a number above 0');
  const clockMode = options.clock ?? 'database';
  if (clockMode !== 'database' && clockMode !== 'caller')
    throw new TypeError("postgresOutbox: clock must be 'database' or 'caller'");
  const vacuumAfterPurge = options.vacuumAfterPurge ?? false;
  if (typeof vacuumAfterPurge !== 'boolean')
    throw new TypeError('postgresOutbox: vacuumAfterPurge must be a boolean');
  /** The caller's `now` as the SQL parameter of {@link nowMs}: `null` lets the database's clock decide. */
  const callerNow = (now: number): number | null => (clockMode === 'caller' ? now : null);

  const pg = loadDriver();
  const ownPool = options.pool === undefined;
  const pool: PgPool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      // A connect to a silent server must not wait for the kernel's TCP timeout either.
      connectionTimeoutMillis: Math.max(enqueueTimeoutMs, queryTimeoutMs),
      keepAlive: true,
    });
  // A pool emits 'error' when an idle client's connection dies; unhandled, that would crash the
  // process. The next query fails (and is mapped) instead.
  const onPoolError = () => {};
  pool.on('error', onPoolError);

  const qualified = `"${schema}"."${table}"`;
  const where = qualified;
  const migrations = `"${schema}"."${table}_migrations"`;
  // NOTIFY channels are identifiers (63 bytes max): a short hash of the qualified name.
  const channel = `vngw_outbox_${createHash('sha256').update(`${schema}.${table}`).digest('hex').slice(0, 16)}`;

  let closed = false;
  let ready: Promise<void> | undefined;

  const migrate = async (): Promise<void> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // Serialises concurrent starts of several instances (the lock ends with the transaction).
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`vngw_outbox:${schema}.${table}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${migrations} (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query(`SELECT coalesce(max(version), 0)::int AS v FROM ${migrations}`);
      const version = (rows[0] as { v: number }).v;
      if (version > MIGRATIONS.length) {
        throw new OutboxStoreError(
          'SCHEMA_TOO_NEW',
          `outbox table ${where} has schema version ${version}, newer than this library's ${MIGRATIONS.length}; upgrade vn-national-gateway`,
        );
      }
      for (let v = version; v < MIGRATIONS.length; v++) {
        await client.query(MIGRATIONS[v]!.replaceAll('{t}', qualified).replaceAll('{i}', table));
        await client.query(`INSERT INTO ${migrations} (version) VALUES ($1)`, [v + 1]);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  };

  /** Runs `fn` once the schema is ready, with driver errors mapped. A failed migration is retried next call. */
  const run = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed) throw new OutboxStoreError('CLOSED', `outbox table ${where} is closed`);
    try {
      if (!ready) {
        ready = migrate();
        ready.catch(() => {
          ready = undefined;
        });
      }
      await ready;
      return await fn();
    } catch (err) {
      throw storeError(err, where);
    }
  };

  const q = async (text: string, values: unknown[] = [], on: PgQueryable = pool) =>
    (await on.query(text, values)) as { rows: unknown[]; rowCount: number | null };

  const watchers = new Set<() => void>();
  let listener: PgPoolClient | undefined;
  let listening: Promise<void> | undefined;
  const notify = () => {
    for (const w of watchers) {
      try {
        w();
      } catch {
        // A watcher's failure must not stop the others.
      }
    }
  };
  /** Holds one connection with `LISTEN`; reconnects (after a pause) when it drops. */
  const listen = (): Promise<void> => {
    if (listening) return listening;
    listening = (async () => {
      try {
        await run(async () => {});
        const client = await pool.connect();
        if (closed || watchers.size === 0) {
          client.release();
          return;
        }
        listener = client;
        client.on('notification', (msg) => {
          if (msg.channel === channel) notify();
        });
        client.on('error', () => {
          if (listener === client) {
            listener = undefined;
            client.release(true);
            listening = undefined;
            retryListen();
          }
        });
        await client.query(`LISTEN ${channel}`);
        // Something may have arrived while we were not listening.
        notify();
      } catch {
        listening = undefined;
        retryListen();
      }
    })();
    return listening;
  };
  let retryTimer: NodeJS.Timeout | undefined;
  const retryListen = () => {
    if (closed || watchers.size === 0 || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void listen();
    }, 1000);
    retryTimer.unref();
  };
  const unlisten = () => {
    const client = listener;
    listener = undefined;
    listening = undefined;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = undefined;
    if (client) {
      client
        .query(`UNLISTEN ${channel}`)
        .then(() => client.release())
        .catch(() => client.release(true));
    }
  };

  const store: PostgresOutboxStore = {
    transactional: true,
    enqueue: (item: NewOutboxItem, now: number, opts: PostgresEnqueueOptions = {}): Promise<OutboxItem> =>
      run(async () => {
        const row = newRow(item);
        const at = ms(now, 'now');
        // pg_notify inside the statement is sent at commit: a rolled-back enqueue wakes no one.
        const { rows } = await q(
          `WITH clk AS (SELECT ${nowMs(10)} AS now),
           ins AS (
             INSERT INTO ${qualified} (id, upstream, operation, kind, state, input, idempotency_key, request_id,
               context, last_error, attempts, created_at, updated_at, next_attempt_at, input_sha256)
             SELECT $1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, 0, clk.now, clk.now, clk.now, $12 FROM clk
             RETURNING ${COLUMNS})
           SELECT ins.*, pg_notify($11, ins.upstream) IS NULL AS _n FROM ins`,
          [
            randomUUID(),
            row.upstream,
            row.operation,
            row.kind,
            row.input,
            row.idempotencyKey,
            row.requestId,
            row.context,
            row.lastError,
            callerNow(at),
            channel,
            row.inputSha256,
          ],
          opts.client ?? pool,
        );
        const { _n, ...stored } = rows[0] as Record<string, unknown>;
        return toItem(stored);
      }),

    claim: (opts: ClaimOptions): Promise<OutboxItem[]> =>
      run(async () => {
        const { owner, now, leaseMs, limit, upstream } = claimArgs(opts);
        if (limit === 0) return [];
        const { rows } = await q(
          `WITH clk AS MATERIALIZED (SELECT ${nowMs(1)} AS now),
           due AS (
             SELECT seq FROM ${qualified}
              WHERE ((state = 'pending' AND next_attempt_at <= (SELECT now FROM clk))
                  OR (state = 'delivering' AND lease_expires_at <= (SELECT now FROM clk)))
                AND ($5::text IS NULL OR upstream = $5)
              ORDER BY created_at, seq LIMIT $4
              FOR UPDATE SKIP LOCKED)
           UPDATE ${qualified} t
              SET state = 'delivering', lease_owner = $2, lease_expires_at = clk.now + $3::bigint,
                  attempts = t.attempts + 1, updated_at = clk.now
             FROM due, clk WHERE t.seq = due.seq
           RETURNING ${COLUMNS.replace('seq::float8', 't.seq::float8')}`,
          [callerNow(now), owner, leaseMs, limit, upstream ?? null],
        );
        // RETURNING gives no order guarantee.
        return (rows as OutboxRow[]).sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq).map(toItem);
      }),

    complete: (id: string, owner: string, result: unknown, now: number): Promise<boolean> =>
      run(async () => {
        const at = ms(now, 'now');
        const summary = resultColumns(result === undefined ? null : toJson(result, 'result'));
        if (!UUID.test(String(id))) return false;
        const res = await q(
          `WITH clk AS (SELECT ${nowMs(4)} AS now)
           UPDATE ${qualified} SET state = 'delivered', result = $3, result_sha256 = $5, input = 'null',
             delivered_at = clk.now, updated_at = clk.now, lease_owner = NULL, lease_expires_at = NULL
           FROM clk WHERE id = $1 AND state = 'delivering' AND lease_owner = $2`,
          [id, owner, summary.result, callerNow(at), summary.resultSha256],
        );
        return res.rowCount === 1;
      }),

    release: (id: string, owner: string, error: OutboxError, nextAttemptAt: number, now: number) =>
      run(async () => {
        const lastError = errorJson(error);
        const next = ms(nextAttemptAt, 'nextAttemptAt');
        const at = ms(now, 'now');
        if (!UUID.test(String(id))) return false;
        const res = await q(
          `WITH clk AS (SELECT ${nowMs(5)} AS now)
           UPDATE ${qualified} SET state = 'pending', last_error = $3, next_attempt_at = clk.now + $4::bigint,
             updated_at = clk.now, lease_owner = NULL, lease_expires_at = NULL
           FROM clk WHERE id = $1 AND state = 'delivering' AND lease_owner = $2`,
          // The backoff as an interval, added to the store's clock.
          [id, owner, lastError, next - at, callerNow(at)],
        );
        return res.rowCount === 1;
      }),

    fail: (id: string, owner: string, error: OutboxError, now: number): Promise<boolean> =>
      run(async () => {
        const lastError = errorJson(error);
        const at = ms(now, 'now');
        if (!UUID.test(String(id))) return false;
        const res = await q(
          `WITH clk AS (SELECT ${nowMs(4)} AS now)
           UPDATE ${qualified} SET state = 'dead', last_error = $3, updated_at = clk.now,
             lease_owner = NULL, lease_expires_at = NULL
           FROM clk WHERE id = $1 AND state = 'delivering' AND lease_owner = $2`,
          [id, owner, lastError, callerNow(at)],
        );
        return res.rowCount === 1;
      }),

    retryDeadLetter: (id: string, now: number): Promise<OutboxItem | undefined> =>
      run(async () => {
        const at = ms(now, 'now');
        if (!UUID.test(String(id))) return undefined;
        const { rows } = await q(
          `WITH clk AS (SELECT ${nowMs(2)} AS now)
           UPDATE ${qualified} SET state = 'pending', next_attempt_at = clk.now, updated_at = clk.now
           FROM clk WHERE id = $1 AND state = 'dead' AND discarded_at IS NULL RETURNING ${COLUMNS}`,
          [id, callerNow(at)],
        );
        if (rows.length === 1) await q('SELECT pg_notify($1, $2)', [channel, 'retry']);
        return rows[0] ? toItem(rows[0]) : undefined;
      }),

    discard: (id: string, reason: string, now: number): Promise<OutboxItem | undefined> =>
      run(async () => {
        const at = ms(now, 'now');
        const why = discardReason(reason);
        if (!UUID.test(String(id))) return undefined;
        const { rows } = await q(
          `WITH clk AS (SELECT ${nowMs(2)} AS now)
           UPDATE ${qualified} SET input = 'null', discarded_at = clk.now, discard_reason = $3, updated_at = clk.now
           FROM clk WHERE id = $1 AND state = 'dead' AND discarded_at IS NULL RETURNING ${COLUMNS}`,
          [id, callerNow(at), why],
        );
        return rows[0] ? toItem(rows[0]) : undefined;
      }),

    purge: (before: number, now?: number): Promise<PurgeCounts> =>
      run(async () => {
        const cutoff = ms(before, 'before');
        // With the caller's `now`, the retention (now - before) is applied on the database's clock.
        const retention = now === undefined || clockMode === 'caller' ? null : ms(now, 'now') - cutoff;
        const { rows } = await q(
          `WITH clk AS MATERIALIZED (
             SELECT CASE WHEN $2::bigint IS NULL THEN $1::bigint ELSE ${nowMs(3)} - $2::bigint END AS cutoff),
           gone AS (
             DELETE FROM ${qualified}
              WHERE (state = 'delivered' AND delivered_at <= (SELECT cutoff FROM clk))
                 OR (state = 'dead' AND discarded_at IS NOT NULL AND discarded_at <= (SELECT cutoff FROM clk))
             RETURNING state)
           SELECT count(*) FILTER (WHERE state = 'delivered')::int AS delivered,
                  count(*) FILTER (WHERE state = 'dead')::int AS discarded FROM gone`,
          [cutoff, retention, null],
        );
        const counts = rows[0] as PurgeCounts;
        // VACUUM cannot run in a transaction block: it goes on its own, on the pool.
        if (vacuumAfterPurge && counts.delivered + counts.discarded > 0) await q(`VACUUM ${qualified}`);
        return counts;
      }),

    get: (id: string): Promise<OutboxItem | undefined> =>
      run(async () => {
        if (!UUID.test(String(id))) return undefined;
        const { rows } = await q(`SELECT ${COLUMNS} FROM ${qualified} WHERE id = $1`, [id]);
        return rows[0] ? toItem(rows[0]) : undefined;
      }),

    list: (filter: OutboxListFilter = {}): Promise<OutboxItem[]> =>
      run(async () => {
        const limit = listLimit(filter.limit) ?? null;
        const { rows } = await q(
          `SELECT ${COLUMNS} FROM ${qualified}
            WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR upstream = $2)
            ORDER BY created_at, seq LIMIT $3`,
          [filter.state ?? null, filter.upstream ?? null, limit],
        );
        return rows.map(toItem);
      }),

    counts: (): Promise<Record<OutboxState, number>> =>
      run(async () => {
        const counts = zeroCounts();
        const { rows } = await q(
          `SELECT state, count(*)::int AS n FROM ${qualified} WHERE discarded_at IS NULL GROUP BY state`,
        );
        for (const { state, n } of rows as { state: OutboxState; n: number }[]) counts[state] = n;
        return counts;
      }),

    stats: (): Promise<Record<string, UpstreamOutboxStats>> =>
      run(async () => {
        // The delivered history is not scanned: only open states, through (upstream, state).
        const { rows } = await q(
          `SELECT upstream,
                  count(*) FILTER (WHERE state = 'pending')::int AS pending,
                  count(*) FILTER (WHERE state = 'delivering')::int AS delivering,
                  count(*) FILTER (WHERE state = 'dead')::int AS dead,
                  min(created_at) FILTER (WHERE state IN ('pending', 'delivering'))::float8 AS oldest
             FROM ${qualified} WHERE state IN ('pending', 'delivering', 'dead') AND discarded_at IS NULL
            GROUP BY upstream`,
        );
        const out: Record<string, UpstreamOutboxStats> = {};
        for (const r of rows as {
          upstream: string;
          pending: number;
          delivering: number;
          dead: number;
          oldest: number | null;
        }[]) {
          out[r.upstream] = {
            pending: r.pending,
            delivering: r.delivering,
            dead: r.dead,
            oldestPendingAt: r.oldest ?? undefined,
          };
        }
        return out;
      }),

    checkWritable: (): Promise<void> =>
      run(async () => {
        // A row written into the outbox table itself (a read-only replica, a lock on the table or
        // a failing disk refuses it), rolled back: nothing is left behind but a sequence number.
        const client = await pool.connect();
        let broken = false;
        try {
          await client.query('BEGIN');
          // The server gives up before the readiness probe does (2 s), rather than queue behind a lock.
          await client.query(`SET LOCAL lock_timeout = ${Math.min(queryTimeoutMs, 1_500)}`);
          await client.query(
            `INSERT INTO ${qualified} (id, upstream, operation, kind, state, input, request_id, context,
               created_at, updated_at, next_attempt_at)
             VALUES ($1, 'readyz', 'readyz', 'write', 'delivered', 'null', 'readyz', '{}', 0, 0, 0)`,
            [randomUUID()],
          );
        } catch (err) {
          broken = true;
          throw err;
        } finally {
          await client.query('ROLLBACK').catch(() => {
            broken = true;
          });
          client.release(broken);
        }
      }),

    watch(onChange: () => void): () => void {
      if (typeof onChange !== 'function') throw new TypeError('outbox: watch needs a function');
      if (closed) throw new OutboxStoreError('CLOSED', `outbox table ${where} is closed`);
      watchers.add(onChange);
      void listen();
      return () => {
        watchers.delete(onChange);
        if (watchers.size === 0) unlisten();
      };
    },

    wake: (): Promise<void> =>
      run(async () => {
        await q('SELECT pg_notify($1, $2)', [channel, 'wake']);
      }),

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      watchers.clear();
      unlisten();
      await ready?.catch(() => {});
      if (ownPool) await pool.end();
      else pool.off('error', onPoolError);
    },
  };

  // A silent server (no reset, no answer) would hold the caller until TCP gives up, minutes later.
  // In a caller's transaction the caller owns the wait, and the commit or rollback.
  const insert = store.enqueue;
  store.enqueue = (item, now, opts = {}) =>
    opts.client ? insert(item, now, opts) : bounded(insert(item, now, opts), enqueueTimeoutMs, where);
  for (const name of [
    'claim',
    'complete',
    'release',
    'fail',
    'retryDeadLetter',
    'discard',
    'purge',
    'get',
    'list',
    'counts',
    'stats',
    'wake',
    'checkWritable',
  ] as const) {
    const call = store[name] as (...args: unknown[]) => Promise<unknown>;
    (store as unknown as Record<string, unknown>)[name] = (...args: unknown[]) =>
      bounded(call(...args), queryTimeoutMs, where);
  }
  return store;
}

/** Rejects with `UNAVAILABLE` if `p` has not settled within `ms`; `p` itself goes on (the write may still land). */
function bounded<T>(p: Promise<T>, ms: number, where: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new OutboxStoreError(
            'UNAVAILABLE',
            `outbox ${where} did not answer within ${ms} ms (the change may still be stored)`,
          ),
        ),
      ms,
    );
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
