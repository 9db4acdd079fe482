import { setMaxListeners } from 'node:events';
import { randomUUID } from 'node:crypto';
import { type Clock, sleep } from '../clock.js';
import { annotate, CODE_TRAITS } from '../errors.js';
import type { EventBus } from '../events.js';
import { fullJitterDelay } from '../pipeline/backoff.js';
import type { BreakerState } from '../pipeline/breaker.js';
import type { Limiter, QuotaSession } from '../quota/types.js';
import type { GatewayLogger } from '../telemetry/logger.js';
import type { OutboxStore } from './outbox/types.js';
import type { OutboxItem, PurgeCounts } from './outbox/types.js';
import { type Defaults, withDefaults } from '../util/defaults.js';

/** Options of the outbox drainer. */
export interface DrainerOptions {
  /** Start draining in the background when the gateway is created. @default true */
  autoStart?: boolean | undefined;
  /** How often due items are looked for (a breaker close, {@link Drainer.wake} or the store's `watch` start a pass sooner). @default 1000 */
  pollMs?: number | undefined;
  /** How long a claimed item is ours before another drainer may take it (longer than a call's deadline). @default 60000 */
  leaseMs?: number | undefined;
  /** Items claimed at a time; also the most replays in flight at once per upstream. @default 20 */
  batch?: number | undefined;
  /**
   * Ceiling of replays per second per upstream (the platform's quota for replays): the adaptive
   * rate never goes above it. @default 50
   */
  perSecond?: number | undefined;
  /** Replay rate (per second, per upstream) a drain starts at, and restarts at when a breaker closes. @default 5 */
  initialPerSecond?: number | undefined;
  /** Floor of the adaptive rate: failures never slow replays below it. @default 1 */
  minPerSecond?: number | undefined;
  /** Additive increase: replays per second added after each successful replay. @default 1 */
  increasePerSecond?: number | undefined;
  /** Multiplicative decrease: the rate is multiplied by this after each transiently failed replay. @default 0.5 */
  decreaseFactor?: number | undefined;
  /**
   * Latency the drain tolerates before it slows down, as a multiple of the platform's latency
   * when the drain (re)started at `initialPerSecond` (and at least 50 ms above it): when the
   * recent latency (a moving average) climbs past it,
   * the platform is queueing the replays, and the rate is multiplied by `decreaseFactor` (at most
   * once per round trip) even though the replays succeed. Nothing is dropped: items wait. `0`
   * turns the latency signal off (failures alone slow the drain). @default 2
   */
  latencyTolerance?: number | undefined;
  /** Backoff of an item between replays: base. @default 1000 */
  baseDelayMs?: number | undefined;
  /** Backoff of an item between replays: cap. @default 300000 (5 min) */
  maxDelayMs?: number | undefined;
  /**
   * How long a delivered (or discarded) item is kept before a purge removes it. Its input is
   * already gone at delivery; this bounds how long its summary, hash and context stay.
   * Dead letters are never purged until an operator handles them. @default 259200000 (3 days)
   */
  retentionMs?: number | undefined;
  /**
   * How often the drainer purges items older than `retentionMs` (on the gateway's clock); `0`
   * turns the automatic purge off (then run `gateway.outbox.purge()` or the CLI yourself). Runs
   * only while the drainer does (`autoStart`, the default).
   * @default 3600000 (1 hour)
   */
  purgeEveryMs?: number | undefined;
}

export const DEFAULT_DRAINER_OPTIONS: Readonly<Defaults<DrainerOptions>> = Object.freeze({
  autoStart: true,
  pollMs: 1_000,
  leaseMs: 60_000,
  batch: 20,
  perSecond: 50,
  initialPerSecond: 5,
  minPerSecond: 1,
  increasePerSecond: 1,
  decreaseFactor: 0.5,
  latencyTolerance: 2,
  baseDelayMs: 1_000,
  maxDelayMs: 300_000,
  retentionMs: 3 * 24 * 3_600_000,
  purgeEveryMs: 3_600_000,
});

