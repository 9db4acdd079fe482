/**
 * Shared set-up of the adapter contract tests: one gateway with the three built-in adapters behind
 * nock, logs captured through a pino destination stream, and the events recorded.
 */
import nock from 'nock';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import {
  type CallEvent,
  createGateway,
  type ErrorCode,
  type GatewayError,
  isGatewayError,
  type RetryEvent,
  type UnknownValueEvent,
  type WireProfile,
} from 'vn-national-gateway';
import {
  type LandRegistryOperations,
  landRegistry,
  type TaxRegistryOperations,
  taxRegistry,
  type VneidOperations,
  vneid,
} from 'vn-national-gateway/adapters';

export const BASE = 'http://lgsp.test';
export const TOKEN = 'tok-9f3a61c2e7b54d08';
export const CLIENT = 'VN/GOV/000.00.00.H29/hcmc-tthc';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TestGatewayOptions {
  vneidProfile?: WireProfile<VneidOperations>;
  landProfile?: WireProfile<LandRegistryOperations>;
  taxProfile?: WireProfile<TaxRegistryOperations>;
  maxAttempts?: number;
}

/** A gateway over the three adapters, with captured logs and events. Close it with `close()`. */
export function testGateway(options: TestGatewayOptions = {}) {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
  const auth = { type: 'bearer' as const, token: TOKEN };
  const gateway = createGateway({
    client: CLIENT,
    upstreams: {
      vneid: vneid({ baseUrl: BASE, auth, profile: options.vneidProfile }),
      land: landRegistry({ baseUrl: BASE, auth, profile: options.landProfile }),
      tax: taxRegistry({ baseUrl: BASE, auth, profile: options.taxProfile }),
    },
    logger,
    drainer: { autoStart: false },
    policy: {
      retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: options.maxAttempts ?? 3 },
      // Many failures in one test must not open a breaker and hide the next assertion.
      breaker: { minimumCalls: 10_000 },
    },
  });
  const unknown: UnknownValueEvent[] = [];
  const calls: CallEvent[] = [];
  const retries: RetryEvent[] = [];
  gateway.on('contract:unknown-value', (e) => unknown.push(e));
  gateway.on('call', (e) => calls.push(e));
  gateway.on('retry', (e) => retries.push(e));
  return {
    gateway,
    unknown,
    calls,
    retries,
    /** Everything logged so far, one JSON line per entry. */
    logText: () => lines.join(''),
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** What one intercepted request looked like. */
export interface Seen {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * Intercepts `times` requests to `method path` and answers each with the next of `replies`
 * (the last one repeats); records every request it sees.
 */
export function intercept(
  method: 'GET' | 'POST',
  path: string | RegExp,
  replies: readonly (readonly [status: number, body: unknown])[],
  times = replies.length,
) {
  const seen: Seen[] = [];
  const scope = nock(BASE)
    .intercept(path, method)
    .query(true)
    .times(times)
    .reply(function (uri, body) {
      seen.push({ method, path: uri, headers: this.req.headers, body });
      const [status, reply] = replies[Math.min(seen.length - 1, replies.length - 1)]!;
      return [status, reply as nock.Body, { 'content-type': 'application/json' }];
    });
  return { seen, scope };
}

/** Runs `fn`, expects it to fail with a GatewayError, and returns the error. */
export async function failure(fn: () => Promise<unknown>, code?: ErrorCode): Promise<GatewayError> {
  try {
    await fn();
  } catch (e) {
    if (!isGatewayError(e)) throw e;
    if (code) expect({ code: e.code, message: e.message }).toMatchObject({ code });
    return e;
  }
  throw new Error('expected the call to fail');
}

/** The X-Road and auth headers every request must carry. */
export function expectStandardHeaders(seen: Seen, actor?: string): void {
  expect(seen.headers.authorization).toBe(`Bearer ${TOKEN}`);
  expect(seen.headers['x-road-client']).toBe(CLIENT);
  expect(seen.headers['x-road-id']).toMatch(UUID);
  if (actor) expect(seen.headers['x-road-userid']).toBe(`VN${actor}`);
  expect(seen.headers.accept).toBe('application/json');
}

/** The free text of the fixtures' failure envelopes, which must never leave the envelope. */
export const FREE_TEXT_FRAGMENTS = [
  'Nguyễn Văn A',
  '079203001234',
  '079085001234',
  'Không xử lý',
  'không hợp lệ',
];

/**
 * Per-test gateway with nock hygiene (no real network, interceptors cleared, gateway closed).
 * Returns a view whose properties are the current test's gateway and recorders.
 */
export function useTestGateway(): ReturnType<typeof testGateway> {
  let current: ReturnType<typeof testGateway> | undefined;
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  beforeEach(() => {
    current = testGateway();
  });
  afterEach(async () => {
    await current?.gateway.close();
    nock.cleanAll();
  });
  return new Proxy({} as ReturnType<typeof testGateway>, {
    get: (_target, key) => current?.[key as keyof ReturnType<typeof testGateway>],
  });
}
