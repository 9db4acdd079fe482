/**
 * Outage logs: while a breaker is open, the first refused call is logged at once and the rest are
 * summarised, one line per upstream per interval with counts; a state change writes the pending
 * summary at once, and close() writes the last one. Fake timers, logs read from a pino stream.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGateway } from 'vn-national-gateway';
import { echo } from '../helpers/echo-adapter.js';
import { scriptedTransport } from '../helpers/scripted-transport.js';
import { BUSY, PONG } from './helpers.js';

type Line = Record<string, unknown> & { msg: string; level: number; upstream?: string };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(refusalLogIntervalMs?: number) {
  const lines: Line[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) });
  const transports = { a: scriptedTransport(BUSY, BUSY, PONG), b: scriptedTransport(BUSY, BUSY, PONG) };
  const upstream = (transport: ReturnType<typeof scriptedTransport>) =>
    echo({ baseUrl: 'http://echo.test', auth: { type: 'bearer', token: 't' }, transport });
  const gateway = createGateway({
    upstreams: { a: upstream(transports.a), b: upstream(transports.b) },
    logger,
    drainer: { autoStart: false },
    ...(refusalLogIntervalMs === undefined ? {} : { refusalLogIntervalMs }),
    policy: {
      retry: { maxAttempts: 1 },
      cache: false,
      breaker: { consecutiveFailures: 2, resetTimeoutMs: 60_000, maxOpenMs: 60_000, openJitter: 0 },
    },
  });
  const ping = (name: 'a' | 'b', times = 1) =>
    Promise.all(Array.from({ length: times }, () => gateway[name].ping({ n: 1 }).catch(() => undefined)));
  const refusedLines = (upstream: string) =>
    lines.filter((l) => l.upstream === upstream && l.code === 'CIRCUIT_OPEN' && l.event === undefined);
  const summaries = (upstream: string) =>
    lines.filter((l) => l.upstream === upstream && l.event === 'breaker:refused');
  return { gateway, lines, ping, refusedLines, summaries };
}

describe('refused calls while a breaker is open', () => {
  it('logs the first at once and one summary per upstream per interval, with counts', async () => {
    const { gateway, lines, ping, refusedLines, summaries } = setup();
    await ping('a', 2); // two failures: a's breaker opens
    await ping('b', 2);
    expect(lines.filter((l) => l.msg === 'circuit breaker open')).toHaveLength(2);

    // 40 calls/s on a for a second, 10 on b.
    for (let i = 0; i < 40; i++) {
      await ping('a');
      if (i % 4 === 0) await ping('b');
      await vi.advanceTimersByTimeAsync(25);
    }
    expect(refusedLines('a')).toHaveLength(1);
    expect(refusedLines('b')).toHaveLength(1);
    expect(summaries('a')).toHaveLength(0);

    await vi.advanceTimersByTimeAsync(9_000); // the 10 s interval ends
    expect(summaries('a')).toEqual([
      expect.objectContaining({ level: 40, refused: 39, operations: { ping: 39 }, windowMs: 10_000 }),
    ]);
    expect(summaries('b')).toEqual([expect.objectContaining({ refused: 9, operations: { ping: 9 } })]);
    expect(summaries('a')[0]?.msg).toBe(
      '39 more call(s) refused by the open circuit breaker in the last 10 s',
    );

    await ping('a', 5);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(summaries('a').map((l) => l.refused)).toEqual([39, 5]);
    expect(refusedLines('a')).toHaveLength(1);

    // A quiet interval ends the period: the next refusal is logged at once again.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(summaries('a')).toHaveLength(2);
    await ping('a');
    expect(refusedLines('a')).toHaveLength(2);
    await gateway.close();
  });

  it('writes the pending summary when the breaker changes state, and the last one on close', async () => {
    const { gateway, lines, ping, summaries, refusedLines } = setup(600_000);
    await ping('a', 2);
    await ping('a', 8); // 1 logged at once, 7 counted
    await vi.advanceTimersByTimeAsync(59_000);
    expect(summaries('a')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_000); // open for 60 s: half-open, long before the interval ends
    await ping('a'); // a probe: the platform answers
    const halfOpen = lines.findIndex((l) => l.msg === 'circuit breaker half-open');
    const summary = lines.findIndex((l) => l.event === 'breaker:refused');
    expect(halfOpen).toBeGreaterThan(-1);
    expect(summary).toBeGreaterThan(halfOpen);
    expect(lines[summary]).toMatchObject({ upstream: 'a', refused: 7, windowMs: 60_000 });
    expect(refusedLines('a')).toHaveLength(1);

    // Another upstream's outage: what is counted when the gateway closes is written by close().
    await ping('b', 2);
    await ping('b', 6);
    expect(refusedLines('b')).toHaveLength(1);
    expect(summaries('b')).toHaveLength(0);
    await gateway.close();
    expect(summaries('b').map((l) => l.refused)).toEqual([5]);
  });

  it('refuses a refusalLogIntervalMs that is not a positive integer', () => {
    expect(() => setup(0)).toThrow(/refusalLogIntervalMs must be a positive integer/);
    expect(() => setup(1.5)).toThrow(/refusalLogIntervalMs must be a positive integer/);
  });
});
