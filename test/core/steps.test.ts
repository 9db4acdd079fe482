/**
 * The pipeline steps alone, on fake timers: one shape (`execute(next, signal, call)`), composed in
 * order, and the call's limits enforced where the call waits, without a timer per call.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { GatewayError, isGatewayError } from '../../src/errors.js';
import { AttemptTimeout } from '../../src/pipeline/attempt-timeout.js';
import { Bulkhead } from '../../src/pipeline/bulkhead.js';
import { CallLimits } from '../../src/pipeline/deadline.js';
import { RateLimitStep } from '../../src/pipeline/rate-limit.js';
import { RetryStep } from '../../src/pipeline/retry.js';
import { RetryBudget } from '../../src/pipeline/retry-budget.js';
import { CallScope, compose, type Next, type Step } from '../../src/pipeline/step.js';
import { DEFAULT_POLICY } from '../../src/policy.js';

const clock = systemClock;

function scope(deadlineMs = 1000, opts: { signal?: AbortSignal; retryAllowed?: boolean } = {}) {
  return new CallScope(
    'u',
    'op',
    {},
    { requestId: 'r-1', context: {} },
    deadlineMs,
    clock.monotonic() + deadlineMs,
    opts.retryAllowed ?? true,
    () => {},
    opts.signal,
  );
}

async function settle(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => ({ value: v }),
    (e) => e,
  );
}

/** An attempt that never settles and ignores its signal (a careless custom transport). */
const deaf: Next = () => new Promise(() => {});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('compose', () => {
  it('runs the steps outermost first around the last function, passing signal and call through', async () => {
    const seen: string[] = [];
    const tag = (name: string): Step => ({
      async execute(next, signal, call) {
        seen.push(`${name}>`);
        const v = await next(signal, call);
        seen.push(`<${name}`);
        return v;
      },
    });
    const call = scope();
    const signal = call.nextSignal();
    const run = compose([tag('a'), tag('b'), tag('c')], async (s, c) => {
      seen.push(s === signal && c === call ? 'attempt' : 'wrong arguments');
      return 42;
    });
    await expect(run(signal, call)).resolves.toBe(42);
    expect(seen).toEqual(['a>', 'b>', 'c>', 'attempt', '<c', '<b', '<a']);
  });
});

describe('attempt timeout', () => {
  it('settles an attempt whose transport ignores its signal, as a retryable TIMEOUT, and aborts the signal', async () => {
    const call = scope(10_000);
    const signal = call.nextSignal();
    const p = settle(new AttemptTimeout(300, clock).execute(deaf, signal, call));
    await vi.advanceTimersByTimeAsync(300);
    const e = await p;
    expect(isGatewayError(e, 'TIMEOUT') && e.retryable).toBe(true);
    expect(signal.aborted).toBe(true);
    expect(call.ended).toBe(false); // the call may retry
  });

  it('is clamped to the call deadline, which ends the call with a non-retryable TIMEOUT', async () => {
    const call = scope(200);
    const p = settle(new AttemptTimeout(10_000, clock).execute(deaf, call.nextSignal(), call));
    await vi.advanceTimersByTimeAsync(200);
    const e = await p;
    expect(isGatewayError(e, 'TIMEOUT') && !e.retryable && /Deadline of 200 ms/.test(e.message)).toBe(true);
    expect(call.ended).toBe(true);
  });

  it('a late answer of a cut attempt does not unhook the next attempt from its timeout', async () => {
    const call = scope(60_000);
    const step = new AttemptTimeout(100, clock);
    let late: (v: unknown) => void = () => {};
    const first = settle(step.execute(() => new Promise((r) => (late = r)), call.nextSignal(), call));
    await vi.advanceTimersByTimeAsync(100);
    expect(isGatewayError(await first, 'TIMEOUT')).toBe(true);
    const second = settle(step.execute(deaf, call.nextSignal(), call));
    late('too late'); // the first attempt's transport answers after all
    await vi.advanceTimersByTimeAsync(100);
    expect(isGatewayError(await second, 'TIMEOUT')).toBe(true);
  });
});

