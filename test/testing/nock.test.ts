import { randomUUID } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Fault,
  fixtures,
  type MockTarget,
  mockPlatformsWithNock,
  startMockPlatforms,
} from '../../src/testing/index.js';
import { client, getToken, manualClock, vneidBody, xroad } from './helpers.js';

beforeAll(() => {
  // Anything not intercepted must fail fast, except the loopback server compared against.
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterAll(() => {
  nock.enableNetConnect();
  nock.cleanAll();
});

type Call = (http: AxiosInstance, token: string) => Promise<unknown>;

/** The same requests, with fixed X-Road-Ids so both transports see identical input. */
function calls(): Call[] {
  const id = () => randomUUID();
  const ids = Array.from({ length: 12 }, id);
  const h = (token: string, i: number, extra: Record<string, string> = {}) => ({
    ...xroad(token, extra),
    'x-road-id': ids[i]!,
  });
  const registration = {
    maHoSo: 'HS-1',
    maXa: '27061',
    soTo: 8,
    soThua: 112,
    loaiBienDong: 'THE_CHAP',
    nguoiNop: { soDinhDanh: '079192004567', hoTen: 'Trần Thị Bích Ngọc' },
  };
  return [
    (http, t) => {
      const headers = h(t, 0);
      return http.post(
        '/c06/v1/xac-thuc-cong-dan',
        vneidBody(headers, {
          SoDinhDanh: '079192004567',
          HoVaTen: 'Trần Thị Bích Ngân',
          NgayThangNamSinh: '19921105',
        }),
        { headers },
      );
    },
    (http, t) => {
      const headers = h(t, 1);
      return http.post(
        '/c06/v1/tra-cuu-cong-dan',
        vneidBody(headers, { SoDinhDanh: '048068003321', MaXacNhan: '203857' }),
        { headers },
      );
    },
    (http, t) => {
      const headers = h(t, 2);
      return http.post('/c06/v1/xac-thuc-cong-dan', vneidBody(headers, { SoDinhDanh: '079203001234' }), {
        headers,
      });
    },
    (http, t) =>
      http.get('/land/v1/thua-dat', { headers: h(t, 3), params: { maXa: '27061', soTo: 8, soThua: 112 } }),
    (http, t) => http.get('/land/v1/giay-chung-nhan/AA01234567', { headers: h(t, 4) }),
    (http, t) =>
      http.post('/land/v1/dang-ky-bien-dong', registration, {
        headers: h(t, 5, { 'idempotency-key': 'HS-1' }),
      }),
    (http, t) =>
      http.post('/land/v1/dang-ky-bien-dong', registration, {
        headers: h(t, 6, { 'idempotency-key': 'HS-1' }),
      }),
    (http, t) => http.get('/land/v1/dang-ky-bien-dong/BN-000001', { headers: h(t, 7) }),
    (http, t) => http.get('/tax/v1/nguoi-nop-thue/0301234562-001', { headers: h(t, 8) }),
    (http, t) => http.get(`/tax/v1/nguoi-nop-thue/${fixtures.invalid.taxCode}`, { headers: h(t, 9) }),
    (http, t) =>
      http.post('/tax/v1/dang-ky-thue', { maHoSo: 'X' }, { headers: h(t, 10, { 'idempotency-key': 'X' }) }),
    (http, t) =>
      http.get('/tax/v1/nguoi-nop-thue/0312345673', {
        headers: { ...h(t, 11), authorization: 'Bearer nope' },
      }),
  ];
}

async function observe(http: AxiosInstance, token: string, list: Call[], rounds = 1) {
  const seen: unknown[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const call of list) {
      try {
        const res = (await call(http, token)) as {
          status: number;
          data: unknown;
          headers: Record<string, unknown>;
        };
        seen.push({
          status: res.status,
          data: res.data,
          xRoadId: res.headers['x-road-id'],
          retryAfter: res.headers['retry-after'],
          contentType: res.headers['content-type'],
        });
      } catch (e) {
        seen.push({ error: (e as { code?: string }).code });
      }
    }
  }
  return seen;
}

describe('nock helper answers as the HTTP server does', () => {
  const BASE = 'https://lgsp.mock.test';
  let mock: ReturnType<typeof mockPlatformsWithNock> | undefined;
  afterEach(() => mock?.done());

  it.each<[string, Partial<Record<MockTarget, Fault>>]>([
    ['healthy', {}],
    [
      'flaky and rate limited',
      {
        vneid: { errorRate: 0.4, errorKind: ['busy', 'http503'] },
        land: { errorRate: 0.3, errorKind: ['reset', 'busy'] },
        tax: { rateLimit: { rate: 0.3, retryAfterSeconds: 2 }, errorRate: 0.2 },
      },
    ],
    ['drift', { vneid: { drift: true }, land: { drift: true }, tax: { drift: true } }],
    ['lie', { vneid: { lie: true }, land: { lie: { rate: 0.5 } }, tax: { lie: true } }],
  ])('same answers: %s', async (_name, faults) => {
    const list = calls();
    const now = () => Date.UTC(2025, 9, 1); // both transports on one fixed clock: equal timestamps
    const server = await startMockPlatforms({ seed: 5, faults, now });
    try {
      const http = client(server.url);
      const fromServer = await observe(http, await getToken(http), list, 3);

      mock = mockPlatformsWithNock(BASE, { seed: 5, faults, now });
      const viaNock = client(BASE);
      const fromNock = await observe(viaNock, await getToken(viaNock), list, 3);

      expect(fromNock).toEqual(fromServer);
      if (faults.land?.errorRate) {
        // The comparison covered every fault path, not only the healthy one.
        const text = JSON.stringify(fromServer);
        for (const seen of [
          '"ECONNRESET"',
          '"status":429',
          '"status":503',
          '"MaKetQua":"99"',
          '"SYSTEM_BUSY"',
        ]) {
          expect(text).toContain(seen);
        }
      }
      expect(mock.registrations('land')).toEqual(server.registrations('land'));
      expect(mock.requests().map((r) => [r.target, r.outcome, r.replayed])).toEqual(
        server.requests().map((r) => [r.target, r.outcome, r.replayed]),
      );
    } finally {
      await server.close();
    }
  });

  it('serves platforms at separate base URLs with path prefixes', async () => {
    mock = mockPlatformsWithNock({
      vneid: 'https://c06.mock.test/api/',
      land: 'https://land.mock.test',
      tax: 'https://tax.mock.test/gw',
      token: 'https://sso.mock.test/oauth2',
    });
    const token = await getToken(client('https://sso.mock.test/oauth2'));
    const headers = xroad(token);
    const v = await client('https://c06.mock.test/api').post(
      '/c06/v1/tra-cuu-cong-dan',
      vneidBody(headers, { SoDinhDanh: '079203001234', MaXacNhan: '428163' }),
      { headers },
    );
    expect(v.data.DuLieu.HoVaTen).toBe('Nguyễn Văn A');
    const t = await client('https://tax.mock.test/gw').get('/tax/v1/nguoi-nop-thue/0310668799', {
      headers: xroad(token),
    });
    expect(t.data.result.tenNguoiNopThue).toBe('Công ty TNHH Nông sản Củ Chi');
    // Not intercepted: the VNeID host does not serve land.
    await expect(
      client('https://c06.mock.test/api').get('/land/v1/giay-chung-nhan/CS123456', { headers: xroad(token) }),
    ).rejects.toThrow();
  });
});

describe('nock helper faults', () => {
  const BASE = 'https://faults.mock.test';
  let mock: ReturnType<typeof mockPlatformsWithNock>;
  let http: AxiosInstance;
  let token: string;
  const clock = manualClock();

  beforeAll(async () => {
    mock = mockPlatformsWithNock(BASE, { now: clock.now });
    http = client(BASE);
    token = await getToken(http);
  });
  afterAll(() => mock.done());

  const lookup = (config: object = {}) =>
    http.get('/tax/v1/nguoi-nop-thue/0312345673', { headers: xroad(token), ...config });

  it('reset → ECONNRESET', async () => {
    mock.setFault('tax', { reset: true });
    await expect(lookup()).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('latency → a real delay', async () => {
    mock.setFault('tax', { latencyMs: 30 });
    const started = performance.now();
    expect((await lookup()).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('hang → the client gives up through its AbortSignal or its socket timeout', async () => {
    mock.setFault('tax', { hang: true });
    await expect(lookup({ signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ code: 'ERR_CANCELED' });
    const started = performance.now();
    await expect(lookup({ timeout: 200 })).rejects.toMatchObject({ code: 'ECONNABORTED' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('outage window on the injected clock', async () => {
    mock.setFault('tax', { outage: { fromMs: 100, toMs: 200 } });
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      seen.push((await lookup()).status);
      clock.advance(100);
    }
    expect(seen).toEqual([200, 503, 200]);
  });

  it('expireTokens → 401; done() removes the interceptors', async () => {
    mock.setFault('tax', undefined);
    mock.expireTokens();
    expect((await lookup()).status).toBe(401);
    const local = mockPlatformsWithNock('https://gone.mock.test');
    expect(nock.activeMocks().some((m) => m.includes('gone.mock.test'))).toBe(true);
    local.done();
    expect(nock.activeMocks().some((m) => m.includes('gone.mock.test'))).toBe(false);
    await expect(axios.get('https://gone.mock.test/token', { proxy: false })).rejects.toMatchObject({
      code: expect.stringMatching(/ENETUNREACH|ERR_NOCK_NO_MATCH/),
    });
  });

  it('persist: false answers once per method', async () => {
    const once = mockPlatformsWithNock('https://once.mock.test', { persist: false });
    try {
      const h = client('https://once.mock.test');
      const t = await getToken(h);
      expect(t).toEqual(expect.any(String));
      await expect(getToken(h)).rejects.toThrow();
    } finally {
      once.done();
    }
  });
});
