import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { BulkheadPolicy } from '../policy.js';
import type { CallScope, Next, Step } from './step.js';

/**
 * Step 7: caps concurrent attempts to one upstream, with a bounded queue: a slow platform cannot
 * take every socket and every request of the city system with it. A queued attempt waits at most
 * until its call's deadline.
 */
export class Bulkhead implements Step {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly policy: BulkheadPolicy,
    private readonly clock: Clock,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.queue.length;
  }

  async execute<T>(next: Next<T>, signal: AbortSignal, call: CallScope): Promise<T> {
    if (this.active >= this.policy.maxConcurrent) await this.wait(signal, call);
    else this.active++;
    try {
      return await next(signal, call);
    } finally {
      const grant = this.queue.shift();
      // Hand the slot straight to the next waiter, or give it back.
      if (grant) grant();
      else this.active--;
    }
  }

  private wait(signal: AbortSignal, call: CallScope): Promise<void> {
    if (this.queue.length >= this.policy.maxQueue) {
      return Promise.reject(
        new GatewayError(
          'BULKHEAD_FULL',
          `Bulkhead full: ${this.policy.maxConcurrent} in flight and ${this.policy.maxQueue} queued`,
        ),
      );
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const deadline = this.clock.setTimeout(
        () => call.end(call.deadlineError()),
        Math.max(0, call.deadlineAt - this.clock.monotonic()),
      );
      const onAbort = () => {
        this.clock.clearTimeout(deadline);
        const i = this.queue.indexOf(grant);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal.reason);
      };
      const grant = () => {
        this.clock.clearTimeout(deadline);
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.queue.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
