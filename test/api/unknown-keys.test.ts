/**
 * A misspelt key is refused at run time everywhere (a typo would otherwise leave a default the
 * city did not choose), naming the closest known key; an unknown context key is VALIDATION and
 * nothing is sent; `outbox.enqueue` lists the writes it accepts.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  axiosTransport,
  createAuditTrail,
  createGateway,
  defineAdapter,
  defineOperation,
  fileAuditSink,
  isGatewayError,
  postgresAuditSink,
  postgresOutbox,
  redisQuota,
  serveMetrics,
  sqliteOutbox,
} from 'vn-national-gateway';
import { undiciTransport } from 'vn-national-gateway/undici';
import { closest, editDistance } from '../../src/util/suggest.js';
import { configError } from '../helpers/config-error.js';
import { BASE, CTX, echo, echoProfile } from '../helpers/echo-adapter.js';
import { rejection } from '../helpers/rejection.js';
import { reply, scriptedTransport } from '../helpers/scripted-transport.js';

const auth = { type: 'bearer', token: 't' } as const;
const logger = pino({ level: 'silent' });

/** `createGateway` with extra (possibly misspelt) options. */
function gatewayWith(extra: Record<string, unknown>, adapterExtra: Record<string, unknown> = {}) {
  return createGateway({
    upstreams: { echo: echo({ baseUrl: BASE, auth, ...adapterExtra } as never) },
    logger,
    drainer: { autoStart: false },
    ...extra,
  });
}

describe('suggestions', () => {
  it('counts a swap of neighbours as one edit, and compares without case', () => {
    expect(editDistance('pollMs', 'pollMs')).toBe(0);
    expect(editDistance('tracng', 'tracing')).toBe(1);
    expect(editDistance('baer', 'bear')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closest('pollms', ['autoStart', 'pollMs', 'leaseMs'])).toBe('pollMs');
    expect(closest('deadline', ['purpose', 'deadlineMs'])).toBe('deadlineMs');
    expect(closest('zzz', ['purpose', 'actor'])).toBeUndefined();
  });
});

