/**
 * One call, end to end: the pipeline of DESIGN.md composed in one visible place.
 *
 *   validation → fallback → deadline → retry → rate limit → breaker → bulkhead → attempt timeout → transport + envelope
 */
import { randomUUID } from 'node:crypto';
import type { CallContext, WireInfo } from './adapter.js';
import type { Clock } from './clock.js';
import { GatewayError, isGatewayError, nameThePlatform, TRANSIENT_CODES } from './errors.js';
import type { AttemptEvent, CallOutcome, EventBus } from './events.js';
import { StaleCache } from './fallback/cache.js';
import type { OutboxStore } from './fallback/outbox/types.js';
import { withAttemptTimeout } from './pipeline/attempt-timeout.js';
import { runAttempt } from './pipeline/attempt.js';
import { withDeadline } from './pipeline/deadline.js';
import { withRetry } from './pipeline/retry.js';
import { UnknownValueLog } from './pipeline/unknown-values.js';
import { validateCall, validationError } from './pipeline/validation.js';
import type { AuditTrail } from './telemetry/audit.js';
import type { Upstream } from './upstream.js';

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
  ageMs?: number;
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
  audit: AuditTrail | undefined;
  /** The gateway's unknown-value reporter (dedup per window). @default a fresh one per call */
  unknownValues?: UnknownValueLog;
  /** Aborted by the gateway's `close()`: linked into every call, which then ends `ABORTED`. */
  shutdown?: AbortSignal;
  /** The active OpenTelemetry trace id, for the call's log line (when tracing is on). */
  traceId?: (() => string | undefined) | undefined;
}

/** Runs steps 3–10 (deadline to envelope) for a validated input. Also used by the outbox drainer. */
export async function send(
  rt: CallRuntime,
  up: Upstream,
  operation: string,
  input: unknown,
  info: WireInfo,
  signal: AbortSignal | undefined,
  callerDeadlineMs?: number,
): Promise<{ value: unknown; attempts: number }> {
  const spec = up.spec.operations[operation]!;
  const policy = up.policies[operation]!;
  // The caller's own budget (context.deadlineMs) can only shorten the policy's deadline. Its expiry
  // is a transient TIMEOUT, so the call still falls back (stale or queued) instead of failing.
  const deadlineMs = Math.min(policy.deadlineMs, callerDeadlineMs ?? Number.POSITIVE_INFINITY);
  const deadlineAt = rt.clock.now() + deadlineMs;
  // Deduplicated, capped and code-shaped only (src/pipeline/unknown-values.ts).
  const unknown = (rt.unknownValues ?? new UnknownValueLog(rt.clock)).forCall(
    up.name,
    operation,
    (field, value) => {
      up.logger.warn({ operation, field, value, requestId: info.requestId }, 'unknown value passed through');
      rt.events.emit('contract:unknown-value', { upstream: up.name, operation, field, value });
    },
  );
  const onUnknownValue = (field: string, raw: string) => unknown.report(field, raw);
  up.budget.recordCall();

  return withDeadline(deadlineMs, signal, rt.clock, (callSignal) =>
    withRetry(
      async (attempt) => {
        await up.rateLimiter?.acquire(callSignal);
        // Every attempt's outcome, so that metrics see failures a retry or a fallback hid.
        const ended = (outcome: AttemptEvent['outcome']) =>
          rt.events.emit('attempt', {
            upstream: up.name,
            operation,
            requestId: info.requestId,
            attempt,
            outcome,
          });
        try {
          const value = await up.breaker.execute(
            () =>
              up.bulkhead.execute(
                () =>
                  withAttemptTimeout(policy.attemptTimeoutMs, callSignal, rt.clock, (attemptSignal) =>
                    runAttempt(up.target, operation, spec, input, info, attemptSignal, onUnknownValue),
                  ),
                callSignal,
              ),
            callSignal,
          );
          ended('ok');
          return value;
        } catch (e) {
          ended(isGatewayError(e) ? e.code : 'CONTRACT');
          throw e;
        }
      },
      callSignal,
      {
        policy: policy.retry,
        // A write is retried only with an idempotency key: without one a retry may register twice.
        allowed: spec.kind === 'read' || info.context.idempotencyKey !== undefined,
        budget: up.budget,
        clock: rt.clock,
        random: rt.random,
        deadlineAt,
        onRetry: ({ attempt, delayMs, error }) => {
          up.stats.recordRetry();
          rt.events.emit('retry', {
            upstream: up.name,
            operation,
            requestId: info.requestId,
            attempt,
            delayMs,
            code: error.code,
          });
        },
      },
    ),
  ).finally(() => {
    if (unknown.suppressed() > 0)
      up.logger.warn(
        { operation, requestId: info.requestId, suppressed: unknown.suppressed() },
        'unknown values not logged (already reported, or over the per-call cap)',
      );
  });
}

