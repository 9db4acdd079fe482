import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { GatewayError } from '../../src/errors.js';
import { Breaker, type BreakerState } from '../../src/pipeline/breaker.js';
import { DEFAULT_POLICY, type BreakerPolicy } from '../../src/policy.js';

const fail = () =>
  Promise.reject(new GatewayError('UPSTREAM_UNAVAILABLE', 'busy', { upstream: 'u', retryable: true }));
const ok = () => Promise.resolve('ok');

function make(overrides: Partial<BreakerPolicy> = {}, random = () => 0) {
  const changes: BreakerState[] = [];
  const b = new Breaker(
    'u',
    { ...DEFAULT_POLICY.breaker, ...overrides },
    systemClock,
    {
      onStateChange: (s) => changes.push(s),
    },
    random,
  );
  return { b, changes };
}

/** Seeded LCG so the background is random but repeatable. */
function lcg(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1664525 + 1013904223) % 2 ** 32;
    return x / 2 ** 32;
  };
}

beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

describe('breaker rules', () => {
  it('opens on the error ratio over the window', async () => {
    const { b } = make({ consecutiveFailures: 1000, minimumCalls: 10, errorRatio: 0.5 });
    for (let i = 0; i < 10; i++) await b.execute(i % 2 ? fail : ok).catch(() => {});
    expect(b.state).toBe('open');
  });

  it('a full outage opens it within 1 s at 40 calls/s; a 30 % background never does', async () => {
    const outage = make();
    let t = 0;
    while (outage.b.state === 'closed') {
      await outage.b.execute(fail).catch(() => {});
      await vi.advanceTimersByTimeAsync(25);
      t += 25;
    }
    expect(t).toBeLessThanOrEqual(1000);

    const rnd = lcg(42);
    const bg = make();
    for (let i = 0; i < 2400; i++) {
      await bg.b.execute(rnd() < 0.3 ? fail : ok).catch(() => {});
      await vi.advanceTimersByTimeAsync(25);
    }
    expect(bg.changes).toEqual([]);
  });

  it('at one call every 6 s an outage opens it within 3 calls', async () => {
    const { b } = make();
    let calls = 0;
    while (b.state === 'closed') {
      calls++;
      await b.execute(fail).catch(() => {});
      await vi.advanceTimersByTimeAsync(6000);
    }
    expect(calls).toBe(3);
  });

  it('open duration grows while probes fail, with jitter and a cap, and resets on close', async () => {
    const { b, changes } = make(
      { resetTimeoutMs: 1000, maxOpenMs: 5000, openJitter: 0.2, consecutiveFailures: 1 },
      () => 0.5,
    );
    await b.execute(fail).catch(() => {});
    const durations: number[] = [];
    for (let i = 0; i < 5; i++) {
      const opened = Date.now();
      while (b.state === 'open') await vi.advanceTimersByTimeAsync(1);
      durations.push(Date.now() - opened);
      // two failed probes of three make 2 successes unreachable: re-open
      await b.execute(fail).catch(() => {});
      await b.execute(fail).catch(() => {});
    }
    expect(durations).toEqual([900, 1800, 3600, 4500, 4500]);
    while (b.state === 'open') await vi.advanceTimersByTimeAsync(1);
    await b.execute(ok);
    await b.execute(ok);
    expect(b.state).toBe('closed');
    await b.execute(fail).catch(() => {});
    const opened = Date.now();
    while ((b.state as BreakerState) === 'open') await vi.advanceTimersByTimeAsync(1);
    expect(Date.now() - opened).toBe(900);
    expect(changes.filter((s) => s === 'closed')).toHaveLength(1);
  });

  it('half-open closes on 2 successes of 3 probes despite one failure, and lets only 3 through', async () => {
    const { b } = make({ consecutiveFailures: 1, openJitter: 0 });
    await b.execute(fail).catch(() => {});
    await vi.advanceTimersByTimeAsync(1000);
    expect(b.state).toBe('half-open');
    let release!: () => void;
    const slow = b.execute(() => new Promise<string>((r) => (release = () => r('ok'))));
    await b.execute(fail).catch(() => {});
    expect(b.state).toBe('half-open');
    await b.execute(ok);
    expect(b.state).toBe('half-open');
    await expect(b.execute(ok)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    release();
    await slow;
    expect(b.state).toBe('closed');
  });

  it('an aborted probe frees its slot and does not close', async () => {
    const { b } = make({ consecutiveFailures: 1, openJitter: 0, halfOpenProbes: 1, halfOpenSuccesses: 1 });
    await b.execute(fail).catch(() => {});
    await vi.advanceTimersByTimeAsync(1000);
    await b
      .execute(() => Promise.reject(new GatewayError('ABORTED', 'gone', { upstream: 'u', retryable: false })))
      .catch(() => {});
    expect(b.state).toBe('half-open');
    await b.execute(ok);
    expect(b.state).toBe('closed');
  });
});
