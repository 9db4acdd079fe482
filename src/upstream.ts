import type { Adapter, AdapterSpec } from './adapter.js';
import type { Clock } from './clock.js';
import type { EventBus } from './events.js';
import type { AttemptTarget } from './pipeline/attempt.js';
import { Breaker } from './pipeline/breaker.js';
import { Bulkhead } from './pipeline/bulkhead.js';
import { RetryBudget } from './pipeline/retry-budget.js';
import { ConfigurationError, type Policy, type PolicyOptions, resolvePolicy } from './policy.js';
import { checkPolicyKeys } from './policy-keys.js';
import { type GatewayLogger, upstreamLogger } from './telemetry/logger.js';
import type { Tracing } from './telemetry/tracing.js';
import { UpstreamStats } from './telemetry/health.js';
import { axiosTransport } from './transport/axios.js';
import { createAuthProvider, validateAuth } from './transport/auth.js';
import { type GatewayHooks, withHooks } from './transport/hooks.js';
import type { Transport } from './transport/types.js';
import type { Limiter, QuotaSession } from './quota/types.js';

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
  /** Effective policy per operation. */
  policies: Record<string, Policy>;
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
}

/** Builds one upstream from its adapter, checking its configuration (throws {@link ConfigurationError}). */
export function createUpstream(name: string, adapter: Adapter, shared: UpstreamShared): Upstream {
  const where = `upstreams.${name}`;
  const { spec, options } = adapter;
  if (typeof options?.baseUrl !== 'string' || !isHttpUrl(options.baseUrl)) {
    throw new ConfigurationError(`Invalid configuration of ${where}: baseUrl must be an http(s) URL`);
  }
  validateAuth(options.auth, where);
  const profile = options.profile ?? spec.profile;
  for (const op of Object.keys(spec.operations)) {
    if (!profile.operations[op]) {
      throw new ConfigurationError(
        `Invalid configuration of ${where}: profile ${profile.name} has no mapping for ${op}`,
      );
    }
  }

  const opNames = Object.keys(spec.operations);
  checkPolicyKeys(`${where} (adapter defaults)`, spec.policy, opNames);
  checkPolicyKeys(where, options.policy, opNames);
  const policies: Record<string, Policy> = {};
  for (const [op, opSpec] of Object.entries(spec.operations)) {
    policies[op] = resolvePolicy(where, op, opSpec.policy, spec.policy, shared.policy, options.policy);
  }
  // Breaker, bulkhead and rate limit are per upstream: take them from the upstream-level policy.
  const upstreamPolicy = resolvePolicy(where, '', undefined, spec.policy, shared.policy, options.policy);

  const { clock, events } = shared;
  const logger = upstreamLogger(shared.logger, name);
  const client = options.client ?? shared.client;
  if (!client)
    logger.warn('no X-Road-Client configured: the national data exchange identifies callers by it');
  const transport = options.transport ?? axiosTransport();
  const breaker = new Breaker(name, upstreamPolicy.breaker, clock, {
    onStateChange(state, since) {
      const event =
        state === 'open' ? 'breaker:open' : state === 'half-open' ? 'breaker:half-open' : 'breaker:close';
      logger.warn({ event, breaker: state }, `circuit breaker ${state}`);
      events.emit(event, { upstream: name, state, since });
    },
  });
  return {
    name,
    spec,
    transport,
    target: {
      baseUrl: options.baseUrl,
      client,
      // Hooks wrap the platform's requests only: the token endpoint gets the bare transport.
      transport: withHooks(
        shared.tracing?.platform(transport, name, () => breaker.state) ?? transport,
        name,
        [shared.hooks, options.hooks],
      ),
      auth: createAuthProvider(options.auth, shared.tracing?.token(transport) ?? transport, clock),
      profile,
      now: () => clock.now(),
    },
    breaker,
    bulkhead: new Bulkhead(upstreamPolicy.bulkhead),
    budget: new RetryBudget(upstreamPolicy.retry.budget, clock),
    rateLimiter: upstreamPolicy.rateLimit ? shared.quota.limiter(name, upstreamPolicy.rateLimit) : undefined,
    quota: shared.quota,
    logger,
    policies,
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
