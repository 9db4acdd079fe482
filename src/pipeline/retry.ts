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
 * upstream's `Retry-After` exactly (within the deadline). p-retry runs the loop; the delay is ours
 * (computed and slept in `shouldRetry`, on the injected clock) because p-retry's own backoff has
 * neither full jitter nor `Retry-After`. The error that ends the call carries `attempts`.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  signal: AbortSignal,
  o: RetryStepOptions,
): Promise<{ value: T; attempts: number }> {
  let attempts = 0;
  let gaveUp: GiveUp | undefined;
  try {
    const value = await pRetry(
      (n) => {
        attempts = n;
        return fn(n);
      },
      {
        retries: o.policy.maxAttempts - 1,
        minTimeout: 0,
        maxTimeout: 0,
        signal,
        shouldRetry: async ({ error, attemptNumber }) => {
          gaveUp = whyNot(error, o);
          if (gaveUp) return false;
          const ge = error as GatewayError;
          const delayMs =
            ge.retryAfterMs ??
            fullJitterDelay(attemptNumber, o.policy.baseDelayMs, o.policy.maxDelayMs, o.random);
          if (o.clock.now() + delayMs >= o.deadlineAt) {
            gaveUp = 'deadline';
            return false;
          }
          if (!o.budget.tryRetry()) {
            gaveUp = 'budget';
            return false;
          }
          o.onRetry({ attempt: attemptNumber, delayMs, error: ge });
          await sleep(delayMs, signal, o.clock);
          return true;
        },
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