describe('waits bounded by the call deadline', () => {
  it('an attempt queued in a full bulkhead ends at the deadline (TIMEOUT), and leaves the queue', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 5 }, clock);
    const busy = scope(60_000);
    void settle(bulkhead.execute(deaf, busy.nextSignal(), busy));
    const call = scope(500);
    const sent = vi.fn(async () => 'sent');
    const p = settle(bulkhead.execute(sent, call.nextSignal(), call));
    expect(bulkhead.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(isGatewayError(await p, 'TIMEOUT')).toBe(true);
    expect(bulkhead.queued).toBe(0);
    expect(sent).not.toHaveBeenCalled();
  });

  it('a rate limit that never grants (or ignores its signal) ends at the deadline', async () => {
    const step = new RateLimitStep({ acquire: () => new Promise(() => {}) }, clock);
    const call = scope(700);
    const sent = vi.fn(async () => 'sent');
    const p = settle(step.execute(sent, call.nextSignal(), call));
    await vi.advanceTimersByTimeAsync(700);
    expect(isGatewayError(await p, 'TIMEOUT')).toBe(true);
    expect(sent).not.toHaveBeenCalled();
  });
});

describe('call limits', () => {
  it("the caller's abort ends the call at once, and an attempt started later is refused", async () => {
    const caller = new AbortController();
    const call = scope(60_000, { signal: caller.signal });
    const limits = new CallLimits(new Set(), new AbortController().signal);
    const p = settle(
      limits.execute(
        (signal, c) => new AttemptTimeout(10_000, clock).execute(deaf, signal, c),
        call.nextSignal(),
        call,
      ),
    );
    caller.abort();
    expect(isGatewayError(await p, 'ABORTED')).toBe(true);
    expect(call.nextSignal().aborted).toBe(true);
  });

  it('keeps the call in the live set only while it runs (close() ends those)', async () => {
    const live = new Set<CallScope>();
    const call = scope();
    const p = new CallLimits(live, new AbortController().signal).execute(
      async () => live.has(call),
      call.nextSignal(),
      call,
    );
    await expect(p).resolves.toBe(true);
    expect(live.size).toBe(0);
  });
});

describe('retry', () => {
  const busy = () => new GatewayError('UPSTREAM_UNAVAILABLE', 'busy', { status: 503 });

  function retry() {
    const budget = new RetryBudget(DEFAULT_POLICY.retry.budget, clock);
    const onRetry = vi.fn();
    const step = new RetryStep({
      policy: { ...DEFAULT_POLICY.retry, maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 100 },
      budget,
      clock,
      random: () => 1,
      onRetry,
    });
    return { step, onRetry };
  }

  it('gives each attempt a fresh signal and counts attempts on the call and the error', async () => {
    const { step, onRetry } = retry();
    const call = scope(60_000);
    const signals: AbortSignal[] = [];
    const p = settle(
      step.execute(
        async (signal) => {
          signals.push(signal);
          throw busy();
        },
        call.nextSignal(),
        call,
      ),
    );
    await vi.advanceTimersByTimeAsync(1000);
    const e = await p;
    expect(isGatewayError(e) && e.attempts).toBe(3);
    expect(new Set(signals).size).toBe(3);
    expect(onRetry).toHaveBeenCalledTimes(2);
  });

  it('does not retry once the call itself ended', async () => {
    const { step, onRetry } = retry();
    const call = scope(60_000);
    const p = settle(
      step.execute(
        async () => {
          call.end(new GatewayError('ABORTED', 'gone'));
          throw busy();
        },
        call.nextSignal(),
        call,
      ),
    );
    expect(isGatewayError(await p, 'UPSTREAM_UNAVAILABLE')).toBe(true);
    expect(onRetry).not.toHaveBeenCalled();
  });
});
