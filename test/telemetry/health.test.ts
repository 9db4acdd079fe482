import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PolicyOptions, TransportResponse } from 'vn-national-gateway';
import { percentile, UpstreamStats } from '../../src/telemetry/health.js';
import { CTX, PERSON } from '../helpers/echo-adapter.js';
import { BUSY, echoGateway, FOUND, manualClock, PONG, rejection } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('percentiles', () => {
  it('nearest rank', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 0.5)).toBe(5);
    expect(percentile(ten, 0.95)).toBe(10);
    expect(percentile([...ten, ...ten.map((n) => n + 10)], 0.95)).toBe(19);
    expect(percentile([42], 0.5)).toBe(42);
    expect(percentile([42], 0.95)).toBe(42);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe('UpstreamStats', () => {
  it('keeps calls, retries and fallbacks of the window only; ignores calls that were never sent', () => {
    const clock = manualClock();
    const stats = new UpstreamStats(clock, 30_000);
    stats.recordCall(100, 'ok');
    stats.recordRetry();
    stats.recordFallback();
    stats.recordFallback();
    stats.recordCall(1, 'VALIDATION');
    stats.recordCall(1, 'CIRCUIT_OPEN');
    stats.recordCall(1, 'BULKHEAD_FULL');
    clock.advance(20_000);
    stats.recordCall(300, 'TIMEOUT');
    stats.recordRetry();
    expect(stats.latency()).toEqual({ p50Ms: 100, p95Ms: 300, samples: 2 });
    expect(stats.retries).toBe(2);
    expect(stats.fallbacks).toBe(2);
    clock.advance(10_001); // the first batch leaves the window
    expect(stats.latency()).toEqual({ p50Ms: 300, p95Ms: 300, samples: 1 });
    expect(stats.retries).toBe(1);
    expect(stats.fallbacks).toBe(0);
    clock.advance(30_000);
    expect(stats.latency()).toEqual({ p50Ms: null, p95Ms: null, samples: 0 });
    expect(stats.retries).toBe(0);
  });

  it('keeps the last 512 calls', () => {
    const stats = new UpstreamStats(manualClock(), 30_000);
    for (let i = 1; i <= 1000; i++) stats.recordCall(i, 'ok');
    expect(stats.latency()).toEqual({ p50Ms: 744, p95Ms: 975, samples: 512 }); // of 489..1000
  });
});

describe('gateway.health()', () => {
  it('p50/p95 from known call durations (injected clock); fast failures are not latency samples', async () => {
    const clock = manualClock();
    const durations = [
      120, 40, 200, 10, 90, 60, 150, 30, 180, 70, 110, 20, 190, 50, 130, 80, 170, 100, 160, 140,
    ];
    const { gateway } = echoGateway(
      [
        (): TransportResponse => {
          clock.advance(durations.shift()!);
          return FOUND;
        },
      ],
      { clock, policy: { cache: false } },
    );
    const n = durations.length;
    for (let i = 0; i < n; i++) await gateway.echo.lookup(PERSON, CTX);
    await rejection(gateway.echo.lookup({ personalId: 'x', fullName: 'y' }, CTX)); // VALIDATION: not a sample
    const h = await gateway.health();
    expect(h.time).toBe(new Date(clock.now()).toISOString());
    expect(h.upstreams.echo!.latency).toEqual({ p50Ms: 100, p95Ms: 190, samples: 20 });
    expect(h.upstreams.echo!.window).toEqual({ calls: 20, failures: 0, errorRatio: 0 });
    clock.advance(30_001); // past the breaker window (default 30 s)
    expect((await gateway.health()).upstreams.echo!.latency).toEqual({
      p50Ms: null,
      p95Ms: null,
      samples: 0,
    });
    await gateway.close();
  });

  it('has the documented shape, and counts retries and fallbacks in the window', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
    });
    const { gateway } = echoGateway([FOUND, BUSY, BUSY, BUSY]);
    await gateway.echo.lookup(PERSON, CTX);
    const stale = gateway.echo.lookup(PERSON, CTX); // BUSY ×3 (2 retries), then the cached answer
    await vi.advanceTimersByTimeAsync(600);
    expect(await stale).toMatchObject({ status: 'stale' });
    const h = await gateway.health();
    expect(Object.keys(h).sort()).toEqual(['outbox', 'outboxDurable', 'status', 'time', 'upstreams']);
    expect(h.outbox).toEqual({ pending: 0, delivering: 0, delivered: 0, dead: 0 });
    expect(h.outboxDurable).toBe(false); // the default memory outbox
    const echo = h.upstreams.echo!;
    expect(Object.keys(echo).sort()).toEqual(
      [
        'breaker',
        'concurrencyLimit',
        'fallbacks',
        'inFlight',
        'latency',
        'queued',
        'retries',
        'status',
        'window',
      ].sort(),
    );
    expect(echo).toMatchObject({
      breaker: { state: 'closed', since: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) },
      window: { calls: 4, failures: 3, errorRatio: 0.75 },
      retries: 2,
      fallbacks: 1,
      concurrencyLimit: 64, // the adaptive limit's initial value
      inFlight: 0,
      queued: 0,
      status: 'degraded',
    });
    await vi.advanceTimersByTimeAsync(30_001);
    expect((await gateway.health()).upstreams.echo).toMatchObject({ retries: 0, fallbacks: 0, status: 'ok' });
    await gateway.close();
  });

  it('status: ok → degraded (≥ 10 % errors) → degraded (one open) → down (all open) → degraded (half-open) → ok', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
    });
    const policy: PolicyOptions = {
      retry: { maxAttempts: 1 },
      breaker: {
        minimumCalls: 20,
        errorRatio: 0.5,
        resetTimeoutMs: 5000,
        windowMs: 10_000,
        openJitter: 0,
        halfOpenProbes: 1,
        halfOpenSuccesses: 1,
      },
      cache: false,
    };
    const up = { echo: true, echo2: true };
    const { gateway } = echoGateway([() => (up.echo ? PONG : BUSY)], {
      policy,
      second: [() => (up.echo2 ? PONG : BUSY)],
    });
    const g = gateway as typeof gateway & { echo2: typeof gateway.echo };
    const health = () => gateway.health();
    const statuses = async () => {
      const h = await health();
      return [h.status, h.upstreams.echo!.status, h.upstreams.echo2!.status];
    };

    expect(await statuses()).toEqual(['ok', 'ok', 'ok']);
    for (let i = 0; i < 9; i++) await g.echo.ping({ n: i });
    for (let i = 0; i < 10; i++) await g.echo2.ping({ n: i });
    expect(await statuses()).toEqual(['ok', 'ok', 'ok']);

    up.echo = false;
    await rejection(g.echo.ping({ n: 1 })); // 1 failure in 10 attempts: 10 %
    expect((await health()).upstreams.echo!.window).toEqual({ calls: 10, failures: 1, errorRatio: 0.1 });
    expect(await statuses()).toEqual(['degraded', 'degraded', 'ok']);

    const openedAt = Date.now();
    while ((await health()).upstreams.echo!.breaker.state !== 'open') await rejection(g.echo.ping({ n: 1 }));
    expect((await rejection(g.echo.ping({ n: 1 }))).code).toBe('CIRCUIT_OPEN');
    expect(await statuses()).toEqual(['degraded', 'down', 'ok']);
    expect((await health()).upstreams.echo!.breaker.since).toBe(new Date(openedAt).toISOString());

    up.echo2 = false;
    while ((await health()).upstreams.echo2!.breaker.state !== 'open')
      await rejection(g.echo2.ping({ n: 1 }));
    expect(await statuses()).toEqual(['down', 'down', 'down']);

    await vi.advanceTimersByTimeAsync(5000);
    const h = await health();
    expect([h.upstreams.echo!.breaker.state, h.upstreams.echo2!.breaker.state]).toEqual([
      'half-open',
      'half-open',
    ]);
    expect(h.upstreams.echo!.breaker.since).toBe(new Date(openedAt + 5000).toISOString());
    expect(await statuses()).toEqual(['degraded', 'degraded', 'degraded']);

    up.echo = true;
    up.echo2 = true;
    await g.echo.ping({ n: 1 });
    await g.echo2.ping({ n: 1 });
    expect((await health()).upstreams.echo!.breaker.state).toBe('closed');
    await vi.advanceTimersByTimeAsync(10_000); // the failures leave the rolling window
    expect(await statuses()).toEqual(['ok', 'ok', 'ok']);
    await gateway.close();
  });
});
