import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createGateway,
  type ErrorCode,
  isGatewayError,
  memoryOutbox,
  type OutboxStore,
  type PolicyOptions,
} from 'vn-national-gateway';
import { CTX, echo, ok, PERSON } from '../helpers/echo-adapter.js';
import { echoGateway } from '../helpers/echo-gateway.js';
import { recordEvents } from '../helpers/events.js';
import { reply, type Step, scriptedTransport } from '../helpers/scripted-transport.js';

const silent = pino({ level: 'silent' });

/** A reply (or transport failure) that produces each gateway code on the echo platform. */
const FAILURES: Record<string, Step> = {
  UPSTREAM_UNAVAILABLE: reply(503, 'down'),
  RATE_LIMITED: reply(429, 'slow'),
  NETWORK: Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
  NOT_FOUND: reply(200, { ok: false, code: 'NOT_FOUND', data: null }),
  REJECTED: reply(200, { ok: false, code: 'DENIED', data: null }),
  CONTRACT: reply(200, ok({ wrong: true })),
  AUTH: reply(401, 'no'),
  TIMEOUT: 'hang',
};

function setup(script: Step[], policy: PolicyOptions = {}, outbox: OutboxStore = memoryOutbox()) {
  const transport = scriptedTransport(...script);
  const gateway = echoGateway(transport, {
    policy: { retry: { maxAttempts: 1 }, attemptTimeoutMs: 100, ...policy },
    outbox,
    random: () => 0,
    drainer: { autoStart: false, baseDelayMs: 1000, perSecond: 1000, initialPerSecond: 1000 },
  });
  const events = recordEvents(gateway, ['fallback', 'outbox:queued', 'outbox:delivered', 'outbox:dead']);
  return { gateway, transport, events, outbox };
}

/** Turns NETWORK step errors into transport rejections the way axiosTransport does. */
function networkAware(step: Step): Step {
  if (step instanceof Error) {
    return () => {
      throw Object.assign(new Error('x'), {
        [Symbol.for('vn-national-gateway.GatewayError')]: true,
        code: 'NETWORK',
        retryable: true,
      });
    };
  }
  return step;
}

beforeEach(() =>
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  }),
);
afterEach(() => vi.useRealTimers());

async function settle<T>(p: Promise<T>): Promise<T> {
  await vi.advanceTimersByTimeAsync(200);
  return p;
}

describe('reads: stale-if-error', () => {
  const transient: ErrorCode[] = ['UPSTREAM_UNAVAILABLE', 'RATE_LIMITED', 'NETWORK', 'TIMEOUT'];
  for (const code of transient) {
    it(`${code} serves the last good answer as stale, with its age`, async () => {
      const { gateway, events } = setup([
        reply(200, ok({ exists: true, status: 'ACTIVE' })),
        networkAware(FAILURES[code]!),
      ]);
      await gateway.echo.lookup(PERSON, CTX);
      await vi.advanceTimersByTimeAsync(60_000);
      const r = await settle(gateway.echo.lookup(PERSON, CTX));
      expect(r).toMatchObject({ status: 'stale', data: { found: true, status: 'ACTIVE' } });
      expect(r.meta.ageMs).toBeGreaterThanOrEqual(60_000);
      expect(events.fallback?.[0]).toMatchObject({ kind: 'stale', code });
      await gateway.close();
    });
  }

  const final: ErrorCode[] = ['NOT_FOUND', 'REJECTED', 'CONTRACT', 'AUTH'];
  for (const code of final) {
    it(`${code} is not served stale`, async () => {
      const { gateway } = setup([reply(200, ok({ exists: true, status: 'ACTIVE' })), FAILURES[code]!]);
      await gateway.echo.lookup(PERSON, CTX);
      const e = await settle(gateway.echo.lookup(PERSON, CTX).catch((x) => x));
      expect(isGatewayError(e, code)).toBe(true);
      await gateway.close();
    });
  }

  it('CIRCUIT_OPEN and BULKHEAD_FULL serve stale too', async () => {
    const { gateway } = setup(
      [reply(200, ok({ exists: true, status: 'ACTIVE' })), reply(503, 'x'), reply(503, 'x'), 'hang'],
      { breaker: { minimumCalls: 2 }, cache: { ttlMs: 0, maxStaleMs: 3_600_000 } },
    );
    await gateway.echo.lookup(PERSON, CTX);
    await gateway.echo.ping({ n: 1 }).catch(() => {});
    await gateway.echo.ping({ n: 2 }).catch(() => {});
    const r = await gateway.echo.lookup(PERSON, CTX); // breaker is open now
    expect(r.status).toBe('stale');
    await gateway.close();
  });

  it('an answer older than maxStaleMs is not served; a different input has no cached answer', async () => {
    const { gateway } = setup([reply(200, ok({ exists: true, status: 'ACTIVE' })), reply(503, 'x')], {
      cache: { ttlMs: 1000, maxStaleMs: 10_000 },
    });
    await gateway.echo.lookup(PERSON, CTX);
    const other = await gateway.echo.lookup({ ...PERSON, fullName: 'Nguyễn Văn B' }, CTX).catch((x) => x);
    expect(other.code).toBe('UPSTREAM_UNAVAILABLE');
    await vi.advanceTimersByTimeAsync(10_001);
    expect((await gateway.echo.lookup(PERSON, CTX).catch((x) => x)).code).toBe('UPSTREAM_UNAVAILABLE');
    await gateway.close();
  });

  it('a deferred read with no cached answer is queued, then answered through outbox:delivered', async () => {
    const { gateway, events } = setup([
      reply(503, 'x'),
      reply(200, ok({ exists: true, status: 'ACTIVE' })),
      reply(503, 'x'),
    ]);
    const r = await gateway.echo.lookup(PERSON, { ...CTX, defer: true });
    expect(r.status).toBe('queued');
    if (r.status !== 'queued') return;
    expect((await gateway.outbox.get(r.ticket))?.kind).toBe('deferred-read');
    const report = await gateway.outbox.drain();
    expect(report).toEqual({ delivered: 1, rescheduled: 0, dead: 0 });
    expect(events['outbox:delivered']?.[0]).toMatchObject({
      ticket: r.ticket,
      result: { found: true, status: 'ACTIVE' },
    });
    // The late answer now serves the citizen's next visit while the platform fails again.
    await expect(gateway.echo.lookup(PERSON, CTX)).resolves.toMatchObject({
      status: 'stale',
      data: { found: true },
    });
    await gateway.close();
  });
});

