/**
 * Wall-clock steps (an NTP correction; a host whose hardware clock runs on local time, UTC+7,
 * stepped at boot) must not move any duration measured in the process: every test here steps the
 * wall clock alone (`vi.setSystemTime`, which leaves `performance.now()` and the timers where they
 * are) by +60 s, −1 h and −7 h, at the start and in the middle, and expects exactly what an
 * unstepped run does.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Clock, createGateway, type PolicyOptions, type TransportRequest } from 'vn-national-gateway';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../src/pipeline/backoff.js';
import { UnknownValueLog } from '../../src/pipeline/unknown-values.js';
import { UpstreamStats } from '../../src/telemetry/health.js';
import { OutcomeWindow } from '../../src/telemetry/outcome-window.js';
import { echo } from '../helpers/echo-adapter.js';
import { rejection } from '../helpers/rejection.js';
import { reply, type Step } from '../helpers/scripted-transport.js';
import { manualClock, routedTransport } from '../telemetry/helpers.js';

const silent = pino({ level: 'silent' });
const T0 = Date.UTC(2025, 6, 1, 2, 0, 0);
const BUSY = reply(503, { ok: false, code: 'BUSY', data: null });
const PONG = reply(200, { ok: true, code: 'OK', data: { n: 1 } });

const STEPS: [string, number][] = [
  ['+60 s', 60_000],
  ['−1 h', -3_600_000],
  ['−7 h', -7 * 3_600_000],
];
const POSITIONS = ['at start', 'in the middle'] as const;
type Position = (typeof POSITIONS)[number];
const CASES = STEPS.flatMap(([label, ms]) => POSITIONS.map((at) => [label, ms, at] as const));

/** Steps the wall clock alone. */
function stepWall(ms: number): void {
  vi.setSystemTime(Date.now() + ms);
}

/** Breaker and retries out of the way unless a test sets them. */
const QUIET: PolicyOptions = {
  retry: { maxAttempts: 1 },
  breaker: { minimumCalls: 1000, consecutiveFailures: 1000, minConsecutiveFailures: 1000 },
};

function setup(routes: Record<string, Step[]>, policy: PolicyOptions, auth?: unknown) {
  const transport = routedTransport(routes);
  const gateway = createGateway({
    upstreams: {
      echo: echo({
        baseUrl: 'http://echo.test',
        auth: (auth ?? { type: 'bearer', token: 'test-token' }) as never,
        transport,
        policy,
      }),
    },
    logger: silent,
    random: () => 1, // the longest full-jitter delay: 200 ms, then 400 ms
    drainer: { autoStart: false },
  });
  const pings = () => transport.requests.filter((r) => r.url.includes('/echo/ping')).length;
  const breaker = async () => (await gateway.health()).upstreams.echo!.breaker.state;
  return { gateway, transport, pings, breaker };
}

/** Settles to the value or the error, whichever. */
function settle<T>(p: Promise<T>): Promise<T | Error> {
  return p.catch((e: Error) => e);
}

