/**
 * Issue 11: the call context is validated like an input (its values become headers), caller
 * faults are VALIDATION, and replies that are not answers (3xx, another request's id) are typed.
 */
import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import {
  defineAdapter,
  createGateway,
  type GatewayError,
  type PolicyOptions,
  type TransportRequest,
} from 'vn-national-gateway';
import { CTX, echo, ok, PERSON } from '../helpers/echo-adapter.js';
import { recordEvents } from '../helpers/events.js';
import { rejection } from '../helpers/rejection.js';
import { reply, type Step, scriptedTransport } from '../helpers/scripted-transport.js';

function setup(...script: Step[]) {
  return setupWith({}, ...script);
}

function setupWith(policy: PolicyOptions, ...script: Step[]) {
  return setupClient('VN/GOV/test/context', policy, ...script);
}

/** `client` null: the X-Road-Client configuration forgotten. */
function setupClient(client: string | null, policy: PolicyOptions, ...script: Step[]) {
  const transport = scriptedTransport(...script);
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) });
  const adapter = echo({
    baseUrl: 'http://echo.test',
    auth: { type: 'none' },
    transport,
    policy,
    ...(client === null ? {} : { client }),
  });
  const gateway = createGateway({
    upstreams: { echo: adapter },
    logger,
    drainer: { autoStart: false },
  });
  const events = recordEvents(gateway, ['call', 'contract:violation']);
  return { gateway, transport, lines, events };
}

const FOUND = reply(200, ok({ exists: true, status: 'ACTIVE' }));

