import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createGateway, isGatewayError, postgresOutbox } from 'vn-national-gateway';
import { CTX, echo, ok } from '../helpers/echo-adapter.js';
import { reply, scriptedTransport } from '../helpers/scripted-transport.js';
import { pgSchema } from './helpers.js';

const pg = pgSchema();
afterAll(() => pg.drop());

/** A gateway instance of the city system; every instance shares the one PostgreSQL outbox. */
function instance(transport = scriptedTransport(reply(200, ok({ receiptId: 'R-1' })))) {
  const gateway = createGateway({
    upstreams: {
      echo: echo({ baseUrl: 'http://echo.test', auth: { type: 'bearer', token: 't' }, transport }),
    },
    client: 'VN/GOV/000.00.00.H29/hcmc-tthc',
    logger: pino({ level: 'silent' }),
    outbox: postgresOutbox({ pool: pg.pool, schema: pg.schema, table: 'outbox' }),
    drainer: { autoStart: false },
  });
  return { gateway, transport };
}

describe('gateway.outbox.enqueue on a shared PostgreSQL outbox', () => {
  it('joins the city system transaction: rolled back leaves nothing, committed is delivered by another instance', async () => {
    const a = instance();
    const b = instance();
    await a.gateway.outbox.counts(); // migrates, creating the schema
    await pg.pool.query(`CREATE TABLE "${pg.schema}".dossiers (code TEXT PRIMARY KEY)`);
    const client = await pg.pool.connect();
    let ticket: string;
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO "${pg.schema}".dossiers VALUES ('HS-ROLLBACK')`);
      const lost = await a.gateway.outbox.enqueue(
        'echo.submit',
        { dossierCode: 'HS-ROLLBACK', value: 1 },
        CTX,
        {
          client,
        },
      );
      await client.query('ROLLBACK');
      expect(await b.gateway.outbox.get(lost.id)).toBeUndefined();

      await client.query('BEGIN');
      await client.query(`INSERT INTO "${pg.schema}".dossiers VALUES ('HS-COMMIT')`);
      ticket = (
        await a.gateway.outbox.enqueue('echo.submit', { dossierCode: 'HS-COMMIT', value: 2 }, CTX, { client })
      ).id;
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const { rows } = await pg.pool.query(`SELECT code FROM "${pg.schema}".dossiers`);
    expect(rows).toEqual([{ code: 'HS-COMMIT' }]);
    expect(await b.gateway.outbox.drain()).toEqual({ delivered: 1, rescheduled: 0, dead: 0 });
    expect(b.transport.requests).toHaveLength(1);
    // Read from the instance that did not drain it.
    expect(await a.gateway.outbox.get(ticket)).toMatchObject({
      state: 'delivered',
      idempotencyKey: 'HS-COMMIT',
    });
    expect(await a.gateway.outbox.counts()).toEqual({ pending: 0, delivering: 0, delivered: 1, dead: 0 });
    await a.gateway.close();
    await b.gateway.close();
  });

  it('validates like a call: a bad input is VALIDATION and nothing is stored', async () => {
    const { gateway, transport } = instance();
    const before = await gateway.outbox.counts();
    for (const [op, input, ctx] of [
      ['echo.submit', { dossierCode: 'HS-1', value: 'not a number' }, CTX],
      ['echo.nope', { dossierCode: 'HS-1', value: 1 }, CTX],
      ['echo.note', { text: 'no idempotency key' }, {}],
    ] as const) {
      // Loosely typed on purpose: `echo.nope` is a compile error, this checks the run time.
      const enqueue = gateway.outbox.enqueue as (...a: unknown[]) => Promise<unknown>;
      const e = await enqueue(op, input, ctx).catch((x: unknown) => x);
      expect(isGatewayError(e) && e.code, `${op} ${String(e)}`).toBe('VALIDATION');
    }
    expect(await gateway.outbox.counts()).toEqual(before);
    expect(transport.requests).toHaveLength(0);
    await gateway.close();
  });
});