/** A whole call as the caller sees it: validation, the pipeline, fallbacks, and its telemetry. */
export async function invoke(
  rt: CallRuntime,
  up: Upstream,
  operation: string,
  rawInput: unknown,
  rawContext: CallContext = {},
): Promise<CallResult<unknown>> {
  const started = rt.clock.now();
  const requestId = randomUUID();
  const spec = up.spec.operations[operation]!;
  const policy = up.policies[operation]!;
  // Read through the context schema (validation step): a raw context may be a caller's Proxy.
  let context: CallContext = {};
  let signal: AbortSignal | undefined;
  let defer: boolean | undefined;
  let attempts = 0;
  let subject: string | undefined;
  const meta = (): CallMeta => ({
    upstream: up.name,
    operation,
    requestId,
    attempts,
    durationMs: rt.clock.now() - started,
  });
  let personal = spec.personalData === true;
  const finish = (outcome: CallOutcome, m: CallMeta, error?: GatewayError) => {
    if (personal && rt.audit)
      audit(rt.audit, up, { started, context, operation, subject, outcome, requestId });
    rt.events.emit('call', {
      upstream: up.name,
      operation,
      requestId,
      outcome,
      attempts,
      durationMs: m.durationMs,
      correlationId: context.correlationId,
    });
    up.stats.recordCall(m.durationMs, outcome);
    const line = {
      operation,
      requestId,
      correlationId: context.correlationId,
      traceId: rt.traceId?.(),
      outcome,
      attempts,
      durationMs: m.durationMs,
    };
    if (error) {
      up.logger.warn(
        { ...line, code: error.code, upstreamCode: error.upstreamCode, status: error.status },
        error.message,
      );
    } else up.logger.info(line, 'call');
  };

  try {
    const checked = validateCall(spec, rawInput, rawContext);
    personal = checked.personal;
    ({ signal, defer, ...context } = checked.context);
    if (checked.issues) throw validationError(checked.issues, up.spec.displayName);
    const input = checked.input;
    subject = spec.subject?.(input);
    const dossierCode = context.dossierCode ?? spec.dossierCode?.(input);
    const info: WireInfo = {
      requestId,
      context: {
        purpose: context.purpose,
        actor: context.actor,
        dossierCode,
        idempotencyKey: spec.kind === 'write' ? (context.idempotencyKey ?? dossierCode) : undefined,
      },
    };
    const cacheKey =
      spec.kind === 'read' && policy.cache ? StaleCache.key(up.name, operation, input) : undefined;
    try {
      const callSignal = rt.shutdown
        ? signal
          ? AbortSignal.any([signal, rt.shutdown])
          : rt.shutdown
        : signal;
      const { value, attempts: n } = await send(
        rt,
        up,
        operation,
        input,
        info,
        callSignal,
        context.deadlineMs,
      );
      attempts = n;
      if (cacheKey) rt.cache.set(cacheKey, value, rt.clock.now());
      const m = meta();
      finish('ok', m);
      return { status: 'ok', data: value, meta: m };
    } catch (e) {
      const error = annotate(e, up.name, operation, requestId);
      attempts = error.attempts ?? attempts;
      const fallback = await tryFallback(rt, up, operation, input, info, error, cacheKey, defer, meta);
      if (!fallback) throw error;
      finish(fallback.status, fallback.meta);
      return fallback;
    }
  } catch (e) {
    const error = closing(rt, annotate(e, up.name, operation, requestId, up.spec.displayName));
    error.attempts = error.attempts ?? attempts;
    if (error.code === 'CONTRACT') {
      // The platform changed its contract: loud, counted, never retried.
      rt.events.emit('contract:violation', {
        upstream: up.name,
        operation,
        requestId,
        issues: error.issues ?? [],
      });
    }
    finish(error.code, meta(), error);
    throw error;
  }
}

/**
 * DESIGN.md "Fallbacks that lose nothing", on transient failures only: a read serves its last good
 * answer (stale-if-error) or, if deferred, is queued; a write with an idempotency key is stored
 * in the outbox before `queued` is returned. An item that cannot be stored fails the call loudly.
 */
