import { describe, expect, it } from 'vitest';
import { GradientLimit, type GradientLimitOptions } from '../../src/pipeline/limit/gradient.js';

const OPTIONS: GradientLimitOptions = {
  initial: 20,
  min: 4,
  max: 200,
  tolerance: 1.5,
  windowMs: 0,
  windowSamples: 20,
  baselineWindows: 10,
};

/**
 * Drives a limiter on an injected clock: each round sends as many attempts as the limit allows
 * (or `demand`, if lower), all at once, and ends them after `latency(inFlight)` ms.
 */
function harness(options: Partial<GradientLimitOptions> = {}) {
  let now = 0;
  const limit = new GradientLimit({ ...OPTIONS, ...options }, () => now);
  const limits: number[] = [];
  let lowest = limit.limit;
  return {
    limit,
    limits,
    /** The lowest limit seen after any attempt's end. */
    get lowest() {
      return lowest;
    },
    round(latency: (inFlight: number) => number, demand = Number.POSITIVE_INFINITY, sample = true) {
      const n = Math.min(limit.limit, demand);
      // All n are in flight together for the whole round.
      const sent = Array.from({ length: n }, () => limit.onSend(n));
      now += latency(n);
      for (const s of sent) {
        limit.onEnd(s, sample);
        lowest = Math.min(lowest, limit.limit);
      }
      limits.push(limit.limit);
    },
  };
}

/** A platform answering in `base` ms up to `capacity` in flight, and proportionally slower past it. */
const withCapacity = (base: number, capacity: number) => (inFlight: number) =>
  base * Math.max(1, inFlight / capacity);

