import { randomUUID } from 'node:crypto';
import { type CallRuntime, annotate, send } from '../call.js';
import { GatewayError, TRANSIENT_CODES } from '../errors.js';
import { fullJitterDelay } from '../pipeline/backoff.js';
import { StaleCache } from './cache.js';
import type { Limiter } from '../quota/types.js';
import type { Upstream } from '../upstream.js';
import type { OutboxItem } from './outbox/types.js';

/** Options of the outbox drainer. */
export interface DrainerOptions {
  /** Start draining in the background when the gateway is created. @default true */
  autoStart?: boolean;
  /** How often due items are looked for. @default 1000 */
  pollMs?: number;
  /** How long a claimed item is ours before another drainer may take it (longer than a call's deadline). @default 60000 */
  leaseMs?: number;
  /** Items claimed at a time. @default 20 */
  batch?: number;
  /** Replays per second per upstream, so recovery does not knock the platform over again. @default 5 */
  perSecond?: number;
  /** Backoff of an item between replays: base. @default 1000 */
  baseDelayMs?: number;
  /** Backoff of an item between replays: cap. @default 300000 (5 min) */
  maxDelayMs?: number;
}

export const DEFAULT_DRAINER_OPTIONS: Readonly<Required<DrainerOptions>> = Object.freeze({
  autoStart: true,
  pollMs: 1_000,
  leaseMs: 60_000,
  batch: 20,
  perSecond: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 300_000,
});

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
  private readonly o: Required<DrainerOptions>;
  private readonly limiters = new Map<string, Limiter>();
  private timer: unknown;
  private pass: Promise<DrainReport> | undefined;
  private stopping = false;
  private readonly stopController = new AbortController();

  constructor(
    private readonly rt: CallRuntime,
    private readonly upstreams: Map<string, Upstream>,
    options: DrainerOptions = {},
  ) {
    this.o = { ...DEFAULT_DRAINER_OPTIONS, ...options };
  }

  start(): void {
    if (this.stopping || this.timer !== undefined) return;
    const tick = () => {
      this.timer = this.rt.clock.setTimeout(() => {
        this.drain()
          .catch(() => {})
          .finally(() => {
            if (!this.stopping) tick();
          });
      }, this.o.pollMs);
      (this.timer as { unref?: () => void }).unref?.();
    };
    tick();
  }

  /** Runs one pass over every due item now (joins the pass in progress, if any). */
  drain(): Promise<DrainReport> {
    this.pass ??= this.runPass().finally(() => {
      this.pass = undefined;
    });
    return this.pass;
  }

  /** Stops the timer, cancels replays in flight (they stay leased, then due again) and waits for the pass. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) this.rt.clock.clearTimeout(this.timer);
    this.stopController.abort();
    await this.pass?.catch(() => {});
  }

  private async runPass(): Promise<DrainReport> {
    const report: DrainReport = { delivered: 0, rescheduled: 0, dead: 0 };
    for (const up of this.upstreams.values()) {
      // An open breaker would fail every replay at once: leave the items due until it half-opens.
      if (isOpen(up)) continue;
      for (;;) {
        if (this.stopping) return report;
        const items = await this.rt.outbox.claim({
          owner: this.owner,
          now: this.rt.clock.now(),
          leaseMs: this.o.leaseMs,
          limit: this.o.batch,
          upstream: up.name,
        });
        for (const item of items) await this.deliver(up, item, report);
        if (items.length < this.o.batch || isOpen(up)) break;
      }
    }
    return report;
  }

  private async deliver(up: Upstream, item: OutboxItem, report: DrainReport): Promise<void> {
    const { rt } = this;
    const event = {
      ticket: item.id,
      upstream: item.upstream,
      operation: item.operation,
      requestId: item.requestId,
      dossierCode: item.context.dossierCode,
    };
    try {
      if (!up.spec.operations[item.operation]) {
        throw new GatewayError('VALIDATION', `Unknown operation ${item.operation}`, { retryable: false });
      }
      await this.limiter(up).acquire(this.stopController.signal);
      const { value } = await send(
        rt,
        up,
        item.operation,
        item.input,
        { requestId: item.requestId, context: { ...item.context, idempotencyKey: item.idempotencyKey } },
        this.stopController.signal,
      );
      const policy = up.policies[item.operation];
      if (item.kind === 'deferred-read' && policy?.cache) {
        // A late answer is as good as a live one: the citizen's next visit may be served stale from it.
        rt.cache.set(StaleCache.key(up.name, item.operation, item.input), value, rt.clock.now());
      }
      if (await rt.outbox.complete(item.id, this.owner, value, rt.clock.now())) {
        report.delivered++;
        up.logger.info(
          { ticket: item.id, operation: item.operation, requestId: item.requestId },
          'outbox item delivered',
        );
        rt.events.emit('outbox:delivered', { ...event, result: value, attempts: item.attempts });
      }
    } catch (e) {
      if (this.stopping) return; // our own abort: the lease expires and the item is due again
      const error = annotate(e, up.name, item.operation, item.requestId);
      const lastError = { code: error.code, message: error.message };
      // A transient failure is never final: the item waits (backoff capped at maxDelayMs) until the upstream recovers.
      if (TRANSIENT_CODES.has(error.code)) {
        const delay = Math.max(
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
  }

  private limiter(up: Upstream): Limiter {
    const l =
      this.limiters.get(up.name) ?? up.quota.limiter(`outbox:${up.name}`, { perSecond: this.o.perSecond });
    this.limiters.set(up.name, l);
    return l;
  }
}

function isOpen(up: Upstream): boolean {
  return up.breaker.state === 'open';
}
