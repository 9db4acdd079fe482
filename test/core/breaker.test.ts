import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { GatewayError } from '../../src/errors.js';
import { Breaker, type BreakerState } from '../../src/pipeline/breaker.js';
import type { CallScope } from '../../src/pipeline/step.js';
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
      // every one of the three probes failed: re-open
      await b.execute(fail).catch(() => {});
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

  it('half-open closes on 2 successes of 3 probes despite one failure, and lets at most 3 in flight', async () => {
    const { b } = make({ consecutiveFailures: 1, openJitter: 0 });
    await b.execute(fail).catch(() => {});
    await vi.advanceTimersByTimeAsync(1000);
    expect(b.state).toBe('half-open');
    const releases: (() => void)[] = [];
    const held = () => new Promise<string>((r) => releases.push(() => r('ok')));
    const slow = [b.execute(held), b.execute(held)];
    await b.execute(fail).catch(() => {});
    expect(b.state).toBe('half-open');
    const third = b.execute(held);
    await expect(b.execute(ok)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' }); // 3 in flight
    for (const r of releases) r();
    await Promise.all([...slow, third]);
    expect(b.state).toBe('closed');
  });

  it('half-open tolerates a background: two failed probes then two successes close it', async () => {
    const { b } = make({ consecutiveFailures: 1, openJitter: 0 });
    await b.execute(fail).catch(() => {});
    await vi.advanceTimersByTimeAsync(1000);
    await b.execute(fail).catch(() => {});
    await b.execute(fail).catch(() => {});
    expect(b.state).toBe('half-open'); // the former 2-of-3 rule re-opened here
    await b.execute(ok);
    expect(b.state).toBe('half-open'); // 2 failures of 3: above errorRatio, one more probe
    await b.execute(ok);
    expect(b.state).toBe('closed'); // 2 of 4 failed: within errorRatio (0.5)
  });

  it('half-open re-opens once closing is out of reach (4 failures among 6 probes at most)', async () => {
    const { b } = make({ consecutiveFailures: 1, openJitter: 0 });
    await b.execute(fail).catch(() => {});
    await vi.advanceTimersByTimeAsync(1000);
    await b.execute(ok);
    for (let i = 0; i < 3; i++) await b.execute(fail).catch(() => {});
    expect(b.state).toBe('half-open'); // 1 + 2 more successes of 6 could still close it (3 of 6)
    await b.execute(fail).catch(() => {});
    expect(b.state).toBe('open');
  });

  it('half-open re-opens at once on a dead platform: every first probe failing, or a refused connection', async () => {
    const dead = make({ consecutiveFailures: 1, openJitter: 0 });
    await dead.b.execute(fail).catch(() => {});
    await vi.advanceTimersByTimeAsync(1000);
    for (let i = 0; i < 3; i++) await dead.b.execute(fail).catch(() => {});
    expect(dead.b.state).toBe('open');

    const refused = make({ consecutiveFailures: 1, openJitter: 0 });
    await refused.b.execute(fail).catch(() => {});
    await vi.advanceTimersByTimeAsync(1000);
    const econnrefused = () =>
      Promise.reject(
        new GatewayError('NETWORK', 'Network error ECONNREFUSED', {
          upstream: 'u',
          cause: Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        }),
      );
    await refused.b.execute(econnrefused).catch(() => {});
    expect(refused.b.state).toBe('open');
  });

  it('with a 30 % background on a recovered platform, about 5 % of half-opens re-open (the 2-of-3 rule: 22 %)', async () => {
    const { b, changes } = make({ consecutiveFailures: 1, openJitter: 0, maxOpenMs: 1000 });
    const rnd = lcg(11);
    let halfOpens = 0;
    let reopened = 0;
    for (let i = 0; i < 1000; i++) {
      // Open it, wait for the half-open, then probe with a 30 % background until it decides.
      if (b.state === 'closed') await b.execute(fail).catch(() => {});
      await vi.advanceTimersByTimeAsync(1000);
      expect(b.state).toBe('half-open');
      halfOpens++;
      while (b.state === 'half-open') await b.execute(rnd() < 0.3 ? fail : ok).catch(() => {});
      if (b.state === 'open') reopened++;
    }
    expect(halfOpens).toBe(1000);
    expect(changes.filter((c) => c === 'closed').length).toBe(1000 - reopened);
    expect(reopened / halfOpens).toBeGreaterThan(0.03);
    expect(reopened / halfOpens).toBeLessThan(0.08); // exact: 5.6 %
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

  it('the ratio rule waits for minimumCalls attempts in the window, then opens', async () => {
    // Two failures in three: a 67 % share, but never 20 in a row nor a run spanning 10 s.
    const { b } = make({ minimumCalls: 50, errorRatio: 0.5 });
    let calls = 0;
    while (b.state === 'closed' && calls < 1000) {
      calls++;
      await b.execute(calls % 3 === 0 ? ok : fail).catch(() => {});
      await vi.advanceTimersByTimeAsync(25);
    }
    expect(calls).toBe(50);
  });

  it('the ratio only counts the rolling window: old failures age out', async () => {
    const { b } = make({ minimumCalls: 50, errorRatio: 0.5, windowMs: 10_000 });
    // 40 failures (in runs of 2, so no run rule), then 11 s of quiet: the window is empty again.
    for (let i = 0; i < 60; i++) await b.execute(i % 3 === 2 ? ok : fail).catch(() => {});
    expect(b.state).toBe('open');
    const fresh = make({ minimumCalls: 50, errorRatio: 0.5, windowMs: 10_000 });
    for (let i = 0; i < 45; i++) await fresh.b.execute(i % 3 === 2 ? ok : fail).catch(() => {});
    await vi.advanceTimersByTimeAsync(11_000);
    for (let i = 0; i < 45; i++) await fresh.b.execute(i % 3 === 2 ? ok : fail).catch(() => {});
    expect(fresh.b.state).toBe('closed'); // 90 calls, 60 failures, but never 50 in one window
  });

  it('with the defaults, a 20 s outage at 40 calls/s lets ≤ 0.10 attempts per call through, and the platform is probed within 1.5 s of its return', async () => {
    const { b } = make({}, lcg(3));
    let down = true;
    let attemptsInOutage = 0;
    const upstream = () => {
      if (down) attemptsInOutage++;
      return down ? fail() : ok();
    };
    for (let i = 0; i < 800; i++) {
      await b.execute(upstream).catch(() => {});
      await vi.advanceTimersByTimeAsync(25);
    }
    expect(attemptsInOutage / 800).toBeLessThanOrEqual(0.1);
    down = false;
    let firstLive = -1;
    for (let t = 0; t <= 3000 && firstLive < 0; t += 25) {
      const r = await b.execute(upstream).catch(() => undefined);
      if (r === 'ok') firstLive = t;
      await vi.advanceTimersByTimeAsync(25);
    }
    expect(firstLive).toBeGreaterThanOrEqual(0);
    expect(firstLive).toBeLessThanOrEqual(1500);
    expect(b.state).toBe('half-open'); // one probe of the two it needs
    await b.execute(ok);
    expect(b.state).toBe('closed');
  });

  it('the default open duration never exceeds maxOpenMs however long the outage', async () => {
    const { b } = make({ consecutiveFailures: 1 }, () => 0);
    await b.execute(fail).catch(() => {});
    const durations: number[] = [];
    for (let i = 0; i < 8; i++) {
      const opened = Date.now();
      while (b.state === 'open') await vi.advanceTimersByTimeAsync(5);
      durations.push(Date.now() - opened);
      for (let k = 0; k < 3; k++) await b.execute(fail).catch(() => {});
    }
    expect(durations).toEqual([1000, 1500, 1500, 1500, 1500, 1500, 1500, 1500]);
  });

  it('a resetTimeoutMs above maxOpenMs is honoured, and then the duration does not grow', async () => {
    const { b } = make({ consecutiveFailures: 1, resetTimeoutMs: 5000, maxOpenMs: 1500 }, () => 0);
    await b.execute(fail).catch(() => {});
    const durations: number[] = [];
    for (let i = 0; i < 3; i++) {
      const opened = Date.now();
      while (b.state === 'open') await vi.advanceTimersByTimeAsync(5);
      durations.push(Date.now() - opened);
      for (let k = 0; k < 3; k++) await b.execute(fail).catch(() => {});
    }
    expect(durations).toEqual([5000, 5000, 5000]);
  });
});

describe("an attempt cut short by the call's own end", () => {
  const timeout = () =>
    Promise.reject(new GatewayError('TIMEOUT', 'Deadline of 300 ms exceeded', { upstream: 'u' }));

  it('is not counted: a caller with a tight deadline cannot open the breaker for everyone', async () => {
    const { b, changes } = make({ consecutiveFailures: 5 });
    // The call's own end (CallScope.ended: its deadline, the caller's abort, a shutdown).
    const ended = { ended: true } as CallScope;
    for (let i = 0; i < 50; i++) await b.execute(timeout, undefined, ended).catch(() => {});
    expect(b.state).toBe('closed');
    expect(b.window.calls).toBe(0);
    // The same TIMEOUTs while the call still had time are the platform's: they open it.
    const live = { ended: false } as CallScope;
    for (let i = 0; i < 5; i++) await b.execute(timeout, undefined, live).catch(() => {});
    expect(changes).toEqual(['open']);
  });

  it('frees a half-open probe slot instead of counting a failed probe', async () => {
    const { b } = make({ consecutiveFailures: 1, halfOpenProbes: 1, halfOpenSuccesses: 1 });
    await b.execute(fail).catch(() => {});
    expect(b.state).toBe('open');
    await vi.advanceTimersByTimeAsync(DEFAULT_POLICY.breaker.resetTimeoutMs);
    expect(b.state).toBe('half-open');
    await b.execute(timeout, undefined, { ended: true } as CallScope).catch(() => {});
    expect(b.state).toBe('half-open');
    await b.execute(ok);
    expect(b.state).toBe('closed');
  });
});
