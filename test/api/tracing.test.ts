import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, type TransportRequest } from 'vn-national-gateway';
import { createTracing, loadOpenTelemetry } from '../../src/telemetry/tracing.js';
import { CTX, echo, ok, PERSON } from '../helpers/echo-adapter.js';

const exporter = new InMemorySpanExporter();
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
});
afterAll(() => {
  trace.disable();
  context.disable();
});
beforeEach(() => exporter.reset());

function setup(script: number[], tracing?: boolean) {
  const sent: TransportRequest[] = [];
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
  const gateway = createGateway({
    upstreams: {
      echo: echo({
        baseUrl: 'http://echo.test',
        auth: { type: 'oauth2', tokenUrl: 'http://echo.test/token', clientId: 'c', clientSecret: 's3cret' },
        transport: {
          request: async (req) => {
            sent.push(req);
            if (req.url.endsWith('/token'))
              return { status: 200, headers: {}, body: { access_token: 'tok', expires_in: 300 } };
            const status = script.shift() ?? 200;
            const body =
              status === 400
                ? { ok: false, code: 'DENIED', data: null }
                : ok({ n: 1, exists: true, status: 'ACTIVE' });
            return { status, headers: {}, body };
          },
        },
        policy: { retry: { baseDelayMs: 0, maxDelayMs: 0 }, cache: false },
      }),
    },
    client: 'VN/GOV/test',
    logger,
    drainer: { autoStart: false },
    ...(tracing === undefined ? {} : { tracing }),
  });
  return { gateway, sent, lines };
}

describe('OpenTelemetry tracing', () => {
  it('a span per call and per attempt, traceparent to the platform and the token endpoint, trace id in the log line', async () => {
    const { gateway, sent, lines } = setup([503, 200]);
    const r = await gateway.echo.lookup(PERSON, CTX);
    expect(r.meta.attempts).toBe(2);
    await gateway.close();

    const spans = exporter.getFinishedSpans();
    const call = spans.find((s) => s.name === 'echo.lookup')!;
    const attempts = spans.filter((s) => s.name === 'echo POST');
    expect(call.attributes).toMatchObject({
      'vngw.upstream': 'echo',
      'vngw.operation': 'lookup',
      'vngw.outcome': 'ok',
      'vngw.attempts': 2,
    });
    expect(attempts.map((s) => s.attributes['vngw.attempt'])).toEqual([1, 2]);
    expect(attempts.map((s) => s.attributes['http.response.status_code'])).toEqual([503, 200]);
    expect(attempts.map((s) => s.attributes['vngw.outcome'])).toEqual(['http_503', 'ok']);
    expect(attempts[0]!.attributes['vngw.breaker.state']).toBe('closed');
    const traceId = call.spanContext().traceId;
    for (const s of attempts) {
      expect(s.spanContext().traceId).toBe(traceId);
      expect(s.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    }
    // No personal data in any attribute.
    const attrs = JSON.stringify(spans.map((s) => s.attributes));
    for (const v of [PERSON.personalId, PERSON.fullName, 's3cret', 'tok', CTX.actor])
      expect(attrs).not.toContain(v);

    const token = sent.find((q) => q.url.endsWith('/token'))!;
    expect(token.headers.traceparent).toMatch(TRACEPARENT);
    expect(TRACEPARENT.exec(token.headers.traceparent!)![1]).toBe(traceId);
    const platform = sent.filter((q) => !q.url.endsWith('/token'));
    expect(platform.map((q) => TRACEPARENT.exec(q.headers.traceparent ?? '')?.[2])).toEqual(
      attempts.map((s) => s.spanContext().spanId),
    );
    expect(lines.find((l) => l.msg === 'call')).toMatchObject({ traceId, outcome: 'ok' });
  });

  it('marks a failed call span with its error code', async () => {
    const { gateway } = setup([400]);
    await expect(gateway.echo.ping({ n: 1 })).rejects.toMatchObject({ code: 'REJECTED' });
    await gateway.close();
    const call = exporter.getFinishedSpans().find((s) => s.name === 'echo.ping')!;
    expect(call.attributes['vngw.outcome']).toBe('REJECTED');
    expect(call.status.code).toBe(2); // SpanStatusCode.ERROR
  });

  it('tracing: false sends no traceparent and makes no span', async () => {
    const { gateway, sent, lines } = setup([200], false);
    await gateway.echo.ping({ n: 1 });
    await gateway.close();
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(sent.every((q) => q.headers.traceparent === undefined)).toBe(true);
    expect(lines.find((l) => l.msg === 'call')?.traceId).toBeUndefined();
  });

  it('with no SDK registered, calls skip tracing; an SDK registered after the gateway is created gets its spans', async () => {
    trace.disable();
    const { gateway, sent } = setup([200, 200]);
    await gateway.echo.ping({ n: 1 });
    expect(sent.at(-1)!.headers.traceparent).toBeUndefined();
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    await gateway.echo.ping({ n: 2 });
    await gateway.close();
    expect(sent.at(-1)!.headers.traceparent).toMatch(TRACEPARENT);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['echo GET', 'echo.ping']);
  });

  it('without @opentelemetry/api installed, tracing is skipped', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), { code: 'MODULE_NOT_FOUND' });
    };
    expect(loadOpenTelemetry(missing)).toBeUndefined();
    expect(createTracing(loadOpenTelemetry(missing))).toBeUndefined();
    expect(loadOpenTelemetry()).toBeDefined();
  });
});
