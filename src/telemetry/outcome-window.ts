import type { Clock } from '../clock.js';
import type { CallOutcome } from '../events.js';

/** Window of `gateway.platformStatus()`'s call and fallback counts: 5 minutes, like the alerts' `rate(…[5m])`. */
export const STATUS_WINDOW_MS = 5 * 60_000;

/** Width of one bucket: the window moves in steps of this much (memory stays bounded at any rate). */
const BUCKET_MS = 10_000;

interface Bucket {
  start: number;
  calls: number;
  fallbacks: number;
}

/** Calls and fallback-served calls of one upstream over the window. */
export interface OutcomeCounts {
  /** Logical calls that ended in the window, whatever their outcome. */
  calls: number;
  /** Of those, the ones answered by a fallback (`stale` or `queued`). */
  fallbacks: number;
  /** `fallbacks / calls`; `null` without calls (no traffic says nothing about the platform). */
  fallbackShare: number | null;
}

/**
 * Counts logical calls and fallback-served calls per upstream over a sliding window on the
 * gateway's monotonic clock (a wall step neither empties nor freezes it), in {@link BUCKET_MS}
 * buckets. The same ratio as the recording rule `upstream:vngw_fallback_share:rate5m`, but for one
 * instance and without Prometheus.
 */
export class OutcomeWindow {
  private readonly buckets = new Map<string, Bucket[]>();

  constructor(
    private readonly clock: Clock,
    readonly windowMs: number = STATUS_WINDOW_MS,
  ) {}

  record(upstream: string, outcome: CallOutcome): void {
    const now = this.clock.monotonic();
    const list = this.prune(upstream, now);
    const start = now - (now % BUCKET_MS);
    let last = list[list.length - 1];
    if (!last || last.start !== start) {
      last = { start, calls: 0, fallbacks: 0 };
      list.push(last);
    }
    last.calls++;
    if (outcome === 'stale' || outcome === 'queued') last.fallbacks++;
  }

  read(upstream: string): OutcomeCounts {
    let calls = 0;
    let fallbacks = 0;
    for (const b of this.prune(upstream, this.clock.monotonic())) {
      calls += b.calls;
      fallbacks += b.fallbacks;
    }
    return { calls, fallbacks, fallbackShare: calls > 0 ? fallbacks / calls : null };
  }

  /** Drops buckets that ended before the window; returns the upstream's list. */
  private prune(upstream: string, now: number): Bucket[] {
    let list = this.buckets.get(upstream);
    if (!list) {
      list = [];
      this.buckets.set(upstream, list);
    }
    const cutoff = now - this.windowMs;
    while (list.length > 0 && list[0]!.start + BUCKET_MS <= cutoff) list.shift();
    return list;
  }
}
