/**
 * A silent network in front of PostgreSQL (a partition: no reset, no answer), made with a TCP proxy
 * that stops passing bytes. Every store call fails within `queryTimeoutMs` with a typed error
 * instead of hanging the drainer; nothing is lost (a claim that was cut lapses like a crashed
 * drainer's lease). `readyz()` reports `not-ready` when the store cannot take a write.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, isOutboxStoreError, postgresOutbox, sqliteOutbox } from 'vn-national-gateway';
import { echo } from '../helpers/echo-adapter.js';
import { scriptedTransport } from '../helpers/scripted-transport.js';
import { requirePostgres } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { newItem, pgSchema, TIMEOUT, tempDir } from './helpers.js';

const service = await requirePostgres({ suite: 'postgres outbox timeouts' });
const QUERY_TIMEOUT = 1_000;

const gatewayOn = (outbox: Parameters<typeof createGateway>[0]['outbox']) =>
  createGateway({
    upstreams: {
      echo: echo({
        baseUrl: 'http://echo.test',
        auth: { type: 'bearer', token: 't' },
        transport: scriptedTransport(),
      }),
    },
    logger: pino({ level: 'silent' }),
    outbox,
    drainer: { autoStart: false },
  });

describe.skipIf(!service.available)('postgresOutbox behind a silent network', () => {
  const pg = pgSchema();
  let proxy: TcpProxy;
  let viaProxy: string;
  beforeAll(async () => {
    const target = new URL(service.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const u = new URL(service.url);
    u.hostname = '127.0.0.1';
    u.port = String(proxy.port);
    viaProxy = u.toString();
  });
  afterAll(async () => {
    await proxy.close();
    await pg.drop();
  });

  it('claim, complete, release, fail, purge, list, enqueue time out with UNAVAILABLE; the lease lapses; nothing lost', async () => {
    const table = 'silent';
    const direct = postgresOutbox({ pool: pg.pool, schema: pg.schema, table });
    await direct.counts(); // migrated beforehand: the calls through the proxy below are quick ones
    const store = postgresOutbox({
      connectionString: viaProxy,
      schema: pg.schema,
      table,
      queryTimeoutMs: QUERY_TIMEOUT,
      enqueueTimeoutMs: QUERY_TIMEOUT,
    });
    const now = Date.now();
    const queued = [];
    for (let i = 0; i < 3; i++) queued.push(await store.enqueue(newItem(), now));
    const [held] = await store.claim({ owner: 'd', now, leaseMs: 1_000, limit: 1 });
    expect(held).toBeDefined();

    proxy.silence();
    const calls: [string, () => Promise<unknown>][] = [
      ['claim', () => store.claim({ owner: 'd', now, leaseMs: 1_000, limit: 10 })],
      ['complete', () => store.complete(held!.id, 'd', { ok: true }, now)],
      ['release', () => store.release(held!.id, 'd', TIMEOUT, now + 1_000, now)],
      ['fail', () => store.fail(held!.id, 'd', TIMEOUT, now)],
      ['purge', () => store.purge(now - 1_000, now)],
      ['list', () => store.list()],
      ['enqueue', () => store.enqueue(newItem(), now)],
      ['counts', () => store.counts()],
      ['checkWritable', () => store.checkWritable()],
    ];
    const outcomes = await Promise.all(
      calls.map(async ([name, call]) => {
        const started = performance.now();
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        return { name, waited: performance.now() - started, error };
      }),
    );
    proxy.restore();
    for (const { name, waited, error } of outcomes) {
      expect(isOutboxStoreError(error, 'UNAVAILABLE'), `${name}: ${String(error)}`).toBe(true);
      expect((error as Error).message).toMatch(`did not answer within ${QUERY_TIMEOUT} ms`);
      expect(waited, `${name} bounded`).toBeLessThan(QUERY_TIMEOUT + 1_500);
    }

    // Back: whatever the silenced calls did once they landed, every item is still there, and the
    // leases taken lapse like a crashed drainer's (1 s), so another drainer takes every item over.
    const ids = new Set(queued.map((i) => i.id));
    const got = new Set<string>();
    const deadline = Date.now() + 10_000;
    while (got.size < ids.size && Date.now() < deadline) {
      for (const item of await direct.claim({ owner: 'e', now: Date.now(), leaseMs: 60_000, limit: 10 })) {
        got.add(item.id);
        await direct.complete(item.id, 'e', { ok: true }, Date.now());
      }
      if (got.size < ids.size) await new Promise((r) => setTimeout(r, 100)); // waits for the lease to lapse
    }
    const all = await direct.list();
    for (const id of ids) expect(all.find((i) => i.id === id)?.state).toMatch(/^(delivered|dead)$/);
    expect(all.filter((i) => ids.has(i.id) && i.state === 'delivered').length).toBeGreaterThanOrEqual(2);
    await store.close();
    await direct.close();
  }, 30_000);

  it('readyz: not-ready (timeout) on a silent network, ready again once it is back', async () => {
    const store = postgresOutbox({ connectionString: viaProxy, schema: pg.schema, table: 'ready' });
    const gateway = gatewayOn(store);
    expect((await gateway.readyz()).status).toBe('ready');
    proxy.silence();
    const silent = await gateway.readyz();
    proxy.restore();
    expect(silent).toMatchObject({ status: 'not-ready', checks: { outbox: 'timeout' } });
    expect((await gateway.readyz()).status).toBe('ready');
    await gateway.close();
  }, 30_000);

  it('readyz: not-ready when the table answers reads but takes no write (a lock held elsewhere)', async () => {
    const store = postgresOutbox({ pool: pg.pool, schema: pg.schema, table: 'locked' });
    const gateway = gatewayOn(store);
    expect((await gateway.readyz()).status).toBe('ready');
    const other = await pg.pool.connect();
    try {
      await other.query('BEGIN');
      // EXCLUSIVE: reads go on, every write waits (as behind a long migration or a bulk job).
      await other.query(`LOCK TABLE "${pg.schema}"."locked" IN EXCLUSIVE MODE`);
      expect(await store.counts()).toMatchObject({ pending: 0 });
      // The probe's write gives up at its lock_timeout (1.5 s), before readyz's 2 s.
      expect(await gateway.readyz()).toMatchObject({ status: 'not-ready', checks: { outbox: 'failed' } });
    } finally {
      await other.query('ROLLBACK');
      other.release();
    }
    expect((await gateway.readyz()).status).toBe('ready');
    expect(await store.list()).toEqual([]); // the probe left no row
    await gateway.close();
  });
});

describe('sqliteOutbox readiness', () => {
  it('readyz: not-ready while another process holds the write lock, ready once it lets go', async () => {
    const tmp = tempDir();
    const file = join(tmp.dir, 'outbox.db');
    const gateway = gatewayOn(sqliteOutbox({ path: file }));
    expect((await gateway.readyz()).status).toBe('ready');
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      expect(await gateway.outbox.counts()).toMatchObject({ pending: 0 }); // reads still answer
      expect(await gateway.readyz()).toMatchObject({ status: 'not-ready', checks: { outbox: 'failed' } });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await gateway.readyz()).status).toBe('ready');
    await gateway.close();
    tmp.cleanup();
  });
});
