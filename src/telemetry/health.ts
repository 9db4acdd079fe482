import type { Clock } from '../clock.js';
import type { CallOutcome } from '../events.js';
import type { Breaker, BreakerState } from '../pipeline/breaker.js';
import type { Bulkhead } from '../pipeline/bulkhead.js';

/** How many recent call durations are kept per upstream for p50/p95. */
export const LATENCY_SAMPLES = 512;

/** Error ratio of the breaker window from which an upstream counts as `degraded`. */
export const DEGRADED_ERROR_RATIO = 0.1;

/** Outcomes of calls that never reached the upstream: they say nothing about its latency. */
const NOT_SENT: ReadonlySet<CallOutcome> = new Set<CallOutcome>([
  'VALIDATION',
  'CIRCUIT_OPEN',
  'BULKHEAD_FULL',
]);

/**
 * Recent activity of one upstream, for `gateway.health()`, over the breaker's rolling window
 * (`policy.breaker.windowMs`, default 10 s) on the gateway's monotonic clock: the durations of the
 * last {@link LATENCY_SAMPLES} calls that reached the upstream, and the retries and fallbacks.
 *
 * `retries` and `fallbacks` are the number of events in the window.
 */
export class UpstreamStats {
  /** Ring buffer of recent calls: when they ended (monotonic ms) and their duration (ms). */
  private readonly at = new Float64Array(LATENCY_SAMPLES);
  private readonly ms = new Float64Array(LATENCY_SAMPLES);
  private next = 0;
  private size = 0;
  private readonly retryTimes: number[] = [];
  private readonly fallbackTimes: number[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
  ) {}

  /** Records a finished call; calls that never reached the upstream are ignored. */
  recordCall(durationMs: number, outcome: CallOutcome): void {
    if (NOT_SENT.has(outcome)) return;
    this.at[this.next] = this.clock.monotonic();
    this.ms[this.next] = durationMs;
    this.next = (this.next + 1) % LATENCY_SAMPLES;
    this.size = Math.min(this.size + 1, LATENCY_SAMPLES);
  }

  recordRetry(): void {
    this.prune(this.retryTimes);
    this.retryTimes.push(this.clock.monotonic());
  }

  recordFallback(): void {
    this.prune(this.fallbackTimes);
    this.fallbackTimes.push(this.clock.monotonic());
  }

  /** Retries scheduled in the window. */
  get retries(): number {
    return this.count(this.retryTimes);
  }

  /** Fallbacks served (stale, queued, deferred) in the window. */
  get fallbacks(): number {
    return this.count(this.fallbackTimes);
  }

  /**
   * p50 and p95 (nearest rank: the smallest duration with at least that share of samples at or
   * below it) of the calls in the window, in ms; `null` without samples.
   */
  latency(): { p50Ms: number | null; p95Ms: number | null; samples: number } {
    const since = this.clock.monotonic() - this.windowMs;
    const recent: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.at[i]! >= since) recent.push(this.ms[i]!);
    recent.sort((a, b) => a - b);
    return { p50Ms: percentile(recent, 0.5), p95Ms: percentile(recent, 0.95), samples: recent.length };
  }

  private count(times: number[]): number {
    this.prune(times);
    return times.length;
  }

  private prune(times: number[]): void {
    const since = this.clock.monotonic() - this.windowMs;
    let drop = 0;
    while (drop < times.length && times[drop]! < since) drop++;
    if (drop > 0) times.splice(0, drop);
  }
}

/** Nearest-rank percentile of sorted values; `null` when there are none. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** `ok`: serving normally. `degraded`: serving, with failures or fallbacks likely. `down`: failing fast. */
export type HealthStatus = 'ok' | 'degraded' | 'down';

