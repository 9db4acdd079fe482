/**
 * One call, end to end, as the caller sees it: validation (step 1), the operation's composed
 * steps 3–10 (see `upstream.ts`), and the fallbacks (step 2). How the call ended goes to the
 * gateway's observers (the `call` event, stats, audit, the log line), not to each of them here.
 */
import { randomUUID } from 'node:crypto';
import type { CallContext, WireInfo } from './adapter.js';
import type { Clock } from './clock.js';
import { annotate, CODE_TRAITS, GatewayError } from './errors.js';
import type { CallOutcome, EventBus } from './events.js';
import { StaleCache } from './fallback/cache.js';
import type { Replay } from './fallback/drainer.js';
import { notSavedError } from './fallback/not-saved.js';
import type { OutboxStore } from './fallback/outbox/types.js';
import { CallScope } from './pipeline/step.js';
import type { UnknownValueLog } from './pipeline/unknown-values.js';
import { validateCall, validationError } from './pipeline/validation.js';
import type { CallObservers, CallRecord } from './telemetry/call-observers.js';
import type { Operation, Upstream } from './upstream.js';

/** What every call reports about itself. */
export interface CallMeta {
  upstream: string;
  operation: string;
  /** The `X-Road-Id` of the call, the same on all its attempts (and on a queued item's replays). */
  requestId: string;
  /** Attempts made, the first included (0 when the call failed validation). */
  attempts: number;
  durationMs: number;
  /** For `stale`: how old the served answer is. */
  ageMs?: number | undefined;
}

/** A call's result: a live answer, a stale one served while the upstream fails, or a ticket for a queued call. */
export type CallResult<T> =
  | { status: 'ok'; data: T; meta: CallMeta }
  | { status: 'stale'; data: T; meta: CallMeta & { ageMs: number } }
  | { status: 'queued'; ticket: string; meta: CallMeta };

/** The gateway-wide parts a call uses. */
export interface CallRuntime {
  clock: Clock;
  random: () => number;
  events: EventBus;
  cache: StaleCache;
  outbox: OutboxStore;
  /** The gateway's unknown-value reporter (dedup per window). */
  unknownValues: UnknownValueLog;
  /** Told how every call ended. */
  observers: CallObservers;
  /** Aborted by the gateway's `close()`, which also ends every call in flight. */
  shutdown: AbortSignal;
}

/**
 * Runs steps 3–10 for a validated input, once per call or outbox replay: the outbox drainer gets
 * it as its `send` function. Resolves with the value and the attempts it took.
 */
export async function send(
  rt: CallRuntime,
  up: Upstream,
  op: Operation,
  input: unknown,
  info: WireInfo,
  signal: AbortSignal | undefined,
  callerDeadlineMs?: number,
): Promise<{ value: unknown; attempts: number }> {
  // The caller's own budget (context.deadlineMs) can only shorten the policy's deadline. Its expiry
  // is a transient TIMEOUT, so the call still falls back (stale or queued) instead of failing.
  const deadlineMs =
    callerDeadlineMs === undefined ? op.policy.deadlineMs : Math.min(op.policy.deadlineMs, callerDeadlineMs);
  // Created on the first unknown value only: deduplicated, capped, code-shaped (unknown-values.ts).
  let unknown: ReturnType<UnknownValueLog['forCall']> | undefined;
  const call = new CallScope(
    up.name,
    op.name,
    input,
    info,
    deadlineMs,
    // Monotonic: an NTP step or a host booting on local time must not move the deadline.
    rt.clock.monotonic() + deadlineMs,
    // A write is retried only with an idempotency key: without one a retry may register twice.
    op.spec.kind === 'read' || info.context.idempotencyKey !== undefined,
    (field, raw) => {
      unknown ??= rt.unknownValues.forCall(up.name, op.name, (f, value) => {
        up.logger.warn(
          { operation: op.name, field: f, value, requestId: info.requestId },
          'unknown value passed through',
        );
        rt.events.emit('contract:unknown-value', { upstream: up.name, operation: op.name, field: f, value });
      });
      unknown.report(field, raw);
    },
    signal,
  );
  try {
    const value = await op.run(call.nextSignal(), call);
    return { value, attempts: call.attempt };
  } finally {
    if (unknown && unknown.suppressed() > 0)
      up.logger.warn(
        { operation: op.name, requestId: info.requestId, suppressed: unknown.suppressed() },
        'unknown values not logged (already reported, or over the per-call cap)',
      );
  }
}

