import type { Clock } from '../clock.js';
import { CODE_TRAITS, GatewayError, isGatewayError } from '../errors.js';
import type { BreakerPolicy } from '../policy.js';
import type { CallScope, Next, Step } from './step.js';

export type BreakerState = 'closed' | 'half-open' | 'open';

const BUCKETS = 10;

/** A failure that shows the platform dead, not busy: nothing listens at its address. */
function isDead(e: unknown): boolean {
  if (!isGatewayError(e, 'NETWORK')) return false;
  return (e.cause as { code?: unknown } | undefined)?.code === 'ECONNREFUSED';
}

/** What an attempt's end says of the upstream ({@link CODE_TRAITS} `health`); the call's own end says nothing. */
function verdict(
  e: unknown,
  call: Pick<CallScope, 'ended'> | undefined,
): 'failure' | 'answered' | 'inconclusive' {
  if (call?.ended) return 'inconclusive';
  return isGatewayError(e) ? CODE_TRAITS[e.code].health : 'answered';
}

export interface BreakerEvents {
  onStateChange(state: BreakerState, since: number): void;
}

interface Bucket {
  start: number;
  calls: number;
  failures: number;
}

/**
 * One circuit breaker per upstream: a small state machine on the injected {@link Clock}.
 *
 * opossum (which this replaced) has no consecutive-failure rule, no growing open duration and no
 * k-of-n half-open, and its timers are not on our Clock; bending it to all three would mean
 * driving it from outside through `open()`/`close()`, i.e. writing this state machine anyway.
 *
 * Rules:
 * - **Ratio**: open when, over the rolling `windowMs`, at least `minimumCalls` attempts were made
 *   and the failure share reaches `errorRatio`.
 * - **Consecutive run**: open on `consecutiveFailures` failures in a row (fast at high traffic), or
 *   on at least `minConsecutiveFailures` in a row that span `consecutiveSpanMs` or more (low traffic).
 *   Why two: under a background failure share p, a run of n happens with probability ≈ pⁿ per
 *   attempt. At p = 0.3 and 40 attempts/s a run of 3 appears every second (0.3³ ≈ 2.7 %), so a
 *   short fixed run would open on noise; a run of 20 (0.3²⁰ ≈ 3·10⁻¹¹) never does but needs 20
 *   calls, i.e. two minutes at one call every 6 s. Requiring the short run to also span
 *   `consecutiveSpanMs` makes it a rule about *time*: at high traffic a 10 s span of unbroken
 *   failures is hundreds of attempts (impossible on a 30 % background), at one call every 6 s it
 *   is three calls.
 * - **Open duration** starts at `resetTimeoutMs` and is multiplied by `openBackoffFactor` after
 *   each failed half-open, capped at `maxOpenMs` (or `resetTimeoutMs` if larger), with up to
 *   `openJitter` of it removed at random (so many instances do not probe in step); it resets when
 *   the breaker closes. The default cap is short (1.5 s) so a recovered platform is probed, and
 *   answers live, within 2 s of its return; a longer cap saves a few probes per outage at the cost
 *   of up to that long answering nothing after it.
 * - **Half-open** lets at most `halfOpenProbes` probes in flight at once (`2 × halfOpenProbes` in
 *   all) and closes once `halfOpenSuccesses` of them succeeded with a failure share within
 *   `errorRatio`; it re-opens at once on a dead platform (a refused connection, or every one of the
 *   first `halfOpenProbes` probes failing), and otherwise only once closing is out of reach, so a
 *   background error share on a recovered platform rarely keeps it open (see `probeEnded`).
 */
export class Breaker implements Step {
  private current: BreakerState = 'closed';
  private stateSince: number;
  private buckets: Bucket[] = [];
  private run = 0;
  private runStart = 0;
  private openCount = 0;
  private timer: unknown;
  private probesInFlight = 0;
  private probeSuccesses = 0;
  private probeFailures = 0;
  private stopped = false;

  constructor(
    readonly upstream: string,
    private readonly policy: BreakerPolicy,
    private readonly clock: Clock,
    private readonly events: BreakerEvents,
    /** Source of jitter, injectable for tests. */
    private readonly random: () => number = Math.random,
  ) {
    this.stateSince = clock.now();
  }

  get state(): BreakerState {
    return this.current;
  }

  /** When the current state began (wall, epoch ms: shown in health, status and events, never used to measure). */
  get since(): number {
    return this.stateSince;
  }

  /** Attempts and failures in the rolling window. */
  get window(): { calls: number; failures: number } {
    this.prune();
    let calls = 0;
    let failures = 0;
    for (const b of this.buckets) {
      calls += b.calls;
      failures += b.failures;
    }
    return { calls, failures };
  }

  /**
   * Step 6: runs one attempt through the breaker. An attempt that fails because the call itself
   * ended (`call.ended`: its deadline, possibly a caller's short `deadlineMs`, the caller's abort,
   * a shutdown) proves nothing about the platform, so it is not counted, and one caller's tight
   * budget cannot open the breaker for everyone.
   */
  async execute<T>(next: Next<T>, signal?: AbortSignal, call?: CallScope): Promise<T> {
    if (this.stopped || this.current === 'open') throw this.openError();
    if (this.current === 'half-open') return this.probe(next, signal, call);
    try {
      const value = await next(signal as AbortSignal, call as CallScope);
      this.record(false);
      return value;
    } catch (e) {
      const v = verdict(e, call);
      if (v !== 'inconclusive') this.record(v === 'failure');
      throw e;
    }
  }

