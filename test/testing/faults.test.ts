import type { AxiosInstance } from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockPlatforms, scenarios, startMockPlatforms } from '../../src/testing/index.js';
import { client, getToken, manualClock, vneidBody, xroad } from './helpers.js';

const clock = manualClock();
let mock: MockPlatforms;
let http: AxiosInstance;
let token: string;

beforeAll(async () => {
  mock = await startMockPlatforms({ now: clock.now, seed: 7 });
  http = client(mock.url);
  token = await getToken(http);
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const lookupTax = () => http.get('/tax/v1/nguoi-nop-thue/0312345673', { headers: xroad(token) });
const getParcel = () =>
  http.get('/land/v1/thua-dat', { headers: xroad(token), params: { maXa: '27058', soTo: 12, soThua: 345 } });
const verify = () => {
  const headers = xroad(token);
  return http.post(
    '/c06/v1/xac-thuc-cong-dan',
    vneidBody(headers, { SoDinhDanh: '079203001234', HoVaTen: 'Nguyễn Văn A', NgayThangNamSinh: '20030501' }),
    { headers },
  );
};

describe('error faults', () => {
  it('http503: HTTP 503 with a non-envelope body', async () => {
    mock.setFault('land', { errorRate: 1, errorKind: 'http503' });
    const res = await getParcel();
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(mock.requests('land')[0]).toMatchObject({ outcome: 'http503', status: 503 });
  });

  it('busy: each platform sends its own busy code with HTTP 200', async () => {
    for (const upstream of ['vneid', 'land', 'tax'] as const)
      mock.setFault(upstream, { errorRate: 1, errorKind: 'busy' });
    const v = await verify();
    expect([v.status, v.data]).toEqual([200, { MaKetQua: '99', MoTa: expect.any(String), DuLieu: null }]);
    const l = await getParcel();
    expect([l.status, l.data]).toEqual([
      200,
      { status: 'FAIL', errorCode: 'SYSTEM_BUSY', message: expect.any(String), data: null },
    ]);
    const t = await lookupTax();
    expect([t.status, t.data]).toEqual([200, { error_code: 503, message: expect.any(String), result: null }]);
  });

  it('faults are per platform: others stay healthy', async () => {
    mock.setFault('land', { down: true });
    expect((await getParcel()).status).toBe(503);
    expect((await lookupTax()).status).toBe(200);
    mock.setFault('land', undefined);
    expect((await getParcel()).status).toBe(200);
  });

  it('a fault on the token endpoint fails token fetches', async () => {
    mock.setFault('token', { errorRate: 1, errorKind: 'busy' });
    await expect(getToken(http)).rejects.toThrow('HTTP 503');
  });

  it('rejects a malformed fault loudly', () => {
    expect(() => mock.setFault('land', { errorRate: 1.5 })).toThrow(TypeError);
    expect(() => mock.setFault('land', { errorrate: 0.5 } as never)).toThrow(/errorrate/);
    expect(() => mock.setFault('land', { outage: { fromMs: 10, toMs: 5 } })).toThrow(TypeError);
  });
});

describe('rate limit', () => {
  it('429 with Retry-After in seconds', async () => {
    mock.setFault('tax', { rateLimit: { rate: 1, retryAfterSeconds: 3 } });
    const res = await lookupTax();
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('3');
    expect(mock.requests('tax')[0]!.outcome).toBe('rateLimited');
  });

  it('429 with Retry-After as an HTTP date on the mock clock', async () => {
    mock.setFault('tax', { rateLimit: { retryAfterSeconds: 5, httpDate: true } });
    const res = await lookupTax();
    expect(res.status).toBe(429);
    const date = res.headers['retry-after'] as string;
    expect(date).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Date.parse(date)).toBe(clock.now() + 5000);
  });

  it('a per-second quota refuses the excess within a second of the fault clock', async () => {
    mock.setFault('tax', { rateLimit: { perSecond: 2, retryAfterSeconds: 1 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await lookupTax()).status);
    clock.advance(1000);
    statuses.push((await lookupTax()).status);
    expect(statuses).toEqual([200, 200, 429, 429, 200]);
  });
});

describe('connection faults', () => {
  it('reset: the client sees ECONNRESET', async () => {
    mock.setFault('vneid', { reset: true });
    await expect(verify()).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(mock.requests('vneid')[0]).toMatchObject({ outcome: 'reset', status: undefined });
  });

  it('errorKind reset with a rate resets only some connections', async () => {
    mock.setFault('tax', { errorRate: 0.5, errorKind: 'reset' });
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) {
      outcomes.push(
        await lookupTax().then(
          (r) => String(r.status),
          (e: { code: string }) => e.code,
        ),
      );
    }
    expect(new Set(outcomes)).toEqual(new Set(['200', 'ECONNRESET']));
  });

  it('hang: the request never answers and the client times out via AbortSignal', async () => {
    mock.setFault('land', { hang: true });
    const started = Date.now();
    await expect(
      http.get('/land/v1/giay-chung-nhan/CS123456', {
        headers: xroad(token),
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toMatchObject({ code: 'ERR_CANCELED' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(mock.requests('land')[0]!.outcome).toBe('hang');
  });

  it('latency delays the answer (real time, ≤ 50 ms here) and composes with errors', async () => {
    mock.setFault('tax', { latencyMs: 40, errorRate: 1, errorKind: 'busy' });
    const started = performance.now();
    const res = await lookupTax();
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    expect(res.data.error_code).toBe(503);
  });

  it('latency from a seeded distribution stays within its bounds', async () => {
    mock.setFault('tax', { latencyMs: { distribution: 'uniform', min: 5, max: 25 } });
    const started = performance.now();
    for (let i = 0; i < 3; i++) expect((await lookupTax()).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(14);
  });
});

describe('windows on the injected clock', () => {
  it('outage: down only between fromMs and toMs after the fault was set', async () => {
    mock.setFault('land', { outage: { fromMs: 1000, toMs: 3000 } });
    const seen: number[] = [];
    for (const step of [0, 999, 1, 1999, 1]) {
      clock.advance(step);
      seen.push((await getParcel()).status);
    }
    expect(seen).toEqual([200, 200, 503, 503, 200]);
  });

  it('outage can fail with the busy code instead', async () => {
    mock.setFault('vneid', { outage: { fromMs: 0, toMs: 10 }, errorKind: 'busy' });
    expect((await verify()).data.MaKetQua).toBe('99');
    clock.advance(10);
    expect((await verify()).data.MaKetQua).toBe('00');
  });

  it('flapping: up for upMs, down for downMs, repeating', async () => {
    mock.setFault('tax', { flapping: { upMs: 100, downMs: 50 } });
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      seen.push((await lookupTax()).status);
      clock.advance(50);
    }
    // t = 0, 50 up; 100 down; 150, 200 up; 250 down
    expect(seen).toEqual([200, 200, 503, 200, 200, 503]);
  });
});

describe('drift', () => {
  it('renames a field of each success payload', async () => {
    for (const upstream of ['vneid', 'land', 'tax'] as const) mock.setFault(upstream, { drift: true });
    const v = await verify();
    expect(v.data.DuLieu).toEqual({ TonTaiCongDan: true, KhopHoVaTen: true, KhopNgaySinh: true });
    const l = await getParcel();
    expect(l.data.data).toHaveProperty('dienTichM2', 72.5);
    expect(l.data.data).not.toHaveProperty('dienTich');
    const t = await lookupTax();
    expect(t.data.result).toMatchObject({ ten: 'Công ty TNHH Thương mại Phú Nhuận Xanh' });
    expect(t.data.result).not.toHaveProperty('tenNguoiNopThue');
  });

  it('leaves failures alone', async () => {
    mock.setFault('tax', { drift: true });
    const res = await http.get('/tax/v1/nguoi-nop-thue/0313204587', { headers: xroad(token) });
    expect(res.data).toEqual({ error_code: 404, message: expect.any(String), result: null });
  });
});

describe('determinism', () => {
  const outcomes = async (seed: number) => {
    const m = await startMockPlatforms({
      seed,
      faults: { tax: { errorRate: 0.3, errorKind: ['busy', 'http503'] } },
    });
    try {
      const h = client(m.url);
      const t = await getToken(h);
      const seen: string[] = [];
      for (let i = 0; i < 200; i++) {
        const r = await h.get('/tax/v1/nguoi-nop-thue/0312345673', { headers: xroad(t) });
        seen.push(r.status === 503 ? 'http503' : r.data.error_code === 503 ? 'busy' : 'ok');
      }
      return seen;
    } finally {
      await m.close();
    }
  };

  it('the same seed gives the same fault sequence; another seed another one', async () => {
    const a = await outcomes(42);
    const b = await outcomes(42);
    const c = await outcomes(43);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    const failures = a.filter((x) => x !== 'ok').length;
    expect(failures).toBeGreaterThan(40);
    expect(failures).toBeLessThan(80);
    expect(a).toContain('busy');
    expect(a).toContain('http503');
  });

  it('setFault restarts the sequence', async () => {
    const run = async () => {
      mock.setFault('tax', { errorRate: 0.5 });
      const seen: number[] = [];
      for (let i = 0; i < 30; i++) seen.push((await lookupTax()).status);
      return seen;
    };
    expect(await run()).toEqual(await run());
  });
});

describe('scenarios', () => {
  it('exports the named scenarios', () => {
    expect(Object.keys(scenarios).sort()).toEqual([
      'drift',
      'flaky',
      'flapping',
      'healthy',
      'lying',
      'outage',
      'slow',
    ]);
    expect(scenarios.flaky.land).toMatchObject({ errorRate: 0.3 });
    expect(Object.isFrozen(scenarios.flaky.land)).toBe(true);
  });

  it('setScenario switches every platform at once; reset() heals', async () => {
    mock.setScenario('outage');
    expect((await getParcel()).status).toBe(503);
    expect((await lookupTax()).status).toBe(503);
    expect((await verify()).status).toBe(503);
    mock.setScenario('drift');
    expect((await lookupTax()).data.result).toHaveProperty('ten');
    mock.reset();
    expect((await lookupTax()).data.result).toHaveProperty('tenNguoiNopThue');
    expect(() => mock.setScenario('nope' as never)).toThrow(TypeError);
  });

  it('starts with a scenario and lets per-platform faults override it', async () => {
    const m = await startMockPlatforms({ scenario: 'outage', faults: { tax: {} } });
    try {
      const h = client(m.url);
      const t = await getToken(h);
      expect((await h.get('/tax/v1/nguoi-nop-thue/0312345673', { headers: xroad(t) })).status).toBe(200);
      expect((await h.get('/land/v1/giay-chung-nhan/CS123456', { headers: xroad(t) })).status).toBe(503);
    } finally {
      await m.close();
    }
  });
});