describe('unknown option keys are refused at run time, with "did you mean"', () => {
  const cases: [string, () => unknown, RegExp][] = [
    [
      'createGateway',
      () => gatewayWith({ tracng: false }),
      /createGateway: unknown option "tracng" \(did you mean "tracing"\?\)/,
    ],
    [
      'drainer',
      () => gatewayWith({ drainer: { autoStart: false, pollms: 10 } }),
      /drainer: unknown option "pollms" \(did you mean "pollMs"\?\)/,
    ],
    [
      'cache',
      () => gatewayWith({ cache: { maxBytez: 1 } }),
      /cache: unknown option "maxBytez" \(did you mean "maxBytes"\?\)/,
    ],
    [
      'gateway hooks',
      () => gatewayWith({ hooks: { beforeRequests: () => {} } }),
      /hooks: unknown option "beforeRequests" \(did you mean "beforeRequest"\?\)/,
    ],
    [
      'policy',
      () => gatewayWith({ policy: { retry: { maxAttempt: 2 } } }),
      /policy\.retry\.maxAttempt \(did you mean "maxAttempts"\?\)/,
    ],
    [
      'policy operations',
      () => gatewayWith({ policy: { operations: { lookups: {} } } }),
      /policy\.operations\.lookups \(did you mean "lookup"\?\)/,
    ],
    [
      'adapter options',
      () => gatewayWith({}, { baseURL: BASE }),
      /upstreams\.echo: unknown option "baseURL" \(did you mean "baseUrl"\?\)/,
    ],
    [
      'adapter hooks',
      () => gatewayWith({}, { hooks: { afterResponses: () => {} } }),
      /upstreams\.echo hooks: unknown option "afterResponses" \(did you mean "afterResponse"\?\)/,
    ],
    [
      'auth',
      () =>
        gatewayWith(
          {},
          { auth: { type: 'oauth2', tokenUrl: 'http://t.test', clientID: 'a', clientSecret: 'b' } },
        ),
      /auth \(type "oauth2"\): unknown option "clientID" \(did you mean "clientId"\?\)/,
    ],
    [
      'axiosTransport',
      () => axiosTransport({ maxSocket: 2 } as never),
      /axiosTransport: unknown option "maxSocket" \(did you mean "maxSockets"\?\)/,
    ],
    [
      'undiciTransport',
      () => undiciTransport({ keepAliveTimeout: 2 } as never),
      /undiciTransport: unknown option "keepAliveTimeout" \(did you mean "keepAliveTimeoutMs"\?\)/,
    ],
    [
      'sqliteOutbox',
      () => sqliteOutbox({ path: '/nonexistent/x.db', busyTimeout: 5 } as never),
      /sqliteOutbox: unknown option "busyTimeout" \(did you mean "busyTimeoutMs"\?\)/,
    ],
    [
      'postgresOutbox',
      () => postgresOutbox({ connectionString: 'postgres://127.0.0.1:1/x', tabel: 'x' } as never),
      /postgresOutbox: unknown option "tabel" \(did you mean "table"\?\)/,
    ],
    [
      'redisQuota',
      () => redisQuota({ url: 'redis://127.0.0.1:1', keyprefix: 'x' } as never),
      /redisQuota: unknown option "keyprefix" \(did you mean "keyPrefix"\?\)/,
    ],
    [
      'defineAdapter',
      () => defineAdapter({ ...echo.spec, displayname: 'x' } as never),
      /defineAdapter: unknown option "displayname" \(did you mean "displayName"\?\)/,
    ],
    [
      'defineOperation',
      () =>
        defineOperation({
          kind: 'read',
          input: z.object({}),
          output: z.object({}),
          personaldata: true,
        } as never),
      /defineOperation: unknown option "personaldata" \(did you mean "personalData"\?\)/,
    ],
    [
      'createAuditTrail',
      () =>
        createAuditTrail({ salt: 'a-salt-of-16-bytes!', sink: { write() {} }, continuefrom: {} } as never),
      /createAuditTrail: unknown option "continuefrom" \(did you mean "continueFrom"\?\)/,
    ],
    [
      'fileAuditSink',
      () => fileAuditSink('/nonexistent/never-written.log', { fsnyc: true } as never),
      /fileAuditSink: unknown option "fsnyc" \(did you mean "fsync"\?\)/,
    ],
    [
      'postgresAuditSink',
      () => postgresAuditSink({ connectionString: 'postgres://127.0.0.1:9/x', tabel: 'a' } as never),
      /postgresAuditSink: unknown option "tabel" \(did you mean "table"\?\)/,
    ],
  ];
  for (const [name, fn, expected] of cases) {
    it(name, () => {
      const e = configError(fn);
      expect(e.message).toMatch(expected);
      if (!name.startsWith('policy')) expect(e.message).toMatch(/known options: /);
    });
  }

  it('lists every unknown key at once, and accepts an explicit undefined for a known one', async () => {
    const e = configError(() => gatewayWith({ tracng: false, metric: undefined }));
    expect(e.message).toMatch(/"tracng" \(did you mean "tracing"\?\), "metric" \(did you mean "metrics"\?\)/);
    const g = gatewayWith({ tracing: undefined, cache: undefined, hooks: undefined, client: undefined });
    await g.close();
  });

  it('serveMetrics rejects before listening', async () => {
    const g = gatewayWith({});
    await expect(serveMetrics(g, { prot: 0 } as never)).rejects.toThrow(
      /serveMetrics: unknown option "prot" \(did you mean "port"\?\)/,
    );
    await g.close();
  });

  it('a key far from every known one gets no suggestion, only the list', () => {
    const e = configError(() => gatewayWith({ drainer: { zzzzzz: 1 } }));
    expect(e.message).not.toMatch(/did you mean/);
    expect(e.message).toMatch(/known options: autoStart, pollMs/);
  });
});

describe('unknown context keys', () => {
  it('are VALIDATION naming the closest field, and nothing is sent', async () => {
    const transport = scriptedTransport(reply(200, { ok: true, code: 'OK', data: { n: 1 } }));
    const gateway = createGateway({
      upstreams: { echo: echo({ baseUrl: BASE, auth, transport }) },
      logger,
      drainer: { autoStart: false },
    });
    const e = await rejection(gateway.echo.ping({ n: 1 }, { deadline: 500 } as never));
    expect(e.code).toBe('VALIDATION');
    expect(e.issues).toEqual([
      expect.objectContaining({
        path: 'context.deadline',
        code: 'unknown_field',
        message: expect.stringMatching(
          /^unknown field \(did you mean "deadlineMs"\?\); known: purpose, actor/,
        ),
      }),
    ]);
    expect(e.userMessage).not.toMatch(/deadline/);
    // A key that is not code-shaped (it could be data) is not repeated.
    const data = await rejection(gateway.echo.ping({ n: 1 }, { '079203001234': 'x' } as never));
    expect(data.issues?.[0]?.path).toBe('context.(not a code)');
    expect(JSON.stringify(data.toJSON())).not.toContain('079203001234');
    expect(transport.requests).toHaveLength(0);
    // The known keys pass (the fast path too).
    expect((await gateway.echo.ping({ n: 1 }, { correlationId: 'c-1', deadlineMs: 1000 })).status).toBe('ok');
    await gateway.close();
  });
});