async function tryFallback(
  rt: CallRuntime,
  up: Upstream,
  operation: string,
  input: unknown,
  info: WireInfo,
  error: GatewayError,
  cacheKey: string | undefined,
  defer: boolean | undefined,
  meta: () => CallMeta,
): Promise<CallResult<unknown> | undefined> {
  if (!TRANSIENT_CODES.has(error.code)) return undefined;
  const spec = up.spec.operations[operation]!;
  const policy = up.policies[operation]!;
  const base = { upstream: up.name, operation, requestId: info.requestId, code: error.code };
  if (spec.kind === 'read') {
    if (cacheKey && policy.cache) {
      const hit = rt.cache.get(cacheKey, rt.clock.now(), policy.cache.maxStaleMs);
      if (hit) {
        up.stats.recordFallback();
        rt.events.emit('fallback', { ...base, kind: 'stale' });
        return { status: 'stale', data: hit.data, meta: { ...meta(), ageMs: hit.ageMs } };
      }
    }
    if (!(defer ?? policy.defer)) return undefined;
  } else if (info.context.idempotencyKey === undefined) {
    return undefined;
  }

  let ticket: string;
  try {
    const item = await rt.outbox.enqueue(
      {
        upstream: up.name,
        operation,
        kind: spec.kind === 'read' ? 'deferred-read' : 'write',
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
    throw new GatewayError(
      error.code,
      `${error.message}; the outbox could not store the call, so it was NOT queued`,
      {
        upstream: up.name,
        operation,
        requestId: info.requestId,
        attempts: error.attempts,
        retryable: error.retryable,
        cause: storeError,
      },
    );
  }
  up.stats.recordFallback();
  rt.events.emit('fallback', { ...base, kind: spec.kind === 'read' ? 'deferred' : 'queued' });
  rt.events.emit('outbox:queued', {
    ticket,
    upstream: up.name,
    operation,
    requestId: info.requestId,
    dossierCode: info.context.dossierCode,
  });
  return { status: 'queued', ticket, meta: meta() };
}

/**
 * One audit record per call on citizen data, whatever its outcome, including a call refused for a
 * missing purpose or actor (recorded as `(none)`: that attempt is what an auditor looks for).
 * A failing audit sink is logged loudly but does not undo an answer the citizen already has.
 */
function audit(
  trail: AuditTrail,
  up: Upstream,
  r: {
    started: number;
    context: CallContext;
    operation: string;
    subject?: string;
    outcome: CallOutcome;
    requestId: string;
  },
): void {
  try {
    trail.record({
      time: r.started,
      actor: r.context.actor?.trim() || '(none)',
      purpose: r.context.purpose?.trim() || '(none)',
      upstream: up.name,
      operation: r.operation,
      subject: r.subject,
      dossierCode: r.context.dossierCode,
      correlationId: r.context.correlationId,
      outcome: r.outcome,
      requestId: r.requestId,
    });
  } catch (e) {
    up.logger.error(
      { operation: r.operation, requestId: r.requestId, err: (e as Error)?.name },
      'audit record could not be written',
    );
  }
}

/**
 * A call failing while the gateway closes ends `ABORTED` whatever a step made of the shutdown
 * (e.g. a breaker's own shutdown error): a deploy is not a platform contract change.
 */
function closing(rt: CallRuntime, error: GatewayError): GatewayError {
  if (!rt.shutdown?.aborted || error.code === 'ABORTED' || error.code === 'VALIDATION') return error;
  return new GatewayError('ABORTED', 'The gateway closed while the call was in flight', {
    upstream: error.upstream,
    operation: error.operation,
    requestId: error.requestId,
    attempts: error.attempts,
    cause: error,
  });
}

/** Every error leaving a call is a GatewayError that names its upstream, operation and request. */
export function annotate(
  e: unknown,
  upstream: string,
  operation: string,
  requestId: string,
  displayName?: string,
): GatewayError {
  const error = isGatewayError(e)
    ? e
    : new GatewayError(
        'CONTRACT',
        `Unexpected failure in the ${upstream} adapter (${(e as Error)?.name ?? 'error'})`,
        {
          retryable: false,
          cause: e,
        },
      );
  error.upstream ??= upstream;
  nameThePlatform(error, displayName);
  error.operation ??= operation;
  error.requestId ??= requestId;
  return error;
}
