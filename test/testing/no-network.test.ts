/**
 * Mocks that never leak: a gateway on the undici transport served by mockPlatformsWithUndici, and
 * one on axios served by mockPlatformsWithNock, make no DNS lookup and open no socket; nock given
 * the undici transport refuses before anything is sent. The platforms live on a `.invalid` host
 * (which cannot resolve), and the lookup and connect spies fail instead of calling through, so a
 * regression fails here without touching the network.
 */
import dns from 'node:dns';
import net from 'node:net';
import nock from 'nock';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import { axiosTransport, createGateway, isGatewayError, type Transport } from 'vn-national-gateway';
import { landRegistry, taxRegistry, vneid } from 'vn-national-gateway/adapters';
import {
  fixtures,
  MOCK_CREDENTIALS,
  MockTransportError,
  mockPlatformsWithNock,
  mockPlatformsWithUndici,
} from 'vn-national-gateway/testing';
import { undiciTransport } from 'vn-national-gateway/undici';
import { submitRegistrationTwice } from '../helpers/land-registration.js';

const BASE = 'https://lgsp.invalid';
const ctx = { purpose: '1.001234', actor: 'officer-17' };

let lookups: Mock<(host: unknown) => void>;
let connects: Mock<(options: unknown) => void>;
beforeEach(() => {
  lookups = vi.fn();
  connects = vi.fn();
  const blocked = (what: string) => Object.assign(new Error(`test: ${what} blocked`), { code: 'ENOTFOUND' });
  vi.spyOn(dns, 'lookup').mockImplementation(((host: string, ...rest: unknown[]) => {
    lookups(host);
    const cb = rest.at(-1) as (e: Error) => void;
    process.nextTick(() => cb(blocked('lookup')));
  }) as unknown as typeof dns.lookup);
  vi.spyOn(dns.promises, 'lookup').mockImplementation(async (host: string) => {
    lookups(host);
    throw blocked('lookup');
  });
  vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (
    this: net.Socket,
    ...args: unknown[]
  ) {
    connects(args[0]);
    process.nextTick(() => this.destroy(blocked('connect')));
    return this;
  });
});
afterEach(() => {
  nock.cleanAll();
});

function gatewayOn(transport: Transport) {
  const auth = { type: 'oauth2' as const, tokenUrl: `${BASE}/token`, ...MOCK_CREDENTIALS };
  return createGateway({
    client: 'VN/GOV/000.00.00.H29/hcmc-tthc',
    upstreams: {
      vneid: vneid({ baseUrl: BASE, auth, transport }),
      land: landRegistry({ baseUrl: BASE, auth, transport }),
      tax: taxRegistry({ baseUrl: BASE, auth, transport }),
    },
    logger: pino({ level: 'silent' }),
    drainer: { autoStart: false },
    policy: { retry: { maxAttempts: 1 } },
  });
}

async function readsAndWrites(gateway: ReturnType<typeof gatewayOn>) {
  const c = fixtures.citizens[0]!;
  const verified = await gateway.vneid.verifyCitizen(
    { personalId: c.personalId, fullName: c.fullName, dateOfBirth: c.dateOfBirth },
    ctx,
  );
  expect(verified.status).toBe('ok');
  const t = fixtures.enterprises[0]!;
  const found = await gateway.tax.lookupTaxCode({ taxCode: t.taxCode }, ctx);
  expect(found.status === 'ok' && found.data.name).toBe(t.name);
  await submitRegistrationTwice(gateway, '000.00.29.H29-250701-0077', ctx);
}

