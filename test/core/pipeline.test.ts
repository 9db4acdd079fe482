import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGateway, GatewayError, isGatewayError, type PolicyOptions } from 'vn-national-gateway';
import { CTX, echo, ok, PERSON } from '../helpers/echo-adapter.js';
import { recordEvents } from '../helpers/events.js';
import { rejection } from '../helpers/rejection.js';
import { reply, type Step, scriptedTransport } from '../helpers/scripted-transport.js';

const silent = pino({ level: 'silent' });
const BUSY = reply(503, 'busy');

function setup(script: Step[], policy: PolicyOptions = {}) {
  const transport = scriptedTransport(...script);
  const gateway = createGateway({
    upstreams: {
      echo: echo({
        baseUrl: 'http://echo.test',
        auth: { type: 'bearer', token: 'secret-token' },
        transport,
        policy,
      }),
    },
    logger: silent,
    random: () => 1, // the longest full-jitter delay, so delays are exact
    drainer: { autoStart: false },
  });
  const events = recordEvents(gateway, [
    'retry',
    'call',
    'breaker:open',
    'breaker:half-open',
    'breaker:close',
  ]);
  return { gateway, transport, events };
}

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('input validation', () => {
  it('rejects a bad input with VALIDATION, listing fields without values, and sends nothing', async () => {
    const { gateway, transport } = setup([reply(200, ok({ exists: true, status: 'ACTIVE' }))]);
    const e = await rejection(gateway.echo.lookup({ personalId: '07920300123', fullName: '' }, CTX));
    expect(e.code).toBe('VALIDATION');
    expect(e.retryable).toBe(false);
    expect(e.issues?.map((i) => i.path)).toEqual(['personalId', 'fullName']);
    expect(e.message).not.toContain('07920300123');
    expect(e.userMessage).toMatch(/không hợp lệ/);
    expect(transport.requests).toHaveLength(0);
    await gateway.close();
  });

  it('requires purpose and actor on citizen data (purpose limitation)', async () => {
    const { gateway, transport } = setup([reply(200, ok({ exists: true, status: 'ACTIVE' }))]);
    // @ts-expect-error the types require purpose and actor too: this checks the run-time refusal
    const e = await rejection(gateway.echo.lookup(PERSON, { actor: 'officer-17' }));
    expect(e.code).toBe('VALIDATION');
    expect(e.issues).toEqual([
      {
        path: 'context.purpose',
        message: expect.stringContaining('required'),
        code: 'required',
        userMessage: 'chưa nhập mã thủ tục',
      },
    ]);
    expect(transport.requests).toHaveLength(0);
    await gateway.close();
  });
});

