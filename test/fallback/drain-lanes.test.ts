/**
 * Each upstream drains in its own lane: a platform that hangs holds its own replays only. And the
 * drain's pace reads latency: a platform that answers ever slower as replays pile up gets a lower
 * replay rate, and still every item is delivered.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { memoryOutbox } from '../../src/fallback/outbox/index.js';
import type { OutboxItem } from '../../src/fallback/outbox/types.js';
import { newItem } from '../outbox/helpers.js';
import { drainHarness } from './drain-harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('drain lanes', () => {
  it('land hanging, tax healthy: tax replays are delivered within one pollMs plus their pace', async () => {
    const outbox = memoryOutbox();
    const sent: string[] = [];
    const { drainer, events } = drainHarness({
      outbox,
      clock: systemClock,
      // land first: a drain that went upstream by upstream would wait on it
      upstreams: ['land', 'tax'],
      replay: (item: OutboxItem, signal: AbortSignal) => {
        sent.push(item.upstream);
        if (item.upstream === 'land') {
          // Never answers: only the drainer's stop ends it.
          return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
        }
        return Promise.resolve({ receiptNo: 'R-1' });
      },
      options: { pollMs: 1_000, initialPerSecond: 5 },
    });
    const delivered: string[] = [];
    events.on('outbox:delivered', (e) => delivered.push(e.upstream));
    for (let i = 0; i < 3; i++) await outbox.enqueue(newItem({ upstream: 'land' }), Date.now());
    for (let i = 0; i < 3; i++) await outbox.enqueue(newItem({ upstream: 'tax' }), Date.now());
    drainer.start();
    // One poll; 3 replays at 5/s fit in the pacer's first second (a burst of 5).
    await vi.advanceTimersByTimeAsync(1_000);
    expect(delivered).toEqual(['tax', 'tax', 'tax']);
    expect(sent.filter((u) => u === 'land')).toHaveLength(3); // land was tried, and hangs
    // More tax work while land still hangs: delivered at the next poll.
    await outbox.enqueue(newItem({ upstream: 'tax' }), Date.now());
    await vi.advanceTimersByTimeAsync(1_000);
    expect(delivered).toHaveLength(4);
    await drainer.stop();
    // The hanging replays were cut by the stop: still leased, due again after the lease.
    expect((await outbox.counts()).delivering).toBe(3);
  });

  it('drain() sums the lanes and joins a lane already running', async () => {
    const outbox = memoryOutbox();
    const { drainer } = drainHarness({
      outbox,
      clock: systemClock,
      upstreams: ['land', 'tax'],
      replay: async () => ({ ok: true }),
    });
    await outbox.enqueue(newItem({ upstream: 'land' }), Date.now());
    await outbox.enqueue(newItem({ upstream: 'tax' }), Date.now());
    const [a, b] = await Promise.all([drainer.drain(), drainer.drain()]);
    expect(a).toEqual({ delivered: 2, rescheduled: 0, dead: 0 });
    expect(b).toEqual(a);
    await drainer.stop();
  });
});

describe('drain pace reads latency', () => {
  /** A platform that queues: each replay takes 100 ms per replay in flight. */
  async function run(latencyTolerance: number) {
    const outbox = memoryOutbox();
    let inFlight = 0;
    let maxInFlight = 0;
    const { drainer } = drainHarness({
      outbox,
      clock: systemClock,
      upstreams: ['tax'],
      replay: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 100 * inFlight));
        inFlight--;
        return { ok: true };
      },
      options: { perSecond: 50, initialPerSecond: 5, batch: 20, latencyTolerance },
    });
    for (let i = 0; i < 200; i++) await outbox.enqueue(newItem({ upstream: 'tax' }), Date.now());
    let maxRate = 0;
    const done = drainer.drain();
    let settled = false;
    void done.then(() => {
      settled = true;
    });
    while (!settled) {
      await vi.advanceTimersByTimeAsync(100);
      maxRate = Math.max(maxRate, drainer.rate('tax'));
    }
    const report = await done;
    await drainer.stop();
    return { report, maxRate, maxInFlight };
  }

  it('a platform whose latency climbs with the replays gets a lower rate; nothing is lost', async () => {
    const blind = await run(0);
    const seeing = await run(2);
    expect(blind.report.delivered).toBe(200);
    expect(seeing.report.delivered).toBe(200);
    // Successes alone ramp the blind drain to its ceiling; the latency keeps the other well below.
    expect(blind.maxRate).toBe(50);
    // (measured: 26.3/s at most, 16 replays in flight at most against 20)
    expect(seeing.maxRate).toBeLessThan(blind.maxRate * 0.6);
    expect(seeing.maxInFlight).toBeLessThan(blind.maxInFlight);
  });

  it('refuses a nonsense tolerance', () => {
    for (const latencyTolerance of [1, 0.5, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() =>
        drainHarness({
          outbox: memoryOutbox(),
          clock: systemClock,
          upstreams: ['tax'],
          replay: async () => null,
          options: { latencyTolerance },
        }),
      ).toThrow(RangeError);
    }
  });
});
