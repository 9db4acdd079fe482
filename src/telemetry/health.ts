import type { Clock } from '../clock.js';
import type { CallOutcome } from '../events.js';
import type { BreakerState } from '../pipeline/breaker.js';

/** How many recent call durations are kept per upstream for p50/p95. */
const LATENCY_SAMPLES = 512;

/**
 * Recent activity of one upstream, for `gateway.health()`. Counters cover the breaker's rolling
 * window; latencies are the last {@link LATENCY_SAMPLES} calls within it.
 */
export class UpstreamStats {
  private samples: { at: number; ms: number }[] = [];
  retries = 0;
  fallbacks = 0;

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
  ) {}

  recordCall(durationMs: number, outcome: CallOutcome): void {
    // Only calls that reached the upstream say anything about its latency.
    if (outcome === 'VALIDATION' || outcome === 'CIRCUIT_OPEN' || outcome === 'BULKHEAD_FULL') return;
    this.samples.push({ at: this.clock.now(), ms: durationMs });
    if (this.samples.length > LATENCY_SAMPLES) this.samples.shift();
  }

  latency(): { p50Ms: number | null; p95Ms: number | null; samples: number } {
    const since = this.clock.now() - this.windowMs;
    this.samples = this.samples.filter((s) => s.at >= since);
    const sorted = this.samples.map((s) => s.ms).sort((a, b) => a - b);
    const at = (q: number) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : null;
    return { p50Ms: at(0.5), p95Ms: at(0.95), samples: sorted.length };
  }
}

export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface UpstreamHealth {
  status: HealthStatus;
  breaker: { state: BreakerState; since: string };
  window: { calls: number; failures: number; errorRatio: number };
  latency: { p50Ms: number | null; p95Ms: number | null; samples: number };
  retries: number;
  fallbacks: number;
  inFlight: number;
  queued: number;
}

export interface HealthSnapshot {
  status: HealthStatus;
  time: string;
  upstreams: Record<string, UpstreamHealth>;
  outbox: Record<string, number>;
}

/** An upstream is down when its breaker is open, degraded when half-open or failing at ≥ 10 %. */
export function upstreamStatus(state: BreakerState, errorRatio: number): HealthStatus {
  if (state === 'open') return 'down';
  if (state === 'half-open' || errorRatio >= 0.1) return 'degraded';
  return 'ok';
}

/** Overall: down when every upstream is down, degraded when any is not ok. */
export function overallStatus(statuses: HealthStatus[]): HealthStatus {
  if (statuses.length > 0 && statuses.every((s) => s === 'down')) return 'down';
  return statuses.some((s) => s !== 'ok') ? 'degraded' : 'ok';
}
