/**
 * {@link OutboxReader} on a SQLite outbox file, opened so that the file is never changed: a file
 * that is not an outbox (another application's database, a text file, an empty file) is refused
 * byte-identical, with no `outbox_items` table, no `user_version` change and no `-wal`/`-shm`
 * files left behind.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { SQLITE_OUTBOX_SCHEMA_VERSION } from '../fallback/outbox/sqlite.js';
import { rowToItem, zeroCounts } from '../fallback/outbox/internal.js';
import type { OutboxItem, OutboxListFilter, OutboxState } from '../fallback/outbox/types.js';
import { nodeRequire } from '../util/node-require.js';
import { failure } from './errors.js';
import { LIST_ORDER, missingColumns, type OutboxReader, toOutboxRow } from './outbox-reader.js';

/** The table of the SQLite store (src/fallback/outbox/sqlite.ts). */
const TABLE = 'outbox_items';

/** First 16 bytes of every SQLite 3 database file. */
const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** The 100-byte header, or `undefined` for a file too short to be a database. */
function readHeader(file: string): Buffer | undefined {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(100);
    return readSync(fd, header, 0, 100, 0) === 100 ? header : undefined;
  } finally {
    closeSync(fd);
  }
}

/** Maps a driver error to a {@link failure} naming the file; others are returned as they are. */
function sqliteFailure(err: unknown, file: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))
    return failure(`${file} is not a SQLite database or is damaged (${code}); it was left untouched`, err);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return failure(`${file} is locked by another process (${code}); try again`, err);
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || code.startsWith('SQLITE_IOERR'))
    return failure(`${file} cannot be opened (${code}); check its permissions`, err);
  return failure(`${file} could not be read (${code})`, err);
}

/**
 * Opens `file` for reading and checks, before any other statement, that it is an outbox this
 * version can read. Throws a {@link failure} (exit 1) otherwise.
 */
export function openSqliteReader(file: string, options: { busyTimeoutMs?: number } = {}): OutboxReader {
  if (!existsSync(file)) throw failure(`No outbox file at ${file} (check --db)`);
  if (statSync(file).isDirectory()) throw failure(`${file} is a directory, not an outbox file (check --db)`);
  // Read the header ourselves first: even a read-only open may add files beside a WAL database.
  let header: Buffer | undefined;
  try {
    header = readHeader(file);
  } catch (err) {
    throw failure(
      `${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); check its permissions`,
      err,
    );
  }
  if (header === undefined || !header.subarray(0, 16).equals(MAGIC))
    throw failure(`${file} is not a SQLite database, so not an outbox (check --db); it was left untouched`);

  let Database: typeof BetterSqlite3;
  try {
    Database = nodeRequire()('better-sqlite3') as typeof BetterSqlite3;
  } catch (cause) {
    throw failure(
      'a SQLite outbox needs the optional dependency better-sqlite3 (npm install better-sqlite3@12)',
      cause,
    );
  }

  // A read-only connection to a WAL database creates `-wal` and `-shm` and, unable to checkpoint,
  // leaves them at close. When neither exists, nobody has the file open and its log is empty: a
  // read-write connection kept to reads (`query_only`) then removes both itself at close, and has
  // nothing to copy into the file. In every other case (rollback journal, or a WAL in use), a
  // read-only connection adds nothing.
  const wal = header[18] === 2;
  const readonly = !(wal && !existsSync(`${file}-wal`) && !existsSync(`${file}-shm`));
  let db: BetterSqlite3.Database;
  try {
    db = new Database(file, { readonly, fileMustExist: true, timeout: options.busyTimeoutMs ?? 5000 });
  } catch (err) {
    throw sqliteFailure(err, file);
  }
  let columns: Set<string>;
  try {
    if (!readonly) db.pragma('query_only = ON');
    const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(TABLE);
    if (table === undefined)
      throw failure(
        `${file} is a SQLite database but not an outbox (no ${TABLE} table; check --db); it was left untouched`,
      );
    columns = new Set((db.pragma(`table_info(${TABLE})`) as { name: string }[]).map((c) => c.name));
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SQLITE_OUTBOX_SCHEMA_VERSION)
      throw failure(
        `${file} holds an outbox of schema version ${version}, newer than this vn-gateway's ${SQLITE_OUTBOX_SCHEMA_VERSION}; upgrade vn-national-gateway (the file was left untouched)`,
      );
    const missing = missingColumns(columns);
    if (version === 0 || missing.length > 0)
      throw failure(
        `${file} has an ${TABLE} table that is not an outbox's (${version === 0 ? 'no schema version' : `no ${missing.join(', ')}`}); it was left untouched`,
      );
  } catch (err) {
    db.close();
    throw sqliteFailure(err, file);
  }

  // A file from before discards (schema 1) has no discarded_at: nothing in it is discarded.
  const undiscarded = columns.has('discarded_at') ? 'WHERE discarded_at IS NULL' : '';
  const getStmt = db.prepare(`SELECT * FROM ${TABLE} WHERE id = ?`);
  const countStmt = db.prepare(`SELECT state, count(*) AS n FROM ${TABLE} ${undiscarded} GROUP BY state`);
  const item = (record: unknown): OutboxItem => rowToItem(toOutboxRow(record as Record<string, unknown>));
  const run = async <T>(fn: () => T): Promise<T> => {
    try {
      return fn();
    } catch (err) {
      throw sqliteFailure(err, file);
    }
  };

  return {
    where: file,
    get: (id) =>
      run(() => {
        const row = getStmt.get(id);
        return row === undefined ? undefined : item(row);
      }),
    list: (filter: OutboxListFilter) =>
      run(() => {
        const where = [
          filter.state === undefined ? '' : 'state = @state',
          filter.upstream === undefined ? '' : 'upstream = @upstream',
        ]
          .filter(Boolean)
          .join(' AND ');
        const stmt = db.prepare(
          `SELECT * FROM ${TABLE} ${where ? `WHERE ${where}` : ''} ${LIST_ORDER} LIMIT @limit`,
        );
        // SQLite: a negative LIMIT means none.
        return stmt
          .all({ state: filter.state, upstream: filter.upstream, limit: filter.limit ?? -1 })
          .map(item);
      }),
    counts: () =>
      run(() => {
        const counts = zeroCounts();
        for (const { state, n } of countStmt.all() as { state: OutboxState; n: number }[]) counts[state] = n;
        return counts;
      }),
    close: async () => {
      db.close();
    },
  };
}