describe('adaptive concurrency limit (gradient)', () => {
  it('grows while latency holds, by at most 40 % per cohort, up to max', () => {
    const h = harness();
    for (let i = 0; i < 30; i++) h.round(() => 1700);
    // 20 → 28 → 39 → … : every judged cohort raises the limit, never by more than 40 %.
    for (let i = 1; i < h.limits.length; i++) {
      expect(h.limits[i]!).toBeGreaterThanOrEqual(h.limits[i - 1]!);
      expect(h.limits[i]!).toBeLessThanOrEqual(Math.ceil(h.limits[i - 1]! * 1.4) + 1);
    }
    expect(h.limits[2]!).toBeGreaterThan(20);
    expect(h.limit.limit).toBe(200);
  });

  it('does not grow while the traffic does not reach half the limit (app-limited)', () => {
    const h = harness({ initial: 40 });
    for (let i = 0; i < 20; i++) h.round(() => 100, 19);
    expect(h.limit.limit).toBe(40);
  });

  it('shrinks when latency climbs with load, and holds the platform within 1.5 × its capacity', () => {
    const h = harness({ initial: 10 });
    const platform = withCapacity(1000, 50);
    for (let i = 0; i < 60; i++) h.round(platform);
    // Up to the capacity and a little past it (latency 1.4 × at 70), never past 1.5 × (75).
    expect(Math.max(...h.limits)).toBeLessThanOrEqual(75);
    expect(h.limit.limit).toBeGreaterThanOrEqual(50);
    expect(h.limit.limit).toBeLessThanOrEqual(75);
  });

  it('cuts a limit that is far past the capacity at once', () => {
    const h = harness();
    for (let i = 0; i < 8; i++) h.round(() => 1000); // learns the baseline at low load
    const before = h.limit.limit;
    expect(before).toBeGreaterThan(20);
    // The platform's capacity drops to 10: latency ≈ limit / 10 × 1000 ms.
    for (let i = 0; i < 3; i++) h.round(withCapacity(1000, 10));
    expect(h.limit.limit).toBeLessThan(before / 2);
    for (let i = 0; i < 20; i++) h.round(withCapacity(1000, 10));
    expect(h.limit.limit).toBeLessThanOrEqual(15);
    expect(h.limit.limit).toBeGreaterThanOrEqual(OPTIONS.min);
  });

  it('never goes below min, and recovers when the platform does', () => {
    const h = harness({ initial: 40, windowSamples: 4 });
    for (let i = 0; i < 10; i++) h.round(() => 100);
    expect(h.limit.limit).toBe(OPTIONS.max);
    // Latency twenty times the baseline whatever the load: halved per round (the cut is judged on the
    // concurrency that caused it, so one round's cohorts do not compound it), down to min, never
    // below, where the slow latency is taken as the platform's own (our load can no longer be the cause)…
    h.round(() => 2000);
    expect(h.limit.limit).toBe(100);
    for (let i = 0; i < 5; i++) h.round(() => 2000);
    expect(h.lowest).toBe(OPTIONS.min);
    expect(h.limit.baselineMs).toBe(2000);
    // …so the limit grows back while the platform stays that slow, and stays up when it is fast again.
    for (let i = 0; i < 20; i++) h.round(() => 2000);
    expect(h.limit.limit).toBe(OPTIONS.max);
    for (let i = 0; i < 10; i++) h.round(() => 100);
    expect(h.limit.limit).toBe(OPTIONS.max);
    expect(h.limit.baselineMs).toBeLessThan(2000);
  });

  it('a spread latency (exponential, mean 1.7 s) does not cut the limit: it grows to max', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1664525 + 1013904223) % 4294967296;
      return seed / 4294967296;
    };
    let now = 0;
    const limit = new GradientLimit({ ...OPTIONS, windowSamples: 100, initial: 64, max: 256 }, () => now);
    // Attempts start every 20 ms, each lasting an exponential draw; ends are processed in time order.
    const running: { end: number; sent: ReturnType<GradientLimit['onSend']> }[] = [];
    let minLimit = 64;
    for (let i = 0; i < 6000; i++) {
      now = i * 20;
      running.sort((a, b) => a.end - b.end);
      while (running.length && running[0]!.end <= now) limit.onEnd(running.shift()!.sent, true);
      if (running.length < limit.limit) {
        running.push({ end: now - 1700 * Math.log(1 - random()), sent: limit.onSend(running.length + 1) });
      }
      minLimit = Math.min(minLimit, limit.limit);
    }
    expect(minLimit).toBe(64);
    // Demand is about 85 in flight (50/s × 1.7 s): the limit rose above it and stayed there.
    expect(limit.limit).toBeGreaterThan(100);
  });

  it('ignores attempts that end without a latency sample (fast 503s, refused connections)', () => {
    const h = harness();
    for (let i = 0; i < 10; i++) h.round(() => 5, Number.POSITIVE_INFINITY, false);
    expect(h.limit.limit).toBe(20);
    expect(h.limit.baselineMs).toBeUndefined();
  });

  it('treats a few milliseconds more on a fast platform as noise', () => {
    const h = harness({ initial: 40 });
    for (let i = 0; i < 3; i++) h.round(() => 3);
    const before = h.limit.limit;
    for (let i = 0; i < 5; i++) h.round(() => 9); // 3 × the baseline, but still under 20 ms
    expect(h.limit.limit).toBeGreaterThanOrEqual(before);
  });

  it('judges a cohort once 90 % of it ended, counting the rest at their age', () => {
    let now = 0;
    const limit = new GradientLimit({ ...OPTIONS, initial: 10, windowSamples: 10 }, () => now);
    const first = Array.from({ length: 10 }, (_, i) => limit.onSend(i + 1));
    now = 100;
    for (const s of first.slice(0, 9)) limit.onEnd(s, true);
    expect(limit.baselineMs).toBeUndefined(); // the cohort is still open: no judgment yet
    limit.onSend(1); // a send after the window closes the cohort; 9 of 10 ended: judged now
    expect(limit.baselineMs).toBe(100);
    expect(limit.limit).toBe(14);
  });
});
