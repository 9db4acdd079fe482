import { GatewayError } from '../errors.js';
import type { BulkheadPolicy } from '../policy.js';

/**
 * Caps concurrent attempts to one upstream, with a bounded queue: a slow platform cannot take
 * every socket and every request of the city system with it.
 */
export class Bulkhead {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly policy: BulkheadPolicy) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.queue.length;
  }

  async execute<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    if (this.active >= this.policy.maxConcurrent) await this.wait(signal);
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      // Hand the slot straight to the next waiter, or give it back.
      if (next) next();
      else this.active--;
    }
  }

  private wait(signal: AbortSignal): Promise<void> {
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
      const onAbort = () => {
        const i = this.queue.indexOf(grant);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal.reason);
      };
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.queue.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
