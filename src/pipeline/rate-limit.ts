import { type Clock, sleep } from '../clock.js';
import type { RateLimitPolicy } from '../policy.js';
import type { Limiter } from '../quota/types.js';

/**
 * A token bucket in front of an upstream, so we respect a central platform's quota. Callers over
 * the rate wait their turn (bounded by their deadline) rather than fail.
 */
export class RateLimiter implements Limiter {
  private tokens: number;
  private last: number;
  private readonly burst: number;

  constructor(
    private readonly policy: RateLimitPolicy,
    private readonly clock: Clock,
  ) {
    this.burst = policy.burst ?? policy.perSecond;
    this.tokens = this.burst;
    this.last = clock.now();
  }

  /** Resolves when the caller may send; rejects with the signal's reason if it aborts first. */
  async acquire(signal: AbortSignal): Promise<void> {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.policy.perSecond);
    this.last = now;
    // Reserve a token now (the balance may go negative); the wait pays the debt back.
    this.tokens -= 1;
    if (this.tokens >= 0) return;
    const waitMs = Math.ceil((-this.tokens / this.policy.perSecond) * 1000);
    try {
      await sleep(waitMs, signal, this.clock);
    } catch (e) {
      this.tokens += 1;
      throw e;
    }
  }
}
