import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { nodeRequire } from '../../util/node-require.js';
import { isOutboxStoreError, OutboxStoreError } from './errors.js';
import { checkOptionKeys } from '../../option-keys.js';
import { SQLITE_OPTION_KEYS } from './option-keys.js';
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
  WALL_STEP_SLACK_MS,
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

/** Options of {@link sqliteOutbox}. */
export interface SqliteOutboxOptions {
  /**
   * The database file. Created if missing; its directory must exist (a typo in a path should fail
   * loudly at start-up, not create a second, forgotten outbox).
   */
  path: string;
  /**
   * How long a call waits for another process's write lock before failing with
   * `OutboxStoreError('BUSY')`. Default `5000`.
   */
  busyTimeoutMs?: number | undefined;
}

/**
 * Schema migrations, applied in order; `PRAGMA user_version` is the number applied. Append only:
 * never edit a released entry.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE outbox_items (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
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
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     next_attempt_at INTEGER NOT NULL,
     lease_owner TEXT,
     lease_expires_at INTEGER,
     result TEXT,
     delivered_at INTEGER
   ) STRICT;
   CREATE INDEX outbox_items_due ON outbox_items (state, next_attempt_at);
   CREATE INDEX outbox_items_lease ON outbox_items (state, lease_expires_at);`,
  // 2: minimisation and retention. Items stored before it keep no input hash.
  `ALTER TABLE outbox_items ADD COLUMN input_sha256 TEXT;
   ALTER TABLE outbox_items ADD COLUMN result_sha256 TEXT;
   ALTER TABLE outbox_items ADD COLUMN discarded_at INTEGER;
   ALTER TABLE outbox_items ADD COLUMN discard_reason TEXT;
   CREATE INDEX outbox_items_delivered ON outbox_items (state, delivered_at);`,
];

/** The schema version this code writes; a file with a higher `user_version` is refused. */
export const SQLITE_OUTBOX_SCHEMA_VERSION = MIGRATIONS.length;

const COLUMNS = `seq, id, upstream, operation, kind, state, input,
  idempotency_key AS idempotencyKey, request_id AS requestId, context, last_error AS lastError, attempts,
  created_at AS createdAt, updated_at AS updatedAt, next_attempt_at AS nextAttemptAt,
  lease_owner AS leaseOwner, lease_expires_at AS leaseExpiresAt, result, delivered_at AS deliveredAt,
  input_sha256 AS inputSha256, result_sha256 AS resultSha256, discarded_at AS discardedAt,
  discard_reason AS discardReason`;

// An item changed "in the future" (updated_at past now + @slack) means the wall clock stepped back:
// it is due now and its lease has lapsed, or it would stall for the size of the step.
const DUE = `((state = 'pending' AND next_attempt_at <= @now)
  OR (state = 'delivering' AND lease_expires_at <= @now)
  OR (state IN ('pending', 'delivering') AND updated_at > @now + @slack))`;

const HELD = `id = @id AND state = 'delivering' AND lease_owner = @owner`;

type DatabaseConstructor = typeof BetterSqlite3;

/** Loaded only when a SQLite outbox is asked for, so the dependency stays optional. */
function loadDriver(): DatabaseConstructor {
  try {
    return nodeRequire()('better-sqlite3') as DatabaseConstructor;
  } catch (cause) {
    throw new OutboxStoreError(
      'DRIVER_MISSING',
      'sqliteOutbox needs the optional dependency better-sqlite3 (npm install better-sqlite3@12)',
      { cause },
    );
  }
}

/** Maps a driver error to an {@link OutboxStoreError}; anything unrecognised is returned as is. */
function storeError(err: unknown, file: string): unknown {
  if (isOutboxStoreError(err)) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new OutboxStoreError(
      'CORRUPT',
      `outbox file ${file} is not a SQLite database or is damaged (${code})`,
      {
        cause: err,
      },
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new OutboxStoreError('BUSY', `outbox file ${file} is locked by another connection (${code})`, {
      cause: err,
    });
  }
  if (
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_IOERR') ||
    code === 'SQLITE_FULL' ||
    code === 'SQLITE_PERM'
  ) {
    return new OutboxStoreError('UNWRITABLE', `outbox file ${file} cannot be opened or written (${code})`, {
      cause: err,
    });
  }
  return err;
}

