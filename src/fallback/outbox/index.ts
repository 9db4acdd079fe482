export {
  isOutboxStoreError,
  OutboxStoreError,
  type OutboxStoreErrorCode,
  type OutboxStoreErrorReason,
} from './errors.js';
export { memoryOutbox } from './memory.js';
export {
  POSTGRES_OUTBOX_SCHEMA_VERSION,
  type PgQueryable,
  type PostgresEnqueueOptions,
  type PostgresOutboxOptions,
  type PostgresOutboxStore,
  postgresOutbox,
} from './postgres.js';
export { SQLITE_OUTBOX_SCHEMA_VERSION, type SqliteOutboxOptions, sqliteOutbox } from './sqlite.js';
export {
  type ClaimOptions,
  type NewOutboxItem,
  OUTBOX_STATES,
  type OutboxContext,
  type OutboxError,
  type OutboxItem,
  type OutboxKind,
  type OutboxListFilter,
  type OutboxState,
  type OutboxStore,
  type PurgeCounts,
  type UpstreamOutboxStats,
} from './types.js';