describe('writes: store and forward', () => {
  for (const code of ['UPSTREAM_UNAVAILABLE', 'RATE_LIMITED', 'NETWORK', 'TIMEOUT'] as const) {
    it(`${code} queues the write in the outbox before answering queued`, async () => {
      const { gateway, outbox, events } = setup([networkAware(FAILURES[code]!)]);
      const r = await settle(gateway.echo.submit({ dossierCode: 'HS-1', value: 1 }, CTX));
      expect(r.status).toBe('queued');
      if (r.status !== 'queued') return;
      const item = await outbox.get(r.ticket);
      expect(item).toMatchObject({
        state: 'pending',
        upstream: 'echo',
        operation: 'submit',
        idempotencyKey: 'HS-1',
        requestId: r.meta.requestId,
        input: { dossierCode: 'HS-1', value: 1 },
        lastError: { code },
      });
      expect(events['outbox:queued']?.[0]).toMatchObject({ ticket: r.ticket, dossierCode: 'HS-1' });
      await gateway.close();
    });
  }

  for (const code of ['NOT_FOUND', 'REJECTED', 'CONTRACT', 'AUTH'] as const) {
    it(`${code} is not queued`, async () => {
      const { gateway, outbox } = setup([FAILURES[code]!]);
      const e = await gateway.echo.submit({ dossierCode: 'HS-1', value: 1 }).catch((x) => x);
      expect(isGatewayError(e, code)).toBe(true);
      expect(await outbox.counts()).toEqual({ pending: 0, delivering: 0, delivered: 0, dead: 0 });
      await gateway.close();
    });
  }

  it('an open breaker queues at once without sending', async () => {
    const { gateway, transport } = setup([reply(503, 'x')], { breaker: { minimumCalls: 2 } });
    await gateway.echo.ping({ n: 1 }).catch(() => {});
    await gateway.echo.ping({ n: 2 }).catch(() => {});
    const r = await gateway.echo.submit({ dossierCode: 'HS-2', value: 2 });
    expect(r.status).toBe('queued');
    expect(transport.requests).toHaveLength(2);
    await gateway.close();
  });

  it('never answers queued when the store fails: the call fails loudly NOT_SAVED with the cause', async () => {
    const broken = memoryOutbox();
    broken.enqueue = async () => {
      throw new Error('disk full');
    };
    const { gateway } = setup([reply(503, 'x')], {}, broken);
    const e = await gateway.echo.submit({ dossierCode: 'HS-3', value: 3 }).catch((x) => x);
    expect(e.code).toBe('NOT_SAVED');
    expect(e.message).toMatch(/^UPSTREAM_UNAVAILABLE: .*NOT saved and NOT queued/);
    expect(e.userMessage).toMatch(/CHƯA được lưu/);
    expect((e.cause as Error).message).toBe('disk full');
    await gateway.close();
  });

  it('a write without an idempotency key is not queued (a replay could register twice)', async () => {
    const { gateway, outbox } = setup([reply(503, 'x')]);
    await expect(gateway.echo.note({ text: 'x' })).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect((await outbox.counts()).pending).toBe(0);
    await gateway.close();
  });
});

