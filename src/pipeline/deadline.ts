import { type Clock, timeoutSignal } from '../clock.js';
import { GatewayError } from '../errors.js';
import { raceAbort } from './abort.js';

/**
 * The total deadline of a call, spanning every attempt and backoff. When it passes, the call fails
 * with a non-retryable `TIMEOUT`; a caller's abort fails it with `ABORTED` (or `TIMEOUT` when the
 * caller's signal timed out). Either settles the call at once, even if an inner step is still
 * winding down.
 */
export async function withDeadline<T>(
  deadlineMs: number,
  callerSignal: AbortSignal | undefined,
  clock: Clock,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const caller = callerAbortSignal(callerSignal);
  const deadline = timeoutSignal(
    caller.signal,
    deadlineMs,
    () => new GatewayError('TIMEOUT', `Deadline of ${deadlineMs} ms exceeded`, { retryable: false }),
    clock,
  );
  try {
    return await raceAbort(fn(deadline.signal), deadline.signal);
  } finally {
    deadline.dispose();
    caller.dispose();
  }
}

/**
 * Re-expresses the caller's abort as a gateway error. A signal that ran out of time
 * (`AbortSignal.timeout()`, whose reason is a `TimeoutError`) is a deadline, so it becomes a
 * `TIMEOUT` that still falls back (stale answer, queued write); any other abort is the caller
 * cancelling the call: `ABORTED`, no fallback.
 */
function callerAbortSignal(signal: AbortSignal | undefined): {
  signal: AbortSignal | undefined;
  dispose(): void;
} {
  if (!signal) return { signal: undefined, dispose() {} };
  const controller = new AbortController();
  const abort = () =>
    controller.abort(
      isTimeoutReason(signal.reason)
        ? new GatewayError('TIMEOUT', "The caller's time limit (signal) ran out", {
            retryable: false,
            cause: signal.reason,
          })
        : new GatewayError('ABORTED', 'The caller aborted the call', { cause: signal.reason }),
    );
  if (signal.aborted) abort();
  else signal.addEventListener('abort', abort, { once: true });
  return { signal: controller.signal, dispose: () => signal.removeEventListener('abort', abort) };
}

function isTimeoutReason(reason: unknown): boolean {
  try {
    return (reason as { name?: unknown } | null)?.name === 'TimeoutError';
  } catch {
    return false; // a reason with a throwing getter is the caller's abort, nothing more
  }
}