describe('context schema', () => {
  it('refuses a Vietnamese officer name in actor with a clear message, sending nothing', async () => {
    const { gateway, transport } = setup(FOUND);
    const e = await rejection(gateway.echo.lookup(PERSON, { purpose: '1.0', actor: 'cán-bộ-Nguyễn-17' }));
    expect(e.code).toBe('VALIDATION');
    expect(e.issues).toEqual([
      {
        path: 'context.actor',
        message: expect.stringContaining('officer code'),
        code: 'format',
        userMessage:
          'mã cán bộ phải viết bằng chữ cái không dấu và chữ số, không có khoảng trắng (dùng mã cán bộ, không dùng họ tên)',
      },
    ]);
    expect(e.message).not.toContain('Nguyễn');
    expect(e.userMessage).not.toContain('context.actor');
    expect(e.userMessage).toContain('mã cán bộ phải viết bằng chữ cái không dấu');
    expect(transport.requests).toHaveLength(0);
    await gateway.close();
  });

  it('sends an ASCII actor unchanged in X-Road-UserId', async () => {
    const { gateway, transport } = setup(FOUND);
    await gateway.echo.lookup(PERSON, { purpose: '1.0', actor: 'can-bo-17' });
    expect(transport.requests[0]!.headers['x-road-userid']).toBe('VNcan-bo-17');
    await gateway.close();
  });

  it('a throwing getter in the context is VALIDATION naming the field, logged and counted', async () => {
    const { gateway, transport, lines, events } = setup(FOUND);
    const ctx = {
      ...CTX,
      get dossierCode(): string {
        throw new Error('boom');
      },
    };
    const e = await rejection(gateway.echo.lookup(PERSON, ctx));
    expect(e.code).toBe('VALIDATION');
    expect(e.issues?.[0]).toMatchObject({ path: 'context.dossierCode', code: 'unreadable' });
    expect(transport.requests).toHaveLength(0);
    expect(events.call).toHaveLength(1);
    expect(lines.some((l) => l.includes('"outcome":"VALIDATION"'))).toBe(true);
    await gateway.close();
  });

  it('a context Proxy that throws on every read, and a non-object context, are VALIDATION', async () => {
    const { gateway, transport } = setup(FOUND);
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    expect((await rejection(gateway.echo.ping({ n: 1 }, hostile))).code).toBe('VALIDATION');
    expect((await rejection(gateway.echo.ping({ n: 1 }, 'ctx' as never))).code).toBe('VALIDATION');
    expect(transport.requests).toHaveLength(0);
    await gateway.close();
  });

  it('an input with a throwing getter or Proxy is VALIDATION, not CONTRACT, and fires no contract event', async () => {
    const { gateway, transport, events } = setup(FOUND);
    const input = {
      fullName: 'A',
      get personalId(): string {
        throw new Error('boom');
      },
    };
    expect((await rejection(gateway.echo.lookup(input, CTX))).code).toBe('VALIDATION');
    const proxy = new Proxy(
      { n: 1 },
      {
        get: () => {
          throw new Error('trap');
        },
      },
    );
    expect((await rejection(gateway.echo.ping(proxy, {}))).code).toBe('VALIDATION');
    expect(transport.requests).toHaveLength(0);
    expect(events['contract:violation']).toBeUndefined();
    await gateway.close();
  });

  it('a signal that is not an AbortSignal is VALIDATION', async () => {
    const { gateway, transport } = setup(FOUND);
    const e = await rejection(gateway.echo.ping({ n: 1 }, { signal: { aborted: false } as never }));
    expect(e.code).toBe('VALIDATION');
    expect(e.issues?.[0]?.path).toBe('context.signal');
    expect(transport.requests).toHaveLength(0);
    await gateway.close();
  });

  it('property: any invalid context value is VALIDATION naming the field, never the value, and nothing is sent', async () => {
    const { gateway, transport } = setup(reply(200, ok({ n: 1 })));
    const marker = fc.constantFrom('\r\n', '\n', '\0', 'Nguyễn', ' ', '\u2028');
    const badString = fc
      .tuple(fc.stringMatching(/^[A-Za-z0-9]{0,8}$/), marker, fc.stringMatching(/^[A-Za-z0-9]{0,8}$/))
      .map(([a, m, b]) => `${a}${m}${b}`);
    const badValue = fc.oneof(
      badString,
      fc.integer(),
      fc.constant({}),
      fc.constant(['x']),
      fc.constant('x'.repeat(300)),
      fc.constant(''),
    );
    const field = fc.constantFrom('actor', 'dossierCode', 'idempotencyKey', 'correlationId');
    await fc.assert(
      fc.asyncProperty(field, badValue, async (name, value) => {
        if (name === 'actor' && typeof value === 'string' && value === '') return; // empty actor: absent
        const before = transport.requests.length;
        const e = await rejection(gateway.echo.ping({ n: 1 }, { [name]: value }));
        expect(e.code).toBe('VALIDATION');
        expect(e.issues?.map((i) => i.path)).toContain(`context.${name}`);
        if (typeof value === 'string' && value.length > 2) expect(e.message).not.toContain(value);
        expect(transport.requests.length).toBe(before);
      }),
      { numRuns: 150 },
    );
    await gateway.close();
  });

  it('property: deadlineMs must be a positive finite number; defer a boolean', async () => {
    const { gateway, transport } = setup(reply(200, ok({ n: 1 })));
    const bad = fc.oneof(
      fc.constantFrom(0, -1, Number.NaN, Number.POSITIVE_INFINITY, '100', null),
      fc.double({ max: 0 }),
    );
    await fc.assert(
      fc.asyncProperty(bad, async (deadlineMs) => {
        const e = await rejection(gateway.echo.ping({ n: 1 }, { deadlineMs } as never));
        expect(e.issues?.[0]?.path).toBe('context.deadlineMs');
      }),
      { numRuns: 50 },
    );
    expect((await rejection(gateway.echo.ping({ n: 1 }, { defer: 'yes' } as never))).code).toBe('VALIDATION');
    expect(transport.requests).toHaveLength(0);
    await gateway.close();
  });

  it('property: valid context values reach the headers unchanged', async () => {
    const { gateway, transport } = setup(reply(200, ok({ receiptId: 'R-1' })));
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[A-Za-z0-9._\-/:]{1,100}$/),
        fc.stringMatching(/^[\x21-\x7E]{1,128}$/),
        async (dossierCode, actor) => {
          const r = await gateway.echo.submit({ dossierCode: 'abc', value: 1 }, { dossierCode, actor });
          expect(r.status).toBe('ok');
          const h = transport.requests.at(-1)!.headers;
          expect(h['x-road-issue']).toBe(dossierCode);
          expect(h['idempotency-key']).toBe(dossierCode);
          expect(h['x-road-userid']).toBe(`VN${actor}`);
        },
      ),
      { numRuns: 60 },
    );
    await gateway.close();
  });

  it('property: purpose refuses control characters, non-strings and over 128 characters; signal anything but an AbortSignal', async () => {
    const { gateway, transport } = setup(reply(200, ok({ exists: true, status: 'ACTIVE' })));
    const control = fc
      .tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 0, max: 0x1f }), fc.string({ maxLength: 20 }))
      .map(([a, c, b]) => `${a}${String.fromCharCode(c)}${b}`);
    const badPurpose = fc.oneof(
      control,
      fc.constant('\u007f'),
      fc.integer(),
      fc.constant({}),
      fc.constant(['1.001234']),
      fc.string({ minLength: 129, maxLength: 300 }),
    );
    await fc.assert(
      fc.asyncProperty(badPurpose, async (purpose) => {
        const e = await rejection(gateway.echo.lookup(PERSON, { ...CTX, purpose } as never));
        expect([e.code, e.issues?.map((i) => i.path)]).toEqual(['VALIDATION', ['context.purpose']]);
        if (typeof purpose === 'string' && purpose.length > 2) expect(e.message).not.toContain(purpose);
      }),
      { numRuns: 80 },
    );
    const badSignal = fc.oneof(
      fc.integer(),
      fc.string(),
      fc.constant({ aborted: false, addEventListener() {}, removeEventListener() {} }), // duck-typed
      fc.constant(new AbortController()), // the controller, not its signal
      fc.constant(null),
    );
    await fc.assert(
      fc.asyncProperty(badSignal, async (signal) => {
        const e = await rejection(gateway.echo.ping({ n: 1 }, { signal } as never));
        expect([e.code, e.issues?.map((i) => i.path)]).toEqual(['VALIDATION', ['context.signal']]);
      }),
      { numRuns: 30 },
    );
    expect(transport.requests).toHaveLength(0);
    await gateway.close();
  });

  it('property: every valid context field passes unchanged (headers, body, event), none refused', async () => {
    const { gateway, transport } = setup((req) =>
      req.url.endsWith('/lookup')
        ? reply(200, ok({ exists: true, status: 'ACTIVE' }))
        : reply(200, ok({ receiptId: 'R-1' })),
    );
    const calls: { correlationId?: string | undefined }[] = [];
    gateway.on('call', (e) => void calls.push(e));
    const noControl = fc
      .string({ unit: 'grapheme', maxLength: 40 })
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is excluded
      .filter((x) => !/[\x00-\x1F\x7F]/.test(x) && x.length <= 128 && x.trim() !== '');
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          purpose: fc.oneof(noControl, fc.constant('1.001234 – Đăng ký thường trú')),
          actor: fc.stringMatching(/^[\x21-\x7E]{1,128}$/),
          dossierCode: fc.stringMatching(/^[A-Za-z0-9._\-/:]{1,100}$/),
          idempotencyKey: fc.stringMatching(/^[A-Za-z0-9._\-/:]{1,128}$/),
          correlationId: fc.stringMatching(/^[\x21-\x7E]{1,128}$/),
          deadlineMs: fc.double({ min: 5000, max: 1e9, noNaN: true }),
          defer: fc.boolean(),
        }),
        async (ctx) => {
          const signal = new AbortController().signal;
          const w = await gateway.echo.submit({ dossierCode: 'abc', value: 1 }, { ...ctx, signal });
          expect(w.status).toBe('ok');
          const h = transport.requests.at(-1)!.headers;
          expect([h['x-road-issue'], h['idempotency-key'], h['x-road-userid']]).toEqual([
            ctx.dossierCode,
            ctx.idempotencyKey,
            `VN${ctx.actor}`,
          ]);
          expect(calls.at(-1)?.correlationId).toBe(ctx.correlationId);
          const r = await gateway.echo.lookup(PERSON, { ...ctx, signal });
          expect(r.status).toBe('ok');
          expect((transport.requests.at(-1)!.body as { purpose: string }).purpose).toBe(ctx.purpose);
        },
      ),
      { numRuns: 60 },
    );
    await gateway.close();
  });
});

