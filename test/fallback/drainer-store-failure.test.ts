/**
 * The drainer when the outbox store fails around a replay (a PostgreSQL outage): a delivery that
 * cannot be recorded must never become a dead letter, and a pass must not reject. The item stays
 * leased, and once the lease lapses it is replayed with the same idempotency key.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryOutbox, type OutboxStore, OutboxStoreError } from 'vn-national-gateway';
import { CTX, ok } from '../helpers/echo-adapter.js';
import { echoGateway } from '../helpers/echo-gateway.js';
import { reply, type Step, scriptedTransport } from '../helpers/scripted-transport.js';

beforeEach(() =>
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  }),
);
afterEach(() => vi.useRealTimers());

const LEASE_MS = 1_000;

/** A memory outbox whose `method` throws `UNAVAILABLE` the next `times` calls. */
function flaky(method: 'complete' | 'release' | 'fail', times: number): OutboxStore {
  const store = memoryOutbox();
  const real = store[method].bind(store) as (...a: unknown[]) => Promise<boolean>;
  let left = times;
  (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
    if (left-- > 0)
      return Promise.reject(
        new OutboxStoreError('UNAVAILABLE', 'outbox "public"."vngw_outbox" is unreachable'),
      );
    return real(...args);
  };
  return store;
}

function setup(script: Step[], outbox: OutboxStore) {
  const transport = scriptedTransport(...script);
  const gateway = echoGateway(transport, {
    policy: { retry: { maxAttempts: 1 }, attemptTimeoutMs: 100 },
    outbox,
    random: () => 0,
    drainer: {
      autoStart: false,
      leaseMs: LEASE_MS,
      baseDelayMs: 100,
      perSecond: 1000,
      initialPerSecond: 1000,
    },
  });
  return { gateway, transport };
}

describe('drainer: the store fails around a replay', () => {
  it('a delivery whose completion cannot be recorded is not dead-lettered: replayed after its lease', async () => {
    const outbox = flaky('complete', 1);
    const { gateway, transport } = setup(
      [reply(503, 'x'), reply(200, ok({ receiptId: 'R-1' })), reply(200, ok({ receiptId: 'R-1' }))],
      outbox,
    );
    const r = await gateway.echo.submit({ dossierCode: 'HS-1', value: 1 }, CTX);
    if (r.status !== 'queued') throw new Error('expected queued');

    expect(await gateway.outbox.drain()).toEqual({ delivered: 0, rescheduled: 0, dead: 0 });
    expect(await outbox.get(r.ticket)).toMatchObject({ state: 'delivering', attempts: 1 });
    expect(await gateway.outbox.drain()).toEqual({ delivered: 0, rescheduled: 0, dead: 0 }); // still leased

    await vi.advanceTimersByTimeAsync(LEASE_MS);
    expect(await gateway.outbox.drain()).toEqual({ delivered: 1, rescheduled: 0, dead: 0 });
    expect(await outbox.get(r.ticket)).toMatchObject({ state: 'delivered', result: { receiptId: 'R-1' } });
    const replays = transport.requests.slice(1);
    expect(replays.map((q) => q.headers['idempotency-key'])).toEqual(['HS-1', 'HS-1']);
    await gateway.close();
  });

  it('a transient failure that cannot be rescheduled leaves the item leased; the pass still resolves', async () => {
    const outbox = flaky('release', 1);
    const { gateway } = setup(
      [reply(503, 'x'), reply(503, 'x'), reply(200, ok({ receiptId: 'R-2' }))],
      outbox,
    );
    const r = await gateway.echo.submit({ dossierCode: 'HS-2', value: 2 }, CTX);
    if (r.status !== 'queued') throw new Error('expected queued');

    expect(await gateway.outbox.drain()).toEqual({ delivered: 0, rescheduled: 0, dead: 0 });
    expect(await outbox.get(r.ticket)).toMatchObject({ state: 'delivering' });
    await vi.advanceTimersByTimeAsync(LEASE_MS);
    expect(await gateway.outbox.drain()).toEqual({ delivered: 1, rescheduled: 0, dead: 0 });
    await gateway.close();
  });

  it('a rejection that cannot be dead-lettered is retried, and dead-lettered once the store is back', async () => {
    const outbox = flaky('fail', 1);
    const rejected = reply(200, { ok: false, code: 'DENIED', data: null });
    const { gateway } = setup([reply(503, 'x'), rejected, rejected], outbox);
    const r = await gateway.echo.submit({ dossierCode: 'HS-3', value: 3 }, CTX);
    if (r.status !== 'queued') throw new Error('expected queued');

    expect(await gateway.outbox.drain()).toEqual({ delivered: 0, rescheduled: 0, dead: 0 });
    await vi.advanceTimersByTimeAsync(LEASE_MS);
    expect(await gateway.outbox.drain()).toEqual({ delivered: 0, rescheduled: 0, dead: 1 });
    expect(await outbox.get(r.ticket)).toMatchObject({ state: 'dead', lastError: { code: 'REJECTED' } });
    await gateway.close();
  });
});

describe('drainer: the gateway closes during a replay', () => {
  it('the replay cut by close() is not dead-lettered, even while close() waits for a call being queued', async () => {
    const outbox = memoryOutbox();
    const fail = vi.spyOn(outbox, 'fail');
    const { gateway, transport } = setup([reply(503, 'x'), 'hang', reply(503, 'x')], outbox);
    const r = await gateway.echo.submit({ dossierCode: 'HS-9', value: 9 }, CTX);
    if (r.status !== 'queued') throw new Error('expected queued');
    const pass = gateway.outbox.drain();
    await vi.advanceTimersByTimeAsync(10); // the replay is in flight (its attempt times out at 100 ms)
    expect(transport.requests).toHaveLength(2);
    // A second call fails and is being stored when close() begins: close() waits for it.
    let store: () => void = () => {};
    const enqueue = outbox.enqueue.bind(outbox);
    vi.spyOn(outbox, 'enqueue').mockImplementationOnce(
      (...args) => new Promise((resolve) => (store = () => resolve(enqueue(...args)))),
    );
    const second = gateway.echo.submit({ dossierCode: 'HS-10', value: 10 }, CTX);
    await vi.advanceTimersByTimeAsync(0);
    const closing = gateway.close();
    await vi.advanceTimersByTimeAsync(0); // the cut replay's failure reaches the drainer meanwhile
    store();
    await expect(second).resolves.toMatchObject({ status: 'queued' });
    await closing;
    await pass.catch(() => {});
    expect(fail).not.toHaveBeenCalled();
  });
});
