import { Agent, request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createGateway,
  memoryOutbox,
  type OutboxStore,
  type PlatformStatus,
  type Readiness,
  serveMetrics,
} from 'vn-national-gateway';
import { OutcomeWindow } from '../../src/telemetry/outcome-window.js';
import { CTX, echo, PERSON } from '../helpers/echo-adapter.js';
import { reply, scriptedTransport } from '../helpers/scripted-transport.js';
import {
  BREAKER,
  BUSY,
  echoGateway,
  FOUND,
  manualClock,
  rejection,
  routedTransport,
  silent,
} from './helpers.js';
import { parseExposition } from './prom-text.js';

const T0 = Date.UTC(2025, 6, 1, 2, 0, 0);
beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

function sample(text: string, family: string, labels: Record<string, string>): number | undefined {
  return parseExposition(text)
    .get(family)
    ?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** A gateway on the echo adapter with an outbox of the test's choosing. */
function gatewayWith(outbox: OutboxStore, script = [BUSY]) {
  const auth = { type: 'bearer' as const, token: 'test-token' };
  return createGateway({
    upstreams: {
      echo: echo({
        baseUrl: 'http://echo.test',
        auth,
        transport: scriptedTransport(...script),
        policy: BREAKER,
      }),
    },
    logger: silent,
    outbox,
    random: () => 1,
    drainer: { autoStart: false },
  });
}

/** The lookup answers once, then fails: a stale read; the submit fails: a queued write. Two attempts each. */
async function fallbackRun() {
  const transport = routedTransport({
    '/echo/lookup': [FOUND, BUSY, BUSY],
    '/echo/submit': [BUSY, BUSY],
  });
  const { gateway } = echoGateway(transport, { policy: { retry: { maxAttempts: 2 } } });
  expect((await gateway.echo.lookup(PERSON, CTX)).status).toBe('ok');
  const stale = gateway.echo.lookup(PERSON, CTX);
  await vi.advanceTimersByTimeAsync(1000);
  expect((await stale).status).toBe('stale');
  const queued = gateway.echo.submit({ dossierCode: 'HS-2025-000123', value: 1 });
  await vi.advanceTimersByTimeAsync(1000);
  expect((await queued).status).toBe('queued');
  return gateway;
}

describe('fallback-served calls and the failures they hide', () => {
  it('vngw_requests_total counts stale and queued answers; vngw_attempt_outcomes_total every failed attempt', async () => {
    const gateway = await fallbackRun();
    const text = await gateway.metrics();
    const req = (operation: string, outcome: string) =>
      sample(text, 'vngw_requests_total', { operation, outcome });
    const att = (operation: string, outcome: string) =>
      sample(text, 'vngw_attempt_outcomes_total', { operation, outcome });
    expect(req('lookup', 'ok')).toBe(1);
    expect(req('lookup', 'stale')).toBe(1);
    expect(req('submit', 'queued')).toBe(1);
    // The callers saw stale and queued, never an error; the attempts did fail, and are counted.
    expect(att('lookup', 'ok')).toBe(1);
    expect(att('lookup', 'UPSTREAM_UNAVAILABLE')).toBe(2);
    expect(att('submit', 'UPSTREAM_UNAVAILABLE')).toBe(2);
    expect(att('submit', 'ok')).toBe(0); // starts at 0 for alerts' increase()
    expect(att('ping', 'TIMEOUT')).toBe(0);
    await gateway.close();
  });

  it('outbox replays count their attempts too', async () => {
    const transport = routedTransport({
      '/echo/submit': [BUSY, reply(200, { ok: true, code: 'OK', data: { receiptId: 'R-1' } })],
    });
    const { gateway } = echoGateway(transport, { policy: { retry: { maxAttempts: 1 } } });
    expect((await gateway.echo.submit({ dossierCode: 'HS-2025-000125', value: 1 })).status).toBe('queued');
    const report = gateway.outbox.drain();
    await vi.advanceTimersByTimeAsync(1000);
    await report;
    expect((await gateway.outbox.counts()).delivered).toBe(1);
    const text = await gateway.metrics();
    const att = (outcome: string) =>
      sample(text, 'vngw_attempt_outcomes_total', { operation: 'submit', outcome });
    expect(att('UPSTREAM_UNAVAILABLE')).toBe(1); // the call's attempt, hidden by the queued ticket
    expect(att('ok')).toBe(1); // the replay's
    expect(sample(text, 'vngw_requests_total', { operation: 'submit', outcome: 'queued' })).toBe(1);
    await gateway.close();
  });

  it('an attempt refused by the open breaker is counted as CIRCUIT_OPEN', async () => {
    const { gateway } = echoGateway([BUSY], { policy: { ...BREAKER, cache: false } });
    for (let i = 0; i < 5; i++) await rejection(gateway.echo.ping({ n: i }));
    const text = await gateway.metrics();
    expect(
      sample(text, 'vngw_attempt_outcomes_total', { operation: 'ping', outcome: 'UPSTREAM_UNAVAILABLE' }),
    ).toBe(4);
    expect(sample(text, 'vngw_attempt_outcomes_total', { operation: 'ping', outcome: 'CIRCUIT_OPEN' })).toBe(
      1,
    );
    await gateway.close();
  });
});

describe('vngw_outbox_oldest_pending_age_seconds and platformStatus() on the gateway clock', () => {
  it('the age of the queued write grows with the clock; store-wide series carry scope="store"', async () => {
    const gateway = await fallbackRun();
    const [item] = await gateway.outbox.list({ state: 'pending' });
    await vi.advanceTimersByTimeAsync(90_000 - (Date.now() - item!.createdAt)); // 90 s after it was queued
    const text = await gateway.metrics();
    expect(sample(text, 'vngw_outbox_oldest_pending_age_seconds', { scope: 'store', upstream: 'echo' })).toBe(
      90,
    );
    expect(sample(text, 'vngw_outbox_items', { scope: 'store', state: 'pending' })).toBe(1);
    const status = await gateway.platformStatus();
    expect(status.upstreams.echo!.outbox).toEqual({
      pending: 1,
      delivering: 0,
      dead: 0,
      oldestPendingAgeSeconds: 90,
    });
    await gateway.close();
  });

  it('fallback share over the last 5 minutes; the breaker and since; null without calls', async () => {
    const gateway = await fallbackRun();
    const status: PlatformStatus = await gateway.platformStatus();
    expect(status.windowMs).toBe(300_000);
    expect(status.time).toBe(new Date(T0 + 2000).toISOString());
    expect(status.upstreams.echo).toMatchObject({
      breaker: { state: 'closed', since: new Date(T0).toISOString() },
      calls: 3,
      fallbacks: 2,
      fallbackShare: 2 / 3,
    });
    const [item] = await gateway.outbox.list({ state: 'pending' });
    await vi.advanceTimersByTimeAsync(310_000);
    expect((await gateway.platformStatus()).upstreams.echo).toMatchObject({
      calls: 0,
      fallbacks: 0,
      fallbackShare: null,
      outbox: { pending: 1, oldestPendingAgeSeconds: (Date.now() - item!.createdAt) / 1000 },
    });
    expect(JSON.stringify(await gateway.platformStatus())).not.toMatch(/079|HS-2025|Nguy|test-token/);
    await gateway.close();
  });

  it('an unreadable store gives outbox: null, the rest is still reported', async () => {
    const store = memoryOutbox();
    const gateway = gatewayWith({
      ...store,
      stats: () => Promise.reject(new Error('SQLITE_BUSY')),
      close: () => store.close(),
    });
    const status = await gateway.platformStatus();
    expect(status.upstreams.echo).toMatchObject({ breaker: { state: 'closed' }, outbox: null });
    await gateway.close();
  });
});

describe('OutcomeWindow', () => {
  it('counts per upstream over the window in 10 s steps', () => {
    const clock = manualClock(T0);
    const w = new OutcomeWindow(clock, 60_000);
    w.record('vneid', 'ok');
    w.record('vneid', 'stale');
    w.record('vneid', 'queued');
    w.record('vneid', 'TIMEOUT');
    w.record('land', 'ok');
    expect(w.read('vneid')).toEqual({ calls: 4, fallbacks: 2, fallbackShare: 0.5 });
    expect(w.read('land')).toEqual({ calls: 1, fallbacks: 0, fallbackShare: 0 });
    expect(w.read('tax')).toEqual({ calls: 0, fallbacks: 0, fallbackShare: null });
    clock.advance(40_000);
    w.record('vneid', 'stale');
    expect(w.read('vneid')).toEqual({ calls: 5, fallbacks: 3, fallbackShare: 0.6 });
    clock.advance(30_000); // the first bucket (T0..T0+10 s) ended more than 60 s ago
    expect(w.read('vneid')).toEqual({ calls: 1, fallbacks: 1, fallbackShare: 1 });
    clock.advance(60_000);
    expect(w.read('vneid').calls).toBe(0);
  });
});

describe('livez() and readyz() do not follow the platforms', () => {
  it('every upstream down (breaker open, health down): still live and ready, because it can queue', async () => {
    const { gateway } = echoGateway([BUSY], { policy: { ...BREAKER, cache: false } });
    for (let i = 0; i < 4; i++) await rejection(gateway.echo.ping({ n: i }));
    expect((await gateway.health()).status).toBe('down');
    expect(gateway.livez()).toEqual({ status: 'ok', time: new Date(T0).toISOString() });
    const ready: Readiness = await gateway.readyz();
    expect(ready).toEqual({
      status: 'ready',
      time: new Date(T0).toISOString(),
      checks: { gateway: 'open', outbox: 'ok' },
    });
    expect((await gateway.echo.submit({ dossierCode: 'HS-2025-000124', value: 1 })).status).toBe('queued');
    await gateway.close();
    expect(await gateway.readyz()).toMatchObject({
      status: 'not-ready',
      checks: { gateway: 'closed', outbox: 'skipped' },
    });
  });

  it('not ready when the outbox store fails, or does not answer within 2 s (fake clock)', async () => {
    const store = memoryOutbox();
    let mode: 'ok' | 'fail' | 'hang' = 'ok';
    const gateway = gatewayWith({
      ...store,
      counts: () =>
        mode === 'ok'
          ? store.counts()
          : mode === 'fail'
            ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'))
            : new Promise(() => {}),
      close: () => store.close(),
    });
    expect((await gateway.readyz()).status).toBe('ready');
    mode = 'fail';
    expect((await gateway.readyz()).checks).toEqual({ gateway: 'open', outbox: 'failed' });
    mode = 'hang';
    let answer: Readiness | undefined;
    void gateway.readyz().then((r) => {
      answer = r;
    });
    await vi.advanceTimersByTimeAsync(1999);
    expect(answer).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(answer).toMatchObject({ status: 'not-ready', checks: { outbox: 'timeout' } });
    expect(vi.getTimerCount()).toBe(0); // the readiness timer is cleared
    await gateway.close();
  });
});

function get(url: string): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: new Agent({ keepAlive: false }) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveMetrics: /livez, /readyz, /status', () => {
  it('with every breaker open: /health 503, /livez and /readyz 200, /status names the open breaker', async () => {
    vi.useRealTimers(); // real sockets
    const { gateway } = echoGateway([BUSY], { policy: { ...BREAKER, cache: false } });
    const server = await serveMetrics(gateway, { port: 0 });
    try {
      for (let i = 0; i < 4; i++) await rejection(gateway.echo.ping({ n: i }));
      expect((await get(`${server.url}/health`)).status).toBe(503);
      const live = await get(`${server.url}/livez`);
      expect(live.status).toBe(200);
      expect(JSON.parse(live.body)).toMatchObject({ status: 'ok' });
      const ready = await get(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(ready.type).toBe('application/json; charset=utf-8');
      expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready' });
      const status = await get(`${server.url}/status`);
      expect(status.status).toBe(200);
      expect((JSON.parse(status.body) as PlatformStatus).upstreams.echo!.breaker.state).toBe('open');
      await gateway.close();
      expect((await get(`${server.url}/readyz`)).status).toBe(503);
      expect((await get(`${server.url}/livez`)).status).toBe(200);
    } finally {
      await server.close();
      await gateway.close();
    }
  });

  it('a source without the probes answers 404 on their paths', async () => {
    vi.useRealTimers();
    const { gateway } = echoGateway([FOUND]);
    const server = await serveMetrics(
      { metrics: () => gateway.metrics(), health: () => gateway.health(), registry: gateway.registry },
      { port: 0 },
    );
    try {
      for (const path of ['/livez', '/readyz', '/status'])
        expect((await get(`${server.url}${path}`)).status).toBe(404);
      expect((await get(`${server.url}/metrics`)).status).toBe(200);
    } finally {
      await server.close();
      await gateway.close();
    }
  });
});
