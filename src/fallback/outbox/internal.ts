/**
 * Helpers shared by the stores (not exported from the package). Both stores keep items as
 * {@link OutboxRow}s with JSON text columns, so the memory store copies exactly what SQLite would
 * store and a test against it catches the same serialisation surprises.
 */
import { createHash } from 'node:crypto';
import { safeCode } from '../../pipeline/unknown-values.js';
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
  inputSha256: string | null;
  resultSha256: string | null;
  discardedAt: number | null;
  discardReason: string | null;
}

/** The columns a new item brings; the store adds `seq`, `id`, state and times. */
export type NewRow = Pick<
  OutboxRow,
  | 'upstream'
  | 'operation'
  | 'kind'
  | 'input'
  | 'inputSha256'
  | 'idempotencyKey'
  | 'requestId'
  | 'context'
  | 'lastError'
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
  const input = toJson(item.input, 'input');
  return {
    upstream: nonEmpty(item.upstream, 'upstream'),
    operation: nonEmpty(item.operation, 'operation'),
    kind: item.kind,
    input,
    inputSha256: sha256Json(input),
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
  if (row.inputSha256 !== null) item.inputSha256 = row.inputSha256;
  if (row.resultSha256 !== null) item.resultSha256 = row.resultSha256;
  if (row.discardedAt !== null) item.discardedAt = row.discardedAt;
  if (row.discardReason !== null) item.discardReason = row.discardReason;
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

/** JSON with object keys sorted at every level, so equal values always hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 (hex) of the canonical form of a JSON text. */
export function sha256Json(json: string): string {
  return createHash('sha256')
    .update(canonicalJson(JSON.parse(json)))
    .digest('hex');
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}|^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$/;

/** A value kept in a result summary: not a name, a date, free text, a personal ID or a structure. */
function keepable(value: unknown): boolean {
  if (value === null || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  return typeof value === 'string' && safeCode(value) === value && !DATE_LIKE.test(value);
}

/**
 * The columns a delivered item keeps of its result (JSON text of `result`): a summary of
 * top-level keepable fields and the hash of the whole. The full result may hold personal data
 * (a profile); the summary keeps what a city acts on (`verified: false`, a receipt number).
 */
export function resultColumns(json: string | null): { result: string | null; resultSha256: string | null } {
  if (json === null) return { result: null, resultSha256: null };
  const value: unknown = JSON.parse(json);
  let summary: unknown;
  if (keepable(value)) summary = value;
  else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    summary = Object.fromEntries(Object.entries(value).filter(([, v]) => keepable(v)));
  } else summary = {};
  return { result: JSON.stringify(summary), resultSha256: sha256Json(json) };
}

/** Checks an operator's discard reason; the error never echoes it. */
export function discardReason(reason: unknown): string {
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 500)
    throw new TypeError('outbox: a discard reason must be 1–500 characters');
  // A reason is free text kept for months: refuse what looks like a personal ID or a phone number.
  if (/\d{9}/.test(reason)) throw new TypeError('outbox: a discard reason must not hold a run of 9+ digits');
  return reason;
}

/**
 * How far in the future an item's last change may lie before a store on the caller's wall clock
 * takes it as a sign the clock stepped back (see {@link OutboxStore.claim}). It covers a caller
 * that read its clock a moment before another process's claim committed.
 */
export const WALL_STEP_SLACK_MS = 1_000;
