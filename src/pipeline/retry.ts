import pRetry from 'p-retry';
import { type Clock, sleep } from '../clock.js';
import { type GatewayError, isGatewayError } from '../errors.js';
import type { RetryPolicy } from '../policy.js';
import { fullJitterDelay } from './backoff.js';
import type { RetryBudget } from './retry-budget.js';

export interface RetryInfo {
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: GatewayError;
}

export interface RetryStepOptions {
  policy: RetryPolicy;
  /** False for a write without an idempotency key: it is sent once. */
  allowed: boolean;
  budget: RetryBudget;
  clock: Clock;
  random: () => number;
  /** Epoch ms after which no retry is started (the call's deadline). */
  deadlineAt: number;
  onRetry(info: RetryInfo): void;
}

/** Why a retry was not made, for the error's message. */
type GiveUp = 'not-retryable' | 'attempts' | 'no-key' | 'budget' | 'deadline';

/**
 * Retries an attempt on retryable errors with full-jitter exponential backoff, honouring the
 * upstream's `Retry-After` exactly (within the deadline). The first attempt runs on its own, so the
 * happy path pays nothing for the retry loop; after a retryable failure p-retry runs the rest.
 * The delay is ours (computed and slept in `shouldRetry`, on the injected clock) because p-retry's
 * own backoff has neither full jitter nor `Retry-After`. The error that ends the call carries
 * `attempts`.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  signal: AbortSignal,
  o: RetryStepOptions,
): Promise<{ value: T; attempts: number }> {
  let attempts = 1;
  let gaveUp: GiveUp | undefined;

  // Whether attempt `attempt` (1-based) that failed with `error` is followed by another; sleeps first.
  const retryAfter = async (error: unknown, attempt: number): Promise<boolean> => {
    gaveUp = whyNot(error, o);
    if (gaveUp) return false;
    const ge = error as GatewayError;
    const delayMs =
      ge.retryAfterMs ?? fullJitterDelay(attempt, o.policy.baseDelayMs, o.policy.maxDelayMs, o.random);
    if (o.clock.now() + delayMs >= o.deadlineAt) {
      gaveUp = 'deadline';
      return false;
    }
    if (!o.budget.tryRetry()) {
      gaveUp = 'budget';
      return false;
    }
    o.onRetry({ attempt, delayMs, error: ge });
    await sleep(delayMs, signal, o.clock);
    return true;
  };

  try {
    signal.throwIfAborted();
    try {
      return { value: await fn(1), attempts };
    } catch (first) {
      if (o.policy.maxAttempts <= 1 || !(await retryAfter(first, 1))) throw first;
    }
    const value = await pRetry(
      (n) => {
        attempts = n + 1;
        return fn(attempts);
      },
      {
        retries: o.policy.maxAttempts - 2,
        minTimeout: 0,
        maxTimeout: 0,
        signal,
        shouldRetry: ({ error, attemptNumber }) => retryAfter(error, attemptNumber + 1),
      },
    );
    return { value, attempts };
  } catch (e) {
    if (isGatewayError(e)) {
      e.attempts = attempts;
      if (gaveUp === 'budget') e.message += ' (retry budget of this upstream spent)';
      if (gaveUp === 'no-key') e.message += ' (a write without an idempotency key is never retried)';
    }
    throw e;
  }
}

function whyNot(error: unknown, o: RetryStepOptions): GiveUp | undefined {
  if (!isGatewayError(error) || !error.retryable) return 'not-retryable';
  if (!o.allowed) return 'no-key';
  return undefined;
}
