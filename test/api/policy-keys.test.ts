import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createGateway, type PolicyOptions } from 'vn-national-gateway';
import { configError } from '../helpers/config-error.js';
import { BASE, echo } from '../helpers/echo-adapter.js';

const auth = { type: 'bearer', token: 't' } as const;
const logger = pino({ level: 'silent' });

describe('unknown policy keys are refused at run time', () => {
  it('names an unknown top-level key of the gateway policy', () => {
    const e = configError(() =>
      createGateway({
        upstreams: { echo: echo({ baseUrl: BASE, auth }) },
        logger,
        // @ts-expect-error `retries` is not a policy key (retry.maxAttempts is)
        policy: { retries: 5 },
      }),
    );
    expect(e.message).toContain('policy.retries');
    expect(e.message).toContain('createGateway');
  });

  it('names an unknown nested key and an unknown operation', () => {
    const policy = {
      retry: { maxAttempt: 2 },
      operations: { lookups: { deadlineMs: 1 }, ping: { breaker: { errorRatio: 0.1 } } },
    } as unknown as PolicyOptions;
    const e = configError(() =>
      createGateway({ upstreams: { echo: echo({ baseUrl: BASE, auth }) }, logger, policy }),
    );
    expect(e.message).toContain('policy.retry.maxAttempt');
    expect(e.message).toContain('policy.operations.lookups');
    // breaker is per upstream: not a per-operation key
    expect(e.message).toContain('policy.operations.ping.breaker');
    expect(e.message).toContain('lookup, ping, submit, note');
  });

  it("checks an adapter's own policy against its operations", () => {
    const e = configError(() =>
      createGateway({
        upstreams: {
          // @ts-expect-error `getParcels` is not an operation of the echo adapter
          echo: echo({ baseUrl: BASE, auth, policy: { operations: { getParcels: { deadlineMs: 5 } } } }),
        },
        logger,
      }),
    );
    expect(e.message).toContain('upstreams.echo');
    expect(e.message).toContain('policy.operations.getParcels');
  });

  it('accepts every documented key', async () => {
    const g = createGateway({
      upstreams: {
        echo: echo({
          baseUrl: BASE,
          auth,
          policy: {
            rateLimit: { perSecond: 5, burst: 5 },
            breaker: { errorRatio: 0.3 },
            bulkhead: { maxConcurrent: 2 },
            operations: { lookup: { cache: false, retry: { budget: { ratio: 0.1 } } } },
          },
        }),
      },
      logger,
      policy: {
        deadlineMs: 1000,
        cache: { ttlMs: 1, maxStaleMs: 10 },
        defer: false,
        operations: { ping: { attemptTimeoutMs: 50 } },
      },
      drainer: { autoStart: false },
    });
    await g.close();
  });
});
