import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isGatewayError, memoryOutbox } from 'vn-national-gateway';
import { CTX, ok, PERSON } from '../helpers/echo-adapter.js';
import { echoGateway } from '../helpers/echo-gateway.js';
import { reply, type Step, scriptedTransport } from '../helpers/scripted-transport.js';

/**
 * The caller's own time limit keeps the fallback: `context.deadlineMs` and a signal that times out
 * (`AbortSignal.timeout()`) end in stale or queued like any transient failure, while a caller who
 * cancels (`controller.abort()`) gets `ABORTED` and nothing else.
 */

const FOUND = reply(200, ok({ exists: true, status: 'ACTIVE' }));

function setup(...script: Step[]) {
  const transport = scriptedTransport(...script);
  const outbox = memoryOutbox();
  const gateway = echoGateway(transport, {
    // A slow platform: each attempt may take 10 s, the policy deadline is 30 s.
    policy: { retry: { maxAttempts: 3 }, attemptTimeoutMs: 10_000, deadlineMs: 30_000 },
    outbox,
    random: () => 0,
    drainer: { autoStart: false },
  });
  return { gateway, transport, outbox };
}

/** What `AbortSignal.timeout()` aborts with, produced without a real timer. */
function timedOutSignal(): AbortSignal {
  const c = new AbortController();
  c.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  return c.signal;
}

beforeEach(() =>
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  }),
);
afterEach(() => vi.useRealTimers());

describe('context.deadlineMs', () => {
  it('serves the stale answer when the caller’s 500 ms are spent, not after the policy’s 30 s', async () => {
    const { gateway } = setup(FOUND, 'hang');
    await gateway.echo.lookup(PERSON, CTX);
    let settled: unknown;
    const p = gateway.echo.lookup(PERSON, { ...CTX, deadlineMs: 500 }).then((r) => (settled = r));
    await vi.advanceTimersByTimeAsync(499);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(settled).toMatchObject({ status: 'stale', data: { found: true } });
    await gateway.close();
  });

  it('queues a write whose caller has no more time', async () => {
    const { gateway } = setup('hang');
    const p = gateway.echo.submit({ dossierCode: 'HS-1', value: 1 }, { ...CTX, deadlineMs: 800 });
    await vi.advanceTimersByTimeAsync(800);
    const r = await p;
    expect(r.status).toBe('queued');
    if (r.status === 'queued') expect(await gateway.outbox.get(r.ticket)).toBeTruthy();
    await gateway.close();
  });

  it('fails with TIMEOUT at the caller’s deadline when there is nothing to fall back on', async () => {
    const { gateway, transport } = setup('hang');
    const p = gateway.echo.lookup(PERSON, { ...CTX, deadlineMs: 500 }).catch((e) => e);
    await vi.advanceTimersByTimeAsync(500);
    const e = await p;
    expect(isGatewayError(e, 'TIMEOUT')).toBe(true);
    expect(transport.requests).toHaveLength(1);
    await gateway.close();
  });

  it('can only shorten the policy deadline, never lengthen it', async () => {
    const { gateway } = setup('hang');
    let settled: unknown;
    const p = gateway.echo
      .lookup(PERSON, { ...CTX, deadlineMs: 120_000 })
      .catch((e) => e)
      .then((r) => (settled = r));
    await vi.advanceTimersByTimeAsync(29_999);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(isGatewayError(settled, 'TIMEOUT')).toBe(true);
    await gateway.close();
  });

  it.each([-1, 0, Number.NaN, Number.POSITIVE_INFINITY, '500'])(
    'refuses deadlineMs %s before sending',
    async (bad) => {
      const { gateway, transport } = setup(FOUND);
      const e = await gateway.echo.lookup(PERSON, { ...CTX, deadlineMs: bad as number }).catch((x) => x);
      expect(isGatewayError(e, 'VALIDATION')).toBe(true);
      expect(e.message).toContain('deadlineMs');
      expect(transport.requests).toHaveLength(0);
      await gateway.close();
    },
  );
});

describe('a signal: timing out is a deadline, aborting is a cancellation', () => {
  it('a signal that times out on a cached read still returns the stale answer', async () => {
    const { gateway } = setup(FOUND, 'hang');
    await gateway.echo.lookup(PERSON, CTX);
    const c = new AbortController();
    const p = gateway.echo.lookup(PERSON, { ...CTX, signal: c.signal });
    await vi.advanceTimersByTimeAsync(500);
    c.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    await expect(p).resolves.toMatchObject({ status: 'stale', data: { found: true } });
    await gateway.close();
  });

  it('a signal already timed out serves stale without sending anything', async () => {
    const { gateway, transport } = setup(FOUND, FOUND);
    await gateway.echo.lookup(PERSON, CTX);
    const r = await gateway.echo.lookup(PERSON, { ...CTX, signal: timedOutSignal() });
    expect(r.status).toBe('stale');
    expect(transport.requests).toHaveLength(1);
    await gateway.close();
  });

  it('a caller who aborts gets ABORTED, not the stale answer, and no write is queued', async () => {
    const { gateway, outbox } = setup(FOUND, 'hang');
    await gateway.echo.lookup(PERSON, CTX);
    const c = new AbortController();
    const read = gateway.echo.lookup(PERSON, { ...CTX, signal: c.signal }).catch((e) => e);
    const write = gateway.echo
      .submit({ dossierCode: 'HS-2', value: 1 }, { ...CTX, signal: c.signal })
      .catch((e) => e);
    await vi.advanceTimersByTimeAsync(100);
    c.abort();
    expect(isGatewayError(await read, 'ABORTED')).toBe(true);
    expect(isGatewayError(await write, 'ABORTED')).toBe(true);
    expect((await outbox.stats()).echo?.pending ?? 0).toBe(0);
    await gateway.close();
  });
});
