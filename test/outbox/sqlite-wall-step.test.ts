/**
 * A SQLite outbox lives on one host's wall clock, which may step: an NTP correction, or a host
 * whose hardware clock runs on local time (UTC+7) stepped at boot. Queued items must still go out
 * promptly and leases must not stick: an item changed "in the future" is due now, its lease lapsed;
 * the drainer's pacer runs on the monotonic clock.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { sqliteOutbox } from '../../src/fallback/outbox/index.js';
import { drainHarness } from '../fallback/drain-harness.js';
import { newItem, TIMEOUT, tempDir } from './helpers.js';

const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);
const HOUR = 3_600_000;

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
  // Fakes Date and performance.now() alike; setSystemTime then steps the wall clock alone.
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
  tmp.cleanup();
});

describe.each([
  ['-1 h', -HOUR],
  ['-7 h (a host booting on local time)', -7 * HOUR],
  ['+60 s', 60_000],
])('sqliteOutbox with the wall clock stepped %s', (_name, step) => {
  it('delivers queued, backed-off and crash-leased items promptly; no lease sticks', async () => {
    const outbox = sqliteOutbox({ path: join(tmp.dir, 'outbox.db') });
    const delivered: string[] = [];
    const { drainer, events } = drainHarness({
      outbox,
      clock: systemClock,
      upstreams: ['vneid'],
      replay: async () => ({ receiptNo: 'R-1' }),
      options: { pollMs: 1_000, leaseMs: 60_000 },
    });
    events.on('outbox:delivered', (e) => delivered.push(e.ticket));
    drainer.start();
    // Before the step: the drain runs (its pacer has a history), one item goes out.
    const first = await outbox.enqueue(newItem(), Date.now());
    await vi.advanceTimersByTimeAsync(1_000);
    expect(delivered).toEqual([first.id]);
    // Left before the step: an item leased by a drainer that crashed, one backed off for 60 s.
    const crashed = await outbox.enqueue(newItem(), Date.now());
    const backedOff = await outbox.enqueue(newItem(), Date.now());
    await outbox.claim({ owner: 'crashed', now: Date.now(), leaseMs: 60_000, limit: 1 });
    const [b] = await outbox.claim({ owner: 'other', now: Date.now(), leaseMs: 60_000, limit: 1 });
    expect(b?.id).toBe(backedOff.id);
    await outbox.release(backedOff.id, 'other', TIMEOUT, Date.now() + 60_000, Date.now());

    vi.setSystemTime(Date.now() + step);
    const after = await Promise.all([1, 2, 3].map(() => outbox.enqueue(newItem(), Date.now())));

    // Within two polls: what was queued after the step, and (a step back means their times lie in
    // the future) the crashed drainer's item and the backed-off one, not an hour or seven later.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(delivered).toEqual(expect.arrayContaining([...after.map((i) => i.id), crashed.id, backedOff.id]));
    expect(await outbox.counts()).toEqual({ pending: 0, delivering: 0, delivered: 6, dead: 0 });
    expect(new Set(delivered).size).toBe(6); // each once
    await drainer.stop();
    await outbox.close();
  });
});
