/**
 * A small seeded PRNG so fault sequences repeat exactly under the same seed. Each caller owns its
 * generator: there is no shared module state.
 */

/** A source of numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: 32-bit state, fast, good enough for test fault injection (not for cryptography). */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A generator for one stream (for example `"land:errors"`) under `seed`. Separate streams keep a
 * platform's error sequence the same whether or not latency (which also draws) is switched on.
 */
export function streamRandom(seed: number, stream: string): Random {
  // FNV-1a over the seed and the stream name.
  let h = 0x811c9dc5;
  for (const ch of `${seed}:${stream}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return mulberry32(h);
}
