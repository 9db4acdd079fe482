import type { Adapter, AdapterOptions, AdapterSpec } from './adapter.js';
import type { Clock } from './clock.js';
import { type ErrorCode, platformMessages } from './errors.js';
import type { EventBus } from './events.js';
import { AttemptTimeout } from './pipeline/attempt-timeout.js';
import { type AttemptOperation, type AttemptTarget, runAttempt } from './pipeline/attempt.js';
import { Breaker } from './pipeline/breaker.js';
import { Bulkhead } from './pipeline/bulkhead.js';
import { checkProfile } from './pipeline/identity.js';
import { CallLimits } from './pipeline/deadline.js';
import { RateLimitStep } from './pipeline/rate-limit.js';
import { RetryStep } from './pipeline/retry.js';
import { RetryBudget } from './pipeline/retry-budget.js';
import { type CallScope, compose, type Next } from './pipeline/step.js';
import { AttemptEvents } from './telemetry/attempt-events.js';
import { ConfigurationError, type Policy, type PolicyOptions, resolvePolicy } from './policy.js';
import { checkPolicyKeys } from './policy-keys.js';
import { type GatewayLogger, upstreamLogger } from './telemetry/logger.js';
import type { Tracing } from './telemetry/tracing.js';
import { UpstreamStats } from './telemetry/health.js';
import { axiosTransport } from './transport/axios.js';
import { createAuthProvider, validateAuth } from './transport/auth.js';
import { checkHookKeys, type GatewayHooks, withHooks } from './transport/hooks.js';
import { checkOptionKeys, type OptionKeys } from './option-keys.js';
import type { Transport } from './transport/types.js';
import type { Limiter, QuotaSession } from './quota/types.js';

/** Sockets kept beyond the concurrency ceiling, for token requests (which the limit does not count). */
const TOKEN_SOCKETS = 4;

/** One operation of an upstream, resolved once when the gateway is created. */
export interface Operation extends AttemptOperation {
  name: string;
  /** Its effective policy. */
  policy: Policy;
  /** The stale-if-error cache bounds, for a read with a cache policy. */
  cache: { maxStaleMs: number } | undefined;
  /** Steps 3–10 composed for this operation, in DESIGN.md order. */
  run: Next<unknown>;
}

/** Everything the gateway keeps for one configured upstream; it lives and dies with the gateway. */
export interface Upstream {
  name: string;
  spec: AdapterSpec;
  target: AttemptTarget;
  transport: Transport;
  breaker: Breaker;
  bulkhead: Bulkhead;
  budget: RetryBudget;
  rateLimiter: Limiter | undefined;
  /** Where this gateway's rate limits are counted (local bucket or shared Redis quota). */
  quota: QuotaSession;
  logger: GatewayLogger;
  /** The default user messages naming this platform (its adapter's `displayName`). */
  messages: Readonly<Record<ErrorCode, string>>;
  /** Its operations by name. */
  operations: Record<string, Operation>;
  stats: UpstreamStats;
}

export interface UpstreamShared {
  clock: Clock;
  logger: GatewayLogger;
  events: EventBus;
  client: string | undefined;
  policy: PolicyOptions | undefined;
  quota: QuotaSession;
  /** The gateway's request/response hooks (run before the adapter's own). */
  hooks?: GatewayHooks | undefined;
  /** The gateway's tracing, when OpenTelemetry is installed. */
  tracing?: Tracing | undefined;
  /** Source of jitter (backoff). */
  random: () => number;
  /** Calls in flight, which the gateway's `close()` ends. */
  live: Set<CallScope>;
  /** Aborted when the gateway closes. */
  shutdown: AbortSignal;
}

const ADAPTER_OPTION_KEYS: OptionKeys<AdapterOptions> = {
  baseUrl: true,
  auth: true,
  client: true,
  profile: true,
  policy: true,
  transport: true,
  hooks: true,
};

