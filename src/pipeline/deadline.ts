import { GatewayError } from '../errors.js';
import type { CallScope, Next, Step } from './step.js';

/**
 * Step 3, the call's own limits: its total deadline (spanning every attempt and backoff), the
 * caller's `AbortSignal` and the gateway's shutdown. Any of them ends the call at once
 * ({@link CallScope.end}): the deadline with a non-retryable `TIMEOUT`, the caller's abort with
 * `ABORTED` (or `TIMEOUT` when the caller's signal timed out), a shutdown with its `ABORTED`.
 *
 * The deadline itself needs no timer here: the steps that wait (backoff, rate limit, bulkhead
 * queue, the attempt) bound their wait by `call.deadlineAt`, so a deadline far away costs nothing.
 */
export class CallLimits implements Step {
  constructor(
    /** Calls in flight, which the gateway's `close()` ends. */
    private readonly live: Set<CallScope>,
    /** Aborted when the gateway closes. */
    private readonly shutdown: AbortSignal,
  ) {}

  async execute<T>(next: Next<T>, signal: AbortSignal, call: CallScope): Promise<T> {
    if (this.shutdown.aborted) throw new GatewayError('ABORTED', 'The gateway is closing');
    const caller = call.callerSignal;
    if (caller?.aborted) throw callerAbortReason(caller.reason);
    const onAbort = caller && (() => call.end(callerAbortReason(caller.reason)));
    if (onAbort) caller.addEventListener('abort', onAbort, { once: true });
    this.live.add(call);
    try {
      return await next(signal, call);
    } finally {
      this.live.delete(call);
      if (onAbort) caller.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * Re-expresses the caller's abort as a gateway error. A signal that ran out of time
 * (`AbortSignal.timeout()`, whose reason is a `TimeoutError`) is a deadline, so it becomes a
 * `TIMEOUT` that still falls back (stale answer, queued write); any other abort is the caller
 * cancelling the call: `ABORTED`, no fallback.
 */
function callerAbortReason(reason: unknown): GatewayError {
  return isTimeoutReason(reason)
    ? new GatewayError('TIMEOUT', "The caller's time limit (signal) ran out", {
        retryable: false,
        cause: reason,
      })
    : new GatewayError('ABORTED', 'The caller aborted the call', { cause: reason });
}

function isTimeoutReason(reason: unknown): boolean {
  try {
    return (reason as { name?: unknown } | null)?.name === 'TimeoutError';
  } catch {
    return false; // a reason with a throwing getter is the caller's abort, nothing more
  }
}
