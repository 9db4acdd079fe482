import { afterAll, describe, expect, it } from 'vitest';
import { isOutboxStoreError, postgresOutbox } from '../../src/fallback/outbox/index.js';
import { newItem, pgSchema } from './helpers.js';

const T0 = 1_750_000_000_000;
const pg = pgSchema();
afterAll(() => pg.drop());
let tables = 0;
const store = (table = `p${++tables}`) =>
  postgresOutbox({ pool: pg.pool, schema: pg.schema, table, clock: 'caller' });

describe('postgresOutbox', () => {
  it('rejects bad options before touching the server', () => {
    expect(() => postgresOutbox({ pool: pg.pool, schema: 'x"; drop' })).toThrow(TypeError);
    expect(() => postgresOutbox({})).toThrow(/exactly one of pool or connectionString/);
  });

  it('migrates once when several instances start at once, and records the version', async () => {
    const table = `p${++tables}`;
    const stores = Array.from({ length: 4 }, () => store(table));
    await Promise.all(stores.map((s) => s.counts()));
    const { rows } = await pg.pool.query(`SELECT version FROM "${pg.schema}"."${table}_migrations"`);
    expect(rows).toEqual([{ version: 1 }, { version: 2 }]);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('refuses a table migrated by a newer library', async () => {
    const table = `p${++tables}`;
    const a = store(table);
    await a.counts();
    await pg.pool.query(`INSERT INTO "${pg.schema}"."${table}_migrations" (version) VALUES (99)`);
    const b = store(table);
    await expect(b.counts()).rejects.toSatisfy((e) => isOutboxStoreError(e, 'SCHEMA_TOO_NEW'));
    await a.close();
    await b.close();
  });

  it('reports per-upstream depth and the oldest open item', async () => {
    const s = store();
    await s.enqueue(newItem({ upstream: 'vneid' }), T0);
    await s.enqueue(newItem({ upstream: 'vneid' }), T0 + 5);
    await s.enqueue(newItem({ upstream: 'land' }), T0 + 9);
    const [claimed] = await s.claim({ owner: 'd', now: T0 + 10, leaseMs: 1000, limit: 1 });
    expect(claimed?.createdAt).toBe(T0);
    expect(await s.stats()).toEqual({
      vneid: { pending: 1, delivering: 1, dead: 0, oldestPendingAt: T0 },
      land: { pending: 1, delivering: 0, dead: 0, oldestPendingAt: T0 + 9 },
    });
    await s.fail(claimed!.id, 'd', { code: 'X', message: 'x' }, T0 + 11);
    expect((await s.stats()).vneid).toEqual({ pending: 1, delivering: 0, dead: 1, oldestPendingAt: T0 + 5 });
    await s.close();
  });

  it('wakes a watcher on another instance when an item is enqueued and on wake()', async () => {
    const table = `p${++tables}`;
    const a = store(table);
    const b = store(table);
    await a.counts();
    let wakes = 0;
    let resolveWake: () => void = () => {};
    const next = () =>
      new Promise<void>((r) => {
        resolveWake = r;
      });
    const stop = b.watch(() => {
      wakes += 1;
      resolveWake();
    });
    await next(); // the watcher is told once when it starts listening
    const afterEnqueue = next();
    await a.enqueue(newItem(), T0);
    await afterEnqueue;
    const afterWake = next();
    await a.wake();
    await afterWake;
    expect(wakes).toBe(3);
    stop();
    await a.close();
    await b.close();
  });

  it('enqueues within the caller transaction: rolled back leaves nothing, committed is there', async () => {
    const s = store();
    await s.counts();
    const client = await pg.pool.connect();
    try {
      await client.query('BEGIN');
      const lost = await s.enqueue(newItem(), T0, { client });
      await client.query('ROLLBACK');
      expect(await s.get(lost.id)).toBeUndefined();
      await client.query('BEGIN');
      const kept = await s.enqueue(newItem(), T0, { client });
      expect(await s.get(kept.id)).toBeUndefined(); // not visible before commit
      await client.query('COMMIT');
      expect((await s.get(kept.id))?.state).toBe('pending');
    } finally {
      client.release();
    }
    expect(await s.counts()).toEqual({ pending: 1, delivering: 0, delivered: 0, dead: 0 });
    await s.close();
  });

  it('never hands one item to two concurrent drainers', async () => {
    const table = `p${++tables}`;
    const a = store(table);
    const b = store(table);
    for (let i = 0; i < 40; i++) await a.enqueue(newItem(), T0);
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? a : b).claim({ owner: `d${i}`, now: T0, leaseMs: 1000, limit: 7 }),
      ),
    );
    const ids = claims.flat().map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(40);
    await a.close();
    await b.close();
  });

  it('fails with UNAVAILABLE when the server cannot be reached', async () => {
    const s = postgresOutbox({ connectionString: 'postgres://postgres@127.0.0.1:1/test' });
    await expect(s.enqueue(newItem(), T0)).rejects.toSatisfy((e) => isOutboxStoreError(e, 'UNAVAILABLE'));
    await s.close();
  });
});
