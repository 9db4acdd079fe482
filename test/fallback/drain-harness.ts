/**
 * A drainer on its own (no gateway, no pipeline): `replay` stands for the platform, so a test
 * controls every replay's answer and timing. The ceiling limiter lets everything through: these
 * tests are about the store, the lanes and the pace, not the quota.
 */
import pino from 'pino';
import type { Clock } from '../../src/clock.js';
import { Drainer, type DrainerOptions, type DrainTarget, type Replay } from '../../src/fallback/drainer.js';
import type { OutboxStore } from '../../src/fallback/outbox/types.js';
import { EventBus } from '../../src/events.js';

export function drainHarness(o: {
  outbox: OutboxStore;
  clock: Clock;
  upstreams: string[];
  replay: Replay;
  options?: DrainerOptions;
}) {
  const logger = pino({ level: 'silent' });
  const events = new EventBus(() => {});
  const targets = new Map<string, DrainTarget>(
    o.upstreams.map((name) => [
      name,
      {
        name,
        logger,
        breaker: { state: 'closed' as const },
        quota: { limiter: () => ({ acquire: async () => {} }), close: async () => {} },
      },
    ]),
  );
  const drainer = new Drainer(
    { clock: o.clock, random: () => 0.5, events, outbox: o.outbox },
    targets,
    o.replay,
    { autoStart: false, ...o.options },
    logger,
  );
  return { drainer, events };
}

/** The system clock with its wall time moved by `skewMs` (a host whose clock is off). */
export function skewedClock(base: Clock, skewMs: number): Clock {
  return {
    now: () => base.now() + skewMs,
    monotonic: () => base.monotonic(),
    setTimeout: (fn, ms) => base.setTimeout(fn, ms),
    clearTimeout: (h) => base.clearTimeout(h),
  };
}
