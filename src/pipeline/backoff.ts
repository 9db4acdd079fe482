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
 * Longest wait a `Retry-After` is read as (1 hour): a platform asking for more is down for
 * maintenance (the breaker's business), and an HTTP-date read against a host clock that stepped
 * (an NTP correction, a hardware clock on local time, UTC+7) must not turn into hours.
 */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/**
 * Parses a `Retry-After` header into a duration in milliseconds, in [0, {@link MAX_RETRY_AFTER_MS}],
 * or undefined when absent or unreadable. delay-seconds is a duration already. An HTTP-date is wall
 * time: it is converted once, here, against the reply's own `Date` header when it has a valid one
 * (both from the platform's clock, so a skewed or stepped host clock cannot bend the wait), else
 * against our wall clock `now`; from then on the wait is a duration on the monotonic clock.
 * @param now our wall clock (epoch ms).
 * @param date the reply's `Date` header, if any.
 */
export function parseRetryAfter(value: string | undefined, now: number, date?: string): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(MAX_RETRY_AFTER_MS, Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  const sent = date === undefined ? Number.NaN : Date.parse(date);
  const reference = Number.isNaN(sent) ? now : sent;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - reference));
}