/** What the drainer's events say about an item. */
interface ItemEvent {
  ticket: string;
  upstream: string;
  operation: string;
  requestId: string;
  dossierCode: string | undefined;
}

/** What a purge removed, and its cut-off (epoch ms). */
export interface PurgeReport extends PurgeCounts {
  before: number;
}

/** The gateway's parts the drainer uses. */
export interface DrainerRuntime {
  clock: Clock;
  random: () => number;
  events: EventBus;
  outbox: OutboxStore;
}

/** What the drainer needs of an upstream. */
export interface DrainTarget {
  name: string;
  logger: GatewayLogger;
  breaker: { readonly state: BreakerState };
  /** Where the drainer's per-upstream ceiling is counted (so a Redis quota shares it). */
  quota: QuotaSession;
}

/**
 * Replays one item through the upstream's pipeline (steps 3–10, with the item's request id and
 * idempotency key) and resolves with the platform's result; given by the gateway.
 */
export type Replay = (item: OutboxItem, signal: AbortSignal) => Promise<unknown>;

/** What one pass delivered. */
export interface DrainReport {
  delivered: number;
  rescheduled: number;
  dead: number;
}

/**
 * Replays queued calls with their original idempotency key and `X-Road-Id`, through the same
 * pipeline (so the upstream's breaker and its half-open probes gate recovery), at least once.
 * Items are leased, so several drainers on one store never deliver the same item at once.
 */
export class Drainer {
  readonly owner = randomUUID();
  private readonly o: Defaults<DrainerOptions>;
  private readonly limiters = new Map<string, Limiter>();
  private readonly pacers = new Map<string, AimdPacer>();
  /** One lane per upstream: its own pass, so a hanging platform holds only its own items. */
  private readonly lanes = new Map<string, Lane>();
  private unwatch: (() => void) | undefined;
  /** Set once started (each lane holds its own poll timer). */
  private started = false;
  private purgeTimer: unknown;
  private purging: Promise<unknown> | undefined;
  private stopping = false;
  private readonly stopController = new AbortController();

  constructor(
    private readonly rt: DrainerRuntime,
    private readonly upstreams: ReadonlyMap<string, DrainTarget>,
    private readonly replay: Replay,
    options: DrainerOptions = {},
    private readonly logger?: GatewayLogger,
  ) {
    this.o = withDefaults(DEFAULT_DRAINER_OPTIONS, options);
    // A batch of replays (20 by default) listens to it at once.
    setMaxListeners(0, this.stopController.signal);
    const { retentionMs, purgeEveryMs } = this.o;
    if (!(Number.isFinite(retentionMs) && retentionMs >= 0)) {
      throw new RangeError('drainer: retentionMs must be a finite number >= 0');
    }
    if (!(Number.isFinite(purgeEveryMs) && purgeEveryMs >= 0)) {
      throw new RangeError('drainer: purgeEveryMs must be a finite number >= 0 (0: no automatic purge)');
    }
    const { perSecond, initialPerSecond, minPerSecond, decreaseFactor, increasePerSecond } = this.o;
    if (!(minPerSecond > 0 && minPerSecond <= initialPerSecond && initialPerSecond <= perSecond)) {
      throw new RangeError('drainer: need 0 < minPerSecond <= initialPerSecond <= perSecond');
    }
    if (!(decreaseFactor > 0 && decreaseFactor < 1) || !(increasePerSecond >= 0)) {
      throw new RangeError('drainer: need 0 < decreaseFactor < 1 and increasePerSecond >= 0');
    }
    const { latencyTolerance } = this.o;
    if (!(latencyTolerance === 0 || (Number.isFinite(latencyTolerance) && latencyTolerance > 1))) {
      throw new RangeError('drainer: latencyTolerance must be 0 (off) or a finite number > 1');
    }
  }

  /** The current adaptive replay rate (per second) of an upstream; `initialPerSecond` before any replay. */
  rate(upstream: string): number {
    return this.pacers.get(upstream)?.rate ?? this.o.initialPerSecond;
  }

