/**
 * The gateway as a city system would configure it: the three built-in adapters with OAuth2 against
 * the (mock) token endpoint, the embedded durable outbox (`sqliteOutbox`), and the default policy
 * except the few time settings a compressed day must shorten ({@link demoPolicy}).
 */
import type { Logger } from 'pino';
import { landRegistry, taxRegistry, vneid } from '../../adapters/index.js';
import type { DrainerOptions } from '../fallback/drainer.js';
import { sqliteOutbox } from '../fallback/outbox/sqlite.js';
import type { OutboxStore } from '../fallback/outbox/types.js';
import { createGateway } from '../gateway.js';
import { DEFAULT_POLICY, type PolicyOptions } from '../policy.js';
import { DEFAULT_DRAINER_OPTIONS } from '../fallback/drainer.js';
import { MOCK_CREDENTIALS } from '../testing/engine.js';
import type { Random } from '../testing/prng.js';

/** One documented departure from the defaults. */
export interface PolicyOverride {
  setting: string;
  default: number;
  demo: number;
  why: string;
}

const clamp = (v: number, min: number, max: number) => Math.round(Math.min(max, Math.max(min, v)));

/**
 * The overrides for a day of `dayMs` real milliseconds. Network timings stay real (the mock's
 * latencies are real); what is shortened is what would otherwise outlast a compressed day:
 * - `attemptTimeoutMs` 10 s → 3 s: at the default 2-minute day (×285) a 10 s attempt would hold a
 *   counter for 48 simulated minutes; the land registry's slow tail still crosses 3 s.
 * - the drainer's backoff cap 5 min → 5 % of the day (6 s at 2 minutes), its poll and base delay
 *   to at most 1/120 of the day: a queued item must get its replays within the day.
 * - breaker `resetTimeoutMs` (15 s) and `windowMs` (30 s) only when the day is shorter than the
 *   default (1/8 and 1/4 of the day), so a short run still sees the breakers open and recover.
 */
export function demoPolicy(dayMs: number): {
  policy: PolicyOptions;
  drainer: DrainerOptions;
  overrides: PolicyOverride[];
} {
  const d = DEFAULT_POLICY;
  const dd = DEFAULT_DRAINER_OPTIONS;
  const attemptTimeoutMs = 3_000;
  const resetTimeoutMs = clamp(dayMs / 8, 500, d.breaker.resetTimeoutMs);
  const windowMs = clamp(dayMs / 4, 2_000, d.breaker.windowMs);
  const maxDelayMs = clamp(dayMs / 20, 500, dd.maxDelayMs);
  const baseDelayMs = clamp(dayMs / 120, 50, dd.baseDelayMs);
  const pollMs = clamp(dayMs / 120, 50, dd.pollMs);
  const all: PolicyOverride[] = [
    {
      setting: 'policy.attemptTimeoutMs',
      default: d.attemptTimeoutMs,
      demo: attemptTimeoutMs,
      why: 'a compressed day cannot hold a counter 10 s per attempt',
    },
    {
      setting: 'policy.breaker.resetTimeoutMs',
      default: d.breaker.resetTimeoutMs,
      demo: resetTimeoutMs,
      why: 'at most 1/8 of the day, so a short day sees breakers recover',
    },
    {
      setting: 'policy.breaker.windowMs',
      default: d.breaker.windowMs,
      demo: windowMs,
      why: 'at most 1/4 of the day',
    },
    {
      setting: 'drainer.maxDelayMs',
      default: dd.maxDelayMs,
      demo: maxDelayMs,
      why: 'a queued item is replayed within the day: cap 5 % of the day',
    },
    {
      setting: 'drainer.baseDelayMs',
      default: dd.baseDelayMs,
      demo: baseDelayMs,
      why: 'at most 1/120 of the day',
    },
    { setting: 'drainer.pollMs', default: dd.pollMs, demo: pollMs, why: 'at most 1/120 of the day' },
  ];
  return {
    policy: { attemptTimeoutMs, breaker: { resetTimeoutMs, windowMs } },
    drainer: { maxDelayMs, baseDelayMs, pollMs },
    overrides: all.filter((o) => o.demo !== o.default),
  };
}

/** The calling system's X-Road-Client identifier. */
export const DEMO_CLIENT = 'VN/GOV/000.00.29.H29/hcmc-tthc-demo';

export function createDemoGateway(o: {
  baseUrl: string;
  tokenUrl: string;
  /** The embedded outbox file; ignored when `outbox` is given. */
  outboxPath?: string;
  /** A shared store instead (`--store postgres`: one outbox for every instance). */
  outbox?: OutboxStore;
  /** Drainer settings on top of {@link demoPolicy}'s. */
  drainer?: DrainerOptions;
  dayMs: number;
  logger: Logger;
  random: Random;
}) {
  const auth = { type: 'oauth2' as const, tokenUrl: o.tokenUrl, ...MOCK_CREDENTIALS };
  const { policy, drainer } = demoPolicy(o.dayMs);
  return createGateway({
    client: DEMO_CLIENT,
    upstreams: {
      vneid: vneid({ baseUrl: o.baseUrl, auth }),
      land: landRegistry({ baseUrl: o.baseUrl, auth }),
      tax: taxRegistry({ baseUrl: o.baseUrl, auth }),
    },
    policy,
    drainer: { ...drainer, ...o.drainer },
    outbox: o.outbox ?? sqliteOutbox({ path: o.outboxPath ?? 'outbox.sqlite' }),
    logger: o.logger,
    random: o.random,
  });
}

export type DemoGateway = ReturnType<typeof createDemoGateway>;
/** The upstreams, in display order. */
export const UPSTREAMS = ['vneid', 'land', 'tax'] as const;
export type DemoUpstream = (typeof UPSTREAMS)[number];
