/**
 * The demo's only source of randomness: a seeded generator (mulberry32 from the testing kit), so
 * the same `--seed` plans the same day. `Math.random` is never used by the workload.
 */
import { type Random, streamRandom } from '../testing/prng.js';

/** A seeded generator with the few draws the demo needs. */
export class Rng {
  private readonly next: Random;

  /** One independent stream per purpose (`population`, `arrivals`, …) under `seed`. */
  constructor(seed: number, stream: string) {
    this.next = streamRandom(seed, `demo:${stream}`);
  }

  /** A number in [0, 1). */
  float(): number {
    return this.next();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** `true` with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A `width`-digit string, leading zeros allowed. */
  digits(width: number): string {
    let s = '';
    for (let i = 0; i < width; i++) s += String(this.int(0, 9));
    return s;
  }
}
