import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryOutbox, type OutboxStore } from 'vn-national-gateway';
import { systemClock } from '../../src/clock.js';
import { AimdPacer } from '../../src/fallback/drainer.js';
import { CTX, ok } from '../helpers/echo-adapter.js';
import { echoGateway } from '../helpers/echo-gateway.js';
import { reply, scriptedTransport } from '../helpers/scripted-transport.js';

beforeEach(() =>
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  }),
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
    const p = new AimdPacer(2, clock.monotonic());
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
    const gateway = echoGateway(transport, {
      client: 'VN/GOV/000.00.00.H29/hcmc-tthc',
      policy: { retry: { maxAttempts: 1 }, attemptTimeoutMs: 100 },
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

  it('starts a pass at once when the breaker closes (no poll), after the breaker kept replays back', async () => {
    const transport = scriptedTransport(
      reply(503, 'x'), // the write: queued, and the breaker opens
      reply(200, ok({ n: 1 })), // the half-open probe (a live read): the breaker closes
      reply(200, ok({ receiptId: 'R-2' })), // the replay
    );
    const gateway = echoGateway(transport, {
      client: 'VN/GOV/000.00.00.H29/hcmc-tthc',
      policy: {
        retry: { maxAttempts: 1 },
        breaker: {
          consecutiveFailures: 1,
          resetTimeoutMs: 1000,
          openJitter: 0,
          halfOpenProbes: 1,
          halfOpenSuccesses: 1,
        },
      },
      random: () => 0,
      drainer: { pollMs: 3_600_000 },
    });
    const delivered: number[] = [];
    gateway.on('outbox:delivered', () => delivered.push(Date.now()));
    expect((await gateway.echo.submit({ dossierCode: 'HS-B', value: 1 }, CTX)).status).toBe('queued');
    await vi.advanceTimersByTimeAsync(500);
    expect(delivered).toEqual([]); // open: nothing replayed
    expect(transport.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(500); // half-open
    await expect(gateway.echo.ping({ n: 1 })).resolves.toMatchObject({ status: 'ok' });
    const closedAt = Date.now();
    await vi.advanceTimersByTimeAsync(10);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]! - closedAt).toBeLessThan(10); // long before the hour-long poll
    await gateway.close();
  });
});

describe('drainer: the AIMD ramp under a background of failures', () => {
  it('with the defaults, a 30 % background (replays retried by the pipeline) keeps the mean rate above 25/s', () => {
    // A replay goes through the pipeline (3 attempts), so it fails for the drainer only when all
    // three do: 0.3³ ≈ 2.7 %. Each such failure halves the rate, yet the mean stays above half the
    // 50/s ceiling: ~1000 queued calls drain within the 60 s the issue allows.
    const p = new AimdPacer(5, 0);
    let x = 11;
    const rnd = () => {
      x = (x * 1664525 + 1013904223) % 2 ** 32;
      return x / 2 ** 32;
    };
    let seconds = 0;
    for (let i = 0; i < 1000; i++) {
      seconds += 1 / p.rate;
      if (rnd() < 0.3 ** 3) p.failure(0.5, 1);
      else p.success(1, 50);
      expect(p.rate).toBeLessThanOrEqual(50);
    }
    expect(1000 / seconds).toBeGreaterThan(25);
  });

  it('in half-open it replays one item at a time; a replay the breaker refuses neither slows the pace nor grows the backoff', async () => {
    const transport = scriptedTransport(
      reply(503, 'x'), // the first write: queued, and the breaker opens
      reply(503, 'x'), // the half-open replay: the breaker re-opens
      reply(200, ok({ receiptId: 'R' })),
    );
    const gateway = echoGateway(transport, {
      client: 'VN/GOV/000.00.00.H29/hcmc-tthc',
      policy: {
        retry: { maxAttempts: 1 },
        breaker: { consecutiveFailures: 1, openJitter: 0, halfOpenProbes: 1, halfOpenSuccesses: 1 },
      },
      random: () => 0,
      drainer: { pollMs: 3_600_000 },
    });
    const delivered: string[] = [];
    gateway.on('outbox:delivered', (e) => delivered.push(String(e.dossierCode)));
    for (const code of ['HS-1', 'HS-2', 'HS-3']) {
      expect((await gateway.echo.submit({ dossierCode: code, value: 1 }, CTX)).status).toBe('queued');
    }
    expect(transport.requests).toHaveLength(1); // the breaker refused the other two: nothing sent
    await vi.advanceTimersByTimeAsync(1000); // half-open
    await gateway.outbox.drain();
    expect(transport.requests).toHaveLength(2);
    expect(delivered).toEqual([]);
    // One item claimed as the probe, not a batch the breaker would mostly refuse.
    const attempts = (await gateway.outbox.list()).map((i) => i.attempts).sort();
    expect(attempts).toEqual([0, 0, 1]);
    await vi.advanceTimersByTimeAsync(1500); // half-open again (the open time grew to the 1.5 s cap)
    await gateway.outbox.drain(); // the probe succeeds: closed, and the rest follows at once
    await vi.advanceTimersByTimeAsync(1000);
    expect(delivered.sort()).toEqual(['HS-1', 'HS-2', 'HS-3']);
    expect(transport.requests).toHaveLength(5);
    await gateway.close();
  });
});
