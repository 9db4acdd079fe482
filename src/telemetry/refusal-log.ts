/**
 * Outage logs an operator can read: while a breaker is open, every call it refuses would write a
 * warn line (40 calls/s, 40 lines/s for the whole outage). The first refusal is logged at once;
 * the ones after it are counted and written as one summary line per upstream per interval.
 */

import type { Clock } from '../clock.js';
import type { CallObserver, CallRecord } from './call-observers.js';
import type { GatewayLogger } from './logger.js';

/** Default of `refusalLogIntervalMs`: one summary line per upstream per 10 s of refusals. */
export const DEFAULT_REFUSAL_LOG_INTERVAL_MS = 10_000;

/** The refusals of one upstream since its period began or its last summary. */
interface Period {
  logger: GatewayLogger;
  count: number;
  operations: Record<string, number>;
  /** Monotonic time the counted window began. */
  since: number;
  timer: unknown;
}

/** Counts refused calls per upstream and writes their summaries. */
export class RefusalLog {
  private readonly periods = new Map<string, Period>();

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number = DEFAULT_REFUSAL_LOG_INTERVAL_MS,
  ) {}

  /**
   * `line` (the call's log line), except for the refusals of an open breaker after the first one
   * of a period, which are counted instead.
   */
  wrap(line: CallObserver): CallObserver {
    return (r) => {
      if (!this.absorb(r)) line(r);
    };
  }

  /** Writes the upstream's pending summary and ends its period (its breaker changed state). */
  flush(upstream: string): void {
    const period = this.periods.get(upstream);
    if (period === undefined) return;
    this.clock.clearTimeout(period.timer);
    this.periods.delete(upstream);
    this.summarise(period);
  }

  /** Writes every pending summary and stops the timers (the gateway closes). */
  close(): void {
    for (const upstream of [...this.periods.keys()]) this.flush(upstream);
  }

  /** Whether the record was counted (not to be logged on its own). */
  private absorb(r: CallRecord): boolean {
    if (r.error?.code !== 'CIRCUIT_OPEN') return false;
    const period = this.periods.get(r.upstream);
    if (period === undefined) {
      // The first refusal of a period is logged at once, like any failed call.
      this.periods.set(r.upstream, {
        logger: r.logger,
        count: 0,
        operations: {},
        since: this.clock.monotonic(),
        timer: this.schedule(r.upstream),
      });
      return false;
    }
    period.count++;
    period.operations[r.operation] = (period.operations[r.operation] ?? 0) + 1;
    return true;
  }

  private schedule(upstream: string): unknown {
    const timer = this.clock.setTimeout(() => this.tick(upstream), this.intervalMs);
    // A summary pending must not keep the process alive; close() writes it.
    (timer as { unref?: () => void } | undefined)?.unref?.();
    return timer;
  }

  /** An interval ended: a summary if calls were refused, else the period ends. */
  private tick(upstream: string): void {
    const period = this.periods.get(upstream);
    if (period === undefined) return;
    if (period.count === 0) {
      this.periods.delete(upstream);
      return;
    }
    this.summarise(period);
    period.count = 0;
    period.operations = {};
    period.since = this.clock.monotonic();
    period.timer = this.schedule(upstream);
  }

  private summarise(period: Period): void {
    if (period.count === 0) return;
    const windowMs = Math.round(this.clock.monotonic() - period.since);
    period.logger.warn(
      {
        event: 'breaker:refused',
        code: 'CIRCUIT_OPEN',
        refused: period.count,
        operations: period.operations,
        windowMs,
      },
      `${period.count} more call(s) refused by the open circuit breaker in the last ${Math.round(windowMs / 1000)} s`,
    );
  }
}