describe('retry', () => {
  it('503, 503, 200 → ok after 3 attempts, one X-Road-Id on all three, full-jitter delays', async () => {
    const { gateway, transport, events } = setup([BUSY, BUSY, reply(200, ok({ n: 7 }))]);
    const p = gateway.echo.ping({ n: 7 });
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(199); // first retry waits random × 200 ms = 200 ms
    expect(transport.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(400); // second: 400 ms
    const r = await p;
    expect(r).toMatchObject({
      status: 'ok',
      data: { n: 7 },
      meta: { attempts: 3, upstream: 'echo', operation: 'ping' },
    });
    const ids = transport.requests.map((q) => q.headers['x-road-id']);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toBe(r.meta.requestId);
    expect(events.retry?.map((e) => [e.attempt, e.delayMs, e.code])).toEqual([
      [1, 200, 'UPSTREAM_UNAVAILABLE'],
      [2, 400, 'UPSTREAM_UNAVAILABLE'],
    ]);
    await gateway.close();
  });

  it('respects Retry-After: 2 exactly', async () => {
    const { gateway, transport } = setup([
      reply(429, 'slow down', { 'retry-after': '2' }),
      reply(200, ok({ n: 1 })),
    ]);
    const p = gateway.echo.ping({ n: 1 });
    await vi.advanceTimersByTimeAsync(1999);
    expect(transport.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.requests).toHaveLength(2);
    await expect(p).resolves.toMatchObject({ status: 'ok', meta: { attempts: 2 } });
    await gateway.close();
  });

  it('respects Retry-After as an HTTP date', async () => {
    const at = new Date(Date.now() + 3000).toUTCString();
    const { gateway, transport } = setup([reply(503, 'x', { 'retry-after': at }), reply(200, ok({ n: 1 }))]);
    const p = gateway.echo.ping({ n: 1 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(transport.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(p).resolves.toMatchObject({ meta: { attempts: 2 } });
    await gateway.close();
  });

  it('does not start a retry the deadline would cut', async () => {
    const { gateway, transport } = setup([reply(503, 'x', { 'retry-after': '2' })], {
      deadlineMs: 3000,
      retry: { maxAttempts: 5 },
    });
    const p = rejection(gateway.echo.ping({ n: 1 }));
    await vi.advanceTimersByTimeAsync(2000);
    const e = await p;
    expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(e.attempts).toBe(2); // a third would start at 4 s, past the 3 s deadline
    expect(transport.requests).toHaveLength(2);
    await gateway.close();
  });

  it('the deadline ends a call whose attempts hang, as a non-retryable TIMEOUT', async () => {
    const { gateway, transport } = setup(['hang'], { deadlineMs: 1500, attemptTimeoutMs: 1000 });
    const p = rejection(gateway.echo.ping({ n: 1 }));
    await vi.advanceTimersByTimeAsync(1500);
    const e = await p;
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toMatch(/Deadline of 1500 ms/);
    expect(transport.requests).toHaveLength(2); // attempt 1 timed out at 1 s, attempt 2 cut by the deadline
    await gateway.close();
  });

  it('sends a write without an idempotency key once', async () => {
    const { gateway, transport } = setup([BUSY]);
    const e = await rejection(gateway.echo.note({ text: 'hello' }));
    expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(e.attempts).toBe(1);
    expect(e.message).toMatch(/never retried/);
    expect(transport.requests).toHaveLength(1);
    expect(transport.requests[0]!.headers['idempotency-key']).toBeUndefined();
    await gateway.close();
  });

  it('retries a write that has its dossier code as idempotency key, sending the key each time', async () => {
    const { gateway, transport } = setup([BUSY, reply(200, ok({ receiptId: 'R1' }))], { cache: false });
    const p = gateway.echo.submit({ dossierCode: 'HS-001', value: 1 });
    await vi.advanceTimersByTimeAsync(200);
    await expect(p).resolves.toMatchObject({ status: 'ok', meta: { attempts: 2 } });
    expect(transport.requests.map((r) => r.headers['idempotency-key'])).toEqual(['HS-001', 'HS-001']);
    expect(transport.requests[0]!.headers['x-road-issue']).toBe('HS-001');
    await gateway.close();
  });

  it('does not retry non-retryable answers (NOT_FOUND)', async () => {
    const { gateway, transport } = setup([reply(200, { ok: false, code: 'NOT_FOUND', data: null })]);
    const e = await rejection(gateway.echo.ping({ n: 1 }));
    expect(e).toMatchObject({ code: 'NOT_FOUND', upstreamCode: 'NOT_FOUND', attempts: 1 });
    expect(transport.requests).toHaveLength(1);
    await gateway.close();
  });

  it('stops retrying when the upstream retry budget is spent', async () => {
    const { gateway, transport } = setup([BUSY], {
      retry: { maxAttempts: 3, baseDelayMs: 0, budget: { ratio: 0, minPerSecond: 0.2 } }, // 2 retries per 10 s window
      cache: false,
    });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await rejection(gateway.echo.ping({ n: i })));
    expect(results.map((e) => e.attempts)).toEqual([3, 1, 1]);
    expect(results[1]!.message).toMatch(/retry budget/);
    expect(transport.requests).toHaveLength(5);
    await gateway.close();
  });
});

describe('circuit breaker', () => {
  const policy: PolicyOptions = {
    retry: { maxAttempts: 1 },
    // One probe, no jitter: the old defaults these tests were written for (the new defaults are 2 of 3 probes, 20 % jitter).
    breaker: {
      minimumCalls: 4,
      errorRatio: 0.5,
      resetTimeoutMs: 5000,
      windowMs: 10_000,
      openJitter: 0,
      halfOpenProbes: 1,
      halfOpenSuccesses: 1,
    },
    cache: false,
  };

  it('opens after the threshold, fails fast without sending, half-opens after the reset timeout, closes on success', async () => {
    const { gateway, transport, events } = setup([BUSY, BUSY, BUSY, BUSY, reply(200, ok({ n: 1 }))], policy);
    for (let i = 0; i < 4; i++)
      expect((await rejection(gateway.echo.ping({ n: i }))).code).toBe('UPSTREAM_UNAVAILABLE');
    expect(events['breaker:open']).toHaveLength(1);
    const fast = await rejection(gateway.echo.ping({ n: 9 }));
    expect(fast.code).toBe('CIRCUIT_OPEN');
    expect(fast.userMessage).toMatch(/tạm ngưng/);
    expect(transport.requests).toHaveLength(4);
    expect((await gateway.health()).upstreams.echo!.breaker.state).toBe('open');

    await vi.advanceTimersByTimeAsync(4999);
    expect(events['breaker:half-open']).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(events['breaker:half-open']).toHaveLength(1);

    await expect(gateway.echo.ping({ n: 1 })).resolves.toMatchObject({ status: 'ok' });
    expect(events['breaker:close']).toHaveLength(1);
    expect(transport.requests).toHaveLength(5);
    expect(await gateway.metrics()).toMatch(/vngw_breaker_state\{upstream="echo"\} 0/);
    await gateway.close();
  });

  it('re-opens when the half-open probe fails, and lets only halfOpenProbes trials through', async () => {
    const { gateway, transport, events } = setup([BUSY, BUSY, BUSY, BUSY, 'hang'], {
      ...policy,
      attemptTimeoutMs: 1000,
    });
    for (let i = 0; i < 4; i++) await rejection(gateway.echo.ping({ n: i }));
    await vi.advanceTimersByTimeAsync(5000);
    const probe = rejection(gateway.echo.ping({ n: 1 }));
    const second = await rejection(gateway.echo.ping({ n: 2 }));
    expect(second.code).toBe('CIRCUIT_OPEN');
    await vi.advanceTimersByTimeAsync(1000);
    expect((await probe).code).toBe('TIMEOUT');
    expect(events['breaker:open']).toHaveLength(2);
    expect(transport.requests).toHaveLength(5);
    await gateway.close();
  });

  it('a half-open probe the caller aborts does not close the breaker', async () => {
    const { gateway, events } = setup([BUSY, BUSY, BUSY, BUSY, 'hang'], policy);
    for (let i = 0; i < 4; i++) await rejection(gateway.echo.ping({ n: i }));
    await vi.advanceTimersByTimeAsync(5000);
    const controller = new AbortController();
    const probe = rejection(gateway.echo.ping({ n: 1 }, { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    expect((await probe).code).toBe('ABORTED');
    await vi.advanceTimersByTimeAsync(0);
    expect(events['breaker:close']).toBeUndefined();
    // An aborted probe proves nothing: it frees its slot and the breaker stays half-open (not closed).
    expect((await gateway.health()).upstreams.echo!.breaker.state).toBe('half-open');
    await gateway.close();
  });

  it('does not count domain answers (NOT_FOUND) as failures', async () => {
    const { gateway, events } = setup([reply(404, { ok: false, code: 'NOT_FOUND', data: null })], policy);
    for (let i = 0; i < 8; i++) await rejection(gateway.echo.ping({ n: i }));
    expect(events['breaker:open']).toBeUndefined();
    await gateway.close();
  });
});

describe('bulkhead', () => {
  it('rejects past its queue with BULKHEAD_FULL, without sending', async () => {
    const { gateway, transport } = setup(['hang'], {
      bulkhead: { maxConcurrent: 1, maxQueue: 1 },
      attemptTimeoutMs: 1000,
      retry: { maxAttempts: 1 },
      cache: false,
    });
    const first = rejection(gateway.echo.ping({ n: 1 }));
    const second = rejection(gateway.echo.ping({ n: 2 }));
    const third = await rejection(gateway.echo.ping({ n: 3 }));
    expect(third.code).toBe('BULKHEAD_FULL');
    expect(transport.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect((await first).code).toBe('TIMEOUT');
    expect(transport.requests).toHaveLength(2); // the queued call got the slot
    await vi.advanceTimersByTimeAsync(1000);
    expect((await second).code).toBe('TIMEOUT');
    await gateway.close();
  });
});

describe('caller abort', () => {
  it('aborts an attempt in flight at once with ABORTED', async () => {
    const { gateway, transport } = setup(['hang']);
    const controller = new AbortController();
    const p = rejection(gateway.echo.ping({ n: 1 }, { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    const e = await p;
    expect(e.code).toBe('ABORTED');
    expect(transport.requests[0]!.signal.aborted).toBe(true);
    await gateway.close();
  });

  it('aborts during backoff without another attempt', async () => {
    const { gateway, transport } = setup([BUSY]);
    const controller = new AbortController();
    const p = rejection(gateway.echo.ping({ n: 1 }, { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(new Error('officer closed the form'));
    expect((await p).code).toBe('ABORTED');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(transport.requests).toHaveLength(1);
    await gateway.close();
  });

  it('an already-aborted signal sends nothing', async () => {
    const { gateway, transport } = setup([reply(200, ok({ n: 1 }))]);
    const e = await rejection(gateway.echo.ping({ n: 1 }, { signal: AbortSignal.abort() }));
    expect(e.code).toBe('ABORTED');
    expect(transport.requests).toHaveLength(0);
    await gateway.close();
  });
});

describe('response contract', () => {
  it('a reply missing a field is a CONTRACT error with the field path, not retried', async () => {
    const { gateway, transport } = setup([reply(200, ok({ exists: true }))]);
    const e = await rejection(gateway.echo.lookup(PERSON, CTX));
    expect(e.code).toBe('CONTRACT');
    expect(e.issues?.[0]?.path).toBe('status');
    expect(transport.requests).toHaveLength(1);
    await gateway.close();
  });

  it('a contract violation is emitted and counted', async () => {
    const { gateway } = setup([reply(200, ok({ exists: 'yes', status: 'ACTIVE' }))]);
    const seen = recordEvents(gateway, ['contract:violation']);
    await rejection(gateway.echo.lookup(PERSON, CTX));
    expect(seen['contract:violation']?.[0]).toMatchObject({
      upstream: 'echo',
      operation: 'lookup',
      issues: [{ path: 'exists' }],
    });
    expect(await gateway.metrics()).toMatch(
      /vngw_contract_violations_total\{upstream="echo",operation="lookup"\} 1/,
    );
    await gateway.close();
  });

  it('a non-JSON reply is a CONTRACT error', async () => {
    const { gateway } = setup([reply(200, '<html>gateway</html>')]);
    expect((await rejection(gateway.echo.ping({ n: 1 }))).code).toBe('CONTRACT');
    await gateway.close();
  });

  it('an upstream busy envelope code is transient and retried', async () => {
    const busy = reply(200, { ok: false, code: 'BUSY', data: null });
    const { gateway } = setup([busy, reply(200, ok({ n: 2 }))]);
    const p = gateway.echo.ping({ n: 2 });
    await vi.advanceTimersByTimeAsync(200);
    await expect(p).resolves.toMatchObject({ status: 'ok', meta: { attempts: 2 } });
    await gateway.close();
  });
});

describe('configuration', () => {
  const make = (over: Record<string, unknown>) => () =>
    createGateway({
      upstreams: {
        echo: echo({ baseUrl: 'http://echo.test', auth: { type: 'bearer', token: 't' }, ...over } as never),
      },
      logger: silent,
    });

  it('rejects a negative timeout, an unknown auth type and a non-http baseUrl with clear messages', () => {
    expect(make({ policy: { attemptTimeoutMs: -1 } })).toThrow(/upstreams\.echo: policy\.attemptTimeoutMs/);
    expect(make({ auth: { type: 'kerberos' } })).toThrow(/auth type must be one of/);
    expect(make({ baseUrl: 'ftp://x' })).toThrow(/baseUrl must be an http\(s\) URL/);
    expect(make({ auth: { type: 'oauth2', clientId: 'a', clientSecret: 'b', tokenUrl: 'nope' } })).toThrow(
      /tokenUrl/,
    );
    expect(make({ policy: { breaker: { errorRatio: 2 } } })).toThrow(/breaker\.errorRatio/);
    expect(() => createGateway({ upstreams: {} })).toThrow(/at least one adapter/);
  });

  it('a per-operation override applies to that operation only', async () => {
    const { gateway, transport } = setup([BUSY], {
      retry: { maxAttempts: 2 },
      operations: { ping: { retry: { maxAttempts: 1 } } },
      cache: false,
    });
    expect((await rejection(gateway.echo.ping({ n: 1 }))).attempts).toBe(1);
    const p = rejection(gateway.echo.lookup(PERSON, CTX));
    await vi.advanceTimersByTimeAsync(200);
    expect((await p).attempts).toBe(2);
    expect(transport.requests).toHaveLength(3);
    await gateway.close();
  });
});

describe('isolation', () => {
  it('two gateways in one process share no breaker', async () => {
    const policy: PolicyOptions = { retry: { maxAttempts: 1 }, breaker: { minimumCalls: 2 }, cache: false };
    const a = setup([BUSY], policy);
    const b = setup([reply(200, ok({ n: 1 }))], policy);
    for (let i = 0; i < 3; i++) await rejection(a.gateway.echo.ping({ n: i }));
    expect((await a.gateway.health()).upstreams.echo!.breaker.state).toBe('open');
    await expect(b.gateway.echo.ping({ n: 1 })).resolves.toMatchObject({ status: 'ok' });
    expect((await b.gateway.health()).upstreams.echo!.breaker.state).toBe('closed');
    await a.gateway.close();
    await b.gateway.close();
  });
});

describe('lifecycle', () => {
  it('a call on a closed gateway is ABORTED and sends nothing', async () => {
    const { gateway, transport } = setup([reply(200, ok({ n: 1 }))]);
    await gateway.close();
    const e = await rejection(gateway.echo.ping({ n: 1 }));
    expect(e).toMatchObject({ code: 'ABORTED', message: 'The gateway is closed', upstream: 'echo' });
    expect(transport.requests).toHaveLength(0);
    await gateway.close(); // idempotent
  });
});

describe('errors', () => {
  it('isGatewayError works for an error from another copy of the package (no instanceof)', () => {
    const foreign = Object.assign(new Error('x'), { code: 'TIMEOUT' });
    Object.defineProperty(foreign, Symbol.for('vn-national-gateway.GatewayError'), { value: true });
    expect(isGatewayError(foreign, 'TIMEOUT')).toBe(true);
    expect(isGatewayError(foreign, 'NETWORK')).toBe(false);
    expect(isGatewayError(new Error('x'))).toBe(false);
    expect(isGatewayError(new GatewayError('AUTH', 'no'), 'AUTH')).toBe(true);
  });
});