/**
 * The drainer's `send`: replays a queued item through its operation's steps with the item's
 * request id and idempotency key. A deferred read's late answer is cached like a live one, so
 * the citizen's next visit may be served stale from it.
 */
export function replay(rt: CallRuntime, upstreams: ReadonlyMap<string, Upstream>): Replay {
  return async (item, signal) => {
    const up = upstreams.get(item.upstream);
    const op = up?.operations[item.operation];
    if (!up || !op)
      throw new GatewayError('VALIDATION', `Unknown operation ${item.operation}`, { retryable: false });
    const info = {
      requestId: item.requestId,
      context: { ...item.context, idempotencyKey: item.idempotencyKey },
    };
    const { value } = await send(rt, up, op, item.input, info, signal);
    if (item.kind === 'deferred-read' && op.cache)
      rt.cache.set(StaleCache.key(up.name, op.name, item.input), value, rt.clock.monotonic());
    return value;
  };
}

/** A whole call as the caller sees it: validation, the pipeline, fallbacks; its end goes to the observers. */
export async function invoke(
  rt: CallRuntime,
  up: Upstream,
  op: Operation,
  rawInput: unknown,
  rawContext: CallContext = {},
): Promise<CallResult<unknown>> {
  const { spec } = op;
  // The call's state as it runs, and what its observers are told at the end.
  const r: CallRecord = {
    upstream: up.name,
    operation: op.name,
    requestId: randomUUID(),
    outcome: 'ok',
    attempts: 0,
    durationMs: 0,
    started: rt.clock.now(),
    startedMono: rt.clock.monotonic(),
    context: NO_CONTEXT,
    personal: spec.personalData === true,
    subject: undefined,
    error: undefined,
    logger: up.logger,
  };
  try {
    // Read through the context schema (validation step): a raw context may be a caller's Proxy.
    const checked = validateCall(spec, rawInput, rawContext, up.spec.labels);
    r.personal = checked.personal;
    const { signal, defer, ...context } = checked.context;
    r.context = context;
    if (checked.issues) throw validationError(checked.issues, up.spec.displayName);
    const input = checked.input;
    r.subject = spec.subject?.(input);
    const dossierCode = context.dossierCode ?? spec.dossierCode?.(input);
    const info: WireInfo = {
      requestId: r.requestId,
      context: {
        purpose: context.purpose,
        actor: context.actor,
        dossierCode,
        idempotencyKey: spec.kind === 'write' ? (context.idempotencyKey ?? dossierCode) : undefined,
      },
    };
    const cacheKey = op.cache ? StaleCache.key(up.name, op.name, input) : undefined;
    try {
      const sent = await send(rt, up, op, input, info, signal, context.deadlineMs);
      r.attempts = sent.attempts;
      if (cacheKey) rt.cache.set(cacheKey, sent.value, rt.clock.monotonic());
      return { status: 'ok', data: sent.value, meta: finish(rt, r, 'ok') };
    } catch (e) {
      const error = annotate(e, up.name, op.name, r.requestId);
      r.attempts = error.attempts ?? r.attempts;
      const fallback = await tryFallback(rt, up, op, input, info, error, cacheKey, defer);
      if (!fallback) throw error;
      const meta = finish(rt, r, fallback.status);
      return fallback.status === 'stale'
        ? { status: 'stale', data: fallback.data, meta: { ...meta, ageMs: fallback.ageMs } }
        : { status: 'queued', ticket: fallback.ticket, meta };
    }
  } catch (e) {
    const error = closing(rt, annotate(e, up.name, op.name, r.requestId, up.messages));
    error.attempts = error.attempts ?? r.attempts;
    if (error.code === 'CONTRACT') {
      // The platform changed its contract: loud, counted, never retried.
      rt.events.emit('contract:violation', {
        upstream: up.name,
        operation: op.name,
        requestId: r.requestId,
        issues: error.issues ?? [],
      });
    }
    r.error = error;
    finish(rt, r, error.code);
    throw error;
  }
}