describe('two dossiers never share one receipt', () => {
  // A platform that honours Idempotency-Key (the same key returns the first receipt) behind a
  // lenient transport that coerces the key to a string and drops what a header cannot carry, as a
  // custom transport or a proxy may: keys that differ only there would share one receipt.
  function lenientPlatform() {
    const receipts = new Map<string, string>();
    return (req: TransportRequest) => {
      const key = String(req.headers['idempotency-key']).replace(/[^\x21-\x7E]/g, '');
      if (!receipts.has(key)) receipts.set(key, `R-${receipts.size + 1}`);
      return reply(200, ok({ receiptId: receipts.get(key)! }));
    };
  }

  it('keys that would collide after coercion are refused by the context schema, so the second dossier never gets the first receipt', async () => {
    const { gateway, transport } = setup(lenientPlatform());
    const collide: readonly (readonly [unknown, unknown])[] = [
      [{ a: 1 }, { b: 2 }], // both "[object Object]"
      [['K-1'], 'K-1'], // an array coerces to its element
      [1, '1'],
      ['K-2\n', 'K-2'], // a stripped newline
      ['K-3 ', 'K-3'], // a trailing space, trimmed on the way
      ['K-4\t', 'K-4'], // a tab
      ['K-5\u0130', 'K-5'], // a non-Latin-1 character, dropped by the transport
      ['K-6\u00a0', 'K-6'], // a no-break space
    ];
    for (const [first, second] of collide) {
      const before = transport.requests.length;
      const results = await Promise.allSettled([
        gateway.echo.submit({ dossierCode: 'HS-A', value: 1 }, { idempotencyKey: first as never }),
        gateway.echo.submit({ dossierCode: 'HS-B', value: 2 }, { idempotencyKey: second as never }),
      ]);
      const receiptsGot = results
        .filter((r) => r.status === 'fulfilled')
        .map((r) => (r as PromiseFulfilledResult<{ data: { receiptId: string } }>).value.data.receiptId);
      expect(new Set(receiptsGot).size).toBe(receiptsGot.length);
      // The odd key is refused by the schema, naming the field, before anything is sent.
      const refused = results[0]!;
      expect(refused.status).toBe('rejected');
      const e = (refused as PromiseRejectedResult).reason as GatewayError;
      expect([e.code, e.issues?.[0]?.path]).toEqual(['VALIDATION', 'context.idempotencyKey']);
      expect(transport.requests.length - before).toBe(results.filter((r) => r.status === 'fulfilled').length);
    }
    await gateway.close();
  });

  it('dossier codes (the default key) that would collide after coercion are refused the same way', async () => {
    const { gateway } = setup(lenientPlatform());
    for (const [first, second] of [
      ['HS-7 ', 'HS-7'],
      ['HS-8\u0130', 'HS-8'],
      [{ toString: () => 'HS-9' }, 'HS-9'],
    ] as const) {
      const a = await rejection(
        gateway.echo.submit({ dossierCode: 'HS-A', value: 1 }, { dossierCode: first as never }),
      );
      expect([a.code, a.issues?.[0]?.path]).toEqual(['VALIDATION', 'context.dossierCode']);
      const b = await gateway.echo.submit({ dossierCode: 'HS-B', value: 2 }, { dossierCode: second });
      expect(b.status).toBe('ok');
    }
    await gateway.close();
  });
});

