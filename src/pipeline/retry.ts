import { type Clock, sleep } from '../clock.js';
import { type GatewayError, isGatewayError } from '../errors.js';
import type { RetryPolicy } from '../policy.js';
import { fullJitterDelay } from './backoff.js';
import type { RetryBudget } from './retry-budget.js';
import type { CallScope, Next, Step } from './step.js';

export interface RetryInfo {
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: GatewayError;
}

export interface RetryStepOptions {
  policy: RetryPolicy;
  /** The upstream's retry budget; every call through the step counts towards it. */
  budget: RetryBudget;
  clock: Clock;
  random: () => number;
  /** Told of each retry before its backoff (the gateway emits its `retry` event). */
  onRetry(info: RetryInfo, call: CallScope): void;
}

/** Why a retry was not made, for the error's message. */
type GiveUp = 'not-retryable' | 'attempts' | 'no-key' | 'budget' | 'deadline';

/**
 * Step 4: retries an attempt on retryable errors with full-jitter exponential backoff, honouring
 * the upstream's `Retry-After` exactly, never past the call's deadline, within the upstream's
 * retry budget, and never for a write without an idempotency key. Each attempt gets a fresh
 * signal ({@link CallScope.nextSignal}). The error that ends the call carries `attempts`.
 *
 * A plain loop rather than p-retry: the delay (full jitter, `Retry-After`, on the injected clock),
 * the decision (retryable, budget, deadline, idempotency) and the abort are all ours, which left
 * p-retry nothing to do but count.
 */
export class RetryStep implements Step {
  constructor(private readonly o: RetryStepOptions) {}

  async execute<T>(next: Next<T>, signal: AbortSignal, call: CallScope): Promise<T> {
    const { o } = this;
    o.budget.recordCall();
    for (let attempt = 1; ; attempt++) {
      call.attempt = attempt;
      try {
        signal.throwIfAborted();
        return await next(signal, call);
      } catch (e) {
        const error = e as GatewayError;
        const delayMs = isGatewayError(e)
          ? (e.retryAfterMs ?? fullJitterDelay(attempt, o.policy.baseDelayMs, o.policy.maxDelayMs, o.random))
          : 0;
        const gaveUp = this.whyNot(e, attempt, delayMs, call);
        if (gaveUp) {
          if (isGatewayError(e)) {
            e.attempts = attempt;
            if (gaveUp === 'budget') e.message += ' (retry budget of this upstream spent)';
            if (gaveUp === 'no-key') e.message += ' (a write without an idempotency key is never retried)';
          }
          throw e;
        }
        o.onRetry({ attempt, delayMs, error }, call);
        signal = call.nextSignal();
        try {
          await sleep(delayMs, signal, o.clock);
        } catch (abort) {
          if (isGatewayError(abort)) abort.attempts = attempt;
          throw abort;
        }
      }
    }
  }

  private whyNot(e: unknown, attempt: number, delayMs: number, call: CallScope): GiveUp | undefined {
    const { o } = this;
    if (!isGatewayError(e) || !e.retryable || call.ended) return 'not-retryable';
    if (attempt >= o.policy.maxAttempts) return 'attempts';
    if (!call.retryAllowed) return 'no-key';
    if (o.clock.monotonic() + delayMs >= call.deadlineAt) return 'deadline';
    if (!o.budget.tryRetry()) return 'budget';
    return undefined;
  }
}