  /** Stops the breaker's timer; the breaker rejects every later call. */
  shutdown(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async probe<T>(next: Next<T>, signal?: AbortSignal, call?: CallScope): Promise<T> {
    const judged = this.probeSuccesses + this.probeFailures;
    if (this.probesInFlight >= this.policy.halfOpenProbes || this.probesInFlight + judged >= this.maxProbes) {
      throw this.openError();
    }
    this.probesInFlight++;
    try {
      const value = await next(signal as AbortSignal, call as CallScope);
      this.probesInFlight--;
      if (this.current === 'half-open') this.probeEnded(false, false);
      return value;
    } catch (e) {
      this.probesInFlight--;
      if (this.current === 'half-open') {
        const v = verdict(e, call);
        if (v !== 'inconclusive') this.probeEnded(v === 'failure', isDead(e));
        // inconclusive: proves nothing, the slot is free for another probe
      }
      throw e;
    }
  }

  /**
   * Judges the half-open after each probe. The probes are a sample of a platform that, closed, may
   * fail part of its calls (a background): they re-open the breaker only when they fail clearly
   * more than the closed state tolerates, i.e. when
   * - a probe found the platform dead (connection refused): at once;
   * - every one of the first `halfOpenProbes` probes failed (a dead platform, the usual case);
   * - closing is out of reach: at most `2 × halfOpenProbes` probes are judged per half-open, and
   *   the breaker closes once `halfOpenSuccesses` succeeded with a failure share of at most
   *   `errorRatio` (the closed state's own rule), so it re-opens once even all remaining probes
   *   succeeding could not bring the share down to `errorRatio`.
   * With the defaults (3 probes, 2 successes, ratio 0.5) a recovered platform with a 30 % background
   * re-opens about 5 % of half-opens (all 3 first probes failing: 2.7 %; 4 failures of 6 or
   * fewer); the former "2 successes of 3" rule re-opened 22 %.
   */
  private probeEnded(failed: boolean, dead: boolean): void {
    if (failed) this.probeFailures++;
    else this.probeSuccesses++;
    const s = this.probeSuccesses;
    const f = this.probeFailures;
    const p = this.policy;
    const left = this.maxProbes - s - f;
    if (dead || (s === 0 && f >= p.halfOpenProbes)) this.open();
    else if (s >= this.needed && f <= p.errorRatio * (s + f)) this.transition('closed');
    else if (f > p.errorRatio * this.maxProbes || s + left < this.needed) this.open();
  }

  /** Probes judged per half-open at most. */
  private get maxProbes(): number {
    return 2 * this.policy.halfOpenProbes;
  }

  /** Successes that close a half-open breaker (never more than the probes let through). */
  private get needed(): number {
    return Math.min(this.policy.halfOpenSuccesses, this.maxProbes);
  }

  private record(failed: boolean): void {
    if (this.current !== 'closed') return;
    // Window and run span on the monotonic clock: a wall step between two failures is not time passing.
    const now = this.clock.monotonic();
    this.prune();
    const width = this.policy.windowMs / BUCKETS;
    let last = this.buckets[this.buckets.length - 1];
    if (!last || now - last.start >= width) {
      last = { start: now - ((now - (last?.start ?? now)) % width), calls: 0, failures: 0 };
      this.buckets.push(last);
    }
    last.calls++;
    if (failed) {
      last.failures++;
      if (this.run === 0) this.runStart = now;
      this.run++;
    } else {
      this.run = 0;
    }
    const p = this.policy;
    let calls = 0;
    let failures = 0;
    for (const b of this.buckets) {
      calls += b.calls;
      failures += b.failures;
    }
    const byRatio = calls >= p.minimumCalls && failures / calls >= p.errorRatio;
    const byRun =
      this.run >= p.consecutiveFailures ||
      (this.run >= p.minConsecutiveFailures && now - this.runStart >= p.consecutiveSpanMs);
    if (byRatio || byRun) this.open();
  }

  private prune(): void {
    const cutoff = this.clock.monotonic() - this.policy.windowMs;
    while (this.buckets.length > 0 && (this.buckets[0] as Bucket).start <= cutoff) this.buckets.shift();
  }

  private open(): void {
    const p = this.policy;
    // A cap below the first open duration does not shorten it: a resetTimeoutMs set alone is honoured.
    const cap = Math.max(p.maxOpenMs, p.resetTimeoutMs);
    const base = Math.min(cap, p.resetTimeoutMs * p.openBackoffFactor ** this.openCount);
    const duration = Math.max(1, base * (1 - p.openJitter * this.random()));
    this.openCount++;
    this.transition('open');
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.transition('half-open');
    }, duration);
  }

  private transition(state: BreakerState): void {
    this.current = state;
    this.stateSince = this.clock.now();
    this.probeSuccesses = 0;
    this.probeFailures = 0;
    if (state === 'closed') {
      this.openCount = 0;
      this.buckets = [];
      this.run = 0;
    }
    this.events.onStateChange(state, this.stateSince);
  }

  private openError(): GatewayError {
    // No stack: a refusal is always thrown from here, and during an outage (every call refused)
    // capturing one cost more than the rest of the refusal.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new GatewayError('CIRCUIT_OPEN', `Circuit breaker of ${this.upstream} is open`, {
        upstream: this.upstream,
        retryable: false,
      });
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}