describe('replies that are not answers', () => {
  it('a 302 whose body is a success envelope is a typed error, not ok', async () => {
    const { gateway } = setup(reply(302, ok({ receiptId: 'R-1' }), { location: 'http://elsewhere' }));
    const e = await rejection(gateway.echo.submit({ dossierCode: 'HS-1', value: 1 }));
    expect(e.code).toBe('CONTRACT');
    expect(e.status).toBe(302);
    await gateway.close();
  });

  it('a 1xx final status is a typed error', async () => {
    const { gateway } = setup(reply(103, ok({ n: 1 })));
    expect((await rejection(gateway.echo.ping({ n: 1 }))).code).toBe('CONTRACT');
    await gateway.close();
  });

  it("a write answered with another request's X-Road-Id is CONTRACT, never ok", async () => {
    const { gateway } = setup(reply(200, ok({ receiptId: 'R-1' }), { 'x-road-id': 'someone-else' }));
    const e = await rejection(gateway.echo.submit({ dossierCode: 'HS-1', value: 1 }));
    expect(e.code).toBe('CONTRACT');
    expect(e.issues?.[0]?.path).toBe('headers.x-road-id');
    await gateway.close();
  });

  it('our own echoed X-Road-Id is accepted', async () => {
    const { gateway } = setup((req) => reply(200, ok({ n: 1 }), { 'x-road-id': req.headers['x-road-id']! }));
    expect((await gateway.echo.ping({ n: 1 })).status).toBe('ok');
    await gateway.close();
  });

  it('a 4xx without an envelope is REJECTED, not CONTRACT', async () => {
    const { gateway } = setup(reply(400, '<html>Bad Request</html>'));
    const e = await rejection(gateway.echo.ping({ n: 1 }));
    expect(e.code).toBe('REJECTED');
    expect(e.status).toBe(400);
    await gateway.close();
  });
});

