/**
 * Two gateway instances on one PostgreSQL outbox whose clocks disagree by 20 minutes (one 10 min
 * behind, one 10 min ahead). Leases, due times and the retention cut-off are the database's: the
 * instance ahead never takes the other's live leases, and each write is sent once. The same runs
 * with `clock: 'caller'` show what the database's clock prevents.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { postgresOutbox } from '../../src/fallback/outbox/index.js';
import type { OutboxItem } from '../../src/fallback/outbox/types.js';
import { drainHarness, skewedClock } from '../fallback/drain-harness.js';
import { requirePostgres } from '../helpers/services.js';
import { newItem, pgSchema, TIMEOUT } from './helpers.js';

const service = await requirePostgres({ suite: 'postgres outbox clock' });
const MIN = 60_000;

describe.skipIf(!service.available)('postgresOutbox: instances with skewed clocks', () => {
  const pg = pgSchema();
  afterAll(() => pg.drop());
  let tables = 0;
  const behind = skewedClock(systemClock, -10 * MIN);
  const ahead = skewedClock(systemClock, +10 * MIN);
  const stores = (clock: 'database' | 'caller') => {
    const table = `c${++tables}`;
    const open = () => postgresOutbox({ pool: pg.pool, schema: pg.schema, table, clock });
    return { a: open(), b: open() };
  };

  it('the instance ahead takes none of the live leases of the instance behind', async () => {
    const { a, b } = stores('database');
    for (let i = 0; i < 4; i++) await a.enqueue(newItem(), behind.now());
    const mine = await a.claim({ owner: 'a', now: behind.now(), leaseMs: 60_000, limit: 10 });
    expect(mine).toHaveLength(4);
    // Times come from the database, whatever the caller's clock says.
    expect(Math.abs(mine[0]!.leaseExpiresAt! - (Date.now() + 60_000))).toBeLessThan(5_000);
    expect(await b.claim({ owner: 'b', now: ahead.now(), leaseMs: 60_000, limit: 10 })).toEqual([]);
    for (const item of mine) expect(await a.complete(item.id, 'a', { ok: true }, behind.now())).toBe(true);
  });

  it('a backoff is an interval on the database clock: neither instance replays early', async () => {
    const { a, b } = stores('database');
    const item = await a.enqueue(newItem(), behind.now());
    await a.claim({ owner: 'a', now: behind.now(), leaseMs: 60_000, limit: 1 });
    await a.release(item.id, 'a', TIMEOUT, behind.now() + 30_000, behind.now());
    const stored = await b.get(item.id);
    expect(Math.abs(stored!.nextAttemptAt - (Date.now() + 30_000))).toBeLessThan(5_000);
    expect(await b.claim({ owner: 'b', now: ahead.now(), leaseMs: 60_000, limit: 1 })).toEqual([]);
  });

  it('the purge applies the retention on the database clock', async () => {
    const { a, b } = stores('database');
    const item = await a.enqueue(newItem(), behind.now());
    await a.claim({ owner: 'a', now: behind.now(), leaseMs: 60_000, limit: 1 });
    await a.complete(item.id, 'a', { ok: true }, behind.now());
    // 5 minutes of retention, asked by the instance 10 minutes ahead: the item is a second old.
    const now = ahead.now();
    expect(await b.purge(now - 5 * MIN, now)).toEqual({ delivered: 0, discarded: 0 });
    expect(await b.get(item.id)).toBeDefined();
  });

  it("with clock: 'caller' the instance ahead steals them (what the database's clock prevents)", async () => {
    const { a, b } = stores('caller');
    for (let i = 0; i < 4; i++) await a.enqueue(newItem(), behind.now());
    await a.claim({ owner: 'a', now: behind.now(), leaseMs: 60_000, limit: 10 });
    expect(await b.claim({ owner: 'b', now: ahead.now(), leaseMs: 60_000, limit: 10 })).toHaveLength(4);
  });

  describe.each([
    ['database', 1],
    ['caller', 2],
  ] as const)("two drainers, clocks ±10 min, clock: '%s'", (clock, sendsPerWrite) => {
    it(`each write is sent ${sendsPerWrite === 1 ? 'once' : 'twice (the skew bug)'}`, async () => {
      const { a, b } = stores(clock);
      const sends = new Map<string, number>();
      // The platform answers only once the other instance has polled: every replay is in flight then.
      let answer = () => {};
      const answered = new Promise<void>((r) => {
        answer = r;
      });
      const replay = async (item: OutboxItem) => {
        sends.set(item.idempotencyKey!, (sends.get(item.idempotencyKey!) ?? 0) + 1);
        await answered;
        return { receiptNo: 'R-1' };
      };
      const total = () => [...sends.values()].reduce((x, y) => x + y, 0);
      const until = async (p: () => boolean) => {
        while (!p()) await new Promise((r) => setImmediate(r));
      };
      const options = { initialPerSecond: 50, perSecond: 50 };
      const one = drainHarness({ outbox: a, clock: behind, upstreams: ['vneid'], replay, options });
      const two = drainHarness({ outbox: b, clock: ahead, upstreams: ['vneid'], replay, options });
      for (let i = 0; i < 4; i++) await a.enqueue(newItem(), behind.now());
      const first = one.drainer.drain();
      await until(() => sends.size === 4);
      // The instance ahead polls while the first one's replays are in flight.
      let polled = false;
      const second = two.drainer.drain().finally(() => {
        polled = true;
      });
      await until(() => polled || total() === 8);
      answer();
      await Promise.all([first, second]);
      expect([...sends.values()]).toEqual([1, 1, 1, 1].map(() => sendsPerWrite));
      await one.drainer.stop();
      await two.drainer.stop();
    });
  });
});
