import { RateLimiter } from '../pipeline/rate-limit.js';
import type { Quota } from './types.js';

/**
 * Rate limits counted in this process only (a token bucket per upstream): three instances behind a
 * load balancer send three times the configured rate. Use `redisQuota` to share one quota.
 */
export function localQuota(): Quota {
  return {
    kind: 'local',
    open: ({ clock }) => ({
      limiter: (_key, policy) => new RateLimiter(policy, clock),
      close: async () => {},
    }),
  };
}
