import type { Clock } from '../clock.js';
import { CODE_TRAITS, GatewayError, isGatewayError } from '../errors.js';
import type { BulkheadPolicy, ConcurrencyPolicy } from '../policy.js';
import { GradientLimit, type SentAttempt } from './limit/gradient.js';
import type { CallScope, Next, Step } from './step.js';

/** What the bulkhead asks of a limit algorithm (adaptive or fixed). */
interface LimitAlgorithm {
  readonly limit: number;
  onSend(inFlight: number): SentAttempt | undefined;
  onEnd(sent: SentAttempt, sample: boolean): void;
}

const fixedLimit = (limit: number): LimitAlgorithm => ({
  limit,
  onSend: () => undefined,
  onEnd: () => {},
});

/**
 * Whether an attempt's end says how loaded the platform is: an answer (success or a domain answer
 * such as `NOT_FOUND`) or the attempt's own timeout does; a fast failure (503, refused connection,
 * rate limited) or an attempt cut because its call ended (deadline, caller, shutdown) does not.
 */
function isLatencySample(e: unknown, call: CallScope): boolean {
  if (call.ended || !isGatewayError(e)) return false;
  return e.code === 'TIMEOUT' || CODE_TRAITS[e.code].health === 'answered';
}

/**
 * Step 7: the per-upstream concurrency limit, with a bounded queue. The limit is adaptive by
 * default ({@link GradientLimit}: it follows the latency the platform shows) under the fixed
 * ceiling `bulkhead.maxConcurrent`, or fixed at that ceiling (`concurrency.kind: 'fixed'`). An
 * attempt's latency is measured from the moment it gets its slot, so time queued here is never
 * taken for the platform's (the transports' socket pools are unbounded by default, so the limit is
 * the only gate and no attempt waits for a socket either). A queued attempt waits at most until its
 * call's deadline; past `maxQueue` waiting, calls fail at once with `BULKHEAD_FULL`.
 */
export class Bulkhead implements Step {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private readonly algorithm: LimitAlgorithm;

  constructor(
    private readonly policy: BulkheadPolicy,
    private readonly clock: Clock,
    /** Omitted: a fixed limit of `policy.maxConcurrent`. */
    concurrency?: ConcurrencyPolicy,
  ) {
    const ceiling = Math.min(policy.maxConcurrent, concurrency?.max ?? policy.maxConcurrent);
    if (!concurrency || concurrency.kind === 'fixed') {
      this.algorithm = fixedLimit(policy.maxConcurrent);
    } else {
      const min = Math.min(concurrency.min, ceiling);
      this.algorithm = new GradientLimit(
        { ...concurrency, min, max: ceiling, initial: Math.max(min, Math.min(concurrency.initial, ceiling)) },
        () => clock.monotonic(),
      );
    }
  }

  /** Attempts allowed in flight now. */
  get limit(): number {
    return this.algorithm.limit;
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.queue.length;
  }

  async execute<T>(next: Next<T>, signal: AbortSignal, call: CallScope): Promise<T> {
    // Waiters first: a new attempt never overtakes one queued before it.
    if (this.active < this.algorithm.limit && this.queue.length === 0) this.active++;
    else await this.wait(signal, call);
    const sent = this.algorithm.onSend(this.active);
    try {
      const value = await next(signal, call);
      if (sent) this.algorithm.onEnd(sent, true);
      return value;
    } catch (e) {
      if (sent) this.algorithm.onEnd(sent, isLatencySample(e, call));
      throw e;
    } finally {
      this.active--;
      this.grant();
    }
  }

  /** Hands free slots to waiters, oldest first (the limit may have grown or shrunk meanwhile). */
  private grant(): void {
    while (this.active < this.algorithm.limit) {
      const next = this.queue.shift();
      if (!next) return;
      this.active++;
      next();
    }
  }

  private wait(signal: AbortSignal, call: CallScope): Promise<void> {
    if (this.queue.length >= this.policy.maxQueue) {
      return Promise.reject(
        new GatewayError(
          'BULKHEAD_FULL',
          `Bulkhead full: ${this.active} in flight (limit ${this.algorithm.limit}) and ${this.queue.length} queued`,
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
