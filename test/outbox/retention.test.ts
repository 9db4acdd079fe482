import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createGateway,
  type DrainerOptions,
  isGatewayError,
  memoryOutbox,
  type OutboxPurgedEvent,
} from 'vn-national-gateway';
import { CTX, echo, ok } from '../helpers/echo-adapter.js';
import { reply, scriptedTransport } from '../helpers/scripted-transport.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 5, 8);

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * A gateway whose drainer runs on fake timers: the first replay is delivered, the second rejected
 * (dead letter), every later one meets a busy upstream (the third item stays pending).
 */
async function setup(drainer: DrainerOptions = {}) {
  const transport = scriptedTransport(
    reply(200, ok({ receiptId: 'R-1' })),
    reply(200, { ok: false, code: 'DENIED', data: null }),
    reply(503, 'busy'),
  );
  const gateway = createGateway({
    upstreams: {
      echo: echo({ baseUrl: 'http://echo.test', auth: { type: 'bearer', token: 't' }, transport }),
    },
    logger: pino({ level: 'silent' }),
    outbox: memoryOutbox(),
    drainer: { pollMs: DAY, perSecond: 1000, initialPerSecond: 1000, ...drainer },
  });
  const purged: OutboxPurgedEvent[] = [];
  gateway.on('outbox:purged', (e) => purged.push(e));
  const delivered = await gateway.outbox.enqueue('echo.submit', { dossierCode: 'HS-1', value: 1 }, CTX);
  const dead = await gateway.outbox.enqueue('echo.submit', { dossierCode: 'HS-2', value: 2 }, CTX);
  await gateway.outbox.drain();
  const pending = await gateway.outbox.enqueue('echo.submit', { dossierCode: 'HS-3', value: 3 }, CTX);
  expect(await gateway.outbox.counts()).toEqual({ pending: 1, delivering: 0, delivered: 1, dead: 1 });
  return { gateway, purged, ids: { delivered: delivered.id, dead: dead.id, pending: pending.id } };
}

describe('outbox retention', () => {
  it('the drainer purges a delivered item once it is 3 days old, hourly, and never a pending or dead one', async () => {
    const { gateway, purged, ids } = await setup();
    await vi.advanceTimersByTimeAsync(3 * DAY - HOUR);
    expect(await gateway.outbox.get(ids.delivered)).toMatchObject({ state: 'delivered' });
    expect(purged).toEqual([]);
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(await gateway.outbox.get(ids.delivered)).toBeUndefined();
    expect(purged).toEqual([{ delivered: 1, discarded: 0, before: T0 }]);
    // A month later the dead letter and the pending item are still there.
    await vi.advanceTimersByTimeAsync(30 * DAY);
    expect(await gateway.outbox.get(ids.dead)).toMatchObject({ state: 'dead', error: { code: 'REJECTED' } });
    expect(await gateway.outbox.get(ids.pending)).toMatchObject({ state: 'pending' });
    expect(purged).toHaveLength(1);
    await gateway.close();
  });

  it('a discarded dead letter goes after the retention counted from its discard', async () => {
    const { gateway, purged, ids } = await setup({ retentionMs: DAY, purgeEveryMs: HOUR });
    await vi.advanceTimersByTimeAsync(10 * DAY);
    expect(await gateway.outbox.get(ids.dead)).toMatchObject({ state: 'dead' });
    await gateway.outbox.discard(ids.dead, { reason: 'handled on paper' });
    await vi.advanceTimersByTimeAsync(DAY - HOUR);
    expect(await gateway.outbox.get(ids.dead)).toBeDefined();
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(await gateway.outbox.get(ids.dead)).toBeUndefined();
    expect(purged.map((p) => p.discarded)).toEqual([0, 1]);
    await gateway.close();
  });

  it('purgeEveryMs: 0 turns the automatic purge off; gateway.outbox.purge still works', async () => {
    const { gateway, ids } = await setup({ purgeEveryMs: 0 });
    await vi.advanceTimersByTimeAsync(30 * DAY);
    expect(await gateway.outbox.get(ids.delivered)).toBeDefined();
    expect(await gateway.outbox.purge({ olderThanMs: 31 * DAY })).toEqual({
      delivered: 0,
      discarded: 0,
      before: T0 - DAY,
    });
    expect(await gateway.outbox.purge()).toEqual({ delivered: 1, discarded: 0, before: T0 + 27 * DAY });
    expect(await gateway.outbox.counts()).toEqual({ pending: 1, delivering: 0, delivered: 0, dead: 1 });
    await gateway.close();
  });

  it('bad purge options are VALIDATION and purge nothing; bad drainer options fail at creation', async () => {
    const { gateway } = await setup({ purgeEveryMs: 0 });
    for (const opts of [
      { olderThanMs: -1 },
      { olderThanMs: Number.NaN },
      { now: Number.POSITIVE_INFINITY },
    ]) {
      const err = await gateway.outbox.purge(opts).catch((e: unknown) => e);
      expect(isGatewayError(err) && err.code).toBe('VALIDATION');
    }
    expect(await gateway.outbox.counts()).toMatchObject({ delivered: 1 });
    await gateway.close();
    for (const drainer of [{ retentionMs: -1 }, { purgeEveryMs: Number.NaN }]) {
      expect(() =>
        createGateway({
          upstreams: { echo: echo({ baseUrl: 'http://echo.test', auth: { type: 'bearer', token: 't' } }) },
          logger: pino({ level: 'silent' }),
          drainer,
        }),
      ).toThrow(RangeError);
    }
  });
});
