/**
 * Liveness, readiness and the platforms' status: three answers to three different questions.
 * Liveness and readiness never look at the central platforms: an instance whose platforms are all
 * down still answers (stale) or queues, so restarting it or taking it out of the load balancer
 * would only lose the calls it can still take.
 */
import type { Clock } from '../clock.js';
import type { OutboxState, UpstreamOutboxStats } from '../fallback/outbox/types.js';
import type { BreakerState } from '../pipeline/breaker.js';
import type { OutcomeWindow } from './outcome-window.js';

/** How long `readyz()` waits for the outbox store to accept a write before reporting `not-ready`. */
export const READY_TIMEOUT_MS = 2_000;

/** What `gateway.livez()` returns (`GET /livez`, always HTTP 200 while the process answers). */
export interface Liveness {
  /** Always `ok`: answering at all is the proof (a stuck event loop answers nothing). */
  status: 'ok';
  /** When the answer was made (ISO 8601, the gateway's clock). */
  time: string;
}

/** What `gateway.readyz()` returns (`GET /readyz`: HTTP 200 when `ready`, 503 otherwise). */
export interface Readiness {
  /** `ready` when the gateway is open and its outbox store accepts a write: it can serve or queue. */
  status: 'ready' | 'not-ready';
  /** When the answer was made (ISO 8601, the gateway's clock). */
  time: string;
  checks: {
    /** `closed` once `gateway.close()` was called. */
    gateway: 'open' | 'closed';
    /**
     * Whether the outbox store accepted a write within {@link READY_TIMEOUT_MS} (a write rolled
     * back on PostgreSQL, a heartbeat commit on SQLite; a store without `checkWritable` is asked
     * for `counts()`): `failed` when it refused (closed, unreachable database, read-only replica
     * or file, full disk, lock held), `timeout` when it did not answer, `skipped` when the
     * gateway is closed.
     */
    outbox: 'ok' | 'failed' | 'timeout' | 'skipped';
  };
}

/** One upstream in {@link PlatformStatus}. */
export interface UpstreamStatus {
  /** The breaker's state and when it began (ISO 8601). */
  breaker: { state: BreakerState; since: string };
  /** Logical calls that ended in the window (all outcomes). */
  calls: number;
  /** Of those, the ones answered by a fallback (stale read or queued call). */
  fallbacks: number;
  /** `fallbacks / calls`, `null` without calls in the window. */
  fallbackShare: number | null;
  /**
   * The upstream's share of the outbox store (store-wide: the same on every instance sharing the
   * store); `null` when the store could not be read.
   */
  outbox: {
    pending: number;
    delivering: number;
    dead: number;
    /** Age of its oldest item not delivered or dead, in seconds; `null` when there is none. */
    oldestPendingAgeSeconds: number | null;
  } | null;
}

/**
 * What `gateway.platformStatus()` returns (`GET /status`): the central platforms as this instance
 * sees them, for dashboards and the counter staff's status page. Names upstreams, never a citizen
 * or a dossier.
 */
export interface PlatformStatus {
  /** When the status was taken (ISO 8601, the gateway's clock). */
  time: string;
  /** Window of `calls`, `fallbacks` and `fallbackShare` in ms. @default 300000 (5 minutes, moving in 10 s steps) */
  windowMs: number;
  /** Per upstream, by its name on the gateway. */
  upstreams: Record<string, UpstreamStatus>;
}

/** What {@link readiness} checks. */
export interface ReadinessSource {
  clock: Clock;
  closed: () => boolean;
  outboxCounts: () => Promise<Record<OutboxState, number>>;
  /** The store's `checkWritable`; without it, `outboxCounts` is the check. */
  outboxWritable?: () => Promise<void>;
  /** @default READY_TIMEOUT_MS */
  timeoutMs?: number;
}

export function liveness(clock: Clock): Liveness {
  return { status: 'ok', time: new Date(clock.now()).toISOString() };
}

/** See {@link Readiness}. Never rejects. */
export async function readiness(src: ReadinessSource): Promise<Readiness> {
  const time = () => new Date(src.clock.now()).toISOString();
  if (src.closed()) {
    return { status: 'not-ready', time: time(), checks: { gateway: 'closed', outbox: 'skipped' } };
  }
  const outbox = await storeAnswers(src);
  return {
    status: outbox === 'ok' && !src.closed() ? 'ready' : 'not-ready',
    time: time(),
    checks: { gateway: src.closed() ? 'closed' : 'open', outbox },
  };
}

async function storeAnswers(src: ReadinessSource): Promise<'ok' | 'failed' | 'timeout'> {
  let timer: unknown;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = src.clock.setTimeout(() => resolve('timeout'), src.timeoutMs ?? READY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      (src.outboxWritable ?? src.outboxCounts)().then(
        () => 'ok' as const,
        () => 'failed' as const,
      ),
      timeout,
    ]);
  } finally {
    src.clock.clearTimeout(timer);
  }
}

/** What {@link platformStatus} reads of one upstream. */
export interface StatusUpstream {
  name: string;
  breaker: { state: BreakerState; since: number };
}

/** Builds {@link PlatformStatus}; a store that cannot be read gives `outbox: null`, never a rejection. */
export async function platformStatus(
  upstreams: Iterable<StatusUpstream>,
  window: OutcomeWindow,
  outboxStats: () => Promise<Record<string, UpstreamOutboxStats>>,
  now: number,
): Promise<PlatformStatus> {
  let stats: Record<string, UpstreamOutboxStats> | undefined;
  try {
    stats = await outboxStats();
  } catch {
    stats = undefined; // the platforms' status is still worth showing without the queue
  }
  const result: Record<string, UpstreamStatus> = {};
  for (const up of upstreams) {
    const s = stats?.[up.name];
    result[up.name] = {
      breaker: { state: up.breaker.state, since: new Date(up.breaker.since).toISOString() },
      ...window.read(up.name),
      outbox: stats
        ? {
            pending: s?.pending ?? 0,
            delivering: s?.delivering ?? 0,
            dead: s?.dead ?? 0,
            oldestPendingAgeSeconds:
              s?.oldestPendingAt === undefined ? null : Math.max(0, (now - s.oldestPendingAt) / 1000),
          }
        : null,
    };
  }
  return { time: new Date(now).toISOString(), windowMs: window.windowMs, upstreams: result };
}
