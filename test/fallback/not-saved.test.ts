/**
 * A write the outbox could not store is NOT_SAVED: never the upstream's outage code (the officer
 * would read "the platform is down" and believe the dossier queued), never `queued`. Its Vietnamese
 * message says the dossier was NOT saved and must be resubmitted with the same dossier code; the
 * metrics, the `call` event and the log line carry the code.
 */
import { createServer } from 'node:net';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  createGateway,
  ERROR_CODES,
  isGatewayError,
  isOutboxStoreError,
  memoryOutbox,
  OutboxStoreError,
  type OutboxStore,
  postgresOutbox,
  TRANSIENT_CODES,
} from 'vn-national-gateway';
import { CODE_TRAITS } from '../../src/errors.js';
import { CTX, echo } from '../helpers/echo-adapter.js';
import { recordEvents } from '../helpers/events.js';
import { rejection } from '../helpers/rejection.js';
import { reply, scriptedTransport } from '../helpers/scripted-transport.js';

/** A memory outbox whose writes fail as a database that went away. */
function downStore(): OutboxStore {
  const store = memoryOutbox();
  store.enqueue = async () => {
    throw new OutboxStoreError('UNAVAILABLE', 'PostgreSQL outbox: connect ECONNREFUSED 127.0.0.1:5432');
  };
  return store;
}

function setup(outbox: OutboxStore, ...script: Parameters<typeof scriptedTransport>) {
  const lines: string[] = [];
  const transport = scriptedTransport(...script);
  const gateway = createGateway({
    upstreams: {
      echo: echo({
        baseUrl: 'http://echo.test',
        auth: { type: 'none' },
        transport,
        policy: { retry: { maxAttempts: 1 } },
      }),
    },
    outbox,
    logger: pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }),
    drainer: { autoStart: false },
  });
  const events = recordEvents(gateway, ['call', 'fallback', 'outbox:queued']);
  return { gateway, transport, events, lines };
}

/** A TCP port on 127.0.0.1 with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function expectNotSaved(e: unknown) {
  expect(isGatewayError(e, 'NOT_SAVED'), String(e)).toBe(true);
  if (!isGatewayError(e)) return;
  expect(e.userMessage).toBe(
    'Hồ sơ CHƯA được lưu và CHƯA được gửi đi do lỗi lưu trữ của hệ thống. Vui lòng nộp lại hồ sơ với cùng mã hồ sơ.',
  );
  // Not the outage wording of UPSTREAM_UNAVAILABLE, which makes the officer believe it will be sent later.
  expect(e.userMessage).not.toMatch(/gián đoạn|thử lại sau/);
  expect(e.message).toMatch(/NOT saved and NOT queued: resubmit it with the same dossier code/);
  expect(e.retryable).toBe(true);
}

describe('NOT_SAVED', () => {
  it('is a stable code: not transient (no fallback), local, says nothing of the upstream', () => {
    expect(ERROR_CODES).toContain('NOT_SAVED');
    expect(CODE_TRAITS.NOT_SAVED).toEqual({
      transient: false,
      retryable: true,
      health: 'inconclusive',
      local: true,
    });
    expect(TRANSIENT_CODES.has('NOT_SAVED')).toBe(false);
  });

  it('a write whose fallback cannot be stored fails NOT_SAVED (not UPSTREAM_UNAVAILABLE), counted and logged so', async () => {
    const { gateway, events, lines } = setup(downStore(), reply(503, 'x'));
    const e = await rejection(gateway.echo.submit({ dossierCode: 'HS-1', value: 1 }, CTX));
    expectNotSaved(e);
    // The upstream failure that led to the outbox stays visible to developers.
    expect(e.message).toMatch(
      /^UPSTREAM_UNAVAILABLE: .*then the outbox could not store the write \(UNAVAILABLE\)/,
    );
    expect(e.status).toBe(503);
    expect(e.attempts).toBe(1);
    expect(isOutboxStoreError(e.cause, 'UNAVAILABLE')).toBe(true);
    expect(e).toMatchObject({ upstream: 'echo', operation: 'submit' });
    expect(events.call?.[0]).toMatchObject({ outcome: 'NOT_SAVED' });
    expect(events.fallback ?? []).toEqual([]);
    expect(events['outbox:queued'] ?? []).toEqual([]);
    expect(await gateway.metrics()).toMatch(
      /vngw_requests_total\{upstream="echo",operation="submit",outcome="NOT_SAVED"\} 1/,
    );
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.outcome === 'NOT_SAVED');
    expect(line).toMatchObject({ code: 'NOT_SAVED', level: 40 });
    await gateway.close();
  });

  it('a direct enqueue the store refuses is NOT_SAVED', async () => {
    const { gateway, transport } = setup(downStore());
    const e = await gateway.outbox
      .enqueue('echo.submit', { dossierCode: 'HS-2', value: 2 }, CTX)
      .catch((x) => x);
    expectNotSaved(e);
    expect(isOutboxStoreError((e as Error).cause, 'UNAVAILABLE')).toBe(true);
    expect(transport.requests).toHaveLength(0);
    await gateway.close();
  });

  it('a deferred read the store refuses keeps the upstream code: nothing was to be saved', async () => {
    const { gateway } = setup(downStore(), reply(503, 'x'));
    const e = await rejection(gateway.echo.ping({ n: 1 }, { defer: true }));
    expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(e.message).toMatch(/NOT queued/);
    await gateway.close();
  });

  it('PostgreSQL down (a closed port): the write fails NOT_SAVED, the store error has .code', async () => {
    const port = await closedPort();
    const outbox = postgresOutbox({ connectionString: `postgres://postgres@127.0.0.1:${port}/test` });
    const { gateway } = setup(outbox, reply(503, 'x'));
    const e = await rejection(gateway.echo.submit({ dossierCode: 'HS-3', value: 3 }, CTX));
    expectNotSaved(e);
    const cause = e.cause as OutboxStoreError;
    expect(isOutboxStoreError(cause, 'UNAVAILABLE'), String(cause)).toBe(true);
    expect(cause.code).toBe('UNAVAILABLE');
    expect(cause.reason).toBe('UNAVAILABLE'); // the deprecated alias
    await gateway.close();
  }, 20_000);
});

describe('OutboxStoreError', () => {
  it('has .code like every other error, .reason as its deprecated alias', () => {
    const e = new OutboxStoreError('BUSY', 'locked');
    expect(e.code).toBe('BUSY');
    expect(e.reason).toBe('BUSY');
    expect(isOutboxStoreError(e, 'BUSY')).toBe(true);
    expect(isOutboxStoreError(e, 'CLOSED')).toBe(false);
  });

  it('an error from an older copy of the package (reason only) is still recognised', () => {
    const old = Object.assign(new Error('x'), { reason: 'CORRUPT' });
    Object.defineProperty(old, Symbol.for('vn-national-gateway.OutboxStoreError'), { value: true });
    expect(isOutboxStoreError(old, 'CORRUPT')).toBe(true);
  });
});
