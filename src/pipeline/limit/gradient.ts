/**
 * An adaptive concurrency limit driven by the latency an upstream shows: a gradient limiter in the
 * family of Netflix concurrency-limits' `Gradient2Limit` (with its `WindowedLimit`) and Envoy's
 * adaptive concurrency filter. Pure arithmetic on samples and an injected monotonic time: no timers,
 * no I/O.
 */

/** Options of {@link GradientLimit}; each is documented with its default in `ConcurrencyPolicy`. */
export interface GradientLimitOptions {
  initial: number;
  min: number;
  max: number;
  tolerance: number;
  windowMs: number;
  windowSamples: number;
  baselineWindows: number;
}

/** A group of attempts sent in one window, judged together once nearly all have ended. */
interface Cohort {
  start: number;
  /** Attempts of the cohort that count (sent, minus those ended without a latency sample). */
  counted: number;
  /** Of those, the ones still running, and the sum of their send times (for their ages). */
  running: number;
  runningSentSum: number;
  /** Sum of the latencies of those that ended. */
  rttSum: number;
  /** Highest in-flight count seen when one of its attempts was sent. */
  maxInFlight: number;
  /** Attempts it gathers before closing. */
  size: number;
  closed: boolean;
}

/** What {@link GradientLimit.onSend} returns, handed back to {@link GradientLimit.onEnd}. */
export interface SentAttempt {
  readonly cohort: object;
  readonly sentAt: number;
}

/** Share of a cohort that must have ended before it is judged (the rest count at their age so far). */
const JUDGED_AT = 0.9;

/** Fewest attempts in a cohort. */
const MIN_COHORT = 10;

/** Largest growth of the limit per judged cohort (while latency holds). */
const GROWTH = 1.4;

/** Cohorts up to this latency ratio feed the baseline; those above it do not. */
const LEARN_BELOW = 1.2;

/** Baselines below this (ms) are judged as this: a 3 → 6 ms rise on a fast platform is noise. */
const NOISE_FLOOR_MS = 20;

/**
 * The limit follows the ratio of the latency measured now to a baseline (the latency the platform
 * shows when it is not queueing our requests):
 *
 * - **Cohorts, not completions.** The attempts *sent* in one window (at least `windowMs`, and twice
 *   the limit within [10, `windowSamples`] attempts) form a cohort; once 90 % of it has ended,
 *   `short` = its mean latency, the last 10 % counted at their age so far or at the others' mean if
 *   longer (a late sender's attempt has had little time yet). Judging whatever *completed* in a window would be
 *   biased by the limit's own moves: after a cut, fewer new (short) attempts finish and the old long
 *   ones dominate, which reads as more latency and cuts again (a collapse to `min` on a platform
 *   whose latency is only widely spread); while growing, the reverse. A mean over many attempts is
 *   also far steadier than one sample when latency is spread (exponential: p99 ≈ 4.6 × mean).
 * - **Ratio.** `ratio = short / baseline` (a baseline under 20 ms counts as 20 ms: a 3 → 6 ms rise
 *   on a fast platform is scheduling noise, not queueing).
 * - **Cut** when `ratio > tolerance`: the limit becomes at most the cohort's highest in-flight count
 *   × `tolerance / ratio` (at least × 0.5), i.e. judged on the concurrency that caused the latency, so
 *   several cohorts sent before one cut do not cut again and again.
 * - **Growth** otherwise, if the cohort was held back by the limit (its in-flight count reached half
 *   of it, as in Gradient2): to the cohort's in-flight count × `1.4 / ratio` (+1 at least while
 *   `ratio ≤ 1.17`, so a small limit grows too; never less than the limit). While latency holds the limit grows by 40 % per cohort; the growth slows
 *   as latency climbs and stops at `ratio = 1.4`. Growing from the cohort's own concurrency, never
 *   from the current limit, so cohorts sent before a raise do not compound it. Against a platform
 *   whose latency rises with its load past a capacity C (latency × in-flight / C), the limit climbs
 *   to at most 1.4 × C and stays between 1.4 × C and `tolerance` × C. Gradient2 adds a fixed
 *   `queueSize` to every update instead, which keeps the limit growing past that point.
 * - **Baseline.** The first judged cohort's `short`; a faster cohort pulls it down by half the gap
 *   (a platform that got faster, or a first cohort slowed by a burst, is learnt at once); slower
 *   ones feed an exponential average over about `baselineWindows` cohorts, those with `ratio ≤ 1.2`
 *   only: queueing must not teach the limiter
 *   that queueing is normal (Gradient2's long average does learn it, so under a lasting overload its
 *   limit creeps up). A platform that became slower at every load is learned at `min`: the cuts take
 *   the limit there, and where our own load can no longer be the cause the baseline becomes the
 *   cohort's latency; the limit then grows again from it.
 * - **A new limit starts a new cohort**: one cohort, one concurrency. Cohorts left with fewer than
 *   `windowSamples / 2` latencies (most attempts failed fast, or a new limit cut it short) are not
 *   judged.
 *
 * Unlike Envoy's gradient controller there is no periodic minimum-RTT measurement: it pins the
 * concurrency to a few attempts for a while, refusing the rest, which a gateway serving citizens
 * at a counter cannot afford.
 */
