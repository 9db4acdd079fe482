import type { RateLimiterRedis as RateLimiterRedisType } from 'rate-limiter-flexible';
import { RateLimiter } from '../pipeline/rate-limit.js';
import { ConfigurationError, type RateLimitPolicy } from '../policy.js';
import { nodeRequire } from '../util/node-require.js';
import { checkOptionKeys, type OptionKeys } from '../option-keys.js';
import type { RedisClient, RedisClientConstructor as RedisCtor } from '../util/peer-types.js';
import { type ConsumeFn, SharedLimiter } from './shared.js';
import type { Quota, QuotaSession } from './types.js';

/** Options of {@link redisQuota}: give `client` or `url`. */
export interface RedisQuotaOptions {
  /** An ioredis client you own (the gateway does not close it). */
  client?: RedisClient | undefined;
  /** A Redis URL (`redis://host:6379/0`); the gateway opens its own client and closes it with itself. */
  url?: string | undefined;
  /** Prefix of the Redis keys; instances sharing a quota must use the same one. @default 'vngw:quota' */
  keyPrefix?: string | undefined;
  /** How long a limiter stays on its local bucket after Redis failed before trying it again. @default 5000 */
  retryMs?: number | undefined;
  /** A Redis answer slower than this counts as unreachable (the call falls back rather than waits). @default 500 */
  timeoutMs?: number | undefined;
}

type RateLimiterRedisCtor = new (opts: Record<string, unknown>) => RateLimiterRedisType;

/**
 * Rate limits (`policy.rateLimit` per upstream and the outbox drainer's ceiling) counted in Redis,
 * so that every instance configured with the same `keyPrefix` shares one quota. Counted with
 * `rate-limiter-flexible` in fixed windows of one second (`burst` is not used: the window is the
 * burst). Needs the optional peers `rate-limiter-flexible` and (unless you pass `client`) `ioredis`.
 *
 * When Redis is unreachable, each limiter falls back to its local token bucket with a warning log
 * and a `quota:fallback` event, and returns to the shared quota (`quota:shared`) when Redis
 * answers again: the quota is then per process for the outage, never a refused call.
 *
 * @example createGateway({ upstreams, quota: redisQuota({ url: 'redis://127.0.0.1:6379' }) })
 */
const REDIS_QUOTA_OPTION_KEYS: OptionKeys<RedisQuotaOptions> = {
  client: true,
  url: true,
  keyPrefix: true,
  retryMs: true,
  timeoutMs: true,
};

export function redisQuota(options: RedisQuotaOptions): Quota {
  checkOptionKeys('redisQuota', options, REDIS_QUOTA_OPTION_KEYS);
  if (!options || (options.client === undefined) === (options.url === undefined)) {
    throw new ConfigurationError('Invalid redisQuota configuration: give exactly one of client or url');
  }
  const keyPrefix = options.keyPrefix ?? 'vngw:quota';
  const retryMs = options.retryMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 500;
  for (const [k, v] of [
    ['retryMs', retryMs],
    ['timeoutMs', timeoutMs],
  ] as const) {
    if (!Number.isFinite(v) || v <= 0) {
      throw new ConfigurationError(`Invalid redisQuota configuration: ${k} must be a positive number`);
    }
  }
  return {
    kind: 'redis',
    open(ctx): QuotaSession {
      const RateLimiterRedis = load<{ RateLimiterRedis: RateLimiterRedisCtor }>(
        'rate-limiter-flexible',
        'rate-limiter-flexible@11',
      ).RateLimiterRedis;
      let client = options.client;
      const owned = client === undefined;
      if (client === undefined) {
        const mod = load<{ Redis?: RedisCtor; default?: RedisCtor }>('ioredis', 'ioredis@6');
        const Ctor = (mod.Redis ?? mod.default ?? mod) as RedisCtor;
        // No offline queue: while Redis is down a command fails at once and the limiter falls back,
        // instead of piling calls up behind a reconnect.
        client = new Ctor(options.url!, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
        // Connection errors are reported by the limiters (once per outage), not by ioredis' console.
        client.on('error', () => {});
      }
      const store = client;
      // The first calls after start wait for the connection (bounded by timeoutMs) rather than
      // falling back while it is still being made; later a lost connection falls back at once.
      let connected = store.status === 'ready';
      const firstReady = connected
        ? Promise.resolve()
        : new Promise<void>((resolve) =>
            store.once('ready', () => {
              connected = true;
              resolve();
            }),
          );
      return {
        limiter(key: string, policy: RateLimitPolicy) {
          // Whole-second windows: a rate under 1/s gets one point per ceil(1/rate) seconds.
          const duration = Math.max(1, Math.ceil(1 / policy.perSecond));
          const points = Math.max(1, Math.round(policy.perSecond * duration));
          const rl = new RateLimiterRedis({
            storeClient: store,
            keyPrefix,
            points,
            duration,
            rejectIfRedisNotReady: true,
          });
          const consume: ConsumeFn = async (k) => {
            if (!connected) await firstReady;
            try {
              await rl.consume(k, 1);
              return { waitMs: 0 };
            } catch (e) {
              // Over quota: rate-limiter-flexible rejects with a result, not an Error.
              if (
                e &&
                !(e instanceof Error) &&
                typeof (e as { msBeforeNext?: unknown }).msBeforeNext === 'number'
              ) {
                return { waitMs: Math.max(1, (e as { msBeforeNext: number }).msBeforeNext) };
              }
              throw e;
            }
          };
          return new SharedLimiter({
            key,
            consume,
            local: new RateLimiter(policy, ctx.clock),
            clock: ctx.clock,
            logger: ctx.logger,
            events: ctx.events,
            retryMs,
            timeoutMs,
          });
        },
        async close() {
          if (owned) await store.quit().catch(() => store.disconnect());
        },
      };
    },
  };
}

function load<T>(name: string, install: string): T {
  try {
    return nodeRequire()(name) as T;
  } catch (e) {
    if ((e as { code?: string }).code === 'MODULE_NOT_FOUND') {
      throw new ConfigurationError(
        `redisQuota needs the optional peer dependency ${name} (npm install ${install})`,
      );
    }
    throw e;
  }
}
