import type { GatewayLogger } from '../telemetry/logger.js';
import type { Clock } from '../clock.js';
import type { EventBus } from '../events.js';
import type { RateLimitPolicy } from '../policy.js';

/** Waits until one more request may be sent. Implemented by the local token bucket and the Redis quota. */
export interface Limiter {
  /** Resolves when the caller may send; rejects with the signal's reason if it aborts first. */
  acquire(signal: AbortSignal): Promise<void>;
}

/** What a gateway gives its quota when it starts. */
export interface QuotaContext {
  clock: Clock;
  logger: GatewayLogger;
  events: EventBus;
}

/** A quota bound to one gateway: makes its limiters and is closed with it. */
export interface QuotaSession {
  /**
   * The limiter for `key` (an upstream name, or `outbox:<upstream>` for the drainer's ceiling).
   * Instances configured alike share the same key, hence the same quota, when the quota is shared.
   */
  limiter(key: string, policy: RateLimitPolicy): Limiter;
  /** Releases what the session owns (a Redis connection it opened). */
  close(): Promise<void>;
}

/** Where rate limits are counted: `localQuota()` (per process, the default) or `redisQuota({...})` (shared). */
export interface Quota {
  readonly kind: 'local' | 'redis';
  /** Called once by `createGateway`; throws `ConfigurationError` if the quota cannot work (missing peer). */
  open(context: QuotaContext): QuotaSession;
}
