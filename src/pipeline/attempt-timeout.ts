import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { CallScope, Next, Step } from './step.js';

/**
 * Step 8: bounds one attempt with one timer, clamped to the call's deadline. The attempt's signal
 * (passed down into the transport) is aborted when the timer fires, cancelling exactly this
 * request: with a retryable `TIMEOUT` when the attempt's own time ran out, or, when the call's
 * deadline came first, by ending the call with its non-retryable `TIMEOUT`.
 */
export class AttemptTimeout implements Step {
  constructor(
    private readonly timeoutMs: number,
    private readonly clock: Clock,
  ) {}

  async execute<T>(next: Next<T>, signal: AbortSignal, call: CallScope): Promise<T> {
    const left = call.deadlineAt - this.clock.monotonic();
    const byDeadline = left <= this.timeoutMs;
    const ms = byDeadline ? Math.max(0, left) : this.timeoutMs;
    const timer = Number.isFinite(ms)
      ? this.clock.setTimeout(
          byDeadline
            ? () => call.end(call.deadlineError())
            : () => call.cut(new GatewayError('TIMEOUT', `Attempt timed out after ${this.timeoutMs} ms`)),
          ms,
        )
      : undefined;
    try {
      return await call.race(next(signal, call), signal);
    } finally {
      if (timer !== undefined) this.clock.clearTimeout(timer);
    }
  }
}