export class GradientLimit {
  private estimate: number;
  private baseline: number | undefined;
  private current: Cohort | undefined;
  private readonly pending = new Set<Cohort>();

  constructor(
    private readonly options: GradientLimitOptions,
    /** Monotonic milliseconds. */
    private readonly now: () => number,
  ) {
    this.estimate = clamp(options.initial, options.min, options.max);
  }

  /** The current limit (a whole number of attempts). */
  get limit(): number {
    return Math.floor(this.estimate);
  }

  /** The latency baseline (ms) learned so far, `undefined` before the first judged cohort. */
  get baselineMs(): number | undefined {
    return this.baseline;
  }

  /** An attempt is sent, with `inFlight` attempts (itself included) running. */
  onSend(inFlight: number): SentAttempt {
    const now = this.now();
    let c = this.current;
    if (!c || c.closed || (c.counted >= c.size && now - c.start >= this.options.windowMs)) {
      if (c) this.close(c);
      // Two rounds of the limit, within [10, windowSamples]: at a small limit a cohort of
      // windowSamples would take minutes to gather on a slow platform.
      const size = Math.min(this.options.windowSamples, Math.max(MIN_COHORT, 2 * this.limit));
      c = {
        start: now,
        counted: 0,
        running: 0,
        runningSentSum: 0,
        rttSum: 0,
        maxInFlight: 0,
        size,
        closed: false,
      };
      this.current = c;
    }
    c.counted++;
    c.running++;
    c.runningSentSum += now;
    if (inFlight > c.maxInFlight) c.maxInFlight = inFlight;
    return { cohort: c, sentAt: now };
  }

  /**
   * The attempt ended. `sample`: its latency says something of the platform's load (an answer, or
   * the attempt's own timeout); false for what does not (a fast 503, a refused connection, the call
   * ended by its caller or deadline), which then leaves its cohort.
   */
  onEnd(sent: SentAttempt, sample: boolean): void {
    const c = sent.cohort as Cohort;
    const now = this.now();
    c.running--;
    c.runningSentSum -= sent.sentAt;
    if (sample) c.rttSum += now - sent.sentAt;
    else c.counted--;
    if (c.closed) this.judgeIfDone(c, now);
  }

  private close(c: Cohort): void {
    c.closed = true;
    this.pending.add(c);
    this.judgeIfDone(c, this.now());
  }

  private judgeIfDone(c: Cohort, now: number): void {
    if (!this.pending.has(c)) return;
    // Too few latencies left (most attempts failed fast, or a new limit cut the cohort short).
    if (c.counted < c.size / 2) {
      if (c.running === 0) this.pending.delete(c);
      return;
    }
    if (c.counted - c.running < JUDGED_AT * c.counted) return;
    this.pending.delete(c);
    // The last ones count at their age so far, or at the others' mean if that is longer (a late
    // sender's attempt has had little time yet: its age would flatter the cohort).
    const ended = c.counted - c.running;
    const rest = Math.max(c.running * now - c.runningSentSum, (c.running * c.rttSum) / ended);
    this.update(Math.max((c.rttSum + rest) / c.counted, 0.001), c.maxInFlight);
  }

  private update(short: number, maxInFlight: number): void {
    const o = this.options;
    const baseline = this.baseline ?? short;
    // A few milliseconds more on a fast platform is scheduling noise, not queueing.
    const ratio = short / Math.max(baseline, NOISE_FLOOR_MS);
    const before = this.estimate;
    if (ratio > o.tolerance) {
      // Queueing: cut to what the cohort's own concurrency would give at the tolerated latency.
      const cut = maxInFlight * Math.max(0.5, o.tolerance / ratio);
      this.estimate = clamp(Math.min(this.estimate, cut), o.min, o.max);
    } else if (maxInFlight >= this.estimate / 2) {
      // Growth from the cohort's own concurrency (never compounding on cohorts sent at a lower limit).
      const growth = Math.min(GROWTH, GROWTH / ratio);
      // +1 at least while latency clearly holds, so a small limit grows too.
      const step = growth >= 1.2 ? maxInFlight + 1 : 0;
      if (growth > 1)
        this.estimate = clamp(Math.max(this.estimate, maxInFlight * growth, step), o.min, o.max);
    }
    // A new limit starts a new cohort: one cohort, one concurrency.
    if (Math.floor(this.estimate) !== Math.floor(before) && this.current) this.close(this.current);
    const alpha = 1 / o.baselineWindows;
    if (this.baseline === undefined || this.estimate <= o.min) this.baseline = short;
    // Down fast (a platform that got faster, or a baseline learnt under a burst), up slowly.
    else if (short < baseline) this.baseline = baseline + (short - baseline) / 2;
    else if (ratio <= LEARN_BELOW) this.baseline = baseline + (short - baseline) * alpha;
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
