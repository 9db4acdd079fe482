export { localQuota } from './local.js';
export { type RedisQuotaOptions, redisQuota } from './redis.js';
export type { Limiter, Quota, QuotaContext, QuotaSession } from './types.js';