describe('drainer', () => {
  it('replays with the original idempotency key and X-Road-Id; reschedules transient failures; dead-letters the rest', async () => {
    const { gateway, transport, events, outbox } = setup([
      reply(503, 'x'), // submit A fails → queued
      reply(503, 'x'), // submit B fails → queued
      reply(200, ok({ receiptId: 'R-A' })), // replay A
      reply(503, 'x'), // replay B: transient → rescheduled
      reply(200, { ok: false, code: 'DENIED', data: null }), // replay B again: rejected → dead
    ]);
    const a = await gateway.echo.submit({ dossierCode: 'HS-A', value: 1 }, CTX);
    const b = await gateway.echo.submit({ dossierCode: 'HS-B', value: 2 }, CTX);
    expect(await gateway.outbox.drain()).toEqual({ delivered: 1, rescheduled: 1, dead: 0 });
    const replayA = transport.requests[2]!;
    expect(replayA.headers['idempotency-key']).toBe('HS-A');
    expect(replayA.headers['x-road-id']).toBe(a.meta.requestId);
    expect(events['outbox:delivered']?.[0]).toMatchObject({
      result: { receiptId: 'R-A' },
      dossierCode: 'HS-A',
    });

    expect(await gateway.outbox.drain()).toEqual({ delivered: 0, rescheduled: 0, dead: 0 }); // B not due yet
    await vi.advanceTimersByTimeAsync(1000);
    expect(await gateway.outbox.drain()).toEqual({ delivered: 0, rescheduled: 0, dead: 1 });
    expect(b.status === 'queued' && (await outbox.get(b.ticket))).toMatchObject({
      state: 'dead',
      lastError: { code: 'REJECTED' },
    });
    expect(events['outbox:dead']?.[0]).toMatchObject({ code: 'REJECTED', dossierCode: 'HS-B' });

    if (b.status !== 'queued') throw new Error('expected queued');
    expect(await gateway.outbox.retryDeadLetter(b.ticket)).toMatchObject({ state: 'pending' });
    expect(await gateway.outbox.counts()).toEqual({ pending: 1, delivering: 0, delivered: 1, dead: 0 });
    await gateway.close();
  });

  it('dead-letters an item whose operation the adapter no longer has, sending nothing', async () => {
    const { gateway, transport, outbox, events } = setup([reply(200, ok({ n: 1 }))]);
    const item = await outbox.enqueue(
      {
        upstream: 'echo',
        operation: 'removed',
        kind: 'write',
        input: {},
        idempotencyKey: 'HS-X',
        requestId: 'r-1',
        context: {},
      },
      Date.now(),
    );
    expect(await gateway.outbox.drain()).toEqual({ delivered: 0, rescheduled: 0, dead: 1 });
    expect(await outbox.get(item.id)).toMatchObject({ state: 'dead', lastError: { code: 'VALIDATION' } });
    expect(events['outbox:dead']?.[0]).toMatchObject({ ticket: item.id, code: 'VALIDATION', attempts: 1 });
    expect(transport.requests).toHaveLength(0);
    await gateway.close();
  });

  it('does not replay while the breaker is open, and drains once it closes', async () => {
    const { gateway, transport } = setup(
      [reply(503, 'x'), reply(503, 'x'), reply(200, ok({ n: 1 })), reply(200, ok({ receiptId: 'R' }))],
      {
        breaker: {
          minimumCalls: 2,
          resetTimeoutMs: 5000,
          openJitter: 0,
          halfOpenProbes: 1,
          halfOpenSuccesses: 1,
        },
      },
    );
    await gateway.echo.ping({ n: 1 }).catch(() => {});
    const q = await gateway.echo.submit({ dossierCode: 'HS-Z', value: 1 }); // 2nd failure opens the breaker
    expect(q.status).toBe('queued');
    expect(await gateway.outbox.drain()).toEqual({ delivered: 0, rescheduled: 0, dead: 0 });
    expect(transport.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(5000); // half-open
    await gateway.echo.ping({ n: 1 }); // the probe succeeds: closed, and the close triggers a drain
    await vi.advanceTimersByTimeAsync(10);
    expect((await gateway.outbox.counts()).delivered).toBe(1);
    await gateway.close();
  });

  it('runs in the background on its poll interval and stops on close', async () => {
    const transport = scriptedTransport(reply(503, 'x'), reply(200, ok({ receiptId: 'R' })));
    const gateway = createGateway({
      upstreams: {
        echo: echo({
          baseUrl: 'http://echo.test',
          auth: { type: 'none' },
          transport,
          policy: { retry: { maxAttempts: 1 } },
        }),
      },
      logger: silent,
      drainer: { pollMs: 500 },
    });
    const delivered: string[] = [];
    gateway.on('outbox:delivered', (e) => delivered.push(e.ticket));
    const r = await gateway.echo.submit({ dossierCode: 'HS-P', value: 1 });
    await vi.advanceTimersByTimeAsync(499);
    expect(delivered).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.status === 'queued' && delivered).toEqual([r.status === 'queued' ? r.ticket : '']);
    await gateway.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