beforeEach(() => {
  vi.useFakeTimers({
    now: T0,
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the fake clocks themselves', () => {
  it('vi.setSystemTime steps Date alone: performance.now() and pending timers do not move', async () => {
    const fired = vi.fn();
    setTimeout(fired, 100);
    const mono = performance.now();
    stepWall(-3_600_000);
    expect(Date.now()).toBe(T0 - 3_600_000);
    expect(performance.now()).toBe(mono);
    await vi.advanceTimersByTimeAsync(99);
    expect(fired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toHaveBeenCalledOnce();
  });
});

describe.each(CASES)('wall clock stepped %s (%d ms) %s', (_label, step, at) => {
  const middle = (p: Position) => p === 'in the middle';

  it('breaker: three 503s within 7 ms do not open a "3 failures spanning 10 s" rule', async () => {
    const { gateway, pings, breaker } = setup(
      { '/echo/ping': [BUSY, BUSY, BUSY, PONG] },
      {
        retry: { maxAttempts: 1 },
        breaker: {
          minimumCalls: 1000,
          consecutiveFailures: 20,
          minConsecutiveFailures: 3,
          consecutiveSpanMs: 10_000,
        },
      },
    );
    await rejection(gateway.echo.ping({ n: 1 }));
    if (!middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(3);
    await rejection(gateway.echo.ping({ n: 1 }));
    if (middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(4);
    await rejection(gateway.echo.ping({ n: 1 }));
    expect(await breaker()).toBe('closed');
    // The platform is back: the next call is answered, not refused CIRCUIT_OPEN.
    await expect(gateway.echo.ping({ n: 1 })).resolves.toMatchObject({ status: 'ok' });
    expect(pings()).toBe(4);
    await gateway.close();
  });

  it('breaker: three 503s that do span 10 s still open it', async () => {
    const { gateway, breaker } = setup(
      { '/echo/ping': [BUSY] },
      {
        retry: { maxAttempts: 1 },
        breaker: {
          minimumCalls: 1000,
          consecutiveFailures: 20,
          minConsecutiveFailures: 3,
          consecutiveSpanMs: 10_000,
        },
      },
    );
    await rejection(gateway.echo.ping({ n: 1 }));
    if (!middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(5000);
    await rejection(gateway.echo.ping({ n: 1 }));
    if (middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(5000);
    await rejection(gateway.echo.ping({ n: 1 }));
    expect(await breaker()).toBe('open');
    await gateway.close();
  });

  it('breaker: failures leave the rolling window after windowMs, and stay in it until then', async () => {
    const policy: PolicyOptions = {
      retry: { maxAttempts: 1 },
      breaker: {
        windowMs: 10_000,
        minimumCalls: 3,
        errorRatio: 0.5,
        consecutiveFailures: 1000,
        minConsecutiveFailures: 1000,
      },
    };
    // Two failures, 10 s pass: they are out of the window, one more failure opens nothing.
    const a = setup({ '/echo/ping': [BUSY] }, policy);
    await rejection(a.gateway.echo.ping({ n: 1 }));
    if (!middle(at)) stepWall(step);
    await rejection(a.gateway.echo.ping({ n: 1 }));
    if (middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(10_001);
    await rejection(a.gateway.echo.ping({ n: 1 }));
    expect(await a.breaker()).toBe('closed');
    await a.gateway.close();

    // Two failures, 1 s passes: they are still in it, and the third opens the breaker.
    const b = setup({ '/echo/ping': [BUSY] }, policy);
    await rejection(b.gateway.echo.ping({ n: 1 }));
    if (!middle(at)) stepWall(step);
    await rejection(b.gateway.echo.ping({ n: 1 }));
    if (middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(1000);
    await rejection(b.gateway.echo.ping({ n: 1 }));
    expect(await b.breaker()).toBe('open');
    await b.gateway.close();
  });

  it('breaker: the open time is neither shortened nor lengthened by the step', async () => {
    let down = true;
    const { gateway, breaker } = setup(
      { '/echo/ping': [() => (down ? BUSY : PONG)] },
      {
        retry: { maxAttempts: 1 },
        breaker: {
          minimumCalls: 1000,
          consecutiveFailures: 3,
          resetTimeoutMs: 5000,
          maxOpenMs: 5000,
          openJitter: 0,
          halfOpenProbes: 1,
          halfOpenSuccesses: 1,
        },
      },
    );
    if (!middle(at)) stepWall(step);
    for (let i = 0; i < 3; i++) await rejection(gateway.echo.ping({ n: 1 }));
    expect(await breaker()).toBe('open');
    down = false;
    await vi.advanceTimersByTimeAsync(2500);
    if (middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(2499);
    expect((await rejection(gateway.echo.ping({ n: 1 }))).code).toBe('CIRCUIT_OPEN');
    await vi.advanceTimersByTimeAsync(1);
    expect(await breaker()).toBe('half-open');
    await expect(gateway.echo.ping({ n: 1 })).resolves.toMatchObject({ status: 'ok' });
    expect(await breaker()).toBe('closed');
    await gateway.close();
  });

  it('rate limit: the token bucket is neither put in debt nor refilled by the step', async () => {
    const { gateway, pings } = setup({ '/echo/ping': [PONG] }, { ...QUIET, rateLimit: { perSecond: 50 } });
    // At start: the bucket was made when the gateway was; the step comes before any call.
    if (!middle(at)) stepWall(step);
    const burst = Array.from({ length: 50 }, () => settle(gateway.echo.ping({ n: 1 })));
    await vi.advanceTimersByTimeAsync(0);
    expect(pings()).toBe(50);
    if (middle(at)) stepWall(step);
    // The burst is spent: the next ten go one every 20 ms, however the wall clock moved.
    const paced = Array.from({ length: 10 }, () => settle(gateway.echo.ping({ n: 1 })));
    await vi.advanceTimersByTimeAsync(0);
    expect(pings()).toBe(50);
    await vi.advanceTimersByTimeAsync(20);
    expect(pings()).toBe(51);
    await vi.advanceTimersByTimeAsync(180);
    expect(pings()).toBe(60);
    for (const r of await Promise.all([...burst, ...paced])) expect(r).toMatchObject({ status: 'ok' });
    // A second later the bucket is full again: a burst of 50 goes at once.
    await vi.advanceTimersByTimeAsync(1000);
    const again = Array.from({ length: 50 }, () => settle(gateway.echo.ping({ n: 1 })));
    await vi.advanceTimersByTimeAsync(0);
    expect(pings()).toBe(110);
    await Promise.all(again);
    await gateway.close();
  });

  it('deadline and attempt timeouts: the call ends at its deadline, not before, not after', async () => {
    const { gateway, pings } = setup(
      { '/echo/ping': ['hang'] },
      { ...QUIET, deadlineMs: 1800, attemptTimeoutMs: 500, retry: { maxAttempts: 3 } },
    );
    // Attempts at 0 (cut at 500), 700 (cut at 1200) and 1600, cut by the deadline at 1800.
    const p = settle(gateway.echo.ping({ n: 1 }));
    if (!middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(1000);
    if (middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(799);
    expect(pings()).toBe(3);
    let settled = false;
    void p.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const e = await p;
    expect(e).toMatchObject({ code: 'TIMEOUT', retryable: false, attempts: 3 });
    expect((e as Error).message).toMatch(/Deadline of 1800 ms/);
    await gateway.close();
  });

  it('retry backoff: a retry that fits the deadline is made, one that does not is not', async () => {
    const fits = setup({ '/echo/ping': [BUSY, BUSY, PONG] }, { ...QUIET, retry: { maxAttempts: 3 } });
    // 503 at 0, retry at 200 (503), retry at 600: inside a 1000 ms budget.
    const ok = settle(fits.gateway.echo.ping({ n: 1 }, { deadlineMs: 1000 }));
    if (!middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(100);
    if (middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(99);
    expect(fits.pings()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fits.pings()).toBe(2);
    await vi.advanceTimersByTimeAsync(400);
    expect(await ok).toMatchObject({ status: 'ok', meta: { attempts: 3, durationMs: 600 } });
    await fits.gateway.close();

    const late = setup({ '/echo/ping': [BUSY, BUSY, PONG] }, { ...QUIET, retry: { maxAttempts: 3 } });
    // The second retry would start at 600, past a 500 ms budget: the call gives up at 200.
    const no = settle(late.gateway.echo.ping({ n: 1 }, { deadlineMs: 500 }));
    if (!middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(100);
    if (middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(100);
    expect(await no).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', attempts: 2 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(late.pings()).toBe(2);
    await late.gateway.close();
  });

  it('retry budget: spent for its 10 s window, back after it', async () => {
    const { gateway, pings } = setup(
      { '/echo/ping': [BUSY] },
      { ...QUIET, retry: { maxAttempts: 2, budget: { ratio: 0, minPerSecond: 0.1 } } },
    );
    // One retry per 10 s window.
    await vi.advanceTimersByTimeAsync(500);
    const first = settle(gateway.echo.ping({ n: 1 }));
    await vi.advanceTimersByTimeAsync(200);
    expect(await first).toMatchObject({ attempts: 2 });
    if (!middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(1000);
    const second = await settle(gateway.echo.ping({ n: 1 }));
    expect(second).toMatchObject({ attempts: 1, message: expect.stringMatching(/retry budget/) });
    if (middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(9000);
    const third = settle(gateway.echo.ping({ n: 1 }));
    await vi.advanceTimersByTimeAsync(200);
    expect(await third).toMatchObject({ attempts: 2 });
    expect(pings()).toBe(5);
    await gateway.close();
  });

  it('stale answer: its age is what passed, never negative, and max-stale is not stretched', async () => {
    let down = false;
    const { gateway } = setup(
      { '/echo/ping': [() => (down ? BUSY : PONG)] },
      { ...QUIET, cache: { ttlMs: 60_000, maxStaleMs: 30 * 60_000 } },
    );
    await expect(gateway.echo.ping({ n: 1 })).resolves.toMatchObject({ status: 'ok' });
    down = true;
    if (!middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(500);
    if (middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(500);
    expect(await gateway.echo.ping({ n: 1 })).toMatchObject({
      status: 'stale',
      meta: { ageMs: 1000, durationMs: 0 },
    });
    await vi.advanceTimersByTimeAsync(30 * 60_000 - 1000);
    expect(await gateway.echo.ping({ n: 1 })).toMatchObject({
      status: 'stale',
      meta: { ageMs: 30 * 60_000 },
    });
    await vi.advanceTimersByTimeAsync(1);
    expect(await settle(gateway.echo.ping({ n: 1 }))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    await gateway.close();
  });

  it("Retry-After as an HTTP-date: read against the reply's Date, waited on the monotonic clock", async () => {
    // The platform's clock is right (T0 + elapsed); ours is the one that stepped.
    const platformNow = () => T0 + performance.now();
    const retryIn3s = () =>
      reply(
        503,
        { ok: false, code: 'BUSY', data: null },
        {
          'retry-after': new Date(platformNow() + 3000).toUTCString(),
          date: new Date(platformNow()).toUTCString(),
        },
      );
    const { gateway, pings } = setup(
      { '/echo/ping': [retryIn3s, PONG] },
      { ...QUIET, retry: { maxAttempts: 2 } },
    );
    if (!middle(at)) stepWall(step);
    const p = settle(gateway.echo.ping({ n: 1 }));
    await vi.advanceTimersByTimeAsync(1500);
    if (middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(1499);
    expect(pings()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(pings()).toBe(2);
    expect(await p).toMatchObject({ status: 'ok', meta: { attempts: 2, durationMs: 3000 } });
    await gateway.close();
  });

  it('OAuth token: refreshed shortly before expires_in has passed, not earlier, not later', async () => {
    let issued = 0;
    const token = () => reply(200, { access_token: `token-${++issued}`, expires_in: 300 });
    const { gateway, transport } = setup({ '/echo/ping': [PONG], '/token': [token] }, QUIET, {
      type: 'oauth2',
      tokenUrl: 'http://auth.test/token',
      clientId: 'city',
      clientSecret: 'secret',
      refreshBeforeMs: 60_000,
    });
    const bearer = () =>
      transport.requests.filter((r: TransportRequest) => r.url.includes('/echo/ping')).at(-1)?.headers
        .authorization;
    await gateway.echo.ping({ n: 1 });
    expect(bearer()).toBe('Bearer token-1');
    if (!middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(100_000);
    if (middle(at)) stepWall(step);
    await vi.advanceTimersByTimeAsync(100_000);
    await gateway.echo.ping({ n: 1 }); // 200 s: before the refresh point (300 − 60 s)
    expect(bearer()).toBe('Bearer token-1');
    await vi.advanceTimersByTimeAsync(41_000);
    await gateway.echo.ping({ n: 1 }); // 241 s: past it
    expect(bearer()).toBe('Bearer token-2');
    expect(issued).toBe(2);
    await gateway.close();
  });
});

describe('the injected clock', () => {
  it('a clock without monotonic() (written before it existed) is refused at creation', () => {
    const { monotonic: _, ...wallOnly } = manualClock();
    expect(() =>
      createGateway({
        upstreams: { echo: echo({ baseUrl: 'http://echo.test', auth: { type: 'none' } }) },
        clock: wallOnly as never,
        logger: silent,
        drainer: { autoStart: false },
      }),
    ).toThrow(
      expect.objectContaining({
        name: 'ConfigurationError',
        message: expect.stringMatching(/clock\.monotonic must be a function/),
      }),
    );
  });
});

describe('Retry-After parsing', () => {
  const utc = (t: number) => new Date(t).toUTCString();

  it('delay-seconds is a duration; an absurd one is bounded', () => {
    expect(parseRetryAfter('2', T0)).toBe(2000);
    expect(parseRetryAfter(' 0 ', T0)).toBe(0);
    expect(parseRetryAfter('99999999', T0)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('soon', T0)).toBeUndefined();
    expect(parseRetryAfter(undefined, T0)).toBeUndefined();
  });

  it("an HTTP-date is read against the reply's Date, whatever our wall clock says", () => {
    for (const ours of [T0, T0 + 600_000, T0 - 3_600_000, T0 - 7 * 3_600_000])
      expect(parseRetryAfter(utc(T0 + 3000), ours, utc(T0))).toBe(3000);
  });

  it('without a (valid) Date, against our wall clock, never negative and bounded', () => {
    expect(parseRetryAfter(utc(T0 + 3000), T0)).toBe(3000);
    expect(parseRetryAfter(utc(T0 + 3000), T0, 'not a date')).toBe(3000);
    expect(parseRetryAfter(utc(T0 + 3000), T0 + 600_000)).toBe(0);
    expect(parseRetryAfter(utc(T0 + 3000), T0 - 7 * 3_600_000)).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe('in-process windows, wall clock stepped alone (manual clock)', () => {
  it.each(STEPS)('health stats keep a call for the window exactly (%s)', (_label, step) => {
    const clock = manualClock();
    const stats = new UpstreamStats(clock, 10_000);
    stats.recordCall(120, 'ok');
    stats.recordRetry();
    clock.stepWall(step);
    clock.advance(10_000);
    expect(stats.latency().samples).toBe(1);
    expect(stats.retries).toBe(1);
    clock.advance(1);
    expect(stats.latency().samples).toBe(0);
    expect(stats.retries).toBe(0);
  });

  it.each(STEPS)("the platforms' status window keeps a call for 5 minutes (%s)", (_label, step) => {
    const clock = manualClock();
    const window = new OutcomeWindow(clock);
    window.record('vneid', 'stale');
    clock.stepWall(step);
    clock.advance(270_000);
    expect(window.read('vneid')).toEqual({ calls: 1, fallbacks: 1, fallbackShare: 1 });
    clock.advance(40_000); // its 10 s bucket has left the 5 min window

    expect(window.read('vneid')).toEqual({ calls: 0, fallbacks: 0, fallbackShare: null });
  });

  it.each(STEPS)('an unknown value is reported again once its window has passed (%s)', (_label, step) => {
    const clock = manualClock();
    const log = new UnknownValueLog(clock, { windowMs: 60_000 });
    const seen: string[] = [];
    log.forCall('land', 'getParcel', (_f, v) => seen.push(v)).report('landUse', 'LUK');
    clock.stepWall(step);
    clock.advance(30_000);
    log.forCall('land', 'getParcel', (_f, v) => seen.push(v)).report('landUse', 'LUK');
    expect(seen).toEqual(['LUK']);
    clock.advance(30_000);
    log.forCall('land', 'getParcel', (_f, v) => seen.push(v)).report('landUse', 'LUK');
    expect(seen).toEqual(['LUK', 'LUK']);
  });
});

describe('two gateways whose wall clocks disagree', () => {
  /** A host's clock: its Date.now() is off by `offset.ms`; performance.now() and timers run as on any host. */
  function hostClock(offset: { ms: number }): Clock {
    return {
      now: () => Date.now() + offset.ms,
      monotonic: () => performance.now(),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    };
  }

  /**
   * One scripted day: a token, a Retry-After (HTTP-date) retry, rate-limited bursts, a stale
   * answer, a token refresh. `correctAt`: when NTP steps this host back to the right time.
   * Returns what the platform saw (when, what) and what the caller got.
   */
  async function day(offset: { ms: number }, correctAt?: number) {
    const start = performance.now();
    const at = () => performance.now() - start;
    let mode: 'up' | 'retry-after' | 'down' = 'up';
    let issued = 0;
    const seen: unknown[] = [];
    const transport = routedTransport({
      '/token': [
        () => {
          seen.push([at(), 'token']);
          return reply(200, { access_token: `token-${++issued}`, expires_in: 300 });
        },
      ],
      '/echo/ping': [
        (req: TransportRequest) => {
          seen.push([at(), new URL(req.url).searchParams.get('n'), mode]);
          if (mode === 'down') return BUSY;
          if (mode === 'retry-after') {
            mode = 'up';
            // The platform's clock is right: Date.now() under fake timers, never stepped here.
            return reply(
              503,
              { ok: false, code: 'BUSY', data: null },
              {
                'retry-after': new Date(Date.now() + 2000).toUTCString(),
                date: new Date(Date.now()).toUTCString(),
              },
            );
          }
          return PONG;
        },
      ],
    });
    const gateway = createGateway({
      upstreams: {
        echo: echo({
          baseUrl: 'http://echo.test',
          auth: { type: 'oauth2', tokenUrl: 'http://auth.test/token', clientId: 'city', clientSecret: 's' },
          transport,
          policy: { ...QUIET, retry: { maxAttempts: 2 }, rateLimit: { perSecond: 5 } },
        }),
      },
      clock: hostClock(offset),
      logger: silent,
      random: () => 1,
      drainer: { autoStart: false },
    });
    const got: unknown[] = [];
    const keep = (r: unknown) => {
      const x = r as { status?: string; code?: string; meta?: Record<string, unknown>; attempts?: number };
      got.push([at(), x.status ?? x.code, x.meta?.ageMs, x.meta?.durationMs, x.meta?.attempts ?? x.attempts]);
    };
    const ping = (n: number) => settle(gateway.echo.ping({ n })).then(keep);

    await ping(1); // t = 0: token, answer cached
    mode = 'retry-after';
    const retried = ping(2); // Retry-After 2 s
    await vi.advanceTimersByTimeAsync(1000);
    if (correctAt !== undefined) offset.ms = 0; // NTP steps the host back mid-wait
    await vi.advanceTimersByTimeAsync(1000);
    await retried;
    const burst = Promise.all([3, 4, 5, 6, 7, 8, 9].map(ping)); // 5/s
    await vi.advanceTimersByTimeAsync(1000);
    await burst;
    mode = 'down';
    const stale = ping(1); // t = 3 s: 503, a retry at 3.2 s, 503: stale
    await vi.advanceTimersByTimeAsync(200);
    await stale;
    mode = 'up';
    await vi.advanceTimersByTimeAsync(196_800);
    await ping(10); // t = 200 s: the token still holds
    await vi.advanceTimersByTimeAsync(41_000);
    await ping(11); // t = 241 s: refreshed
    await gateway.close();
    return { seen, got };
  }

  it('behave the same for every in-process duration (one 10 min ahead, corrected mid-run)', async () => {
    const right = await day({ ms: 0 });
    vi.useRealTimers();
    vi.useFakeTimers({
      now: T0,
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
    });
    const ahead = await day({ ms: 10 * 60_000 }, 1000);
    expect(ahead).toEqual(right);
    // And what they both did is what was asked.
    expect(right.got).toContainEqual([2000, 'ok', undefined, 2000, 2]);
    expect(right.got).toContainEqual([3200, 'stale', 3200, 200, 2]);
    expect(right.seen.filter((s) => (s as unknown[])[1] === 'token')).toEqual([
      [0, 'token'],
      [241_000, 'token'],
    ]);
    expect(right.seen.filter((s) => (s as unknown[])[1] === '9')).toEqual([[2600, '9', 'up']]);
  });
});
