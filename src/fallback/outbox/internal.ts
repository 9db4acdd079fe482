/**
 * Helpers shared by the stores (not exported from the package). Both stores keep items as
 * {@link OutboxRow}s with JSON text columns, so the memory store copies exactly what SQLite would
 * store and a test against it catches the same serialisation surprises.
 */
import type {
  ClaimOptions,
  NewOutboxItem,
  OutboxContext,
  OutboxError,
  OutboxItem,
  OutboxKind,
  OutboxState,
} from './types.js';

/** An item as stored: JSON as text, absent values as `null`. */
export interface OutboxRow {
  /** Enqueue order, the tie-breaker after `createdAt` (random ids would shuffle a burst). */
  seq: number;
  id: string;
  upstream: string;
  operation: string;
  kind: OutboxKind;
  state: OutboxState;
  input: string;
  idempotencyKey: string | null;
  requestId: string;
  context: string;
  lastError: string | null;
  attempts: number;
  createdAt: number;
  updatedAt: number;
  nextAttemptAt: number;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  result: string | null;
  deliveredAt: number | null;
}

/** The columns a new item brings; the store adds `seq`, `id`, state and times. */
export type NewRow = Pick<
  OutboxRow,
  'upstream' | 'operation' | 'kind' | 'input' | 'idempotencyKey' | 'requestId' | 'context' | 'lastError'
>;

const KINDS: ReadonlySet<string> = new Set<OutboxKind>(['write', 'deferred-read']);

/** JSON text of `value`; `undefined` becomes `null`. The error names the field, never the value. */
export function toJson(value: unknown, field: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new TypeError(`outbox: ${field} must be JSON-serialisable`, { cause });
  }
  return text ?? 'null';
}

function nonEmpty(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '')
    throw new TypeError(`outbox: ${field} must be a non-empty string`);
  return value;
}

/** Epoch ms as an integer (a drainer's jittered backoff may produce fractions). */
export function ms(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new TypeError(`outbox: ${field} must be a finite number`);
  return Math.floor(value);
}

/** Keeps only `code` and `message`, as strings: no stack, no cause, no attached payload. */
export function errorJson(error: OutboxError, field = 'error'): string {
  if (typeof error !== 'object' || error === null)
    throw new TypeError(`outbox: ${field} must be { code, message }`);
  return JSON.stringify({ code: String(error.code), message: String(error.message) });
}

function contextJson(context: OutboxContext | undefined): string {
  const picked: OutboxContext = {};
  // An allow-list, so a secret or a signature put into the context by mistake is not persisted.
  for (const key of ['purpose', 'actor', 'dossierCode'] as const) {
    const value = context?.[key];
    if (value !== undefined) picked[key] = String(value);
  }
  return JSON.stringify(picked);
}

/** Checks a new item and turns it into columns. Throws `TypeError` naming the bad field. */
export function newRow(item: NewOutboxItem): NewRow {
  if (typeof item !== 'object' || item === null) throw new TypeError('outbox: item must be an object');
  if (!KINDS.has(item.kind)) throw new TypeError("outbox: kind must be 'write' or 'deferred-read'");
  const idempotencyKey =
    item.idempotencyKey === undefined ? null : nonEmpty(item.idempotencyKey, 'idempotencyKey');
  // Replays of a write are only safe because the upstream deduplicates them by this key.
  if (item.kind === 'write' && idempotencyKey === null)
    throw new TypeError('outbox: a write needs an idempotencyKey');
  return {
    upstream: nonEmpty(item.upstream, 'upstream'),
    operation: nonEmpty(item.operation, 'operation'),
    kind: item.kind,
    input: toJson(item.input, 'input'),
    idempotencyKey,
    requestId: nonEmpty(item.requestId, 'requestId'),
    context: contextJson(item.context),
    lastError: item.lastError === undefined ? null : errorJson(item.lastError, 'lastError'),
  };
}

/** Checks claim options; returns them with integer times. */
export function claimArgs(
  opts: ClaimOptions,
): Required<Omit<ClaimOptions, 'upstream'>> & { upstream?: string } {
  const owner = nonEmpty(opts.owner, 'owner');
  const now = ms(opts.now, 'now');
  const leaseMs = ms(opts.leaseMs, 'leaseMs');
  if (leaseMs <= 0) throw new TypeError('outbox: leaseMs must be > 0');
  if (!Number.isInteger(opts.limit) || opts.limit < 0)
    throw new TypeError('outbox: limit must be an integer >= 0');
  const upstream = opts.upstream === undefined ? undefined : nonEmpty(opts.upstream, 'upstream');
  return { owner, now, leaseMs, limit: opts.limit, ...(upstream === undefined ? {} : { upstream }) };
}

/** A fresh item from a row: parsing the JSON columns is what makes every returned object a copy. */
export function rowToItem(row: OutboxRow): OutboxItem {
  const item: OutboxItem = {
    id: row.id,
    upstream: row.upstream,
    operation: row.operation,
    kind: row.kind,
    input: JSON.parse(row.input),
    requestId: row.requestId,
    context: JSON.parse(row.context),
    state: row.state,
    attempts: row.attempts,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    nextAttemptAt: row.nextAttemptAt,
  };
  // Absent fields are left out rather than set to `undefined`, the same from both stores.
  if (row.idempotencyKey !== null) item.idempotencyKey = row.idempotencyKey;
  if (row.lastError !== null) item.lastError = JSON.parse(row.lastError);
  if (row.leaseOwner !== null) item.leaseOwner = row.leaseOwner;
  if (row.leaseExpiresAt !== null) item.leaseExpiresAt = row.leaseExpiresAt;
  if (row.result !== null) item.result = JSON.parse(row.result);
  if (row.deliveredAt !== null) item.deliveredAt = row.deliveredAt;
  return item;
}

/** `{ pending: 0, delivering: 0, delivered: 0, dead: 0 }`. */
export function zeroCounts(): Record<OutboxState, number> {
  return { pending: 0, delivering: 0, delivered: 0, dead: 0 };
}

/** Validates a list limit: a non-negative integer, or `undefined` for all. */
export function listLimit(limit: number | undefined): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isInteger(limit) || limit < 0) throw new TypeError('outbox: limit must be an integer >= 0');
  return limit;
}

/** Per-upstream stats from rows (the memory and SQLite stores; PostgreSQL aggregates in SQL). */
export function statsOf(
  rows: Iterable<Pick<OutboxRow, 'upstream' | 'state' | 'createdAt'>>,
): Record<
  string,
  { pending: number; delivering: number; dead: number; oldestPendingAt: number | undefined }
> {
  const out: Record<
    string,
    { pending: number; delivering: number; dead: number; oldestPendingAt: number | undefined }
  > = {};
  for (const r of rows) {
    if (r.state === 'delivered') continue;
    out[r.upstream] ??= { pending: 0, delivering: 0, dead: 0, oldestPendingAt: undefined };
    const s = out[r.upstream]!;
    s[r.state] += 1;
    if (r.state !== 'dead' && (s.oldestPendingAt === undefined || r.createdAt < s.oldestPendingAt))
      s.oldestPendingAt = r.createdAt;
  }
  return out;
}