describe('outbox.enqueue', () => {
  function setup() {
    const transport = scriptedTransport();
    const gateway = createGateway({
      upstreams: {
        echo: echo({ baseUrl: BASE, auth, transport }),
        other: defineAdapter({ name: 'other', operations: echo.spec.operations, profile: echoProfile })({
          baseUrl: BASE,
          auth,
          transport,
        }),
      },
      logger,
      drainer: { autoStart: false },
    });
    const loose = gateway.outbox.enqueue as (...a: unknown[]) => Promise<unknown>;
    return { gateway, transport, loose };
  }

  it('is typed by "upstream.operation" like the calls: writes only, the input of that write', async () => {
    const { gateway } = setup();
    const item = await gateway.outbox.enqueue('echo.submit', { dossierCode: 'HS-1', value: 1 }, CTX);
    expect(item).toMatchObject({ upstream: 'echo', operation: 'submit', idempotencyKey: 'HS-1' });
    // @ts-expect-error a read cannot be queued
    await gateway.outbox.enqueue('echo.ping', { n: 1 }).catch(() => {});
    // @ts-expect-error a misspelt operation does not compile
    await gateway.outbox.enqueue('echo.submti', { dossierCode: 'HS-2', value: 2 }).catch(() => {});
    // @ts-expect-error the input is that write's
    await gateway.outbox.enqueue('echo.submit', { dossierCode: 'HS-3', value: 'x' }).catch(() => {});
    await gateway.close();
  });

  it('an unknown operation is VALIDATION listing the writes that can be queued, with the closest', async () => {
    const { gateway, loose } = setup();
    const e = await rejection(loose('echo.submti', { dossierCode: 'HS-1', value: 1 }, CTX));
    expect(e.issues?.[0]).toMatchObject({ path: 'operation' });
    expect(e.message).toMatch(
      /unknown operation "echo\.submti" \(did you mean "echo\.submit"\?\); writes that can be queued: echo\.submit, echo\.note, other\.submit, other\.note/,
    );
    const read = await rejection(loose('echo.ping', { n: 1 }));
    expect(read.message).toMatch(/"echo\.ping" is a read: only a write can be queued/);
    const notString = await rejection(loose(42, {}));
    expect(notString.message).toMatch(/unknown operation "number"/);
    await gateway.close();
  });

  it('a null context is read through the validated context: typed VALIDATION, never a TypeError', async () => {
    const { gateway, loose, transport } = setup();
    // The echo `lookup` is not a write; `submit` is not personal: use an adapter whose write is.
    const personal = createGateway({
      upstreams: {
        p: defineAdapter({
          name: 'p',
          operations: {
            submit: defineOperation({
              kind: 'write',
              personalData: true,
              input: z.object({ dossierCode: z.string(), value: z.number() }),
              output: z.object({ receiptId: z.string() }),
              dossierCode: (i) => i.dossierCode,
            }),
          },
          profile: { ...echoProfile, operations: { submit: echoProfile.operations.submit } } as never,
        })({ baseUrl: BASE, auth, transport }),
      },
      logger,
      drainer: { autoStart: false },
    });
    const e = await (personal.outbox.enqueue as (...a: unknown[]) => Promise<unknown>)(
      'p.submit',
      { dossierCode: 'HS-1', value: 1 },
      null,
    ).catch((x: unknown) => x);
    expect(isGatewayError(e, 'VALIDATION'), String(e)).toBe(true);
    expect((e as { issues: { path: string; code: string }[] }).issues).toEqual([
      expect.objectContaining({ path: 'context.purpose', code: 'required' }),
      expect.objectContaining({ path: 'context.actor', code: 'required' }),
    ]);
    // A hostile context is VALIDATION too, and an unknown context or option key.
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
      },
    );
    expect((await rejection(loose('echo.submit', { dossierCode: 'HS-1', value: 1 }, hostile))).code).toBe(
      'VALIDATION',
    );
    const typo = await rejection(
      loose('echo.submit', { dossierCode: 'HS-1', value: 1 }, { idempotencykey: 'k' }),
    );
    expect(typo.message).toMatch(
      /context\.idempotencykey: unknown field \(did you mean "idempotencyKey"\?\)/,
    );
    const option = await rejection(
      loose('echo.submit', { dossierCode: 'HS-1', value: 1 }, CTX, { clent: {} }),
    );
    expect(option.message).toMatch(/options\.clent: unknown option \(did you mean "client"\?\)/);
    expect(await gateway.outbox.counts()).toMatchObject({ pending: 0 });
    await gateway.close();
    await personal.close();
  });
});