  /**
   * Starts a pass of every upstream now without waiting for the poll (an upstream whose pass is
   * running gets another after it, so work that arrived meanwhile is not left for the next poll).
   * Never rejects.
   */
  wake(): void {
    for (const up of this.upstreams.values()) this.wakeLane(up);
  }

  private wakeLane(up: DrainTarget): void {
    if (this.stopping) return;
    const lane = this.lane(up.name);
    if (lane.pass) {
      lane.again = true;
      return;
    }
    void this.drainLane(up).catch(() => {});
  }

  /**
   * An upstream's breaker closed: its replay rate restarts low (the platform is just back), its
   * lane wakes, and so do drainers on other instances through the store's `wake`, if it has one.
   */
  breakerClosed(upstream: string): void {
    this.pacers.get(upstream)?.reset(this.o.initialPerSecond);
    const up = this.upstreams.get(upstream);
    if (up) this.wakeLane(up);
    else this.wake();
    void this.rt.outbox.wake?.().catch(() => {});
  }

  start(): void {
    if (this.stopping || this.started) return;
    this.unwatch = this.rt.outbox.watch?.(() => this.wake());
    // Each lane polls on its own, `pollMs` after its last pass ended: a lane held by a hanging
    // platform never delays another's next poll.
    const tick = (up: DrainTarget) => {
      const lane = this.lane(up.name);
      lane.timer = this.rt.clock.setTimeout(() => {
        lane.timer = undefined;
        this.drainLane(up)
          .catch(() => {})
          .finally(() => {
            if (!this.stopping) tick(up);
          });
      }, this.o.pollMs);
      (lane.timer as { unref?: () => void }).unref?.();
    };
    this.started = true;
    for (const up of this.upstreams.values()) tick(up);
    this.schedulePurge();
  }

  /** The retention the automatic purge applies (ms). */
  get retentionMs(): number {
    return this.o.retentionMs;
  }

  /**
   * Deletes delivered and discarded items older than `olderThanMs` (default `retentionMs`) at
   * `now` (default the clock); dead letters and items still pending are never touched.
   */
  async purge(olderThanMs = this.o.retentionMs, now = this.rt.clock.now()): Promise<PurgeReport> {
    const before = now - olderThanMs;
    // `now` too, so a store on a shared clock applies the retention on its own clock.
    const counts = await this.rt.outbox.purge(before, now);
    if (counts.delivered + counts.discarded > 0) {
      this.logger?.info({ ...counts, before }, 'outbox purged');
      this.rt.events.emit('outbox:purged', { ...counts, before });
    }
    return { ...counts, before };
  }

  /** Low-rate purge on the gateway's clock; a failed purge is logged and tried again next time. */
  private schedulePurge(): void {
    if (this.o.purgeEveryMs === 0 || this.stopping) return;
    this.purgeTimer = this.rt.clock.setTimeout(() => {
      this.purging = this.purge()
        .catch((err: unknown) =>
          this.logger?.warn(
            { err: (err as Error)?.name, code: (err as { code?: string })?.code },
            'outbox purge failed',
          ),
        )
        .finally(() => {
          this.purging = undefined;
          this.schedulePurge();
        });
    }, this.o.purgeEveryMs);
    (this.purgeTimer as { unref?: () => void }).unref?.();
  }

  /**
   * Runs one pass over every due item now, every upstream in its own lane at once (joins the
   * passes in progress, if any), and sums what they did.
   */
  async drain(): Promise<DrainReport> {
    const reports = await Promise.all([...this.upstreams.values()].map((up) => this.drainLane(up)));
    const total: DrainReport = { delivered: 0, rescheduled: 0, dead: 0 };
    for (const r of reports) {
      total.delivered += r.delivered;
      total.rescheduled += r.rescheduled;
      total.dead += r.dead;
    }
    return total;
  }

