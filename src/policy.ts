/**
 * Resilience policy: the options of every pipeline step, their documented defaults (one object,
 * {@link DEFAULT_POLICY}), and the merge of gateway-, adapter- and operation-level overrides.
 */
import { z } from 'zod';
import { ConfigurationError } from './configuration-error.js';

/** Retry budget: retries allowed ≤ `ratio` × calls + `minPerSecond` × window seconds (10 s window). */
export interface RetryBudgetPolicy {
  /** Share of calls that may be retried. @default 0.2 */
  ratio: number;
  /** Retries always allowed per second, so low traffic can still retry. @default 10 */
  minPerSecond: number;
}

export interface RetryPolicy {
  /** Attempts per call, the first included; 1 disables retries. @default 3 */
  maxAttempts: number;
  /** Backoff base: attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs × 2^(n−1))] (full jitter). @default 200 */
  baseDelayMs: number;
  /** Cap of one backoff delay (a `Retry-After` from the upstream may exceed it, within the deadline). @default 5000 */
  maxDelayMs: number;
  /** Per-upstream retry budget that stops retry storms. */
  budget: RetryBudgetPolicy;
}

export interface BreakerPolicy {
  /** Failure ratio over the window that opens the breaker. @default 0.5 */
  errorRatio: number;
  /**
   * Attempts needed in the window before the ratio is judged. 50, so a 30 % background cannot reach
   * 50 % by chance in a small sample (binomial tail ≈ 0.1 %); low traffic is covered by the run rule. @default 50
   */
  minimumCalls: number;
  /**
   * Rolling window of the statistics. Short, so that under a background of failures an outage
   * shows in the ratio within seconds. @default 10000
   */
  windowMs: number;
  /** First open duration before probes are let through (half-open); it grows while probes fail. @default 1000 */
  resetTimeoutMs: number;
  /** Factor applied to the open duration after each failed half-open. @default 2 */
  openBackoffFactor: number;
  /**
   * Cap of the growing open duration: also the longest a recovered platform waits for its first
   * probe. 1500, so the first live answer comes within 2 s of the platform's return; at 2–3 probe
   * requests per half-open that costs ≈ 2 requests/s during an outage. A `resetTimeoutMs` above it
   * is kept (the duration then stays at `resetTimeoutMs`). @default 1500
   */
  maxOpenMs: number;
  /** Share of the open duration removed at random (0 = none), so instances do not probe in step. @default 0.2 */
  openJitter: number;
  /**
   * Probes in flight at once in half-open (twice as many are judged at most). Every one of the first
   * `halfOpenProbes` failing re-opens the breaker at once, as does a refused connection. @default 3
   */
  halfOpenProbes: number;
  /**
   * Successful probes that close the breaker, with a failure share among the probes within
   * `errorRatio`; it re-opens once that is out of reach within `2 × halfOpenProbes` probes, so a
   * recovered platform's usual background of failures rarely re-opens it (30 % background: 5.6 % of
   * half-opens). @default 2
   */
  halfOpenSuccesses: number;
  /** Failures in a row that open the breaker at once (high traffic). @default 20 */
  consecutiveFailures: number;
  /** Shortest run of failures that opens the breaker when it spans `consecutiveSpanMs` (low traffic). @default 3 */
  minConsecutiveFailures: number;
  /** Time a run of at least `minConsecutiveFailures` must span to open the breaker. @default 10000 */
  consecutiveSpanMs: number;
}

export interface BulkheadPolicy {
  /**
   * Fixed ceiling of concurrent attempts per upstream. With `concurrency.kind: 'fixed'` it is the
   * limit; with `'adaptive'` (the default) the adaptive limit never exceeds it (nor `concurrency.max`).
   * @default 256
   */
  maxConcurrent: number;
  /**
   * Attempts waiting for a slot; past it calls fail with `BULKHEAD_FULL`. A waiting attempt waits at
   * most until its call's deadline. @default 128
   */
  maxQueue: number;
}

