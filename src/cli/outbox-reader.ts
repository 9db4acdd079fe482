/**
 * A read-only view of an outbox for `outbox list|show`: it never creates, migrates or writes,
 * and refuses (exit 1) a database that is not an outbox. The stores themselves migrate on open,
 * which is right for a gateway and wrong for an operator looking at a file.
 */
import type { OutboxRow } from '../fallback/outbox/internal.js';
import type { OutboxItem, OutboxListFilter, OutboxState } from '../fallback/outbox/types.js';

/** What `list` and `show` need of an outbox. */
export interface OutboxReader {
  /** How messages name the outbox (a file, or a table and host; never a password). */
  readonly where: string;
  /** The item with this ticket, or `undefined`. */
  get(id: string): Promise<OutboxItem | undefined>;
  /** Items matching `filter`, oldest first, as the stores order them. */
  list(filter: OutboxListFilter): Promise<OutboxItem[]>;
  /** Items per state; `dead` leaves discarded items out, as the stores count them. */
  counts(): Promise<Record<OutboxState, number>>;
  close(): Promise<void>;
}

/**
 * The columns of the first outbox schema, which every later version keeps (both stores): a table
 * of that name without them belongs to something else.
 */
export const REQUIRED_COLUMNS: readonly string[] = [
  'seq',
  'id',
  'upstream',
  'operation',
  'kind',
  'state',
  'input',
  'idempotency_key',
  'request_id',
  'context',
  'last_error',
  'attempts',
  'created_at',
  'updated_at',
  'next_attempt_at',
];

/** The required columns `columns` lacks. */
export function missingColumns(columns: Iterable<string>): string[] {
  const have = new Set(columns);
  return REQUIRED_COLUMNS.filter((c) => !have.has(c));
}

// Columns an older schema may lack (or that may be NULL): absent means `null` to rowToItem.
const NULLABLE = [
  'idempotencyKey',
  'lastError',
  'leaseOwner',
  'leaseExpiresAt',
  'result',
  'deliveredAt',
  'inputSha256',
  'resultSha256',
  'discardedAt',
  'discardReason',
] as const;

/**
 * A `SELECT *` row (snake_case columns) as the stores' {@link OutboxRow}: the same names the
 * stores alias to (`created_at` → `createdAt`), so a column a later schema adds comes through too.
 */
export function toOutboxRow(record: Record<string, unknown>): OutboxRow {
  const row: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(record)) {
    row[column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = value;
  }
  for (const key of NULLABLE) row[key] ??= null;
  return row as unknown as OutboxRow;
}

/** The ORDER BY of both stores' `list`. */
export const LIST_ORDER = 'ORDER BY created_at, seq';
