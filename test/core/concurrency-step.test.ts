/**
 * The concurrency step (the bulkhead) with its adaptive limit, on an injected clock: latency is
 * measured from the moment an attempt gets its slot, never while it waits in the queue.
 */
import { describe, expect, it } from 'vitest';
import { Bulkhead } from '../../src/pipeline/bulkhead.js';
import { CallScope, type Next } from '../../src/pipeline/step.js';
import { type ConcurrencyPolicy, DEFAULT_POLICY } from '../../src/policy.js';
import { manualClock } from '../telemetry/helpers.js';

const ADAPTIVE: ConcurrencyPolicy = {
  ...DEFAULT_POLICY.concurrency,
  initial: 2,
  min: 1,
  max: 100,
  windowMs: 0,
  windowSamples: 10,
};

function setup(concurrency?: ConcurrencyPolicy, maxConcurrent = 100) {
  const clock = manualClock();
  const bulkhead = new Bulkhead({ maxConcurrent, maxQueue: 1000 }, clock, concurrency);
  const scope = () =>
    new CallScope(
      'u',
      'op',
      {},
      { requestId: 'r', context: {} },
      600_000,
      clock.now() + 600_000,
      true,
      () => {},
      undefined,
    );
  /** An attempt the platform answers `ms` after it is sent. */
  const answerAfter =
    (ms: number): Next<string> =>
    () =>
      new Promise((resolve) => clock.setTimeout(() => resolve('ok'), ms));
  /** Starts `n` calls at once, each answered `ms` after it gets its slot, and runs the clock until all ended. */
  async function burst(n: number, ms: number) {
    const calls = Array.from({ length: n }, () => {
      const call = scope();
      return bulkhead.execute(answerAfter(ms), call.nextSignal(), call);
    });
    for (let t = 0; t < 100_000 && bulkhead.inFlight + bulkhead.queued > 0; t += 10) {
      clock.advance(10);
      await Promise.resolve();
      await Promise.resolve();
    }
    return Promise.all(calls);
  }
  return { clock, bulkhead, burst };
}

describe('concurrency step', () => {
  it('time queued for a slot is not the platform latency: a long queue does not cut the limit', async () => {
    const { bulkhead, burst } = setup(ADAPTIVE);
    // 200 calls for 2 slots: the last ones wait 10 s in the queue, but each attempt takes 100 ms.
    const seen: number[] = [];
    const done = burst(200, 100);
    for (let i = 0; i < 5; i++) {
      seen.push(bulkhead.limit);
      await Promise.resolve();
    }
    await done;
    seen.push(bulkhead.limit);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(2);
    // It grew instead (the queue proves the limit held the traffic back while latency held).
    expect(bulkhead.limit).toBeGreaterThan(2);
  });

  it('cuts the limit when the attempts themselves slow down', async () => {
    const { bulkhead, burst } = setup({ ...ADAPTIVE, initial: 20 });
    await burst(100, 100);
    const grown = bulkhead.limit;
    expect(grown).toBeGreaterThan(20);
    await burst(100, 1000);
    expect(bulkhead.limit).toBeLessThan(grown);
  });

  it("kind 'fixed' keeps bulkhead.maxConcurrent whatever the latency", async () => {
    const { bulkhead, burst } = setup({ ...ADAPTIVE, kind: 'fixed' }, 8);
    expect(bulkhead.limit).toBe(8);
    await burst(50, 100);
    await burst(50, 5000);
    expect(bulkhead.limit).toBe(8);
  });

  it('the adaptive limit stays under the fixed ceiling bulkhead.maxConcurrent', async () => {
    const { bulkhead, burst } = setup({ ...ADAPTIVE, initial: 64, min: 4 }, 3);
    expect(bulkhead.limit).toBe(3);
    await burst(200, 100);
    expect(bulkhead.limit).toBe(3);
    expect(bulkhead.inFlight).toBe(0);
  });
});