describe('close() with calls in flight', () => {
  it('in-flight calls end ABORTED, without a contract event, and a queued write stays queued', async () => {
    const { gateway, transport, events } = setupWith(
      { retry: { maxAttempts: 1 } },
      reply(503, 'busy'),
      'hang',
    );
    const queued = await gateway.echo.submit({ dossierCode: 'HS-Q', value: 1 }, { actor: 'a' });
    expect(queued.status).toBe('queued');
    const counts = await gateway.outbox.counts();
    const inflight = rejection(gateway.echo.ping({ n: 1 }));
    await vi.waitFor(() => expect(transport.requests.length).toBeGreaterThan(1));
    const list = gateway.outbox.list();
    await gateway.close();
    const e = await inflight;
    expect(e.code).toBe('ABORTED');
    expect(events['contract:violation']).toBeUndefined();
    expect((await list).map((i) => i.context?.dossierCode)).toContain('HS-Q');
    expect(Object.values(counts).some((n) => n === 1)).toBe(true);
  });
});

describe('forgetting client', () => {
  it('a refusal without X-Road-Client is AUTH naming the missing client configuration, not CONTRACT', async () => {
    // What the mock platforms (and a real exchange) answer: 400, the envelope's invalid code, free text.
    const refusal = {
      ok: false,
      code: 'NO_CLIENT',
      data: null,
      message: `missing X-Road-Client ${PERSON.fullName}`,
    };
    const { gateway, transport, lines, events } = setupClient(null, {}, reply(400, refusal));
    const e = await rejection(gateway.echo.ping({ n: 1 }));
    expect(transport.requests[0]!.headers['x-road-client']).toBeUndefined();
    expect(e.code).toBe('AUTH');
    expect(e.retryable).toBe(false);
    expect(e.status).toBe(400);
    expect(e.message).toContain('no X-Road-Client header was sent');
    expect(e.message).toContain('client configuration is missing');
    expect(e.upstreamCode).toBe('NO_CLIENT'); // code-shaped: kept
    expect(events['contract:violation']).toBeUndefined();
    expect(lines.join('')).not.toContain(PERSON.fullName);
    await gateway.close();
  });

  it('a refusal sent with HTTP 200 keeps its code (a domain refusal), with a hint about the missing client', async () => {
    const { gateway, events } = setupClient(null, {}, reply(200, { ok: false, code: 'DENIED', data: null }));
    const e = await rejection(gateway.echo.ping({ n: 1 }));
    expect([e.code, e.upstreamCode]).toEqual(['REJECTED', 'DENIED']);
    expect(e.message).toContain('is the client configuration missing?');
    expect(events['contract:violation']).toBeUndefined();
    await gateway.close();
  });

  it.each([
    ['a 403 with an envelope', reply(403, { ok: false, code: 'NO_CLIENT', data: null })],
    ['a 403 without an envelope', reply(403, '<html>Forbidden</html>')],
    ['a 400 without an envelope', reply(400, 'missing X-Road-Client')],
  ])('%s to a client-less call is AUTH naming the cause', async (_name, answer) => {
    const { gateway } = setupClient(null, {}, answer);
    const e = await rejection(gateway.echo.ping({ n: 1 }));
    expect([e.code, e.message.includes('client configuration is missing')]).toEqual(['AUTH', true]);
    await gateway.close();
  });

  it('a platform code that is not code-shaped is not kept; a 404 or a busy code keeps its own meaning', async () => {
    const leaky = setupClient(null, {}, reply(400, { ok: false, code: PERSON.personalId, data: null }));
    const e = await rejection(leaky.gateway.echo.ping({ n: 1 }));
    expect(e.code).toBe('AUTH');
    expect(e.upstreamCode).toBe('(not a code)');
    expect(e.message).not.toContain(PERSON.personalId);
    await leaky.gateway.close();
    const notFound = setupClient(null, {}, reply(404, { ok: false, code: 'NOT_FOUND', data: null }));
    expect((await rejection(notFound.gateway.echo.ping({ n: 1 }))).code).toBe('NOT_FOUND');
    await notFound.gateway.close();
    const busy = setupClient(
      null,
      { retry: { maxAttempts: 1 } },
      reply(200, { ok: false, code: 'BUSY', data: null }),
    );
    expect((await rejection(busy.gateway.echo.ping({ n: 1 }))).code).toBe('UPSTREAM_UNAVAILABLE');
    await busy.gateway.close();
  });

  it('with a client configured, the same refusal keeps its usual mapping', async () => {
    const { gateway } = setup(reply(400, { ok: false, code: 'NO_CLIENT', data: null }));
    const e = await rejection(gateway.echo.ping({ n: 1 }));
    expect(e.code).toBe('REJECTED');
    expect(e.message).not.toContain('X-Road-Client');
    await gateway.close();
  });
});