const NO_CONTEXT: CallRecord['context'] = Object.freeze({});

/** Ends the call: tells the observers how it ended, and returns its meta. */
function finish(rt: CallRuntime, r: CallRecord, outcome: CallOutcome): CallMeta {
  r.outcome = outcome;
  r.durationMs = rt.clock.monotonic() - r.startedMono;
  rt.observers.notify(r);
  return {
    upstream: r.upstream,
    operation: r.operation,
    requestId: r.requestId,
    attempts: r.attempts,
    durationMs: r.durationMs,
  };
}

/**
 * DESIGN.md "Fallbacks that lose nothing", on transient failures only: a read serves its last good
 * answer (stale-if-error) or, if deferred, is queued; a write with an idempotency key is stored
 * in the outbox before `queued` is returned. An item that cannot be stored fails the call loudly.
 */
async function tryFallback(
  rt: CallRuntime,
  up: Upstream,
  op: Operation,
  input: unknown,
  info: WireInfo,
  error: GatewayError,
  cacheKey: string | undefined,
  defer: boolean | undefined,
): Promise<
  { status: 'stale'; data: unknown; ageMs: number } | { status: 'queued'; ticket: string } | undefined
> {
  if (!CODE_TRAITS[error.code].transient) return undefined;
  const read = op.spec.kind === 'read';
  const base = { upstream: up.name, operation: op.name, requestId: info.requestId, code: error.code };
  if (read) {
    if (cacheKey && op.cache) {
      const hit = rt.cache.get(cacheKey, rt.clock.monotonic(), op.cache.maxStaleMs);
      if (hit) {
        rt.events.emit('fallback', { ...base, kind: 'stale' });
        return { status: 'stale', data: hit.data, ageMs: hit.ageMs };
      }
    }
    if (!(defer ?? op.policy.defer)) return undefined;
  } else if (info.context.idempotencyKey === undefined) {
    return undefined;
  }

  let ticket: string;
  try {
    const item = await rt.outbox.enqueue(
      {
        upstream: up.name,
        operation: op.name,
        kind: read ? 'deferred-read' : 'write',
        input,
        idempotencyKey: info.context.idempotencyKey,
        requestId: info.requestId,
        context: {
          purpose: info.context.purpose,
          actor: info.context.actor,
          dossierCode: info.context.dossierCode,
        },
        lastError: { code: error.code, message: error.message },
      },
      rt.clock.now(),
    );
    ticket = item.id;
  } catch (storeError) {
    // A write not stored is NOT_SAVED (the officer must resubmit), not the upstream's outage.
    if (!read)
      throw notSavedError(storeError, {
        upstream: up.name,
        operation: op.name,
        requestId: info.requestId,
        after: error,
      });
    throw new GatewayError(
      error.code,
      `${error.message}; the outbox could not store the call, so it was NOT queued`,
      {
        upstream: up.name,
        operation: op.name,
        requestId: info.requestId,
        attempts: error.attempts,
        retryable: error.retryable,
        cause: storeError,
      },
    );
  }
  rt.events.emit('fallback', { ...base, kind: read ? 'deferred' : 'queued' });
  rt.events.emit('outbox:queued', {
    ticket,
    upstream: up.name,
    operation: op.name,
    requestId: info.requestId,
    dossierCode: info.context.dossierCode,
  });
  return { status: 'queued', ticket };
}

/**
 * A call failing while the gateway closes ends `ABORTED` whatever a step made of the shutdown
 * (e.g. a breaker's own shutdown error): a deploy is not a platform contract change.
 */
function closing(rt: CallRuntime, error: GatewayError): GatewayError {
  // NOT_SAVED stays: it already tells the caller the write was not kept and must be resubmitted.
  if (
    !rt.shutdown.aborted ||
    error.code === 'ABORTED' ||
    error.code === 'VALIDATION' ||
    error.code === 'NOT_SAVED'
  )
    return error;
  return new GatewayError('ABORTED', 'The gateway closed while the call was in flight', {
    upstream: error.upstream,
    operation: error.operation,
    requestId: error.requestId,
    attempts: error.attempts,
    cause: error,
  });
}
