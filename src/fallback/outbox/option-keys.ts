/** The option keys of the outbox stores, checked by the compiler against their option types. */
import type { OptionKeys } from '../../option-keys.js';
import type { PostgresOutboxOptions } from './postgres.js';
import type { SqliteOutboxOptions } from './sqlite.js';

export const SQLITE_OPTION_KEYS: OptionKeys<SqliteOutboxOptions> = { path: true, busyTimeoutMs: true };

export const POSTGRES_OPTION_KEYS: OptionKeys<PostgresOutboxOptions> = {
  pool: true,
  connectionString: true,
  schema: true,
  table: true,
  enqueueTimeoutMs: true,
  queryTimeoutMs: true,
  clock: true,
  vacuumAfterPurge: true,
};
