/** Backoff and `Retry-After`, as pure functions. */

/**
 * Full-jitter exponential backoff: a random delay in [0, min(maxMs, baseMs × 2^(retry−1))].
 * @param retry 1 for the first retry.
 * @param random a generator of [0, 1); injected so tests are exact.
 */
export function fullJitterDelay(retry: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Parses a `Retry-After` header: delay-seconds or an HTTP-date. Returns milliseconds (≥ 0), or
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
