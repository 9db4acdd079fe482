import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGateway, memoryOutbox, type OutboxStore } from 'vn-national-gateway';
import { systemClock } from '../../src/clock.js';
import { AimdPacer } from '../../src/fallback/drainer.js';
import { CTX, echo, ok } from '../helpers/echo-adapter.js';
import { reply, scriptedTransport } from '../helpers/scripted-transport.js';

beforeEach(() =>
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }),
);
afterEach(() => vi.useRealTimers());

describe('AimdPacer: the drain ramp', () => {
  it('adds on success up to the ceiling and multiplies down on failure to the floor', () => {
    const p = new AimdPacer(5, 0);
    for (let i = 0; i < 10; i++) p.success(1, 12);
    expect(p.rate).toBe(12); // 5 + 10, capped at the ceiling
    p.failure(0.5, 2);
    expect(p.rate).toBe(6);
    p.failure(0.5, 2);
    p.failure(0.5, 2);
    expect(p.rate).toBe(2); // 1.5 floored
    p.reset(5);
    expect(p.rate).toBe(5);
  });

  it('paces callers at the current rate after a burst of one second', async () => {
    const clock = systemClock;
    const signal = new AbortController().signal;
    const p = new AimdPacer(2, clock.now());
    const t0 = clock.now();
    const times: number[] = [];
    const run = (async () => {
      for (let i = 0; i < 4; i++) {
        await p.acquire(clock, signal);
        times.push(clock.now() - t0);
      }
    })();
    await vi.advanceTimersByTimeAsync(2_000);
    await run;
    expect(times).toEqual([0, 0, 500, 1000]);
    // Faster after a ramp: at 10/s the next slot is 100 ms away.
    p.success(8, 50);
    const t1 = clock.now();
    await vi.advanceTimersByTimeAsync(0);
    const next = p.acquire(clock, signal);
    await vi.advanceTimersByTimeAsync(1000);
    await next;
    expect(clock.now() - t1).toBeLessThanOrEqual(1000);
  });
});

describe('drainer wake-ups', () => {
  it("starts a pass when the store's watch reports work, and unsubscribes on close", async () => {
    let notify: (() => void) | undefined;
    let unsubscribed = false;
    const base = memoryOutbox();
    const outbox: OutboxStore = Object.assign(Object.create(null), base, {
      watch(fn: () => void) {
        notify = fn;
        return () => {
          unsubscribed = true;
        };
      },
    });
    const transport = scriptedTransport(reply(503, 'x'), reply(200, ok({ receiptId: 'R-1' })));
    const gateway = createGateway({
      client: 'VN/GOV/000.00.00.H29/hcmc-tthc',
      upstreams: {
        echo: echo({
          baseUrl: 'http://echo.test',
          auth: { type: 'bearer', token: 't' },
          transport,
          policy: { retry: { maxAttempts: 1 }, attemptTimeoutMs: 100 },
        }),
      },
      logger: pino({ level: 'silent' }),
      outbox,
      random: () => 0,
      drainer: { pollMs: 3_600_000 },
    });
    const delivered: unknown[] = [];
    gateway.on('outbox:delivered', (e) => delivered.push(e.result));
    const queued = await gateway.echo.submit({ dossierCode: 'HS-W', value: 1 }, CTX);
    expect(queued.status).toBe('queued');
    expect(notify).toBeTypeOf('function');
    notify?.();
    await vi.advanceTimersByTimeAsync(10);
    expect(delivered).toEqual([{ receiptId: 'R-1' }]); // long before the hour-long poll
    await gateway.close();
    expect(unsubscribed).toBe(true);
  });
});
