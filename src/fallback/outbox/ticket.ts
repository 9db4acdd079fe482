import type { OutboxError, OutboxItem, OutboxKind } from './types.js';

/**
 * A ticket's outcome as a city system reads it (`gateway.outbox.get(ticket)`), from any instance
 * sharing the store. Never holds the queued input (personal data).
 */
export interface OutboxTicket {
  ticket: string;
  /**
   * `pending`: waiting or being delivered; `delivered`: the upstream accepted it (see `result`);
   * `dead`: failed for good (see `error`), waiting for an operator unless `discarded`.
   */
  state: 'pending' | 'delivered' | 'dead';
  upstream: string;
  operation: string;
  kind: OutboxKind;
  /** The original X-Road-Id, reused by every replay. */
  requestId: string;
  idempotencyKey?: string | undefined;
  dossierCode?: string | undefined;
  /** Delivery attempts started so far. */
  attempts: number;
  /** Epoch ms. */
  enqueuedAt: number;
  /** Epoch ms, once `delivered`. */
  deliveredAt?: number | undefined;
  /** Summary of the upstream's result, once `delivered` (see `OutboxItem.result`). */
  result?: unknown;
  /** The last failure: why it is `dead`, or why a `pending` item is waiting. */
  error?: OutboxError | undefined;
  /** Set once an operator discarded the dead letter. */
  discarded?: { at: number; reason: string } | undefined;
}

/** The ticket view of a stored item. */
export function toTicket(item: OutboxItem): OutboxTicket {
  const t: OutboxTicket = {
    ticket: item.id,
    state: item.state === 'delivering' ? 'pending' : item.state,
    upstream: item.upstream,
    operation: item.operation,
    kind: item.kind,
    requestId: item.requestId,
    attempts: item.attempts,
    enqueuedAt: item.createdAt,
  };
  if (item.idempotencyKey !== undefined) t.idempotencyKey = item.idempotencyKey;
  if (item.context.dossierCode !== undefined) t.dossierCode = item.context.dossierCode;
  if (item.deliveredAt !== undefined) t.deliveredAt = item.deliveredAt;
  if (item.state === 'delivered' && 'result' in item) t.result = item.result;
  if (item.lastError !== undefined && item.state !== 'delivered') t.error = item.lastError;
  if (item.discardedAt !== undefined)
    t.discarded = { at: item.discardedAt, reason: item.discardReason ?? '' };
  return t;
}