  /** Stops the timer, cancels replays in flight (they stay leased, then due again) and waits for the passes. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unwatch?.();
    this.unwatch = undefined;
    for (const lane of this.lanes.values()) {
      if (lane.timer !== undefined) this.rt.clock.clearTimeout(lane.timer);
    }
    if (this.purgeTimer !== undefined) this.rt.clock.clearTimeout(this.purgeTimer);
    this.stopController.abort();
    await Promise.all([...[...this.lanes.values()].map((l) => l.pass?.catch(() => {})), this.purging]);
  }

  private lane(name: string): Lane {
    let lane = this.lanes.get(name);
    if (!lane) {
      lane = { pass: undefined, again: false, timer: undefined };
      this.lanes.set(name, lane);
    }
    return lane;
  }

  /** One pass of one upstream's lane (joins the one in progress). */
  private drainLane(up: DrainTarget): Promise<DrainReport> {
    const lane = this.lane(up.name);
    lane.pass ??= this.runLane(up).finally(() => {
      lane.pass = undefined;
      if (lane.again) {
        lane.again = false;
        this.wakeLane(up);
      }
    });
    return lane.pass;
  }

  private async runLane(up: DrainTarget): Promise<DrainReport> {
    const report: DrainReport = { delivered: 0, rescheduled: 0, dead: 0 };
    // An open breaker would fail every replay at once: leave the items due until it half-opens.
    if (isOpen(up)) return report;
    for (;;) {
      if (this.stopping) return report;
      // Half-open lets a few probes through and refuses the rest: replay one item at a time then,
      // instead of claiming a batch the breaker would mostly refuse.
      const limit = up.breaker.state === 'half-open' ? 1 : this.o.batch;
      const items = await this.rt.outbox.claim({
        owner: this.owner,
        // Wall time: due times and leases are stored (a shared store uses its own clock instead).
        now: this.rt.clock.now(),
        leaseMs: this.o.leaseMs,
        limit,
        upstream: up.name,
      });
      // Paced one after another, delivered concurrently: the pacer, not the round trip, sets the rate.
      const inFlight: Promise<void>[] = [];
      for (const item of items) {
        if (await this.pace(up)) inFlight.push(this.deliver(up, item, report));
      }
      await Promise.all(inFlight);
      if (items.length < limit || limit < this.o.batch || isOpen(up)) break;
    }
    return report;
  }

  private async deliver(up: DrainTarget, item: OutboxItem, report: DrainReport): Promise<void> {
    const { rt } = this;
    const event: ItemEvent = {
      ticket: item.id,
      upstream: item.upstream,
      operation: item.operation,
      requestId: item.requestId,
      dossierCode: item.context.dossierCode,
    };
    let value: unknown;
    const started = rt.clock.monotonic();
    try {
      value = await this.replay(item, this.stopController.signal);
    } catch (e) {
      await this.failed(up, item, e, report, event).catch((storeError: unknown) =>
        this.storeFailed(up, item, storeError),
      );
      return;
    }
    let recorded: boolean;
    try {
      recorded = await rt.outbox.complete(item.id, this.owner, value, rt.clock.now());
    } catch (storeError) {
      // Delivered but not recorded (store unreachable): never a dead letter. The lease lapses and the
      // item is replayed with its idempotency key, which the platform answers from its first result.
      this.storeFailed(up, item, storeError);
      return;
    }
    if (recorded) {
      report.delivered++;
      const pacer = this.pacer(up);
      const now = rt.clock.monotonic();
      // A platform that answers but ever slower is queueing our replays: no increase, maybe a cut.
      if (!pacer.latency(now - started, this.o, now))
        pacer.success(this.o.increasePerSecond, this.o.perSecond);
      up.logger.info(
        { ticket: item.id, operation: item.operation, requestId: item.requestId },
        'outbox item delivered',
      );
      rt.events.emit('outbox:delivered', { ...event, result: value, attempts: item.attempts });
    }
  }

