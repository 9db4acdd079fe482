/**
 * Every fault of the mock platforms, as the gateway (the client the kit exists for) observes it
 * over a real loopback socket: the error code the contract promises, and whether it is retried.
 */
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, isGatewayError, type PolicyOptions } from 'vn-national-gateway';
import { taxRegistry } from 'vn-national-gateway/adapters';
import {
  type Fault,
  fixtures,
  MOCK_CREDENTIALS,
  type MockPlatforms,
  startMockPlatforms,
} from 'vn-national-gateway/testing';

let mock: MockPlatforms;
beforeAll(async () => {
  mock = await startMockPlatforms({ seed: 3 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const taxCode = fixtures.enterprises[0]!.taxCode;

async function lookUpWith(fault: Fault, policy: PolicyOptions = {}) {
  mock.setFault('tax', fault);
  const gateway = createGateway({
    client: 'VN/GOV/test/faults',
    upstreams: {
      tax: taxRegistry({
        baseUrl: mock.url,
        auth: { type: 'oauth2', tokenUrl: mock.urls.token, ...MOCK_CREDENTIALS },
        policy: { retry: { baseDelayMs: 1, maxDelayMs: 5 }, cache: false, ...policy },
      }),
    },
    logger: pino({ level: 'silent' }),
    drainer: { autoStart: false },
  });
  try {
    return await gateway.tax.lookupTaxCode({ taxCode }).catch((e: unknown) => e);
  } finally {
    await gateway.close();
  }
}

const sent = () => mock.requests('tax').length;

describe('mock platform faults seen through the gateway', () => {
  it('a connection reset is NETWORK, retried', async () => {
    const e = await lookUpWith({ reset: true });
    expect(isGatewayError(e, 'NETWORK')).toBe(true);
    expect(sent()).toBe(3);
  });

  it('a hang is TIMEOUT (the attempt is aborted), retried within the deadline', async () => {
    const e = await lookUpWith({ hang: true }, { attemptTimeoutMs: 100, deadlineMs: 250 });
    expect(isGatewayError(e, 'TIMEOUT')).toBe(true);
    expect(sent()).toBeGreaterThanOrEqual(2);
  });

  it('HTTP 503 is UPSTREAM_UNAVAILABLE, retried', async () => {
    const e = await lookUpWith({ errorRate: 1, errorKind: 'http503' });
    expect(e).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503, attempts: 3 });
  });

  it("the platform's busy code (tax 503 with HTTP 200) is UPSTREAM_UNAVAILABLE, retried", async () => {
    const e = await lookUpWith({ errorRate: 1, errorKind: 'busy' });
    expect(e).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamCode: '503', status: 200, attempts: 3 });
  });

  it('a flaky platform (seeded) is ridden out by retries', async () => {
    const r = await lookUpWith({ errorRate: 0.5, errorKind: 'busy' }, { retry: { maxAttempts: 6 } });
    expect(r).toMatchObject({ status: 'ok' });
    expect(sent()).toBe((r as { meta: { attempts: number } }).meta.attempts);
  });

  it('429 is RATE_LIMITED with the Retry-After the platform asked for', async () => {
    const e = await lookUpWith({ rateLimit: { rate: 1, retryAfterSeconds: 120 } });
    // Waiting 120 s would pass the 30 s deadline: not retried, and the wait is on the error.
    expect(e).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterMs: 120_000, attempts: 1 });
  });

  it('an outage is UPSTREAM_UNAVAILABLE', async () => {
    const e = await lookUpWith({ down: true });
    expect(isGatewayError(e, 'UPSTREAM_UNAVAILABLE')).toBe(true);
  });

  it('contract drift (a renamed field) is CONTRACT, not retried', async () => {
    const e = await lookUpWith({ drift: true });
    expect(e).toMatchObject({ code: 'CONTRACT', attempts: 1 });
    expect(sent()).toBe(1);
  });

  it('added latency is waited for', async () => {
    const r = await lookUpWith({ latencyMs: 60 });
    expect(r).toMatchObject({ status: 'ok' });
    expect((r as { meta: { durationMs: number } }).meta.durationMs).toBeGreaterThanOrEqual(55);
  });
});
