import type { ErrorCode, FieldIssue } from './errors.js';
import type { BreakerState } from './pipeline/breaker.js';

/** How a call ended: a result status or an error code. */
export type CallOutcome = 'ok' | 'stale' | 'queued' | ErrorCode;

export interface CallEvent {
  upstream: string;
  operation: string;
  requestId: string;
  outcome: CallOutcome;
  attempts: number;
  durationMs: number;
  /** The caller's `context.correlationId`, when given. */
  correlationId?: string | undefined;
}

export interface RetryEvent {
  upstream: string;
  operation: string;
  requestId: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  code: ErrorCode;
}

export interface BreakerEvent {
  upstream: string;
  state: BreakerState;
  /** When the state began (epoch ms). */
  since: number;
}

/**
 * One attempt ended (a logical call's or an outbox replay's), also when a retry or a fallback hid
 * its failure from the caller. `outcome` is `ok` or the attempt's error code (`CIRCUIT_OPEN` when
 * the breaker refused it).
 */
export interface AttemptEvent {
  upstream: string;
  operation: string;
  requestId: string;
  /** 1-based, within the call (or the replay). */
  attempt: number;
  outcome: 'ok' | ErrorCode;
}

export interface FallbackEvent {
  upstream: string;
  operation: string;
  requestId: string;
  kind: 'stale' | 'queued' | 'deferred';
  /** The failure that triggered the fallback. */
  code: ErrorCode;
}

export interface ContractEvent {
  upstream: string;
  operation: string;
  requestId: string;
  issues: FieldIssue[];
}

export interface UnknownValueEvent {
  upstream: string;
  operation: string;
  field: string;
  value: string;
}

export interface OutboxEvent {
  ticket: string;
  upstream: string;
  operation: string;
  requestId: string;
  dossierCode?: string | undefined;
}

/**
 * A queued call was delivered. On `gateway.on` the payload is a union over the gateway's
 * operations, so narrowing on `upstream` and `operation` types `result` as that operation's output.
 */
export interface OutboxDeliveredEvent<Result = unknown> extends OutboxEvent {
  /** The upstream's full domain result, so the city system can update the dossier (the store keeps a summary only). */
  result: Result;
  attempts: number;
}

/** A queued call failed for good (dead letter): it stays in the store until an operator retries or discards it. */
export interface OutboxDeadEvent extends OutboxEvent {
  /** Why: a non-transient gateway error code, e.g. `REJECTED`, `NOT_FOUND`, `VALIDATION`. */
  code: ErrorCode;
  attempts: number;
}

/** The drainer's periodic purge removed delivered and discarded items past their retention. */
export interface OutboxPurgedEvent {
  delivered: number;
  discarded: number;
  /** Items delivered (or discarded) at or before this time (epoch ms) were removed. */
  before: number;
}

/** Every event of a gateway, by name. */
export interface GatewayEvents {
  call: CallEvent;
  retry: RetryEvent;
  attempt: AttemptEvent;
  'breaker:open': BreakerEvent;
  'breaker:half-open': BreakerEvent;
  'breaker:close': BreakerEvent;
  fallback: FallbackEvent;
  'contract:violation': ContractEvent;
  'contract:unknown-value': UnknownValueEvent;
  'outbox:queued': OutboxEvent;
  'outbox:delivered': OutboxDeliveredEvent;
  'outbox:dead': OutboxDeadEvent;
  'outbox:purged': OutboxPurgedEvent;
  'quota:fallback': QuotaEvent;
  'quota:shared': QuotaEvent;
}

/** A shared quota (Redis) left for the local bucket (`quota:fallback`) or came back (`quota:shared`). */
export interface QuotaEvent {
  /** The limiter's key: the upstream name, or `outbox:<upstream>` for the drainer's ceiling. */
  key: string;
  /** Why it fell back: an error code or name (`ECONNREFUSED`, `TIMEOUT`), never a message. */
  reason?: string | undefined;
}

export type GatewayEventName = keyof GatewayEvents;

/**
 * A small typed event bus, one per gateway. A listener that throws is reported to `onListenerError`
 * and never breaks the call that emitted the event.
 */
export class EventBus {
  private readonly listeners = new Map<GatewayEventName, Set<(e: never) => void>>();

  constructor(private readonly onListenerError: (event: string, error: unknown) => void) {}

  /** Subscribes; returns the function that unsubscribes. */
  on<E extends GatewayEventName>(event: E, fn: (e: GatewayEvents[E]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    set.add(fn as (e: never) => void);
    return () => set.delete(fn as (e: never) => void);
  }

  emit<E extends GatewayEventName>(event: E, payload: GatewayEvents[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const fn of set) {
      try {
        (fn as (e: GatewayEvents[E]) => void)(payload);
      } catch (error) {
        this.onListenerError(event, error);
      }
    }
  }

  listenerCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  clear(): void {
    this.listeners.clear();
  }
}