/** Builds one upstream from its adapter, checking its configuration (throws {@link ConfigurationError}). */
export function createUpstream(name: string, adapter: Adapter, shared: UpstreamShared): Upstream {
  const where = `upstreams.${name}`;
  const { spec, options } = adapter;
  checkOptionKeys(where, options, ADAPTER_OPTION_KEYS);
  checkHookKeys(`${where} hooks`, options?.hooks);
  if (typeof options?.baseUrl !== 'string' || !isHttpUrl(options.baseUrl)) {
    throw new ConfigurationError(`Invalid configuration of ${where}: baseUrl must be an http(s) URL`);
  }
  validateAuth(options.auth, where);
  const profile = options.profile ?? spec.profile;
  // Every operation mapped, each with its reply identity (a profile need not come from defineProfile).
  checkProfile(profile, Object.keys(spec.operations), where);

  const opNames = Object.keys(spec.operations);
  checkPolicyKeys(`${where} (adapter defaults)`, spec.policy, opNames);
  checkPolicyKeys(where, options.policy, opNames);
  // Breaker, bulkhead and rate limit are per upstream: take them from the upstream-level policy.
  const upstreamPolicy = resolvePolicy(where, '', undefined, spec.policy, shared.policy, options.policy);

  const { clock, events } = shared;
  const logger = upstreamLogger(shared.logger, name);
  const client = options.client ?? shared.client;
  if (!client)
    logger.warn('no X-Road-Client configured: the national data exchange identifies callers by it');
  // The concurrency limit is the only gate: the default transport's socket pool is sized to its
  // ceiling (plus the token requests, which go around the limit), so no attempt waits for a socket.
  const ceiling = Math.min(upstreamPolicy.bulkhead.maxConcurrent, upstreamPolicy.concurrency.max);
  const transport = options.transport ?? axiosTransport({ maxSockets: ceiling + TOKEN_SOCKETS });
  if (transport.maxSockets !== undefined && transport.maxSockets < ceiling)
    logger.warn(
      { maxSockets: transport.maxSockets, ceiling },
      "the transport's socket pool is smaller than the concurrency ceiling: attempts would wait for a socket",
    );
  const breaker = new Breaker(name, upstreamPolicy.breaker, clock, {
    onStateChange(state, since) {
      const event =
        state === 'open' ? 'breaker:open' : state === 'half-open' ? 'breaker:half-open' : 'breaker:close';
      logger.warn({ event, breaker: state }, `circuit breaker ${state}`);
      events.emit(event, { upstream: name, state, since });
    },
  });
  const target: AttemptTarget = {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    client,
    // Hooks wrap the platform's requests only: the token endpoint gets the bare transport.
    transport: withHooks(shared.tracing?.platform(transport, name, () => breaker.state) ?? transport, name, [
      shared.hooks,
      options.hooks,
    ]),
    auth: createAuthProvider(options.auth, shared.tracing?.token(transport) ?? transport, clock),
    profile,
    now: () => clock.now(),
  };
  const bulkhead = new Bulkhead(upstreamPolicy.bulkhead, clock, upstreamPolicy.concurrency);
  const budget = new RetryBudget(upstreamPolicy.retry.budget, clock);
  const rateLimiter = upstreamPolicy.rateLimit
    ? shared.quota.limiter(name, upstreamPolicy.rateLimit)
    : undefined;
  const limits = new CallLimits(shared.live, shared.shutdown);
  const attemptEvents = new AttemptEvents(events);
  const onRetry: ConstructorParameters<typeof RetryStep>[0]['onRetry'] = (
    { attempt, delayMs, error },
    call,
  ) =>
    events.emit('retry', {
      upstream: name,
      operation: call.operation,
      requestId: call.requestId,
      attempt,
      delayMs,
      code: error.code,
    });

  const operations: Record<string, Operation> = {};
  for (const [op, opSpec] of Object.entries(spec.operations)) {
    const policy = resolvePolicy(where, op, opSpec.policy, spec.policy, shared.policy, options.policy);
    const wire = profile.operations[op] as Operation['wire'];
    const attempt: AttemptOperation = { spec: opSpec, wire };
    operations[op] = {
      name: op,
      spec: opSpec,
      wire,
      policy,
      cache: opSpec.kind === 'read' && policy.cache ? { maxStaleMs: policy.cache.maxStaleMs } : undefined,
      // DESIGN.md steps 3–10, outermost first.
      run: compose(
        [
          limits, // 3. total deadline, caller's signal, shutdown
          new RetryStep({ policy: policy.retry, budget, clock, random: shared.random, onRetry }), // 4.
          ...(rateLimiter ? [new RateLimitStep(rateLimiter, clock)] : []), // 5.
          attemptEvents, // every attempt's outcome, the breaker's refusals included
          breaker, // 6.
          bulkhead, // 7.
          new AttemptTimeout(policy.attemptTimeoutMs, clock), // 8.
        ],
        (signal, call) => runAttempt(target, attempt, signal, call), // 9–10. transport, envelope
      ),
    };
  }

  return {
    name,
    spec,
    transport,
    target,
    breaker,
    bulkhead,
    budget,
    rateLimiter,
    quota: shared.quota,
    logger,
    messages: platformMessages(spec.displayName),
    operations,
    stats: new UpstreamStats(clock, upstreamPolicy.breaker.windowMs),
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
