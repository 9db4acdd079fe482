import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isGatewayError, type OutboxStore, postgresOutbox, sqliteOutbox } from 'vn-national-gateway';
import { CTX, ok, PERSON } from '../helpers/echo-adapter.js';
import { echoGateway } from '../helpers/echo-gateway.js';
import { reply, type Step, scriptedTransport } from '../helpers/scripted-transport.js';
import { pgSchema, tempDir } from './helpers.js';

const pg = pgSchema();
afterAll(() => pg.drop());
const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

interface Shared {
  /** A new store on the same file or table: one per gateway instance. */
  open: () => OutboxStore;
  /** The stored `input` column of a ticket, read around the store. */
  rawInput: (ticket: string) => Promise<string | undefined>;
}

const shared: [string, () => Shared][] = [
  [
    'SQLite file',
    () => {
      const path = join(tmp.dir, `tickets-${++n}.db`);
      return {
        open: () => sqliteOutbox({ path }),
        rawInput: async (id) => {
          const db = new Database(path, { readonly: true });
          try {
            return (db.prepare('SELECT input FROM outbox_items WHERE id = ?').get(id) as { input: string })
              ?.input;
          } finally {
            db.close();
          }
        },
      };
    },
  ],
  [
    'PostgreSQL table',
    () => {
      const table = `tickets_${++n}`;
      return {
        open: () => postgresOutbox({ pool: pg.pool, schema: pg.schema, table }),
        rawInput: async (id) =>
          (await pg.pool.query(`SELECT input FROM "${pg.schema}"."${table}" WHERE id = $1`, [id])).rows[0]
            ?.input,
      };
    },
  ],
];

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});

/** One instance of the city system: its own gateway and transport, the shared outbox. */
function instance(store: OutboxStore, ...script: Step[]) {
  const transport = scriptedTransport(...script);
  const gateway = echoGateway(transport, {
    policy: { retry: { maxAttempts: 1 } },
    outbox: store,
    drainer: { autoStart: false, perSecond: 1000, initialPerSecond: 1000 },
  });
  open.push(gateway);
  return { gateway, transport };
}

describe.each(shared)('reading a ticket from any instance: %s', (_name, make) => {
  it('a deferred verification that comes back negative: full typed result in the event, summary from any instance', async () => {
    const s = make();
    const a = instance(s.open(), reply(503, 'busy'));
    const b = instance(s.open(), reply(200, ok({ exists: false, status: 'CLOSED' })));
    const r = await a.gateway.echo.lookup(PERSON, { ...CTX, dossierCode: 'HS-9', defer: true });
    expect(r.status).toBe('queued');
    if (r.status !== 'queued') return;
    expect(await b.gateway.outbox.get(r.ticket)).toMatchObject({
      ticket: r.ticket,
      state: 'pending',
      kind: 'deferred-read',
      dossierCode: 'HS-9',
      error: { code: 'UPSTREAM_UNAVAILABLE' },
    });
    expect(await s.rawInput(r.ticket)).toContain(PERSON.personalId);

    const negative: { ticket: string; dossierCode?: string }[] = [];
    b.gateway.on('outbox:delivered', (e) => {
      if (e.upstream === 'echo' && e.operation === 'lookup' && !e.result.found) negative.push(e);
    });
    expect(await b.gateway.outbox.drain()).toEqual({ delivered: 1, rescheduled: 0, dead: 0 });
    expect(negative).toMatchObject([{ ticket: r.ticket, dossierCode: 'HS-9' }]);

    const seen = await a.gateway.outbox.get(r.ticket);
    expect(seen).toEqual({
      ticket: r.ticket,
      state: 'delivered',
      upstream: 'echo',
      operation: 'lookup',
      kind: 'deferred-read',
      requestId: expect.any(String),
      dossierCode: 'HS-9',
      attempts: 1,
      enqueuedAt: expect.any(Number),
      deliveredAt: expect.any(Number),
      result: { found: false, status: 'CLOSED' },
    });
    expect(JSON.stringify(seen)).not.toContain(PERSON.personalId);
    expect(await s.rawInput(r.ticket)).toBe('null');
  });

  it('a dead letter: its error from any instance, then retried or discarded by an operator', async () => {
    const s = make();
    const a = instance(s.open());
    const b = instance(s.open(), reply(200, { ok: false, code: 'DENIED', data: null }));
    const first = await a.gateway.outbox.enqueue('echo.submit', { dossierCode: 'HS-1', value: 1 }, CTX);
    const second = await a.gateway.outbox.enqueue('echo.submit', { dossierCode: 'HS-2', value: 2 }, CTX);
    const dead: string[] = [];
    b.gateway.on('outbox:dead', (e) => dead.push(`${e.ticket}:${e.code}`));
    expect(await b.gateway.outbox.drain()).toMatchObject({ delivered: 0, dead: 2 });
    expect(dead.sort()).toEqual([`${first.id}:REJECTED`, `${second.id}:REJECTED`].sort());
    expect(await a.gateway.outbox.get(first.id)).toMatchObject({
      state: 'dead',
      attempts: 1,
      error: { code: 'REJECTED' },
    });

    // A bad reason is VALIDATION and changes nothing.
    const bad = await a.gateway.outbox
      .discard(first.id, { reason: 'citizen 079203001234 called' })
      .catch((e: unknown) => e);
    expect(isGatewayError(bad) && bad.code).toBe('VALIDATION');
    expect((bad as Error).message).not.toContain('079203001234');
    expect(await a.gateway.outbox.get(first.id)).not.toHaveProperty('discarded');

    const discarded = await a.gateway.outbox.discard(first.id, { reason: 'filed again on paper as HS-1b' });
    expect(discarded).toMatchObject({
      state: 'dead',
      discarded: { reason: 'filed again on paper as HS-1b' },
    });
    expect(await b.gateway.outbox.get(first.id)).toMatchObject({ discarded: { at: expect.any(Number) } });
    expect(await s.rawInput(first.id)).toBe('null');
    expect(await a.gateway.outbox.retry(first.id)).toBeUndefined();
    expect(await b.gateway.outbox.counts()).toMatchObject({ dead: 1 });

    expect(await b.gateway.outbox.retry(second.id)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(await s.rawInput(second.id)).toContain('HS-2');
  });
});
