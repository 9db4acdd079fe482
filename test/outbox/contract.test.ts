import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isOutboxStoreError,
  memoryOutbox,
  type OutboxItem,
  type OutboxStore,
  postgresOutbox,
  sqliteOutbox,
} from '../../src/fallback/outbox/index.js';
import { canonicalJson } from '../../src/fallback/outbox/internal.js';
import { newItem, pgSchema, TIMEOUT, tempDir } from './helpers.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** The input `newItem()` built for this item, as stored (JSON). */
const newItemInput = (item: OutboxItem) => JSON.parse(JSON.stringify(item.input));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const T0 = 1_750_000_000_000;
const LEASE = 30_000;

interface Subject {
  store: OutboxStore;
  cleanup: () => void | Promise<void>;
  /** The row as stored (read around the store), or what the memory store holds. */
  raw: (id: string) => Promise<Record<string, unknown> | undefined>;
}

// This file's own schema on the shared server, so parallel test files never collide.
const pg = pgSchema();
afterAll(() => pg.drop());
let tables = 0;

describe.each<[string, () => Subject]>([
  [
    'memoryOutbox',
    () => {
      // The memory store's rows are private: its own `get` is the closest to a raw read.
      const store = memoryOutbox();
      return {
        store,
        cleanup: () => {},
        raw: async (id) => structuredClone(await store.get(id)) as Record<string, unknown> | undefined,
      };
    },
  ],
  [
    'sqliteOutbox',
    () => {
      const tmp = tempDir();
      const file = join(tmp.dir, 'outbox.db');
      const raw = async (id: string) => {
        const db = new Database(file, { readonly: true });
        try {
          return db.prepare('SELECT * FROM outbox_items WHERE id = ?').get(id) as Record<string, unknown>;
        } finally {
          db.close();
        }
      };
      return { store: sqliteOutbox({ path: file }), cleanup: tmp.cleanup, raw };
    },
  ],
  [
    'postgresOutbox',
    () => {
      const table = `t${++tables}`;
      // The caller's clock: the contract is checked on a fake clock (T0); the database's clock is
      // tested in postgres-clock.test.ts.
      const store = postgresOutbox({ pool: pg.pool, schema: pg.schema, table, clock: 'caller' });
      const raw = async (id: string) =>
        (await pg.pool.query(`SELECT * FROM "${pg.schema}"."${table}" WHERE id = $1`, [id])).rows[0];
      return { store, cleanup: () => {}, raw };
    },
  ],
])('OutboxStore contract: %s', (_name, make) => {
  let store: OutboxStore;
  let cleanup: () => void | Promise<void>;
  let raw: Subject['raw'];

  beforeEach(() => {
    ({ store, cleanup, raw } = make());
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  const claimOne = async (owner: string, now: number): Promise<OutboxItem> => {
    const [item] = await store.claim({ owner, now, leaseMs: LEASE, limit: 1 });
    expect(item).toBeDefined();
    return item!;
  };

  describe('stats', () => {
    it('is empty for an empty store', async () => {
      expect(await store.stats()).toEqual({});
    });

    it('reports depth per upstream and the enqueue time of the oldest item not delivered or dead', async () => {
      const a = await store.enqueue(newItem(), T0);
      await store.enqueue(newItem(), T0 + 1_000);
      await store.enqueue(newItem(), T0 + 2_000);
      await store.enqueue(newItem({ upstream: 'land' }), T0 + 5_000);
      expect(await store.stats()).toEqual({
        vneid: { pending: 3, delivering: 0, dead: 0, oldestPendingAt: T0 },
        land: { pending: 1, delivering: 0, dead: 0, oldestPendingAt: T0 + 5_000 },
      });
      // The oldest is delivered, the next one leased then dead-lettered: the age moves to the third.
      const [first] = await store.claim({
        owner: 'o',
        now: T0 + 6_000,
        leaseMs: LEASE,
        limit: 1,
        upstream: 'vneid',
      });
      expect(first?.id).toBe(a.id);
      expect((await store.stats()).vneid).toEqual({
        pending: 2,
        delivering: 1,
        dead: 0,
        oldestPendingAt: T0,
      });
      await store.complete(a.id, 'o', { ok: true }, T0 + 6_000);
      const [second] = await store.claim({
        owner: 'o',
        now: T0 + 6_000,
        leaseMs: LEASE,
        limit: 1,
        upstream: 'vneid',
      });
      await store.fail(second!.id, 'o', { code: 'VALIDATION', message: 'rejected' }, T0 + 6_000);
      expect((await store.stats()).vneid).toEqual({
        pending: 1,
        delivering: 0,
        dead: 1,
        oldestPendingAt: T0 + 2_000,
      });
    });

    it('keeps an upstream whose only items are dead, with no pending age', async () => {
      await store.enqueue(newItem(), T0);
      const [item] = await store.claim({ owner: 'o', now: T0, leaseMs: LEASE, limit: 1 });
      await store.fail(item!.id, 'o', { code: 'VALIDATION', message: 'rejected' }, T0);
      expect(await store.stats()).toEqual({
        vneid: { pending: 0, delivering: 0, dead: 1, oldestPendingAt: undefined },
      });
    });
  });

  describe('enqueue, get, list, counts', () => {
    it('stores a pending item due now and hands out a UUID ticket', async () => {
      const input = newItem();
      const item = await store.enqueue(input, T0);
      expect(item.id).toMatch(UUID);
      expect(item).toEqual({
        ...input,
        id: item.id,
        state: 'pending',
        attempts: 0,
        createdAt: T0,
        updatedAt: T0,
        nextAttemptAt: T0,
        inputSha256: sha256(canonicalJson(input.input)),
      });
      expect(item).not.toHaveProperty('leaseOwner');
      expect(item).not.toHaveProperty('result');
      expect(await store.get(item.id)).toStrictEqual(item);
      expect(await store.list()).toStrictEqual([item]);
      expect(await store.counts()).toEqual({ pending: 1, delivering: 0, delivered: 0, dead: 0 });
    });

    it('gives every item its own ticket', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 20; i++) ids.add((await store.enqueue(newItem(), T0)).id);
      expect(ids.size).toBe(20);
    });

    it('returns undefined for an unknown ticket and zero counts for an empty store', async () => {
      expect(await store.get('00000000-0000-4000-8000-000000000000')).toBeUndefined();
      expect(await store.counts()).toEqual({ pending: 0, delivering: 0, delivered: 0, dead: 0 });
      expect(await store.list()).toEqual([]);
    });

    it('requires an idempotency key for writes, not for deferred reads', async () => {
      await expect(store.enqueue(newItem({ idempotencyKey: undefined }), T0)).rejects.toThrow(TypeError);
      const read = await store.enqueue(
        newItem({ kind: 'deferred-read', operation: 'verifyCitizen', idempotencyKey: undefined }),
        T0,
      );
      expect(read).not.toHaveProperty('idempotencyKey');
      expect(read.kind).toBe('deferred-read');
      expect(await store.counts()).toMatchObject({ pending: 1 });
    });

    it('rejects malformed items without echoing their input', async () => {
      const secret = '079203004567';
      await expect(store.enqueue(newItem({ input: { personalId: secret, n: 10n } }), T0)).rejects.toThrow(
        /input must be JSON-serialisable/,
      );
      await expect(store.enqueue(newItem({ input: { personalId: secret, n: 10n } }), T0)).rejects.not.toThrow(
        secret,
      );
      await expect(store.enqueue(newItem({ kind: 'read' as 'write' }), T0)).rejects.toThrow(TypeError);
      await expect(store.enqueue(newItem({ requestId: '' }), T0)).rejects.toThrow(/requestId/);
      await expect(store.enqueue(newItem(), Number.NaN)).rejects.toThrow(/now/);
      expect(await store.counts()).toMatchObject({ pending: 0 });
    });

    it('keeps only purpose, actor and dossierCode from the context', async () => {
      const context = { purpose: 'p', actor: 'a', dossierCode: 'd', signature: 'MEUCIQ…', token: 'secret' };
      const item = await store.enqueue(newItem({ context }), T0);
      expect((await store.get(item.id))!.context).toStrictEqual({
        purpose: 'p',
        actor: 'a',
        dossierCode: 'd',
      });
    });

    it('stores input and result as JSON (undefined → null, Date → ISO string)', async () => {
      const item = await store.enqueue(
        newItem({ input: { at: new Date(T0), gone: undefined, list: [1, undefined] } }),
        T0,
      );
      expect(item.input).toStrictEqual({ at: new Date(T0).toISOString(), list: [1, null] });
      const bare = await store.enqueue(newItem({ input: undefined }), T0);
      expect(bare.input).toBeNull();
    });

    it('lists by state and upstream, oldest first, with a limit', async () => {
      const a = await store.enqueue(newItem({ upstream: 'vneid' }), T0 + 2);
      const b = await store.enqueue(newItem({ upstream: 'land' }), T0 + 1);
      const c = await store.enqueue(newItem({ upstream: 'vneid' }), T0 + 3);
      await claimOne('d1', T0 + 10); // b, the oldest
      const ids = (items: OutboxItem[]) => items.map((i) => i.id);
      expect(ids(await store.list())).toEqual([b.id, a.id, c.id]);
      expect(ids(await store.list({ state: 'pending' }))).toEqual([a.id, c.id]);
      expect(ids(await store.list({ state: 'delivering' }))).toEqual([b.id]);
      expect(ids(await store.list({ upstream: 'vneid' }))).toEqual([a.id, c.id]);
      expect(ids(await store.list({ upstream: 'vneid', state: 'delivering' }))).toEqual([]);
      expect(ids(await store.list({ limit: 2 }))).toEqual([b.id, a.id]);
      expect(ids(await store.list({ limit: 0 }))).toEqual([]);
      expect(await store.counts()).toEqual({ pending: 2, delivering: 1, delivered: 0, dead: 0 });
    });
  });

  describe('claim', () => {
    it('leases due items to the owner, counting the attempt', async () => {
      const queued = await store.enqueue(newItem(), T0);
      const [item] = await store.claim({ owner: 'd1', now: T0 + 5, leaseMs: LEASE, limit: 10 });
      expect(item).toEqual({
        ...queued,
        state: 'delivering',
        attempts: 1,
        updatedAt: T0 + 5,
        leaseOwner: 'd1',
        leaseExpiresAt: T0 + 5 + LEASE,
      });
      expect(await store.get(queued.id)).toStrictEqual(item);
      expect(await store.counts()).toEqual({ pending: 0, delivering: 1, delivered: 0, dead: 0 });
    });

    it('respects nextAttemptAt', async () => {
      const item = await store.enqueue(newItem(), T0);
      expect(await store.claim({ owner: 'd1', now: T0 - 1, leaseMs: LEASE, limit: 10 })).toEqual([]);
      await claimOne('d1', T0);
      expect(await store.release(item.id, 'd1', TIMEOUT, T0 + 60_000, T0 + 1)).toBe(true);
      expect(await store.claim({ owner: 'd1', now: T0 + 59_999, leaseMs: LEASE, limit: 10 })).toEqual([]);
      expect((await claimOne('d1', T0 + 60_000)).id).toBe(item.id);
    });

    it('takes at most `limit` items, oldest first, a burst in enqueue order', async () => {
      const late = await store.enqueue(newItem(), T0 + 100);
      const burst: string[] = [];
      for (let i = 0; i < 5; i++) burst.push((await store.enqueue(newItem(), T0)).id);
      const early = await store.enqueue(newItem(), T0 - 100);
      const first = await store.claim({ owner: 'd1', now: T0 + 1000, leaseMs: LEASE, limit: 4 });
      expect(first.map((i) => i.id)).toEqual([early.id, ...burst.slice(0, 3)]);
      const rest = await store.claim({ owner: 'd1', now: T0 + 1000, leaseMs: LEASE, limit: 10 });
      expect(rest.map((i) => i.id)).toEqual([...burst.slice(3), late.id]);
      expect(await store.claim({ owner: 'd1', now: T0 + 1000, leaseMs: LEASE, limit: 0 })).toEqual([]);
    });

    it('filters by upstream', async () => {
      const land = await store.enqueue(newItem({ upstream: 'land' }), T0);
      await store.enqueue(newItem({ upstream: 'vneid' }), T0);
      const got = await store.claim({ owner: 'd1', now: T0, leaseMs: LEASE, limit: 10, upstream: 'land' });
      expect(got.map((i) => i.id)).toEqual([land.id]);
      expect(await store.counts()).toMatchObject({ pending: 1, delivering: 1 });
    });

    it('does not hand a leased item to another owner until the lease expires (crashed drainer)', async () => {
      const item = await store.enqueue(newItem(), T0);
      await claimOne('crashed', T0);
      const expires = T0 + LEASE;
      expect(await store.claim({ owner: 'd2', now: expires - 1, leaseMs: LEASE, limit: 10 })).toEqual([]);
      const [taken] = await store.claim({ owner: 'd2', now: expires, leaseMs: LEASE, limit: 10 });
      expect(taken).toMatchObject({
        id: item.id,
        leaseOwner: 'd2',
        leaseExpiresAt: expires + LEASE,
        attempts: 2,
      });
      // The crashed drainer wakes up: it no longer holds the item.
      expect(await store.complete(item.id, 'crashed', { ok: true }, expires + 1)).toBe(false);
      expect(await store.release(item.id, 'crashed', TIMEOUT, expires + 1, expires + 1)).toBe(false);
      expect(await store.fail(item.id, 'crashed', TIMEOUT, expires + 1)).toBe(false);
      expect(await store.complete(item.id, 'd2', { ok: true }, expires + 2)).toBe(true);
    });

    // On the caller's wall clock (not PostgreSQL, on the database's clock): a step back must not
    // stall an item for the size of the step.
    it.skipIf(_name === 'postgresOutbox')(
      'an item changed in the future (the wall clock stepped back) is due now and its lease lapsed',
      async () => {
        const leased = await store.enqueue(newItem(), T0);
        const backedOff = await store.enqueue(newItem(), T0);
        await claimOne('crashed', T0);
        await claimOne('other', T0);
        await store.release(backedOff.id, 'other', TIMEOUT, T0 + 60_000, T0);
        // A second back (within the slack a concurrent claim needs) changes nothing.
        expect(await store.claim({ owner: 'd2', now: T0 - 1_000, leaseMs: LEASE, limit: 10 })).toEqual([]);
        const stepped = T0 - 3_600_000;
        const taken = await store.claim({ owner: 'd2', now: stepped, leaseMs: LEASE, limit: 10 });
        expect(taken.map((i) => i.id).sort()).toEqual([leased.id, backedOff.id].sort());
        expect(taken[0]).toMatchObject({ leaseOwner: 'd2', leaseExpiresAt: stepped + LEASE });
      },
    );

    it('lets the holder finish after its lease lapsed if nobody took the item over', async () => {
      const item = await store.enqueue(newItem(), T0);
      await claimOne('slow', T0);
      expect(await store.complete(item.id, 'slow', { ok: 1 }, T0 + LEASE * 2)).toBe(true);
      expect(await store.claim({ owner: 'd2', now: T0 + LEASE * 3, leaseMs: LEASE, limit: 10 })).toEqual([]);
    });

    it('rejects nonsense options', async () => {
      await expect(store.claim({ owner: '', now: T0, leaseMs: LEASE, limit: 1 })).rejects.toThrow(TypeError);
      await expect(store.claim({ owner: 'd1', now: T0, leaseMs: 0, limit: 1 })).rejects.toThrow(/leaseMs/);
      await expect(store.claim({ owner: 'd1', now: T0, leaseMs: LEASE, limit: -1 })).rejects.toThrow(/limit/);
      await expect(store.claim({ owner: 'd1', now: T0, leaseMs: LEASE, limit: 1.5 })).rejects.toThrow(
        /limit/,
      );
    });
  });

  describe('complete, release, fail', () => {
    it('complete: delivering → delivered with a result summary, input minimised, never claimed again', async () => {
      const item = await store.enqueue(newItem(), T0);
      await claimOne('d1', T0);
      const result = { receiptNo: 'R-1', at: new Date(T0), fee: 0, owner: { name: 'Nguyễn Văn A' } };
      expect(await store.complete(item.id, 'd1', result, T0 + 7)).toBe(true);
      const done = await store.get(item.id);
      expect(done).toEqual({
        ...item,
        input: null,
        state: 'delivered',
        attempts: 1,
        updatedAt: T0 + 7,
        deliveredAt: T0 + 7,
        // The date and the nested personal data are left out of the summary; the hash covers all.
        result: { receiptNo: 'R-1', fee: 0 },
        resultSha256: sha256(canonicalJson(JSON.parse(JSON.stringify(result)))),
      });
      expect(done).not.toHaveProperty('leaseOwner');
      expect(done).not.toHaveProperty('leaseExpiresAt');
      expect(await store.complete(item.id, 'd1', {}, T0 + 8)).toBe(false);
      expect(await store.claim({ owner: 'd1', now: T0 + 10 * LEASE, leaseMs: LEASE, limit: 10 })).toEqual([]);
    });

    it('complete without a result leaves it absent', async () => {
      const item = await store.enqueue(newItem(), T0);
      await claimOne('d1', T0);
      expect(await store.complete(item.id, 'd1', undefined, T0 + 1)).toBe(true);
      const done = await store.get(item.id);
      expect(done?.state).toBe('delivered');
      expect(done).not.toHaveProperty('result');
    });

    it('only the lease holder may complete, release or fail', async () => {
      const item = await store.enqueue(newItem(), T0);
      const unknown = '00000000-0000-4000-8000-000000000000';
      // Not delivering yet: nobody holds it.
      expect(await store.complete(item.id, 'd1', {}, T0)).toBe(false);
      await claimOne('d1', T0);
      for (const [id, owner] of [
        [item.id, 'd2'],
        [unknown, 'd1'],
      ] as const) {
        expect(await store.complete(id, owner, {}, T0 + 1)).toBe(false);
        expect(await store.release(id, owner, TIMEOUT, T0 + 1, T0 + 1)).toBe(false);
        expect(await store.fail(id, owner, TIMEOUT, T0 + 1)).toBe(false);
      }
      expect(await store.get(item.id)).toMatchObject({
        state: 'delivering',
        leaseOwner: 'd1',
        updatedAt: T0,
      });
    });

    it('release: back to pending with the error and the new due time; attempts keep counting', async () => {
      const item = await store.enqueue(newItem(), T0);
      await claimOne('d1', T0);
      expect(await store.release(item.id, 'd1', TIMEOUT, T0 + 1000, T0 + 10)).toBe(true);
      const after = await store.get(item.id);
      expect(after).toEqual({
        ...item,
        state: 'pending',
        attempts: 1,
        lastError: TIMEOUT,
        nextAttemptAt: T0 + 1000,
        updatedAt: T0 + 10,
      });
      expect(after).not.toHaveProperty('leaseOwner');
      expect(await store.release(item.id, 'd1', TIMEOUT, T0, T0)).toBe(false); // no longer held
      await claimOne('d2', T0 + 1000);
      expect(await store.release(item.id, 'd2', TIMEOUT, T0 + 3000, T0 + 1001)).toBe(true);
      expect(await store.get(item.id)).toMatchObject({
        attempts: 2,
        state: 'pending',
        nextAttemptAt: T0 + 3000,
      });
    });

    it('stores only code and message of an error', async () => {
      const item = await store.enqueue(newItem(), T0);
      await claimOne('d1', T0);
      const error = Object.assign(new Error('boom'), { code: 'NETWORK', payload: { personalId: '0790' } });
      expect(await store.release(item.id, 'd1', error, T0, T0)).toBe(true);
      expect((await store.get(item.id))!.lastError).toStrictEqual({ code: 'NETWORK', message: 'boom' });
    });

    it('fail: delivering → dead with the error; dead items are not claimed', async () => {
      const item = await store.enqueue(newItem(), T0);
      await claimOne('d1', T0);
      const rejected = { code: 'REJECTED', message: 'upstream code 41: dossier closed' };
      expect(await store.fail(item.id, 'd1', rejected, T0 + 3)).toBe(true);
      const dead = await store.get(item.id);
      expect(dead).toEqual({ ...item, state: 'dead', attempts: 1, lastError: rejected, updatedAt: T0 + 3 });
      expect(dead).not.toHaveProperty('leaseOwner');
      expect(await store.fail(item.id, 'd1', rejected, T0 + 4)).toBe(false);
      expect(await store.claim({ owner: 'd2', now: T0 + 10 * LEASE, leaseMs: LEASE, limit: 10 })).toEqual([]);
      expect(await store.counts()).toEqual({ pending: 0, delivering: 0, delivered: 0, dead: 1 });
    });
  });

  describe('retryDeadLetter', () => {
    it('dead → pending, due now, keeping attempts and the last error', async () => {
      const item = await store.enqueue(newItem(), T0);
      await claimOne('d1', T0);
      await store.fail(item.id, 'd1', TIMEOUT, T0 + 1);
      const retried = await store.retryDeadLetter(item.id, T0 + 500);
      expect(retried).toEqual({
        ...item,
        state: 'pending',
        attempts: 1,
        lastError: TIMEOUT,
        nextAttemptAt: T0 + 500,
        updatedAt: T0 + 500,
      });
      expect(await store.get(item.id)).toStrictEqual(retried);
      expect((await claimOne('d2', T0 + 500)).attempts).toBe(2);
    });

    it('returns undefined for an item that is not dead, or unknown', async () => {
      const item = await store.enqueue(newItem(), T0);
      expect(await store.retryDeadLetter(item.id, T0)).toBeUndefined();
      await claimOne('d1', T0);
      expect(await store.retryDeadLetter(item.id, T0)).toBeUndefined();
      await store.complete(item.id, 'd1', null, T0);
      expect(await store.retryDeadLetter(item.id, T0)).toBeUndefined();
      expect(await store.retryDeadLetter('00000000-0000-4000-8000-000000000000', T0)).toBeUndefined();
      expect(await store.get(item.id)).toMatchObject({ state: 'delivered', result: null });
    });
  });

  describe('minimisation and retention', () => {
    const PERSONAL = ['001099012345', 'Nguyễn Văn A'];
    const holdsPersonalData = (row: unknown) => PERSONAL.some((p) => JSON.stringify(row).includes(p));

    it('the input is gone from the stored row once delivered; its hash stays', async () => {
      const item = await store.enqueue(newItem(), T0);
      // The raw read does see personal data while a replay may need it.
      expect(holdsPersonalData(await raw(item.id))).toBe(true);
      await claimOne('d1', T0);
      expect(holdsPersonalData(await raw(item.id))).toBe(true);
      await store.complete(item.id, 'd1', { verified: false, fullName: 'Nguyễn Văn A' }, T0 + 1);
      const row = await raw(item.id);
      expect(row).toBeDefined();
      expect(holdsPersonalData(row)).toBe(false);
      const hash = sha256(canonicalJson(newItemInput(item)));
      expect(JSON.stringify(row)).toContain(hash);
      expect(await store.get(item.id)).toMatchObject({
        input: null,
        inputSha256: hash,
        result: { verified: false },
      });
    });

    it('the hash is of the canonical input: key order does not change it', async () => {
      const a = await store.enqueue(newItem({ input: { b: 1, a: { y: 2, x: [3, { q: 1, p: 0 }] } } }), T0);
      const b = await store.enqueue(newItem({ input: { a: { x: [3, { p: 0, q: 1 }], y: 2 }, b: 1 } }), T0);
      expect(a.inputSha256).toBe(b.inputSha256);
      expect(a.inputSha256).toBe(sha256('{"a":{"x":[3,{"p":0,"q":1}],"y":2},"b":1}'));
    });

    it('a dead letter keeps its input until discarded; discard minimises it and takes it off the dead count', async () => {
      const item = await store.enqueue(newItem(), T0);
      const other = await store.enqueue(newItem(), T0);
      await store.claim({ owner: 'd1', now: T0, leaseMs: LEASE, limit: 2 });
      await store.fail(item.id, 'd1', { code: 'REJECTED', message: 'dossier closed' }, T0 + 1);
      expect(holdsPersonalData(await raw(item.id))).toBe(true);
      expect(await store.discard(other.id, 'not dead', T0 + 2)).toBeUndefined(); // delivering
      for (const bad of ['', '   ', 'citizen 001099012345 asked', 'x'.repeat(501)]) {
        await expect(store.discard(item.id, bad, T0 + 2)).rejects.toThrow(TypeError);
      }
      await expect(store.discard(item.id, 'citizen 001099012345', T0 + 2)).rejects.not.toThrow('0010990');
      const discarded = await store.discard(item.id, 'duplicate of H29.22-1, filed on paper', T0 + 3);
      expect(discarded).toMatchObject({
        state: 'dead',
        input: null,
        inputSha256: item.inputSha256,
        discardedAt: T0 + 3,
        discardReason: 'duplicate of H29.22-1, filed on paper',
        lastError: { code: 'REJECTED' },
        updatedAt: T0 + 3,
      });
      expect(holdsPersonalData(await raw(item.id))).toBe(false);
      expect(await store.get(item.id)).toStrictEqual(discarded);
      expect(await store.counts()).toEqual({ pending: 0, delivering: 1, delivered: 0, dead: 0 });
      expect((await store.stats()).vneid?.dead).toBe(0);
      expect(await store.discard(item.id, 'again', T0 + 4)).toBeUndefined();
      // Its input is gone: it can no longer be replayed.
      expect(await store.retryDeadLetter(item.id, T0 + 5)).toBeUndefined();
      expect(await store.discard('00000000-0000-4000-8000-000000000000', 'x', T0)).toBeUndefined();
    });

    it('purge removes exactly the delivered and discarded items due, never pending, delivering or dead', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await store.enqueue(newItem(), T0)).id);
      const [oldDone, newDone, pending, leased, dead, discarded, deadOld] = ids as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      await store.claim({ owner: 'd1', now: T0, leaseMs: LEASE, limit: 7 });
      await store.complete(oldDone, 'd1', { ok: true }, T0 + 100);
      await store.complete(newDone, 'd1', { ok: true }, T0 + 1_000);
      await store.release(pending, 'd1', TIMEOUT, T0 + 10, T0 + 1);
      await store.fail(dead, 'd1', TIMEOUT, T0 + 1);
      await store.fail(discarded, 'd1', TIMEOUT, T0 + 1);
      await store.fail(deadOld, 'd1', TIMEOUT, T0 + 1);
      await store.discard(discarded, 'handled on paper', T0 + 200);
      void leased;

      expect(await store.purge(T0 + 99)).toEqual({ delivered: 0, discarded: 0 });
      // `before` is inclusive.
      expect(await store.purge(T0 + 200)).toEqual({ delivered: 1, discarded: 1 });
      expect(await store.get(oldDone)).toBeUndefined();
      expect(await store.get(discarded)).toBeUndefined();
      expect(await store.purge(T0 + 200)).toEqual({ delivered: 0, discarded: 0 });
      // Far in the future: only the other delivered item goes; the rest stay for ever.
      expect(await store.purge(T0 + 10 ** 12)).toEqual({ delivered: 1, discarded: 0 });
      expect((await store.list()).map((i) => i.id).sort()).toEqual([pending, leased, dead, deadOld].sort());
      expect(await store.counts()).toEqual({ pending: 1, delivering: 1, delivered: 0, dead: 2 });
      await expect(store.purge(Number.NaN)).rejects.toThrow(TypeError);
    });
  });

  it('deletes nothing but through purge', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await store.enqueue(newItem(), T0 + i)).id);
    const got = await store.claim({ owner: 'd1', now: T0 + 10, leaseMs: LEASE, limit: 6 });
    await store.complete(got[0]!.id, 'd1', { ok: true }, T0 + 11);
    await store.complete(got[1]!.id, 'd1', { ok: true }, T0 + 11);
    await store.fail(got[2]!.id, 'd1', TIMEOUT, T0 + 11);
    await store.release(got[3]!.id, 'd1', TIMEOUT, T0 + 20, T0 + 11);
    await store.retryDeadLetter(got[2]!.id, T0 + 12);
    expect(await store.counts()).toEqual({ pending: 4, delivering: 2, delivered: 2, dead: 0 });
    expect((await store.list()).map((i) => i.id)).toEqual(ids);
    for (const id of ids) expect(await store.get(id)).toBeDefined();
  });

  it('hands out copies: neither the caller’s input nor returned objects alias stored state', async () => {
    const input = newItem();
    const original = structuredClone(input);
    const item = await store.enqueue(input, T0);
    const expected = structuredClone(item);
    // Mutate what was passed in and everything handed back.
    (input.input as { personalId: string }).personalId = 'changed';
    input.context.actor = 'changed';
    (item.input as { personalId: string }).personalId = 'changed';
    item.state = 'delivered';
    (await store.get(item.id))!.context.actor = 'changed';
    (await store.list())[0]!.lastError!.code = 'changed';
    const [claimed] = await store.claim({ owner: 'd1', now: T0, leaseMs: LEASE, limit: 1 });
    (claimed!.input as { address: { no: number } }).address.no = -1;
    const stored = (await store.get(item.id))!;
    expect(stored).toStrictEqual({
      ...expected,
      state: 'delivering',
      attempts: 1,
      leaseOwner: 'd1',
      leaseExpiresAt: T0 + LEASE,
    });
    expect(stored.input).toStrictEqual(original.input);
  });

  it('rejects every call once closed, with CLOSED; close is idempotent', async () => {
    const item = await store.enqueue(newItem(), T0);
    await store.close();
    await store.close();
    const calls: Array<() => Promise<unknown>> = [
      () => store.enqueue(newItem(), T0),
      () => store.claim({ owner: 'd1', now: T0, leaseMs: LEASE, limit: 1 }),
      () => store.complete(item.id, 'd1', {}, T0),
      () => store.release(item.id, 'd1', TIMEOUT, T0, T0),
      () => store.fail(item.id, 'd1', TIMEOUT, T0),
      () => store.retryDeadLetter(item.id, T0),
      () => store.get(item.id),
      () => store.list(),
      () => store.counts(),
      () => store.discard(item.id, 'duplicate', T0),
      () => store.purge(T0),
    ];
    for (const call of calls) {
      const err = await call().catch((e: unknown) => e);
      expect(isOutboxStoreError(err, 'CLOSED')).toBe(true);
      expect((err as Error).name).toBe('OutboxStoreError');
    }
  });
});