describe('no DNS lookup, no socket', () => {
  it('the spies see what the plain undici transport does on its own (the leak the mocks prevent)', async () => {
    const gateway = gatewayOn(undiciTransport());
    try {
      const t = fixtures.enterprises[0]!;
      const e = await gateway.tax.lookupTaxCode({ taxCode: t.taxCode }, ctx).catch((x: unknown) => x);
      expect(isGatewayError(e, 'NETWORK')).toBe(true);
      // The connect spy fails it before a lookup would start.
      expect(connects).toHaveBeenCalledWith(expect.objectContaining({ host: 'lgsp.invalid' }));
    } finally {
      await gateway.close();
    }
  });

  it('undici transport × mockPlatformsWithUndici: reads, an idempotent write, tokens', async () => {
    const mock = mockPlatformsWithUndici(BASE);
    const gateway = gatewayOn(undiciTransport({ dispatcher: mock.dispatcher }));
    try {
      await readsAndWrites(gateway);
      expect(mock.registrations('land')).toHaveLength(1);
      expect(mock.requests('token').length).toBeGreaterThan(0);
    } finally {
      await gateway.close();
      await mock.close();
    }
    expect(lookups).not.toHaveBeenCalled();
    expect(connects).not.toHaveBeenCalled();
  });

  it('axios transport × mockPlatformsWithNock: the same calls, the same answers', async () => {
    const transport = axiosTransport();
    const mock = mockPlatformsWithNock(BASE, { transports: transport });
    const gateway = gatewayOn(transport);
    try {
      await readsAndWrites(gateway);
      expect(mock.registrations('land')).toHaveLength(1);
    } finally {
      await gateway.close();
      mock.done();
    }
    expect(lookups).not.toHaveBeenCalled();
    expect(connects).not.toHaveBeenCalled();
  });

  it('undici transport × mockPlatformsWithNock: refused, naming the transport, before anything is intercepted', () => {
    const transport = undiciTransport();
    let error: unknown;
    try {
      mockPlatformsWithNock(BASE, { transports: [axiosTransport(), transport] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MockTransportError);
    expect(error).toMatchObject({
      code: 'MOCK_TRANSPORT_UNSUPPORTED',
      helper: 'mockPlatformsWithNock',
      transport: 'undici',
    });
    expect((error as Error).message).toMatch(/cannot intercept the undici transport/);
    expect((error as Error).message).toMatch(/mockPlatformsWithUndici/);
    expect(nock.activeMocks()).toEqual([]);
    transport.close?.();
    expect(lookups).not.toHaveBeenCalled();
    expect(connects).not.toHaveBeenCalled();
  });

  it('nock refuses a custom transport that does not name its stack, and takes one on node:http', () => {
    const custom: Transport = { request: () => Promise.reject(new Error('unused')) };
    expect(() => mockPlatformsWithNock(BASE, { transports: custom })).toThrow(
      expect.objectContaining({ transport: 'unknown', code: 'MOCK_TRANSPORT_UNSUPPORTED' }),
    );
    const mock = mockPlatformsWithNock(BASE, { transports: { ...custom, stack: 'node:http' } });
    expect(nock.activeMocks().length).toBeGreaterThan(0);
    mock.done();
  });
});

describe('mockPlatformsWithUndici', () => {
  it('faults switch at run time as with nock: 503, reset, hang cut by the attempt timeout', async () => {
    const mock = mockPlatformsWithUndici(BASE);
    const gateway = createGateway({
      upstreams: {
        tax: taxRegistry({
          baseUrl: BASE,
          auth: { type: 'oauth2', tokenUrl: `${BASE}/token`, ...MOCK_CREDENTIALS },
          transport: undiciTransport({ dispatcher: mock.dispatcher }),
        }),
      },
      client: 'VN/GOV/000.00.00.H29/hcmc-tthc',
      logger: pino({ level: 'silent' }),
      drainer: { autoStart: false },
      policy: {
        retry: { maxAttempts: 1 },
        attemptTimeoutMs: 50,
        breaker: { minimumCalls: 100 },
        cache: false,
      },
    });
    const t = fixtures.enterprises[0]!;
    const lookup = () => gateway.tax.lookupTaxCode({ taxCode: t.taxCode }, ctx).catch((e: unknown) => e);
    try {
      expect(await lookup()).toMatchObject({ status: 'ok' });
      mock.setFault('tax', { errorRate: 1 });
      expect(isGatewayError(await lookup(), 'UPSTREAM_UNAVAILABLE')).toBe(true);
      mock.setFault('tax', { reset: true });
      expect(isGatewayError(await lookup(), 'NETWORK')).toBe(true);
      mock.setFault('tax', { hang: true });
      expect(isGatewayError(await lookup(), 'TIMEOUT')).toBe(true);
      mock.setFault('tax', undefined);
      expect(await lookup()).toMatchObject({ status: 'ok' });
      expect(mock.requests('tax').map((r) => r.outcome)).toEqual([
        'answered',
        'http503',
        'reset',
        'hang',
        'answered',
      ]);
    } finally {
      await gateway.close();
      await mock.close();
    }
    expect(lookups).not.toHaveBeenCalled();
    expect(connects).not.toHaveBeenCalled();
  });

  it('fails a request to an origin it does not mock, without the path in the error', async () => {
    const mock = mockPlatformsWithUndici({ tax: BASE });
    const transport = undiciTransport({ dispatcher: mock.dispatcher });
    const signal = new AbortController().signal;
    const e = await transport
      .request({ method: 'GET', url: 'https://other.invalid/c06/v1/079192004567', headers: {}, signal })
      .catch((x: unknown) => x);
    expect(isGatewayError(e, 'NETWORK')).toBe(true);
    expect(JSON.stringify(e)).not.toContain('079192004567');
    // A platform left out of the base URLs is not mocked either.
    const v = await transport
      .request({ method: 'GET', url: `${BASE}/c06/v1/x`, headers: {}, signal })
      .catch((x: unknown) => x);
    expect(isGatewayError(v, 'NETWORK')).toBe(true);
    await mock.close();
    expect(lookups).not.toHaveBeenCalled();
    expect(connects).not.toHaveBeenCalled();
  });

  it("serves undici's own request() and fetch() with the dispatcher; a closed mock ends hung requests", async () => {
    const { fetch, request } = await import('undici');
    const mock = mockPlatformsWithUndici(BASE);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: MOCK_CREDENTIALS.clientId,
      client_secret: MOCK_CREDENTIALS.clientSecret,
    }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const viaRequest = await request(`${BASE}/token`, {
      method: 'POST',
      body: form,
      headers,
      dispatcher: mock.dispatcher as never,
    });
    expect(viaRequest.statusCode).toBe(200);
    expect(await viaRequest.body.json()).toMatchObject({ access_token: expect.any(String) });
    const viaFetch = await fetch(`${BASE}/token`, {
      method: 'POST',
      body: form,
      headers,
      dispatcher: mock.dispatcher as never,
    });
    expect(viaFetch.status).toBe(200);
    expect(await viaFetch.json()).toMatchObject({ access_token: expect.any(String) });

    mock.setFault('token', { hang: true });
    const hung = request(`${BASE}/token`, {
      method: 'POST',
      body: form,
      headers,
      dispatcher: mock.dispatcher as never,
    });
    await vi.waitFor(() => expect(mock.requests('token')).toHaveLength(3));
    await mock.close();
    await expect(hung).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    await expect(
      request(`${BASE}/token`, { method: 'POST', body: form, headers, dispatcher: mock.dispatcher as never }),
    ).rejects.toMatchObject({ code: 'UND_ERR_DESTROYED' });
    expect(lookups).not.toHaveBeenCalled();
    expect(connects).not.toHaveBeenCalled();
  });

  it('the undici transport refuses a dispatcher beside pool options', () => {
    const mock = mockPlatformsWithUndici(BASE);
    expect(() => undiciTransport({ dispatcher: mock.dispatcher, proxy: 'env', maxSockets: 2 })).toThrow(
      /dispatcher cannot be combined with proxy, maxSockets/,
    );
    expect(() => undiciTransport({ dispatcher: {} as never })).toThrow(
      /dispatcher must be an undici Dispatcher/,
    );
  });
});
