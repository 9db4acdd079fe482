import { type Clock, timeoutSignal } from '../clock.js';
import { GatewayError } from '../errors.js';
import { raceAbort } from './abort.js';

/**
 * Bounds one attempt. The attempt gets its own `AbortSignal` (a child of the call's), passed down
 * into the transport, so a timeout cancels exactly this request and nothing else.
 */
export async function withAttemptTimeout<T>(
  timeoutMs: number,
  parent: AbortSignal,
  clock: Clock,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const attempt = timeoutSignal(
    parent,
    timeoutMs,
    () => new GatewayError('TIMEOUT', `Attempt timed out after ${timeoutMs} ms`),
    clock,
  );
  try {
    return await raceAbort(fn(attempt.signal), attempt.signal);
  } finally {
    attempt.dispose();
  }
}
