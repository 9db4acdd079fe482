import type { GatewayLogger } from '../telemetry/logger.js';
import { type Clock, sleep } from '../clock.js';
import type { EventBus } from '../events.js';
import type { Limiter } from './types.js';

/** One try at the shared counter: `waitMs` 0 means granted, more means "over quota, try again then". */
export type ConsumeFn = (key: string) => Promise<{ waitMs: number }>;

export interface SharedLimiterOptions {
  key: string;
  consume: ConsumeFn;
  /** Used while the shared store is unreachable. */
  local: Limiter;
  clock: Clock;
  logger: GatewayLogger;
  events: EventBus;
  /** How long to stay on the local bucket before trying the shared store again. */
  retryMs: number;
  /** A shared-store answer slower than this counts as unreachable. */
  timeoutMs: number;
}

/**
 * A limiter counted in a shared store, falling back to the local bucket when the store is
 * unreachable (a warning log and `quota:fallback`, once per outage) and returning to the shared
 * quota at the first successful try after `retryMs` (`quota:shared`). A dossier is never refused
 * because Redis is down: the quota becomes per process for that time, which is what a single
 * instance does anyway.
 */
export class SharedLimiter implements Limiter {
  private fallbackUntil: number | undefined;

  constructor(private readonly o: SharedLimiterOptions) {}

  /** True while this limiter counts locally because the shared store is unreachable. */
  get fallenBack(): boolean {
    return this.fallbackUntil !== undefined;
  }

  async acquire(signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      if (this.fallbackUntil !== undefined && this.o.clock.monotonic() < this.fallbackUntil) {
        return this.o.local.acquire(signal);
      }
      let waitMs: number;
      try {
        ({ waitMs } = await this.tryShared());
      } catch (error) {
        this.fallBack(error);
        return this.o.local.acquire(signal);
      }
      this.recovered();
      if (waitMs <= 0) return;
      await sleep(waitMs, signal, this.o.clock);
    }
  }

  private tryShared(): Promise<{ waitMs: number }> {
    const { clock, timeoutMs } = this.o;
    return new Promise((resolve, reject) => {
      const timer = clock.setTimeout(
        () => reject(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
        timeoutMs,
      );
      this.o.consume(this.o.key).then(
        (r) => {
          clock.clearTimeout(timer);
          resolve(r);
        },
        (e) => {
          clock.clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  private fallBack(error: unknown): void {
    const first = this.fallbackUntil === undefined;
    this.fallbackUntil = this.o.clock.monotonic() + this.o.retryMs;
    if (!first) return;
    const reason = reasonOf(error);
    this.o.logger.warn(
      { quota: this.o.key, reason },
      'shared quota unreachable: falling back to the local bucket (the quota is now per process)',
    );
    this.o.events.emit('quota:fallback', { key: this.o.key, reason });
  }

  private recovered(): void {
    if (this.fallbackUntil === undefined) return;
    this.fallbackUntil = undefined;
    this.o.logger.info({ quota: this.o.key }, 'shared quota reachable again: back to the shared quota');
    this.o.events.emit('quota:shared', { key: this.o.key });
  }
}

/** An error's code or name only: messages may carry hosts or credentials from a URL. */
function reasonOf(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown } | undefined;
  if (e && typeof e.code === 'string') return e.code;
  if (e && typeof e.name === 'string') return e.name;
  return 'UNKNOWN';
}
