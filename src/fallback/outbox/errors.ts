/** Why an outbox store could not do its job (never about an item's content). */
export type OutboxStoreErrorCode =
  /** The file is not a SQLite database, or is damaged. */
  | 'CORRUPT'
  /** The file or its directory cannot be created or written (missing dir, read-only, disk full). */
  | 'UNWRITABLE'
  /** The optional dependency `better-sqlite3` is not installed or does not load. */
  | 'DRIVER_MISSING'
  /** The file was written by a newer version of this library; refusing to touch it. */
  | 'SCHEMA_TOO_NEW'
  /** Another process held the file's write lock longer than `busyTimeoutMs`; worth retrying. */
  | 'BUSY'
  /** The database server cannot be reached or refused the work (PostgreSQL); worth retrying. */
  | 'UNAVAILABLE'
  /** The store was closed. */
  | 'CLOSED';

/** @deprecated Use {@link OutboxStoreErrorCode}; the same union. */
export type OutboxStoreErrorReason = OutboxStoreErrorCode;

const MARK = Symbol.for('vn-national-gateway.OutboxStoreError');

/**
 * A store-level failure of the outbox. The message names the file (when there is one) and never
 * includes item payloads. Check it with {@link isOutboxStoreError}. A call whose write this
 * failure kept out of the outbox fails with the `GatewayError` code `NOT_SAVED`, this as its cause.
 */
export class OutboxStoreError extends Error {
  /** Stable code; switch on this, not on `message`. */
  readonly code: OutboxStoreErrorCode;

  constructor(code: OutboxStoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OutboxStoreError';
    this.code = code;
    // A mark instead of `instanceof`, which fails across two installed copies of the package.
    Object.defineProperty(this, MARK, { value: true });
  }

  /** @deprecated Use {@link OutboxStoreError.code}; the same value. */
  get reason(): OutboxStoreErrorCode {
    return this.code;
  }
}

/** True when `e` is an {@link OutboxStoreError} (from any copy of this package), with `code` if given. */
export function isOutboxStoreError(e: unknown, code?: OutboxStoreErrorCode): e is OutboxStoreError {
  if (typeof e !== 'object' || e === null || (e as Record<symbol, unknown>)[MARK] !== true) return false;
  // `reason`: what a copy of this package older than `code` set.
  const own = (e as { code?: unknown }).code ?? (e as { reason?: unknown }).reason;
  return code === undefined || own === code;
}