  /** The store could not record an outcome: the item stays leased until its lease lapses, then is due again. */
  private storeFailed(up: DrainTarget, item: OutboxItem, storeError: unknown): void {
    up.logger.warn(
      {
        ticket: item.id,
        operation: item.operation,
        code: (storeError as { code?: unknown } | null)?.code,
      },
      'outbox store unavailable: the item is replayed when its lease lapses',
    );
  }

  /** A replay failed: back to `pending` after a backoff (transient), or to the dead letter. */
  private async failed(
    up: DrainTarget,
    item: OutboxItem,
    e: unknown,
    report: DrainReport,
    event: ItemEvent,
  ): Promise<void> {
    const { rt } = this;
    if (this.stopping) return; // our own abort: the lease expires and the item is due again
    const error = annotate(e, up.name, item.operation, item.requestId);
    // Cut by the gateway's close() (or the drainer's stop) before the platform answered: not a
    // verdict on the item. The lease lapses and it is due again, here or in another process.
    if (error.code === 'ABORTED') return;
    const lastError = { code: error.code, message: error.message };
    // A transient failure is never final: the item waits (backoff capped at maxDelayMs) until the upstream recovers.
    if (CODE_TRAITS[error.code].transient) {
      // Refused by our own breaker or bulkhead, the replay was never sent: that says nothing about
      // the platform's load, so neither the pace nor the item's backoff grows (it is due again soon).
      const refused = CODE_TRAITS[error.code].local;
      if (!refused) this.pacer(up).failure(this.o.decreaseFactor, this.o.minPerSecond);
      const delay = refused
        ? this.o.baseDelayMs
        : Math.max(
            this.o.baseDelayMs,
            fullJitterDelay(item.attempts, this.o.baseDelayMs, this.o.maxDelayMs, rt.random),
          );
      await rt.outbox.release(item.id, this.owner, lastError, rt.clock.now() + delay, rt.clock.now());
      report.rescheduled++;
    } else {
      await rt.outbox.fail(item.id, this.owner, lastError, rt.clock.now());
      report.dead++;
      up.logger.error(
        { ticket: item.id, operation: item.operation, code: error.code },
        'outbox item dead-lettered',
      );
      // The store counts the attempt when it leases the item.
      rt.events.emit('outbox:dead', { ...event, code: error.code, attempts: item.attempts });
    }
  }

  /**
   * Waits for the item's turn: the adaptive pace, then the ceiling. `false` if the drainer stops
   * meanwhile (the claimed item's lease then expires and it is due again).
   */
  private async pace(up: DrainTarget): Promise<boolean> {
    const signal = this.stopController.signal;
    try {
      await this.pacer(up).acquire(this.rt.clock, signal);
      await this.limiter(up).acquire(signal);
      return true;
    } catch {
      return false;
    }
  }

  private pacer(up: DrainTarget): AimdPacer {
    let p = this.pacers.get(up.name);
    if (!p) {
      p = new AimdPacer(this.o.initialPerSecond, this.rt.clock.monotonic());
      this.pacers.set(up.name, p);
    }
    return p;
  }

  private limiter(up: DrainTarget): Limiter {
    let l = this.limiters.get(up.name);
    if (!l) {
      l = createCeilingLimiter(up, this.o.perSecond);
      this.limiters.set(up.name, l);
    }
    return l;
  }
}

/** The one place the drainer's per-upstream ceiling is built: from the gateway's quota, so a Redis quota shares it across instances. */
function createCeilingLimiter(up: DrainTarget, perSecond: number): Limiter {
  return up.quota.limiter(`outbox:${up.name}`, { perSecond });
}

/** One upstream's drain: its pass in progress, and whether another should follow it. */
interface Lane {
  pass: Promise<DrainReport> | undefined;
  again: boolean;
  /** Its next poll. */
  timer: unknown;
}

/** Weight of the newest replay latency in the pacer's moving average. */
const LATENCY_EWMA = 0.3;
/** Replays whose latency sets the pacer's baseline (sent at the starting rate). */
const BASELINE_SAMPLES = 5;
/** How fast the baseline follows a higher latency, per replay. */
const BASELINE_DRIFT = 0.01;
/** Latency above the baseline that never counts as queueing, however fast the platform. */
const LATENCY_SLACK_MS = 50;

