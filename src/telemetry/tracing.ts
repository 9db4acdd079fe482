/**
 * OpenTelemetry tracing, when `@opentelemetry/api` (an optional peer) is installed: a span per
 * call and one per attempt (HTTP request), W3C `traceparent` on the requests to the platforms and
 * to the token endpoint, and the trace id in the call's log line. Without the API every function
 * here is skipped. Attributes are codes and counts only: never an input, a URL (its query may
 * carry a personal ID), a header or an error message.
 */
import type * as Otel from '@opentelemetry/api';
import type { CallResult } from '../call.js';
import { isGatewayError } from '../errors.js';
import { nodeRequire } from '../util/node-require.js';
import type { Transport } from '../transport/types.js';

type Api = typeof Otel;

/** Per call, in the OTel context: how many attempts its spans have counted. */
interface CallState {
  operation: string;
  attempts: number;
}

/** A gateway's tracing; `undefined` when the API is not installed or tracing is off. */
export interface Tracing {
  /** Runs one call in its span (children: the attempts). */
  call(
    upstream: string,
    operation: string,
    fn: () => Promise<CallResult<unknown>>,
  ): Promise<CallResult<unknown>>;
  /** The platform transport, with a span per request and `traceparent`. */
  platform(transport: Transport, upstream: string, breakerState: () => string): Transport;
  /** The token endpoint's transport, with `traceparent` of the active span. */
  token(transport: Transport): Transport;
  /** The active trace id, for the call's log line. */
  traceId(): string | undefined;
}

/** Loads `@opentelemetry/api` if it is installed (`load` is replaceable for tests). */
export function loadOpenTelemetry(
  load: () => unknown = () => nodeRequire()('@opentelemetry/api'),
): Api | undefined {
  try {
    const api = load() as Api | undefined;
    return api && typeof api.trace?.getTracer === 'function' ? api : undefined;
  } catch {
    return undefined; // not installed: a plain install runs without tracing
  }
}

const TRACER = 'vn-national-gateway';

export function createTracing(api: Api | undefined): Tracing | undefined {
  if (!api) return undefined;
  const { trace, context, SpanKind, SpanStatusCode } = api;
  const tracer = trace.getTracer(TRACER);
  const CALL = api.createContextKey('vn-national-gateway.call');
  // Without an SDK (no tracer provider registered, no active span) the API only hands out no-op
  // spans: skip the per-call spans, contexts and attribute objects then. Asked per call, since an
  // SDK may register after the gateway is created.
  const NOOP = new api.ProxyTracerProvider().getDelegate();
  const active = () =>
    (trace.getTracerProvider() as { getDelegate?: () => unknown }).getDelegate?.() !== NOOP ||
    trace.getActiveSpan() !== undefined;

  const traceparent = (span: Otel.Span | undefined): string | undefined => {
    const sc = span?.spanContext();
    if (!sc || !trace.isSpanContextValid(sc)) return undefined;
    return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
  };

  return {
    call(upstream, operation, fn) {
      if (!active()) return fn();
      const state: CallState = { operation, attempts: 0 };
      return tracer.startActiveSpan(
        `${upstream}.${operation}`,
        { kind: SpanKind.INTERNAL, attributes: { 'vngw.upstream': upstream, 'vngw.operation': operation } },
        context.active().setValue(CALL, state),
        async (span) => {
          try {
            const r = await fn();
            span.setAttributes({ 'vngw.outcome': r.status, 'vngw.attempts': r.meta.attempts });
            return r;
          } catch (e) {
            const code = isGatewayError(e) ? e.code : 'ERROR';
            span.setAttributes({
              'vngw.outcome': code,
              'vngw.attempts': (isGatewayError(e) && e.attempts) || 0,
            });
            span.setStatus({ code: SpanStatusCode.ERROR, message: code });
            throw e;
          } finally {
            span.end();
          }
        },
      );
    },
    platform(transport, upstream, breakerState) {
      return {
        close: transport.close?.bind(transport),
        async request(req) {
          if (!active()) return transport.request(req);
          const state = context.active().getValue(CALL) as CallState | undefined;
          const attempt = state ? ++state.attempts : undefined;
          const span = tracer.startSpan(`${upstream} ${req.method}`, {
            kind: SpanKind.CLIENT,
            attributes: {
              'vngw.upstream': upstream,
              ...(state ? { 'vngw.operation': state.operation, 'vngw.attempt': attempt } : {}),
              'vngw.breaker.state': breakerState(),
              'http.request.method': req.method,
            },
          });
          const tp = traceparent(span);
          try {
            const res = await transport.request(
              tp ? { ...req, headers: { ...req.headers, traceparent: tp } } : req,
            );
            span.setAttributes({
              'http.response.status_code': res.status,
              'vngw.outcome': res.status < 400 ? 'ok' : `http_${res.status}`,
            });
            if (res.status >= 500)
              span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${res.status}` });
            return res;
          } catch (e) {
            const code = isGatewayError(e) ? e.code : 'ERROR';
            span.setAttribute('vngw.outcome', code);
            span.setStatus({ code: SpanStatusCode.ERROR, message: code });
            throw e;
          } finally {
            span.end();
          }
        },
      };
    },
    token(transport) {
      return {
        close: transport.close?.bind(transport),
        request(req) {
          const tp = traceparent(trace.getActiveSpan());
          return transport.request(tp ? { ...req, headers: { ...req.headers, traceparent: tp } } : req);
        },
      };
    },
    traceId() {
      const sc = trace.getActiveSpan()?.spanContext();
      return sc && trace.isSpanContextValid(sc) ? sc.traceId : undefined;
    },
  };
}
