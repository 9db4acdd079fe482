import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { EventBus, type QuotaEvent } from '../../src/events.js';
import { RateLimiter } from '../../src/pipeline/rate-limit.js';
import { type ConsumeFn, SharedLimiter } from '../../src/quota/shared.js';

function setup(consume: ConsumeFn) {
  const logs: Array<{ level: number; msg: string; reason?: string }> = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => logs.push(JSON.parse(s)) });
  const events = new EventBus(() => {});
  const seen: Array<[string, QuotaEvent]> = [];
  events.on('quota:fallback', (e) => seen.push(['fallback', e]));
  events.on('quota:shared', (e) => seen.push(['shared', e]));
  const local = new RateLimiter({ perSecond: 2 }, systemClock);
  const localAcquire = vi.spyOn(local, 'acquire');
  const limiter = new SharedLimiter({
    key: 'vneid',
    consume,
    local,
    clock: systemClock,
    logger,
    events,
    retryMs: 5000,
    timeoutMs: 500,
  });
  return { limiter, logs, seen, localAcquire };
}
const signal = () => new AbortController().signal;
const refused = () =>
  Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6380'), { code: 'ECONNREFUSED' }));

describe('SharedLimiter: fallback to the local bucket and return', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('granted by the shared store: no local bucket, no event', async () => {
    const consume = vi.fn<ConsumeFn>(async () => ({ waitMs: 0 }));
    const { limiter, seen, localAcquire } = setup(consume);
    await limiter.acquire(signal());
    expect(consume).toHaveBeenCalledWith('vneid');
    expect(localAcquire).not.toHaveBeenCalled();
    expect(seen).toEqual([]);
  });

  it('over the shared quota: waits msBeforeNext then tries again', async () => {
    const consume = vi
      .fn<ConsumeFn>()
      .mockResolvedValueOnce({ waitMs: 300 })
      .mockResolvedValueOnce({ waitMs: 0 });
    const { limiter } = setup(consume);
    let done = false;
    const p = limiter.acquire(signal()).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(299);
    expect(done).toBe(false);
    expect(consume).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(consume).toHaveBeenCalledTimes(2);
  });

  it('Redis unreachable: falls back with one warning and one event per outage, then returns', async () => {
    let up = false;
    const consume = vi.fn<ConsumeFn>(() => (up ? Promise.resolve({ waitMs: 0 }) : refused()));
    const { limiter, logs, seen, localAcquire } = setup(consume);

    await limiter.acquire(signal());
    expect(limiter.fallenBack).toBe(true);
    expect(localAcquire).toHaveBeenCalledTimes(1);
    // Within retryMs the store is not asked again: the local bucket serves.
    await vi.advanceTimersByTimeAsync(1000);
    await limiter.acquire(signal());
    expect(consume).toHaveBeenCalledTimes(1);
    expect(localAcquire).toHaveBeenCalledTimes(2);

    // After retryMs, still down: tried once more, no second warning.
    await vi.advanceTimersByTimeAsync(4000);
    await limiter.acquire(signal());
    expect(consume).toHaveBeenCalledTimes(2);
    expect(seen).toEqual([['fallback', { key: 'vneid', reason: 'ECONNREFUSED' }]]);
    const warns = logs.filter((l) => l.level === 40);
    expect(warns).toHaveLength(1);
    expect(warns[0]!.msg).toMatch(/falling back to the local bucket/);
    // The error message (host, port) is not logged, only its code.
    expect(JSON.stringify(logs)).not.toContain('127.0.0.1');

    up = true;
    await vi.advanceTimersByTimeAsync(5000);
    await limiter.acquire(signal());
    expect(limiter.fallenBack).toBe(false);
    expect(localAcquire).toHaveBeenCalledTimes(3);
    expect(seen.at(-1)).toEqual(['shared', { key: 'vneid' }]);
    expect(logs.some((l) => l.level === 30 && /back to the shared quota/.test(l.msg))).toBe(true);
  });

  it('a shared store slower than timeoutMs counts as unreachable', async () => {
    const consume = vi.fn<ConsumeFn>(() => new Promise(() => {}));
    const { limiter, seen } = setup(consume);
    const p = limiter.acquire(signal());
    await vi.advanceTimersByTimeAsync(500);
    await p;
    expect(seen).toEqual([['fallback', { key: 'vneid', reason: 'TIMEOUT' }]]);
  });

  it('an abort while waiting for the shared window rejects with the reason', async () => {
    const consume = vi.fn<ConsumeFn>(async () => ({ waitMs: 1000 }));
    const { limiter } = setup(consume);
    const ac = new AbortController();
    const p = limiter.acquire(ac.signal);
    const caught = p.catch((e) => e);
    await vi.advanceTimersByTimeAsync(10);
    ac.abort(new Error('deadline'));
    expect(((await caught) as Error).message).toBe('deadline');
  });
});
