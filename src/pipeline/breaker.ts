import CircuitBreaker from 'opossum';
import type { Clock } from '../clock.js';
import { type ErrorCode, GatewayError, isGatewayError } from '../errors.js';
import type { BreakerPolicy } from '../policy.js';

export type BreakerState = 'closed' | 'half-open' | 'open';

/** Outcomes that say something about the upstream's health; the rest (its domain answers, our own limits, the caller's abort) do not. */
const FAILURE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'UPSTREAM_UNAVAILABLE',
  'TIMEOUT',
  'NETWORK',
  'RATE_LIMITED',
]);

/** Outcomes that say nothing either way: they neither count against the upstream nor close a half-open breaker. */
const INCONCLUSIVE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['ABORTED', 'BULKHEAD_FULL']);

export interface BreakerEvents {
  onStateChange(state: BreakerState, since: number): void;
}

/**
 * One circuit breaker per upstream, on opossum. It counts each attempt; when open, attempts fail
 * fast with `CIRCUIT_OPEN` and send nothing. opossum is configured as a pure state machine: its
 * own timeout, semaphore, cache and fallback are off (the pipeline has steps for those), and
 * its shared AbortController is never used.
 */
export class Breaker {
  private readonly cb: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private probesInFlight = 0;
  private stateSince: number;

  constructor(
    readonly upstream: string,
    private readonly policy: BreakerPolicy,
    private readonly clock: Clock,
    events: BreakerEvents,
  ) {
    this.stateSince = clock.now();
    this.cb = new CircuitBreaker((fn: () => Promise<unknown>) => fn(), {
      name: upstream,
      timeout: false,
      errorThresholdPercentage: policy.errorRatio * 100,
      volumeThreshold: policy.minimumCalls,
      rollingCountTimeout: policy.windowMs,
      rollingCountBuckets: 10,
      resetTimeout: policy.resetTimeoutMs,
      // No 'snapshot' interval (nothing listens; it would be a second timer per breaker that
      // recomputes the stats every bucket) and no latency percentiles (opossum would concatenate
      // and sort every latency of the window on each failure and each stats read: a CPU cost that
      // peaks in an outage). health() has its own latencies.
      enableSnapshots: false,
      rollingPercentilesEnabled: false,
      // Only upstream-health failures count; opossum counts an error filtered here as a success.
      // A half-open probe that proved nothing (the caller gave up, no slot) must not close the
      // breaker, so there it counts as a failure and the breaker stays open.
      errorFilter: (e: unknown) =>
        !(isGatewayError(e) && (FAILURE_CODES.has(e.code) || (INCONCLUSIVE.has(e.code) && this.cb.halfOpen))),
    });
    const transition = (state: BreakerState) => () => {
      this.stateSince = this.clock.now();
      events.onStateChange(state, this.stateSince);
    };
    this.cb.on('open', transition('open'));
    this.cb.on('halfOpen', transition('half-open'));
    this.cb.on('close', transition('closed'));
  }

  get state(): BreakerState {
    if (this.cb.opened) return 'open';
    if (this.cb.halfOpen) return 'half-open';
    return 'closed';
  }

  /** When the current state began (epoch ms). */
  get since(): number {
    return this.stateSince;
  }

  /** Attempts and failures in the rolling window. */
  get window(): { calls: number; failures: number } {
    const s = this.cb.stats;
    return { calls: s.fires - s.rejects, failures: s.failures };
  }

  async execute<T>(fn: () => Promise<T>): Promise<T> {
    if (this.state === 'half-open') return this.probe(fn);
    return this.fire(fn);
  }

  /** Stops opossum's timers; the breaker rejects every later call. */
  shutdown(): void {
    this.cb.shutdown();
  }

  private async fire<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return (await this.cb.fire(fn)) as T;
    } catch (e) {
      if ((e as { code?: string }).code === 'EOPENBREAKER') throw this.openError();
      throw e;
    }
  }

  /**
   * opossum lets one trial call through while half-open. With `halfOpenProbes` > 1 the extra
   * trials run beside it; any of them failing re-opens the breaker.
   */
  private async probe<T>(fn: () => Promise<T>): Promise<T> {
    if (this.probesInFlight >= this.policy.halfOpenProbes) throw this.openError();
    const first = this.cb.pendingClose;
    this.probesInFlight++;
    try {
      if (first) return await this.fire(fn);
      try {
        return await fn();
      } catch (e) {
        if (isGatewayError(e) && FAILURE_CODES.has(e.code) && this.state === 'half-open') this.cb.open();
        throw e;
      }
    } finally {
      this.probesInFlight--;
    }
  }

  private openError(): GatewayError {
    return new GatewayError('CIRCUIT_OPEN', `Circuit breaker of ${this.upstream} is open`, {
      upstream: this.upstream,
      retryable: false,
    });
  }
}
