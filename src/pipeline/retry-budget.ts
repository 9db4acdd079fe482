import type { Clock } from '../clock.js';
import type { RetryBudgetPolicy } from '../policy.js';

const WINDOW_SECONDS = 10;

/**
 * A per-upstream retry budget (after Finagle's): over a sliding 10-second window, retries may not
 * exceed `ratio` × calls + `minPerSecond` × 10. When an upstream fails for everyone, retries stop
 * multiplying the load on it.
 */
export class RetryBudget {
  // One bucket per second of the window: [second, calls, retries].
  private readonly buckets: [number, number, number][] = [];

  constructor(
    private readonly policy: RetryBudgetPolicy,
    private readonly clock: Clock,
  ) {}

  /** Counts one logical call (not an attempt). */
  recordCall(): void {
    this.bucket()[1]++;
  }

  /** Takes one retry from the budget; false when it is spent. */
  tryRetry(): boolean {
    const current = this.bucket();
    let calls = 0;
    let retries = 0;
    for (const [, c, r] of this.buckets) {
      calls += c;
      retries += r;
    }
    if (retries >= this.policy.ratio * calls + this.policy.minPerSecond * WINDOW_SECONDS) return false;
    current[2]++;
    return true;
  }

  private bucket(): [number, number, number] {
    const second = Math.floor(this.clock.monotonic() / 1000);
    while (this.buckets.length > 0 && this.buckets[0]![0] <= second - WINDOW_SECONDS) this.buckets.shift();
    const last = this.buckets[this.buckets.length - 1];
    if (last && last[0] === second) return last;
    const fresh: [number, number, number] = [second, 0, 0];
    this.buckets.push(fresh);
    return fresh;
  }
}
