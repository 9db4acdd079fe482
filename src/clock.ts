/**
 * Time, behind an interface so every time-dependent step (backoff, deadlines, breakers, budgets)
 * can be driven by fake timers or an injected clock in tests.
 */
export interface Clock {
  /**
   * Wall time, milliseconds since the epoch. Only for what leaves the process (audit timestamps,
   * due and retention times written to a store): an NTP step or a host booting on local time moves it.
   */
  now(): number;
  /**
   * Monotonic milliseconds from an arbitrary origin, for every duration measured in the process
   * (deadlines, timeouts, backoff, breaker windows, buckets, pacing, a stale answer's age): a step
   * of the wall clock never moves it.
   */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The real clock. It looks the globals up at call time (not at import), so `vi.useFakeTimers()`
 * installed after import still drives it.
 */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
});

const CLOCK_METHODS = ['now', 'monotonic', 'setTimeout', 'clearTimeout'] as const;

/** The first {@link Clock} method `clock` lacks, if any (an injected clock written before `monotonic()`). */
export function missingClockMethod(clock: unknown): (typeof CLOCK_METHODS)[number] | undefined {
  if (typeof clock !== 'object' || clock === null) return 'now';
  return CLOCK_METHODS.find((m) => typeof (clock as Record<string, unknown>)[m] !== 'function');
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined, clock: Clock): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    if (ms <= 0) return resolve();
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