function openDatabase(
  Database: DatabaseConstructor,
  file: string,
  busyTimeoutMs: number,
): BetterSqlite3.Database {
  try {
    return new Database(file, { timeout: busyTimeoutMs });
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    if (err instanceof TypeError && message.includes('directory does not exist')) {
      throw new OutboxStoreError(
        'UNWRITABLE',
        `outbox file ${file} cannot be created: its directory does not exist`,
        {
          cause: err,
        },
      );
    }
    // The native addon is loaded on first open, not on require.
    const code = (err as { code?: unknown }).code;
    if (
      code === 'ERR_DLOPEN_FAILED' ||
      /bindings file|NODE_MODULE_VERSION|better_sqlite3\.node/.test(message)
    ) {
      throw new OutboxStoreError(
        'DRIVER_MISSING',
        'better-sqlite3 is installed but its native addon does not load (npm rebuild better-sqlite3)',
        { cause: err },
      );
    }
    throw storeError(err, file);
  }
}

/** Applies missing migrations; always writes, so an unwritable file fails here, at open time. */
function migrate(db: BetterSqlite3.Database, file: string): void {
  db.transaction(() => {
    // Read again inside the write lock: another process may have migrated since we looked.
    const version = db.pragma('user_version', { simple: true }) as number;
    tooNew(version, file);
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

function tooNew(version: number, file: string): void {
  if (version > MIGRATIONS.length) {
    throw new OutboxStoreError(
      'SCHEMA_TOO_NEW',
      `outbox file ${file} has schema version ${version}, newer than this library's ${MIGRATIONS.length}; upgrade vn-national-gateway`,
    );
  }
}

/**
 * The embedded durable outbox: one SQLite file, shared safely by several processes on the same
 * host (not over a network file system: SQLite's locking is unreliable there). Needs the optional
 * dependency `better-sqlite3@12`, loaded only when this is called.
 *
 * Opening checks the file (`PRAGMA quick_check`, whose time grows with the file), migrates its
 * schema and writes to it, so a bad path fails now rather than at the first outage. Throws
 * {@link OutboxStoreError}: `DRIVER_MISSING`, `CORRUPT`, `UNWRITABLE` or `SCHEMA_TOO_NEW`.
 *
 * @example const outbox = sqliteOutbox({ path: '/var/lib/city-gateway/outbox.db' });
 */
export function sqliteOutbox(options: SqliteOutboxOptions): OutboxStore {
  checkOptionKeys('sqliteOutbox', options, SQLITE_OPTION_KEYS);
  const file = options.path;
  if (typeof file !== 'string' || file === '')
    throw new TypeError('sqliteOutbox: path must be a non-empty string');
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0 || busyTimeoutMs > 0x7fffffff) {
    throw new TypeError('sqliteOutbox: busyTimeoutMs must be an integer >= 0');
  }

  const Database = loadDriver();
  const db = openDatabase(Database, file, busyTimeoutMs);
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // The first read of the file: garbage fails here with SQLITE_NOTADB.
    tooNew(db.pragma('user_version', { simple: true }) as number, file);
    const check = db.pragma('quick_check') as { quick_check: string }[];
    if (check.length !== 1 || check[0]?.quick_check !== 'ok') {
      // The check's own text names pages and indexes, never row contents.
      throw new OutboxStoreError('CORRUPT', `outbox file ${file} failed its integrity check`);
    }
    // WAL: readers never block the writer, and a commit is one append to the log.
    db.pragma('journal_mode = WAL');
    // FULL: fsync the log on every commit. A queued dossier must survive a power cut; NORMAL in WAL
    // mode may lose the last commits (the ones the caller was just told are `queued`).
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Deleted and overwritten content (a delivered item's input, a purged row) is zeroed in the
    // pages, not left in free space; the WAL copies are removed by the checkpoints below.
    db.pragma('secure_delete = ON');
    migrate(db, file);
  } catch (err) {
    db.close();
    throw storeError(err, file);
  }

  // Prepared once per store.
  const insert = db.prepare(
    `INSERT INTO outbox_items (id, upstream, operation, kind, state, input, input_sha256, idempotency_key,
       request_id, context, last_error, attempts, created_at, updated_at, next_attempt_at)
     VALUES (@id, @upstream, @operation, @kind, 'pending', @input, @inputSha256, @idempotencyKey,
       @requestId, @context, @lastError, 0, @now, @now, @now)
     RETURNING ${COLUMNS}`,
  );
  const claimUpdate = (filter: string) =>
    db.prepare(
      `UPDATE outbox_items
         SET state = 'delivering', lease_owner = @owner, lease_expires_at = @leaseExpiresAt,
             attempts = attempts + 1, updated_at = @now
       WHERE seq IN (SELECT seq FROM outbox_items WHERE ${DUE} ${filter} ORDER BY created_at, seq LIMIT @limit)
       RETURNING ${COLUMNS}`,
    );
  const claimAny = claimUpdate('');
  const claimUpstream = claimUpdate('AND upstream = @upstream');
  const completeStmt = db.prepare(
    `UPDATE outbox_items SET state = 'delivered', result = @result, result_sha256 = @resultSha256,
       input = 'null', delivered_at = @now, updated_at = @now, lease_owner = NULL, lease_expires_at = NULL
     WHERE ${HELD}`,
  );
  const releaseStmt = db.prepare(
    `UPDATE outbox_items SET state = 'pending', last_error = @lastError, next_attempt_at = @nextAttemptAt,
       updated_at = @now, lease_owner = NULL, lease_expires_at = NULL WHERE ${HELD}`,
  );
  const failStmt = db.prepare(
    `UPDATE outbox_items SET state = 'dead', last_error = @lastError, updated_at = @now,
       lease_owner = NULL, lease_expires_at = NULL WHERE ${HELD}`,
  );
  const retryStmt = db.prepare(
    `UPDATE outbox_items SET state = 'pending', next_attempt_at = @now, updated_at = @now
     WHERE id = @id AND state = 'dead' AND discarded_at IS NULL RETURNING ${COLUMNS}`,
  );
  const discardStmt = db.prepare(
    `UPDATE outbox_items SET input = 'null', discarded_at = @now, discard_reason = @reason, updated_at = @now
     WHERE id = @id AND state = 'dead' AND discarded_at IS NULL RETURNING ${COLUMNS}`,
  );
  const purgeDelivered = db.prepare(
    `DELETE FROM outbox_items WHERE state = 'delivered' AND delivered_at <= @before`,
  );
  const purgeDiscarded = db.prepare(
    `DELETE FROM outbox_items WHERE state = 'dead' AND discarded_at IS NOT NULL AND discarded_at <= @before`,
  );
  const busyStmt = db.prepare(`SELECT 1 FROM outbox_items WHERE state = 'delivering' LIMIT 1`);
  const getStmt = db.prepare(`SELECT ${COLUMNS} FROM outbox_items WHERE id = ?`);
  // One statement per filter shape, so each can use its index (a state filter must not scan the
  // ever-growing delivered history).
  const listStmts = new Map<string, BetterSqlite3.Statement>();
  for (const byState of [false, true]) {
    for (const byUpstream of [false, true]) {
      const where = [byState ? 'state = @state' : '', byUpstream ? 'upstream = @upstream' : '']
        .filter(Boolean)
        .join(' AND ');
      listStmts.set(
        `${byState}/${byUpstream}`,
        db.prepare(
          `SELECT ${COLUMNS} FROM outbox_items ${where ? `WHERE ${where}` : ''} ORDER BY created_at, seq LIMIT @limit`,
        ),
      );
    }
  }
  const countStmt = db.prepare(
    'SELECT state, count(*) AS n FROM outbox_items WHERE discarded_at IS NULL GROUP BY state',
  );
  const statsStmt = db.prepare(
    `SELECT upstream, state, count(*) AS n, min(created_at) AS oldest FROM outbox_items
     WHERE state != 'delivered' AND discarded_at IS NULL GROUP BY upstream, state`,
  );

  // IMMEDIATE takes the write lock up front. A deferred transaction that reads, then writes, can
  // fail in WAL mode with SQLITE_BUSY_SNAPSHOT without waiting when another process wrote in
  // between; taking the lock first makes claim's select-then-update atomic across processes.
  const write = <A extends unknown[], R>(fn: (...args: A) => R) => {
    const tx = db.transaction(fn);
    return (...args: A): R => tx.immediate(...args);
  };
  const insertTx = write((params: Record<string, unknown>) => insert.get(params) as OutboxRow);
  const claimTx = write(
    (stmt: BetterSqlite3.Statement, params: Record<string, unknown>) => stmt.all(params) as OutboxRow[],
  );
  const changeTx = write(
    (stmt: BetterSqlite3.Statement, params: Record<string, unknown>) => stmt.run(params).changes,
  );
  const retryTx = write((id: string, now: number) => retryStmt.get({ id, now }) as OutboxRow | undefined);
  const discardTx = write(
    (params: Record<string, unknown>) => discardStmt.get(params) as OutboxRow | undefined,
  );
  const purgeTx = write(
    (before: number): PurgeCounts => ({
      delivered: purgeDelivered.run({ before }).changes,
      discarded: purgeDiscarded.run({ before }).changes,
    }),
  );

  // The WAL keeps every page image written since the last checkpoint, inputs included, even after
  // the row is minimised: erasure is only real once the log is copied back and truncated.
  let erased = false;
  const checkpoint = () => {
    // Without waiting: TRUNCATE would otherwise wait (busy_timeout) for every other process's
    // readers and hold off their writes meanwhile. Busy, the log stays until the next try.
    db.pragma('busy_timeout = 0');
    try {
      const [status] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      erased = status?.busy !== 0;
    } finally {
      db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    }
  };
  // A heartbeat: a committed write that changes nothing (user_version is rewritten as is).
  const heartbeat = write(() => db.pragma(`user_version = ${MIGRATIONS.length}`));

  let closed = false;
  /** Runs `fn` on an open store, with driver errors mapped to {@link OutboxStoreError}. */
  const run = async <T>(fn: () => T): Promise<T> => {
    if (closed) throw new OutboxStoreError('CLOSED', `outbox file ${file} is closed`);
    try {
      return fn();
    } catch (err) {
      throw storeError(err, file);
    }
  };

  return {
    enqueue: (item: NewOutboxItem, now: number): Promise<OutboxItem> =>
      run(() => {
        const row = newRow(item);
        return rowToItem(insertTx({ ...row, id: randomUUID(), now: ms(now, 'now') }));
      }),

    claim: (opts: ClaimOptions): Promise<OutboxItem[]> =>
      run(() => {
        const { owner, now, leaseMs, limit, upstream } = claimArgs(opts);
        if (limit === 0) return [];
        // A claim starts the next batch: the previous batch's deliveries are erased from the log first.
        if (erased) checkpoint();
        const slack = busyTimeoutMs + WALL_STEP_SLACK_MS;
        const params = { owner, now, leaseExpiresAt: now + leaseMs, limit, upstream, slack };
        const rows = claimTx(upstream === undefined ? claimAny : claimUpstream, params);
        // RETURNING gives no order guarantee.
        return rows.sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq).map(rowToItem);
      }),

    complete: (id: string, owner: string, result: unknown, now: number): Promise<boolean> =>
      run(() => {
        const params = {
          id,
          owner,
          now: ms(now, 'now'),
          ...resultColumns(result === undefined ? null : toJson(result, 'result')),
        };
        const done = changeTx(completeStmt, params) === 1;
        erased ||= done;
        // The batch's last delivery: erase now (otherwise the next claim does).
        if (erased && !busyStmt.get()) checkpoint();
        return done;
      }),

    release: (
      id: string,
      owner: string,
      error: OutboxError,
      nextAttemptAt: number,
      now: number,
    ): Promise<boolean> =>
      run(() => {
        const params = {
          id,
          owner,
          now: ms(now, 'now'),
          nextAttemptAt: ms(nextAttemptAt, 'nextAttemptAt'),
          lastError: errorJson(error),
        };
        return changeTx(releaseStmt, params) === 1;
      }),

    fail: (id: string, owner: string, error: OutboxError, now: number): Promise<boolean> =>
      run(() => changeTx(failStmt, { id, owner, now: ms(now, 'now'), lastError: errorJson(error) }) === 1),

    retryDeadLetter: (id: string, now: number): Promise<OutboxItem | undefined> =>
      run(() => {
        const row = retryTx(id, ms(now, 'now'));
        return row ? rowToItem(row) : undefined;
      }),

    discard: (id: string, reason: string, now: number): Promise<OutboxItem | undefined> =>
      run(() => {
        const row = discardTx({ id, reason: discardReason(reason), now: ms(now, 'now') });
        if (row) checkpoint();
        return row ? rowToItem(row) : undefined;
      }),

    purge: (before: number): Promise<PurgeCounts> =>
      run(() => {
        const counts = purgeTx(ms(before, 'before'));
        if (erased || counts.delivered + counts.discarded > 0) checkpoint();
        return counts;
      }),

    checkWritable: (): Promise<void> =>
      run(() => {
        // The call blocks the event loop while it waits for a lock: a readiness probe waits less.
        db.pragma(`busy_timeout = ${Math.min(busyTimeoutMs, 1000)}`);
        try {
          heartbeat();
        } finally {
          db.pragma(`busy_timeout = ${busyTimeoutMs}`);
        }
      }),

    get: (id: string): Promise<OutboxItem | undefined> =>
      run(() => {
        const row = getStmt.get(id) as OutboxRow | undefined;
        return row ? rowToItem(row) : undefined;
      }),

    list: (filter: OutboxListFilter = {}): Promise<OutboxItem[]> =>
      run(() => {
        const limit = listLimit(filter.limit) ?? -1; // SQLite: a negative LIMIT means none
        const stmt = listStmts.get(`${filter.state !== undefined}/${filter.upstream !== undefined}`)!;
        const rows = stmt.all({ state: filter.state, upstream: filter.upstream, limit }) as OutboxRow[];
        return rows.map(rowToItem);
      }),

    counts: (): Promise<Record<OutboxState, number>> =>
      run(() => {
        const counts = zeroCounts();
        for (const { state, n } of countStmt.all() as { state: OutboxState; n: number }[]) counts[state] = n;
        return counts;
      }),

    stats: (): Promise<Record<string, UpstreamOutboxStats>> =>
      run(() => {
        const out: Record<string, UpstreamOutboxStats> = {};
        const rows = statsStmt.all() as {
          upstream: string;
          state: Exclude<OutboxState, 'delivered'>;
          n: number;
          oldest: number;
        }[];
        for (const { upstream, state, n, oldest } of rows) {
          const s = out[upstream] ?? { pending: 0, delivering: 0, dead: 0, oldestPendingAt: undefined };
          out[upstream] = s;
          s[state] = n;
          if (state !== 'dead' && (s.oldestPendingAt === undefined || oldest < s.oldestPendingAt))
            s.oldestPendingAt = oldest;
        }
        return out;
      }),

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      try {
        // The last connection's close checkpoints too, but not while another process has the file open.
        if (erased) checkpoint();
      } catch {
        // Closing must not fail; the next open's first checkpoint catches up.
      } finally {
        db.close();
      }
    },
  };
}
