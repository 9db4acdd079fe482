/**
 * The fault layer: what each mocked platform does wrong, switchable at run time and deterministic
 * under a seed. It only decides; the HTTP server and the nock helper carry the decision out.
 */

import { z } from 'zod';
import type { Latency } from './latency.js';
import { sampleLatency } from './latency.js';
import { type Random, streamRandom } from './prng.js';
import type { MockTarget } from './types.js';

/**
 * How a failing request fails: `http503` (HTTP 503 from the gateway in front of the platform),
 * `busy` (the platform's busy code with HTTP 200: VNeID `99`, land `SYSTEM_BUSY`, tax `503`), or
 * `reset` (the connection is reset: ECONNRESET for the client).
 */
export type FaultErrorKind = 'http503' | 'busy' | 'reset';

/** Answer HTTP 429 with `Retry-After`. */
export interface RateLimitFault {
  /** Share of requests refused, 0–1. Default: 1 when `perSecond` is not set, else 0. */
  rate?: number | undefined;
  /** A quota: requests beyond this many per second (of the fault clock) are refused. */
  perSecond?: number | undefined;
  /** The `Retry-After` delay in seconds. */
  retryAfterSeconds: number;
  /** Send `Retry-After` as an HTTP date (now + delay) instead of seconds. Default `false`. */
  httpDate?: boolean | undefined;
}

/**
 * What a platform does wrong. Every field is optional and they compose: latency applies to every
 * answer (errors too); then, in order, `hang`, a down window (`down`, `outage`, `flapping`: fails
 * with `errorKind`), `reset`, `rateLimit`, `errorRate`; a request that passes them all is answered
 * by the model, with `drift` applied. An empty object is healthy.
 */
export interface Fault {
  /** Share of requests that fail with `errorKind`, 0–1. Default 0. */
  errorRate?: number | undefined;
  /** How failing requests fail; a list is drawn from uniformly. Default `'http503'`. */
  errorKind?: FaultErrorKind | readonly FaultErrorKind[] | undefined;
  rateLimit?: RateLimitFault | undefined;
  /** Delay before every answer, in ms: a constant or a seeded distribution. Real time, not the fault clock. */
  latencyMs?: Latency | undefined;
  /** Never answer; the request stays open until the client gives up or the mock closes. */
  hang?: boolean | undefined;
  /** Reset every connection (ECONNRESET). */
  reset?: boolean | undefined;
  /** Down from `fromMs` to `toMs` after the fault was set (fault clock). */
  outage?: { fromMs: number; toMs: number } | undefined;
  /** Down until changed. */
  down?: boolean | undefined;
  /** Up for `upMs`, then down for `downMs`, repeating from when the fault was set (fault clock). */
  flapping?: { upMs: number; downMs: number } | undefined;
  /** Rename fields of success payloads (see `DRIFT_RENAMES`). */
  drift?: boolean | undefined;
  /**
   * Answer about someone else: a read about one citizen, parcel, certificate, taxpayer or
   * registration is answered with another one's record from the fixtures, in a well-formed
   * envelope with the request's `X-Road-Id` echoed (what a platform mixing up its answers sends).
   * `true` for every read, `{ rate }` for a share of them (0–1, seeded). Writes are answered
   * truthfully (lying about a write would register another dossier). Default off.
   */
  lie?: boolean | { rate: number } | undefined;
}

const nonNegative = z.number().finite().nonnegative();
const share = z.number().min(0).max(1);
const errorKind = z.enum(['http503', 'busy', 'reset']);

const latencySchema = z.union([
  nonNegative,
  z.strictObject({ distribution: z.literal('uniform'), min: nonNegative, max: nonNegative }),
  z.strictObject({
    distribution: z.literal('normal'),
    mean: nonNegative,
    stdDev: nonNegative,
    min: nonNegative.optional(),
    max: nonNegative.optional(),
  }),
  z.strictObject({
    distribution: z.literal('exponential'),
    mean: nonNegative,
    min: nonNegative.optional(),
    max: nonNegative.optional(),
  }),
]);

// Strict objects: a misspelt fault (`errorrate`) fails loudly instead of silently doing nothing.
const faultSchema = z.strictObject({
  errorRate: share.optional(),
  errorKind: z.union([errorKind, z.array(errorKind).min(1)]).optional(),
  rateLimit: z
    .strictObject({
      rate: share.optional(),
      perSecond: z.number().int().nonnegative().optional(),
      retryAfterSeconds: z.number().int().nonnegative(),
      httpDate: z.boolean().optional(),
    })
    .optional(),
  latencyMs: latencySchema.optional(),
  hang: z.boolean().optional(),
  reset: z.boolean().optional(),
  outage: z
    .strictObject({ fromMs: nonNegative, toMs: nonNegative })
    .refine((o) => o.toMs > o.fromMs, 'toMs must be after fromMs')
    .optional(),
  down: z.boolean().optional(),
  flapping: z.strictObject({ upMs: nonNegative, downMs: nonNegative }).optional(),
  drift: z.boolean().optional(),
  lie: z.union([z.boolean(), z.strictObject({ rate: share })]).optional(),
});

