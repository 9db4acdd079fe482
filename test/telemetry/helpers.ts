import { spawnSync } from 'node:child_process';
import pino from 'pino';
import type { Registry } from 'prom-client';
import { vi } from 'vitest';
import {
  type AuditTrail,
  type Clock,
  createGateway,
  type PolicyOptions,
  type TransportRequest,
  type TransportResponse,
} from 'vn-national-gateway';
import { CTX, echo, PERSON } from '../helpers/echo-adapter.js';
import { reply, type Step, scriptedTransport } from '../helpers/scripted-transport.js';

export const silent = pino({ level: 'silent' });
export const BUSY = reply(503, 'busy');
export const FOUND = reply(200, { ok: true, code: 'OK', data: { exists: true, status: 'ACTIVE' } });
export const NOT_FOUND = reply(200, { ok: false, code: 'NOT_FOUND', data: null });
export const PONG = reply(200, { ok: true, code: 'OK', data: { n: 1 } });

/**
 * A clock moved by hand; its timers fire when `advance` passes them. `advance` moves both clocks;
 * `stepWall` moves the wall clock alone (an NTP step, a host booting on local time), as a real
 * host's `Date.now()` jumps while `performance.now()` and its timers do not.
 */
export function manualClock(
  start = Date.UTC(2025, 6, 1, 2, 0, 0),
): Clock & { advance(ms: number): void; stepWall(ms: number): void } {
  let mono = 0;
  let wallOffset = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => start + mono + wallOffset,
    monotonic: () => mono,
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: mono + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const until = mono + ms;
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, t]) => t.at <= until)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        mono = due[1].at;
        due[1].fn();
      }
      mono = until;
    },
    stepWall(ms) {
      wallOffset += ms;
    },
  };
}

/** A transport answering by operation path (`/echo/lookup`, …); unrouted paths get a 404 envelope. */
export function routedTransport(routes: Record<string, Step[]>) {
  const queues = new Map(Object.entries(routes).map(([path, steps]) => [path, scriptedTransport(...steps)]));
  const requests: TransportRequest[] = [];
  return {
    requests,
    async request(req: TransportRequest): Promise<TransportResponse> {
      requests.push(req);
      const path = new URL(req.url).pathname;
      const t = queues.get(path);
      if (!t) return reply(404, { ok: false, code: 'NOT_FOUND', data: null });
      return t.request(req);
    },
  };
}

export interface EchoGatewayOptions {
  policy?: PolicyOptions;
  clock?: Clock;
  registry?: Registry;
  audit?: AuditTrail;
  /** A second upstream `echo2` with this script. */
  second?: Step[];
}

/** A gateway on the test echo adapter (upstream `echo`), silent, no background drainer, no jitter. */
export function echoGateway(script: Step[] | ReturnType<typeof routedTransport>, o: EchoGatewayOptions = {}) {
  const transport = Array.isArray(script) ? scriptedTransport(...script) : script;
  const auth = { type: 'bearer' as const, token: 'test-token' };
  const transport2 = scriptedTransport(...(o.second ?? [FOUND]));
  const upstreams = {
    echo: echo({ baseUrl: 'http://echo.test', auth, transport, policy: o.policy }),
    ...(o.second
      ? { echo2: echo({ baseUrl: 'http://echo2.test', auth, transport: transport2, policy: o.policy }) }
      : {}),
  } as { echo: ReturnType<typeof echo>; echo2?: ReturnType<typeof echo> };
  const gateway = createGateway({
    upstreams,
    logger: silent,
    random: () => 1,
    drainer: { autoStart: false },
    clock: o.clock,
    metrics: o.registry,
    audit: o.audit,
  });
  return { gateway, transport, transport2 };
}

/** Settles a promise that is expected to reject, returning the error. */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

/** `promtool` from the Debian `prometheus` package, if on PATH. */
export const PROMTOOL: string | undefined = (() => {
  const r = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? 'promtool' : undefined;
})();

export const PROMTOOL_MISSING =
  'SKIPPED: promtool is not on PATH (apt-get install -y --no-install-recommends prometheus)';

export function promtool(args: string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync(PROMTOOL!, args, { input, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A breaker that opens after 4 attempts at > 50 % failures and half-opens 5 s later; no retries. */
export const BREAKER = {
  retry: { maxAttempts: 1 },
  breaker: {
    minimumCalls: 4,
    errorRatio: 0.5,
    resetTimeoutMs: 5000,
    windowMs: 10_000,
    openJitter: 0,
    openBackoffFactor: 1, // a fixed 5 s open time keeps the scripted run simple
    halfOpenProbes: 1,
    halfOpenSuccesses: 1,
  },
} as const;

/**
 * One gateway run that touches every series: ok, NOT_FOUND, a retry, a contract violation, a
 * queued write, and the breaker through open → half-open → open → half-open → closed. Returns the
 * exposition. Runs on fake timers (installed here if the caller has not).
 */
export async function fullRun(): Promise<string> {
  const installed = !vi.isFakeTimers();
  if (installed)
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
    });
  try {
    let pingDown = true;
    const transport = routedTransport({
      '/echo/lookup': [
        FOUND,
        NOT_FOUND,
        BUSY,
        FOUND,
        reply(200, { ok: true, code: 'OK', data: { exists: 1 } }),
      ],
      '/echo/submit': [BUSY],
      '/echo/ping': [() => (pingDown ? BUSY : PONG)],
    });
    const { gateway } = echoGateway(transport, {
      policy: { ...BREAKER, operations: { lookup: { retry: { maxAttempts: 2 } } } },
    });
    await gateway.echo.lookup(PERSON, CTX); // ok
    await rejection(gateway.echo.lookup(PERSON, CTX)); // NOT_FOUND
    const retried = gateway.echo.lookup(PERSON, CTX); // BUSY, a retry, FOUND
    await vi.advanceTimersByTimeAsync(200);
    await retried;
    await rejection(gateway.echo.lookup({ ...PERSON, personalId: '079203009999' }, CTX)); // CONTRACT
    while ((await gateway.health()).upstreams.echo!.breaker.state !== 'open') {
      await rejection(gateway.echo.ping({ n: 1 })); // until the breaker opens
    }
    await vi.advanceTimersByTimeAsync(5000); // half-open
    await rejection(gateway.echo.ping({ n: 1 })); // the probe fails: open again
    await vi.advanceTimersByTimeAsync(5000);
    pingDown = false;
    await gateway.echo.ping({ n: 1 }); // the probe succeeds: closed
    // After the breaker closed (closing drains the outbox at once), so the item stays pending.
    await gateway.echo.submit({ dossierCode: 'HS-2025-000123', value: 1 }); // queued
    const text = await gateway.metrics();
    await gateway.close();
    return text;
  } finally {
    if (installed) vi.useRealTimers();
  }
}
