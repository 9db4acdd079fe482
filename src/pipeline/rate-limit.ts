import { type Clock, sleep } from '../clock.js';
import type { RateLimitPolicy } from '../policy.js';
import type { Limiter } from '../quota/types.js';
import type { CallScope, Next, Step } from './step.js';

/**
 * A token bucket in front of an upstream, so we respect a central platform's quota. Callers over
 * the rate wait their turn (bounded by their deadline) rather than fail. It refills on the
 * monotonic clock: a wall step back (an NTP correction, a host booting on local time) must not
 * leave it hours in debt, nor a step forward hand out a full burst.
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
    this.last = clock.monotonic();
  }

  /** Resolves when the caller may send; rejects with the signal's reason if it aborts first. */
  async acquire(signal: AbortSignal): Promise<void> {
    const now = this.clock.monotonic();
    // An injected clock that is not truly monotonic and goes back costs no tokens (and refills from there).
    const elapsed = Math.max(0, now - this.last);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.policy.perSecond);
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

/**
 * Step 5: waits for the upstream's rate limit (a local bucket or a shared quota), at most until
 * the call's deadline; a limiter that ignores its signal cannot hold the call past it.
 */
export class RateLimitStep implements Step {
  constructor(
    private readonly limiter: Limiter,
    private readonly clock: Clock,
  ) {}

  async execute<T>(next: Next<T>, signal: AbortSignal, call: CallScope): Promise<T> {
    const deadline = this.clock.setTimeout(
      () => call.end(call.deadlineError()),
      Math.max(0, call.deadlineAt - this.clock.monotonic()),
    );
    try {
      await call.race(this.limiter.acquire(signal), signal);
    } finally {
      this.clock.clearTimeout(deadline);
    }
    return next(signal, call);
  }
}