describe('userMessage names the platform', () => {
  it("uses the adapter's display name, and a generic name for an adapter without one", async () => {
    const named = defineAdapter({ ...echo.spec, displayName: 'Hệ thống thử nghiệm' });
    const gateway = createGateway({
      upstreams: {
        named: named({
          baseUrl: 'http://echo.test',
          auth: { type: 'none' },
          transport: scriptedTransport(reply(503, 'x')),
          policy: { retry: { maxAttempts: 1 } },
        }),
        plain: echo({
          baseUrl: 'http://echo.test',
          auth: { type: 'none' },
          transport: scriptedTransport(reply(503, 'x')),
          policy: { retry: { maxAttempts: 1 } },
        }),
      },
      logger: pino({ level: 'silent' }),
      drainer: { autoStart: false },
    });
    const a = await rejection(gateway.named.ping({ n: 1 }));
    expect(a.userMessage).toBe('Hệ thống thử nghiệm đang gián đoạn, vui lòng thử lại sau.');
    const b = await rejection(gateway.plain.ping({ n: 1 }));
    expect(b.userMessage).toBe('Hệ thống trung ương đang gián đoạn, vui lòng thử lại sau.');
    const v = await rejection(gateway.named.ping({ n: 'x' } as never));
    expect(v.userMessage).toBe(
      'Thông tin nhập vào gửi tới hệ thống thử nghiệm không hợp lệ: một trường thông tin phải là một số. Vui lòng kiểm tra lại.',
    );
    expect(v.issues?.[0]?.code).toBe('type');
    await gateway.close();
  });
});
