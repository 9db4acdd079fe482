/**
 * Latency samples for the `latencyMs` fault: a constant, or a draw from a seeded distribution so a
 * slow platform is slow in the same way on every run.
 */

import type { Random } from './prng.js';

/** A latency distribution in milliseconds. Samples are clamped to `[min ?? 0, max ?? ∞]`. */
export type LatencyDistribution =
  | { distribution: 'uniform'; min: number; max: number }
  | {
      distribution: 'normal';
      mean: number;
      stdDev: number;
      min?: number | undefined;
      max?: number | undefined;
    }
  | { distribution: 'exponential'; mean: number; min?: number | undefined; max?: number | undefined };

/** A fixed delay in ms, or a distribution. */
export type Latency = number | LatencyDistribution;

/** Draws one delay in whole milliseconds (0 when `latency` is undefined). */
export function sampleLatency(latency: Latency | undefined, random: Random): number {
  if (latency === undefined) return 0;
  if (typeof latency === 'number') return Math.max(0, Math.round(latency));
  let ms: number;
  switch (latency.distribution) {
    case 'uniform':
      ms = latency.min + random() * (latency.max - latency.min);
      break;
    case 'normal': {
      // Box–Muller; 1 - u keeps the logarithm finite.
      const u = 1 - random();
      const v = random();
      ms = latency.mean + latency.stdDev * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      break;
    }
    case 'exponential':
      ms = -latency.mean * Math.log(1 - random());
      break;
  }
  const min = latency.min ?? 0;
  const max = latency.max ?? Number.POSITIVE_INFINITY;
  return Math.round(Math.min(max, Math.max(min, ms)));
}