/**
 * The per-upstream concurrency limit (step 7). `'adaptive'` follows the latency the platform shows:
 * it grows while latency holds and is cut when latency climbs with our load, so a slow but healthy
 * platform is served with as many attempts as it needs and an overloaded one is not pushed further.
 * `'fixed'` is the old fixed bulkhead (`bulkhead.maxConcurrent`). Latency is measured from the
 * moment an attempt is sent: time queued for a slot is not the platform's. See `GradientLimit`.
 */
export interface ConcurrencyPolicy {
  /** `'adaptive'` (latency-driven) or `'fixed'` (`bulkhead.maxConcurrent`). @default 'adaptive' */
  kind: 'adaptive' | 'fixed';
  /**
   * Limit before any latency is known. High enough that a slow platform (2 s answers at 30 calls/s
   * need 60 attempts in flight) is served while the first measurements come in. @default 64
   */
  initial: number;
  /**
   * The limit is never cut below it. Not lower: on a fast platform a stall of our own process (GC,
   * a busy CPU) looks like latency, and the burst of calls released after it needs slots, not
   * `BULKHEAD_FULL`. @default 16
   */
  min: number;
  /** The limit never grows above it (nor above `bulkhead.maxConcurrent`). @default 256 */
  max: number;
  /**
   * Latency rise tolerated before the limit is cut: the limit is cut when a cohort's mean latency
   * exceeds `tolerance` × the baseline, and grows only below about 1.4 × it. @default 1.5
   */
  tolerance: number;
  /** Shortest time over which one cohort of attempts is sent. @default 500 */
  windowMs: number;
  /**
   * Attempts per cohort, at most: a cohort gathers twice the current limit, within [10, this]. A
   * mean over 100 attempts is steady enough (±10 % even when latency is exponentially spread) that
   * noise alone does not cut the limit. @default 100
   */
  windowSamples: number;
  /** Cohorts the latency baseline averages over. @default 10 */
  baselineWindows: number;
}

export interface RateLimitPolicy {
  /** Attempts per second sent to the upstream (the platform's quota). */
  perSecond: number;
  /** Burst above the steady rate. @default perSecond */
  burst?: number | undefined;
}

export interface CachePolicy {
  /** Age under which a cached answer is fresh (informational; live calls are still made). @default 60000 */
  ttlMs: number;
  /** Oldest answer served as `stale` when the upstream fails transiently. @default 900000 (15 min) */
  maxStaleMs: number;
}

/** The effective policy of one operation. */
export interface Policy {
  /** Timeout of one attempt. @default 10000 */
  attemptTimeoutMs: number;
  /** Total time of a call, all attempts and backoff included. @default 30000 */
  deadlineMs: number;
  retry: RetryPolicy;
  breaker: BreakerPolicy;
  bulkhead: BulkheadPolicy;
  concurrency: ConcurrencyPolicy;
  /** Off unless set. */
  rateLimit?: RateLimitPolicy | undefined;
  /** Stale-if-error for reads; on unless set to `false`. */
  cache: CachePolicy | false;
  /** Queue reads that fail transiently and have no cached answer (answered later). @default false */
  defer: boolean;
}

/** The documented defaults of every step. */
export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze({
  attemptTimeoutMs: 10_000,
  deadlineMs: 30_000,
  retry: Object.freeze({
    maxAttempts: 3,
    baseDelayMs: 200,
    maxDelayMs: 5_000,
    budget: Object.freeze({ ratio: 0.2, minPerSecond: 10 }),
  }),
  breaker: Object.freeze({
    errorRatio: 0.5,
    minimumCalls: 50,
    windowMs: 10_000,
    resetTimeoutMs: 1_000,
    openBackoffFactor: 2,
    maxOpenMs: 1_500,
    openJitter: 0.2,
    halfOpenProbes: 3,
    halfOpenSuccesses: 2,
    consecutiveFailures: 20,
    minConsecutiveFailures: 3,
    consecutiveSpanMs: 10_000,
  }),
  bulkhead: Object.freeze({ maxConcurrent: 256, maxQueue: 128 }),
  concurrency: Object.freeze({
    kind: 'adaptive' as const,
    initial: 64,
    min: 16,
    max: 256,
    tolerance: 1.5,
    windowMs: 500,
    windowSamples: 100,
    baselineWindows: 10,
  }),
  cache: Object.freeze({ ttlMs: 60_000, maxStaleMs: 15 * 60_000 }),
  defer: false,
}) as Readonly<Policy>;