/** One upstream in {@link HealthSnapshot}. Window figures cover the breaker's rolling window (default 10 s). */
export interface UpstreamHealth {
  /** See {@link upstreamStatus}. */
  status: HealthStatus;
  /** The circuit breaker's state and when it began (ISO 8601). */
  breaker: { state: BreakerState; since: string };
  /**
   * Attempts through the breaker in its window, those that failed for a reason that says the
   * upstream is unwell (5xx/transient code, timeout, network, rate limited), and their ratio
   * (0 without calls). Domain answers such as `NOT_FOUND` are not failures.
   */
  window: { calls: number; failures: number; errorRatio: number };
  /** p50/p95 duration of the logical calls that reached the upstream in the window; `null` without calls. */
  latency: { p50Ms: number | null; p95Ms: number | null; samples: number };
  /** Retries scheduled in the window. */
  retries: number;
  /** Fallbacks served in the window (stale reads, queued writes, deferred reads). */
  fallbacks: number;
  /** Attempts allowed in flight now: the concurrency limit (adaptive by default, or fixed). */
  concurrencyLimit: number;
  /** Attempts holding a concurrency slot now. */
  inFlight: number;
  /** Attempts waiting for a concurrency slot now. */
  queued: number;
}

/**
 * What `gateway.health()` returns (and `serveMetrics` serves at `GET /health`, with HTTP 503 when
 * `status` is `down`). It names upstreams, never a citizen or a dossier.
 * @example
 * {
 *   status: 'degraded', time: '2025-07-10T02:00:00.000Z',
 *   upstreams: { vneid: { status: 'degraded', breaker: { state: 'half-open', since: '…' },
 *     window: { calls: 40, failures: 12, errorRatio: 0.3 }, latency: { p50Ms: 180, p95Ms: 950, samples: 40 },
 *     retries: 9, fallbacks: 3, concurrencyLimit: 64, inFlight: 2, queued: 0 } },
 *   outbox: { pending: 3, delivering: 0, delivered: 120, dead: 0 },
 * }
 */
export interface HealthSnapshot {
  /** See {@link overallStatus}. */
  status: HealthStatus;
  /** When the snapshot was taken (ISO 8601, the gateway's clock). */
  time: string;
  /** Per upstream, by its name on the gateway. */
  upstreams: Record<string, UpstreamHealth>;
  /** Outbox depth by state (`pending`, `delivering`, `delivered`, `dead`), all upstreams together. */
  outbox: Record<string, number>;
  /** False when the outbox does not survive a restart (`memoryOutbox()`): queued dossiers would be lost. */
  outboxDurable: boolean;
}

/**
 * An upstream is `down` when its breaker is open, `degraded` when half-open or when at least
 * {@link DEGRADED_ERROR_RATIO} (10 %) of the window's attempts failed, else `ok`.
 */
export function upstreamStatus(state: BreakerState, errorRatio: number): HealthStatus {
  if (state === 'open') return 'down';
  if (state === 'half-open' || errorRatio >= DEGRADED_ERROR_RATIO) return 'degraded';
  return 'ok';
}

/** Overall: `down` when every upstream is down, `degraded` when any is not ok, else `ok`. */
export function overallStatus(statuses: HealthStatus[]): HealthStatus {
  if (statuses.length > 0 && statuses.every((s) => s === 'down')) return 'down';
  return statuses.some((s) => s !== 'ok') ? 'degraded' : 'ok';
}

/** What {@link healthSnapshot} reads of one upstream. */
export interface UpstreamHealthSource {
  name: string;
  breaker: Breaker;
  bulkhead: Bulkhead;
  stats: UpstreamStats;
}

/** Builds `gateway.health()` from the gateway's upstreams and its outbox counts. */
export function healthSnapshot(
  upstreams: Iterable<UpstreamHealthSource>,
  outbox: Record<string, number>,
  now: number,
  outboxDurable = true,
): HealthSnapshot {
  const entries = [...upstreams].map((up): [string, UpstreamHealth] => {
    const w = up.breaker.window;
    const errorRatio = w.calls > 0 ? w.failures / w.calls : 0;
    return [
      up.name,
      {
        status: upstreamStatus(up.breaker.state, errorRatio),
        breaker: { state: up.breaker.state, since: new Date(up.breaker.since).toISOString() },
        window: { calls: w.calls, failures: w.failures, errorRatio },
        latency: up.stats.latency(),
        retries: up.stats.retries,
        fallbacks: up.stats.fallbacks,
        concurrencyLimit: up.bulkhead.limit,
        inFlight: up.bulkhead.inFlight,
        queued: up.bulkhead.queued,
      },
    ];
  });
  return {
    status: overallStatus(entries.map(([, h]) => h.status)),
    time: new Date(now).toISOString(),
    upstreams: Object.fromEntries(entries),
    outbox,
    outboxDurable,
  };
}