/** Throws a `TypeError` naming the bad fields when `fault` is not a valid {@link Fault}. */
export function assertFault(fault: unknown): asserts fault is Fault {
  const parsed = faultSchema.safeParse(fault);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(fault)'}: ${i.message}`).join('; ');
    throw new TypeError(`Invalid fault: ${where}`);
  }
}

/** What to do with one request. `delayMs` is real time to wait before acting. */
export type FaultDecision =
  | { action: 'pass'; delayMs: number; drift: boolean /** Answer about someone else. */; lie?: true }
  | { action: 'fail'; kind: 'http503' | 'busy'; delayMs: number }
  | { action: 'reset'; delayMs: number }
  | { action: 'rateLimit'; retryAfter: string; delayMs: number }
  | { action: 'hang' };

/** Faults per target, with their clock and seeded randomness. */
export interface FaultController {
  /** Sets (or with `undefined` clears) a target's fault; restarts its windows and its random streams. */
  set(target: MockTarget, fault: Fault | undefined): void;
  get(target: MockTarget): Fault | undefined;
  /** Clears every fault. */
  clear(): void;
  /** Decides the fate of the next request to `target`. */
  decide(target: MockTarget): FaultDecision;
}

/** Options of {@link createFaultController}. */
export interface FaultControllerOptions {
  /** Seed of every random draw. Default 1. */
  seed?: number;
  /** The fault clock, for outage and flapping windows and rate-limit quotas. Default `Date.now`. */
  now?: () => number;
}

interface TargetState {
  fault: Fault;
  setAt: number;
  errors: Random;
  kinds: Random;
  latency: Random;
  limits: Random;
  lies: Random;
  quota: { second: number; count: number };
}

function isDown(fault: Fault, elapsed: number): boolean {
  if (fault.down) return true;
  if (fault.outage && elapsed >= fault.outage.fromMs && elapsed < fault.outage.toMs) return true;
  if (fault.flapping) {
    const { upMs, downMs } = fault.flapping;
    const period = upMs + downMs;
    return period > 0 && elapsed % period >= upMs;
  }
  return false;
}

/** Creates a controller with no faults. */
export function createFaultController(options: FaultControllerOptions = {}): FaultController {
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now;
  const states = new Map<MockTarget, TargetState>();

  const pickKind = (s: TargetState): FaultErrorKind => {
    const k = s.fault.errorKind ?? 'http503';
    if (typeof k === 'string') return k;
    return k[Math.floor(s.kinds() * k.length)]!;
  };
  const failWith = (kind: FaultErrorKind, delayMs: number): FaultDecision =>
    kind === 'reset' ? { action: 'reset', delayMs } : { action: 'fail', kind, delayMs };

  const rateLimited = (s: TargetState, elapsed: number): boolean => {
    const limit = s.fault.rateLimit!;
    if (limit.perSecond !== undefined) {
      const second = Math.floor(elapsed / 1000);
      if (second !== s.quota.second) s.quota = { second, count: 0 };
      s.quota.count += 1;
      if (s.quota.count > limit.perSecond) return true;
    }
    const rate = limit.rate ?? (limit.perSecond === undefined ? 1 : 0);
    return rate > 0 && s.limits() < rate;
  };

  return {
    set(target, fault) {
      if (fault === undefined) {
        states.delete(target);
        return;
      }
      assertFault(fault);
      // Fresh streams per purpose: the error sequence does not shift when latency is added.
      const stream = (name: string) => streamRandom(seed, `${target}:${name}`);
      states.set(target, {
        fault: structuredClone(fault),
        setAt: now(),
        errors: stream('errors'),
        kinds: stream('kinds'),
        latency: stream('latency'),
        limits: stream('limits'),
        lies: stream('lies'),
        quota: { second: -1, count: 0 },
      });
    },
    get: (target) => {
      const s = states.get(target);
      return s ? structuredClone(s.fault) : undefined;
    },
    clear: () => states.clear(),

    decide(target) {
      const s = states.get(target);
      if (!s) return { action: 'pass', delayMs: 0, drift: false };
      const { fault } = s;
      const delayMs = sampleLatency(fault.latencyMs, s.latency);
      if (fault.hang) return { action: 'hang' };
      const elapsed = now() - s.setAt;
      if (isDown(fault, elapsed)) return failWith(pickKind(s), delayMs);
      if (fault.reset) return { action: 'reset', delayMs };
      if (fault.rateLimit && rateLimited(s, elapsed)) {
        const seconds = fault.rateLimit.retryAfterSeconds;
        const retryAfter = fault.rateLimit.httpDate
          ? // Rounded up: an HTTP date has whole seconds and must not promise less than the delay.
            new Date(Math.ceil((now() + seconds * 1000) / 1000) * 1000).toUTCString()
          : String(seconds);
        return { action: 'rateLimit', retryAfter, delayMs };
      }
      if (fault.errorRate && s.errors() < fault.errorRate) return failWith(pickKind(s), delayMs);
      const decision: FaultDecision = { action: 'pass', delayMs, drift: fault.drift === true };
      if (fault.lie && (fault.lie === true || s.lies() < fault.lie.rate)) decision.lie = true;
      return decision;
    },
  };
}