// `| undefined`: an option given as undefined is an option left out (exactOptionalPropertyTypes).
type DeepPartial<T> = {
  [K in keyof T]?: (T[K] extends object ? DeepPartial<T[K]> | T[K] : T[K]) | undefined;
};

/** Overrides of an operation's policy. Breaker, bulkhead, concurrency and rate limit are per upstream: set them on the adapter. */
export type OperationPolicyOptions = DeepPartial<
  Omit<Policy, 'breaker' | 'bulkhead' | 'concurrency' | 'rateLimit'>
>;

/**
 * Overrides given to an adapter (or to `createGateway` for all adapters), optionally per operation.
 * `Op` is the adapter's operation names, so a misspelt `operations` key does not compile (and an
 * unknown key anywhere is refused by `createGateway` at run time).
 */
export interface PolicyOptions<Op extends string = string> extends DeepPartial<Policy> {
  /** Per-operation overrides, by operation name. */
  operations?: { [K in Op]?: OperationPolicyOptions | undefined } | undefined;
}

const positive = z.number().finite().positive();
const nonNegative = z.number().finite().nonnegative();
const positiveInt = z.number().int().positive();

const policySchema = z.object({
  attemptTimeoutMs: positive,
  deadlineMs: positive,
  retry: z.object({
    maxAttempts: positiveInt,
    baseDelayMs: nonNegative,
    maxDelayMs: nonNegative,
    budget: z.object({ ratio: nonNegative, minPerSecond: nonNegative }),
  }),
  breaker: z.object({
    errorRatio: z.number().gt(0).lte(1),
    minimumCalls: positiveInt,
    windowMs: positive,
    resetTimeoutMs: positive,
    openBackoffFactor: z.number().gte(1),
    maxOpenMs: positive,
    openJitter: z.number().gte(0).lt(1),
    halfOpenProbes: positiveInt,
    halfOpenSuccesses: positiveInt,
    consecutiveFailures: positiveInt,
    minConsecutiveFailures: positiveInt,
    consecutiveSpanMs: nonNegative,
  }),
  bulkhead: z.object({ maxConcurrent: positiveInt, maxQueue: z.number().int().nonnegative() }),
  concurrency: z
    .object({
      kind: z.enum(['adaptive', 'fixed']),
      initial: positiveInt,
      min: positiveInt,
      max: positiveInt,
      tolerance: z.number().finite().gt(1),
      windowMs: nonNegative,
      windowSamples: positiveInt,
      baselineWindows: positiveInt,
    })
    .refine((c) => c.min <= c.max, { message: 'min must not exceed max', path: ['min'] }),
  rateLimit: z.object({ perSecond: positive, burst: positive.optional() }).optional(),
  cache: z.union([z.literal(false), z.object({ ttlMs: nonNegative, maxStaleMs: nonNegative })]),
  defer: z.boolean(),
});

export { ConfigurationError } from './configuration-error.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge<T>(base: T, over: unknown): T {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v !== undefined) out[k] = deepMerge(out[k], v);
  }
  return out as T;
}

/**
 * The effective policy of one operation: defaults, then the operation's own defaults (from its
 * adapter's author), then each layer of options, each with its per-operation overrides.
 * Throws {@link ConfigurationError} naming the bad field.
 */
export function resolvePolicy(
  where: string,
  operation: string,
  operationDefaults: OperationPolicyOptions | undefined,
  ...layers: (PolicyOptions | undefined)[]
): Policy {
  let merged: unknown = deepMerge(DEFAULT_POLICY, operationDefaults);
  for (const layer of layers) {
    if (!layer) continue;
    const { operations, ...rest } = layer;
    merged = deepMerge(merged, rest);
    merged = deepMerge(merged, operations?.[operation]);
  }
  const parsed = policySchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigurationError(
      `Invalid configuration of ${where}: policy.${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return parsed.data as Policy;
}
