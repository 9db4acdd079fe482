import { describe, expect, it } from 'vitest';
import { ConfigurationError, localQuota, redisQuota } from 'vn-national-gateway';

describe('redisQuota configuration', () => {
  it('needs exactly one of client or url', () => {
    expect(() => redisQuota({})).toThrow(ConfigurationError);
    expect(() => redisQuota({ url: 'redis://127.0.0.1:1', client: {} as never })).toThrow(
      /exactly one of client or url/,
    );
  });
  it('rejects a non-positive retryMs or timeoutMs', () => {
    expect(() => redisQuota({ url: 'redis://127.0.0.1:1', retryMs: 0 })).toThrow(
      /retryMs must be a positive number/,
    );
    expect(() => redisQuota({ url: 'redis://127.0.0.1:1', timeoutMs: Number.NaN })).toThrow(/timeoutMs/);
  });
  it('kinds tell the local default from the shared quota', () => {
    expect(localQuota().kind).toBe('local');
    expect(redisQuota({ url: 'redis://127.0.0.1:1' }).kind).toBe('redis');
  });
});
