/**
 * Resilience policy: the options of every pipeline step, their documented defaults (one object,
 * {@link DEFAULT_POLICY}), and the merge of gateway-, adapter- and operation-level overrides.
 */
import { z } from 'zod';

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
  /** Attempts needed in the window before the ratio is judged (one early failure must not open it). @default 10 */
  minimumCalls: number;
  /**
   * Rolling window of the statistics. Short, so that under a background of failures an outage
   * shows in the ratio within seconds. @default 10000
   */
  windowMs: number;
  /** Time open before trial calls are let through (half-open). @default 15000 */
  resetTimeoutMs: number;
  /** Trial calls let through at once while half-open: the first success closes, a failure re-opens. @default 1 */
  halfOpenProbes: number;
}

export interface BulkheadPolicy {
  /** Concurrent attempts per upstream. @default 32 */
  maxConcurrent: number;
  /** Attempts waiting for a slot; past it calls fail with `BULKHEAD_FULL`. @default 128 */
  maxQueue: number;
}

export interface RateLimitPolicy {
  /** Attempts per second sent to the upstream (the platform's quota). */
  perSecond: number;
  /** Burst above the steady rate. @default perSecond */
  burst?: number;
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
  /** Off unless set. */
  rateLimit?: RateLimitPolicy;
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
    minimumCalls: 10,
    windowMs: 10_000,
    resetTimeoutMs: 15_000,
    halfOpenProbes: 1,
  }),
  bulkhead: Object.freeze({ maxConcurrent: 32, maxQueue: 128 }),
  cache: Object.freeze({ ttlMs: 60_000, maxStaleMs: 15 * 60_000 }),
  defer: false,
}) as Readonly<Policy>;

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> | T[K] : T[K] };

/** Overrides of an operation's policy. Breaker, bulkhead and rate limit are per upstream: set them on the adapter. */
export type OperationPolicyOptions = DeepPartial<Omit<Policy, 'breaker' | 'bulkhead' | 'rateLimit'>>;

/** Overrides given to an adapter (or to `createGateway` for all adapters), optionally per operation. */
export interface PolicyOptions extends DeepPartial<Policy> {
  /** Per-operation overrides, by operation name. */
  operations?: Record<string, OperationPolicyOptions>;
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
    halfOpenProbes: positiveInt,
  }),
  bulkhead: z.object({ maxConcurrent: positiveInt, maxQueue: z.number().int().nonnegative() }),
  rateLimit: z.object({ perSecond: positive, burst: positive.optional() }).optional(),
  cache: z.union([z.literal(false), z.object({ ttlMs: nonNegative, maxStaleMs: nonNegative })]),
  defer: z.boolean(),
});

/** Thrown by `createGateway` (and adapter factories) for bad configuration. */
export class ConfigurationError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

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