/**
 * Additive-increase, multiplicative-decrease pacing of one upstream's replays: each success adds
 * to the rate (up to the ceiling), each transient failure multiplies it down (to the floor), so a
 * drain ramps up while the platform copes and backs off as soon as it does not. A platform that
 * copes by queueing (its latency climbs with the replays) counts as not coping: see
 * {@link AimdPacer.latency}. Runs on the monotonic clock: a wall-clock step neither stalls nor
 * bursts it.
 */
export class AimdPacer {
  private tokens: number;
  private last: number;
  /** The platform's round trip without our load (see {@link AimdPacer.latency}). */
  private baseMs = 0;
  private samples = 0;
  /** Moving average of recent replay latencies. */
  private recentMs: number | undefined;
  private lastCutAt = Number.NEGATIVE_INFINITY;

  /** `now`: a monotonic reading ({@link Clock.monotonic}). */
  constructor(
    public rate: number,
    now: number,
  ) {
    this.tokens = rate;
    this.last = now;
  }

  /**
   * Resolves at the caller's turn: a token bucket refilled at `rate` per second and holding at most
   * one second's worth, so a fresh or idle drain may start with a burst of `rate` replays.
   */
  async acquire(clock: Clock, signal: AbortSignal): Promise<void> {
    const now = clock.monotonic();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    this.tokens -= 1; // reserved now; the wait pays the debt back
    if (this.tokens >= 0) return;
    try {
      await sleep(Math.ceil((-this.tokens / this.rate) * 1000), signal, clock);
    } catch (e) {
      this.tokens += 1;
      throw e;
    }
  }

  success(increase: number, ceiling: number): void {
    this.rate = Math.min(ceiling, this.rate + increase);
  }

  failure(factor: number, floor: number): void {
    this.rate = Math.max(floor, this.rate * factor);
  }

  /**
   * Feeds one successful replay's latency. When the recent average passes `latencyTolerance` ×
   * the baseline (and the baseline + 50 ms), the rate is multiplied by `decreaseFactor`, at most once per recent round
   * trip (the replays already in flight were sent at the old rate and say nothing new). Returns
   * true while the latency is past the tolerance: the caller then adds nothing for the success.
   * `now`: a monotonic reading.
   */
  latency(
    ms: number,
    o: { latencyTolerance: number; decreaseFactor: number; minPerSecond: number },
    now: number,
  ): boolean {
    if (!(ms >= 0) || o.latencyTolerance === 0) return false;
    this.recentMs = this.recentMs === undefined ? ms : this.recentMs + LATENCY_EWMA * (ms - this.recentMs);
    this.samples++;
    // The baseline is the smoothed latency of the first replays, sent at the low starting rate:
    // the platform's round trip before our load. It follows a lower latency at once and a higher
    // one slowly (a platform that is slower all day, not because of us).
    if (this.samples <= BASELINE_SAMPLES) {
      this.baseMs = this.recentMs;
      return false;
    }
    this.baseMs = Math.min(this.recentMs, this.baseMs + BASELINE_DRIFT * (this.recentMs - this.baseMs));
    // A few ms of jitter on a fast platform is not queueing: a cut needs 50 ms more than usual too.
    const limit = Math.max(this.baseMs * o.latencyTolerance, this.baseMs + LATENCY_SLACK_MS);
    if (this.recentMs <= limit) return false;
    if (now - this.lastCutAt >= this.recentMs) {
      this.lastCutAt = now;
      this.failure(o.decreaseFactor, o.minPerSecond);
    }
    return true;
  }

  reset(rate: number): void {
    this.rate = rate;
    this.tokens = Math.min(this.tokens, rate);
    // The platform is just back: its unloaded latency is measured again.
    this.samples = 0;
    this.recentMs = undefined;
  }
}

function isOpen(up: DrainTarget): boolean {
  return up.breaker.state === 'open';
}
