/**
 * The mock platforms as an undici dispatcher, for CI without sockets on the undici transport
 * (`undiciTransport({ dispatcher })`), which nock cannot see. The same engine as the HTTP server
 * and the nock helper answers, so faults, run-time switching and idempotency behave alike.
 *
 * The dispatcher has no network code at all: a request to an origin or path it does not mock
 * fails (`UND_MOCK_ERR_MOCK_NOT_MATCHED`, a `NETWORK` error through the transport), it never goes
 * out. undici is an optional peer dependency, loaded on the first call of
 * {@link mockPlatformsWithUndici}.
 */

import type UndiciModule from 'undici';
import type { UndiciDispatcherLike } from '../transport/dispatcher-types.js';
import { nodeRequire } from '../util/node-require.js';
import {
  controlsOf,
  createMockEngine,
  type MockOptions,
  type MockPlatformsControl,
  toMockRequest,
} from './engine.js';
import { type MockBaseUrls, type PlatformRoute, platformRoutes } from './routes.js';

/** The dispatcher of {@link mockPlatformsWithUndici}: an undici `Dispatcher` (typed structurally). */
export interface MockDispatcher extends UndiciDispatcherLike {
  /** undici's low-level entry point: `request()`, `stream()` and `fetch(url, { dispatcher })` use it. */
  dispatch(options: object, handler: object): boolean;
  /** Ends hung requests; later requests fail with `UND_ERR_DESTROYED`. */
  close(): Promise<void>;
  /** As `close()`. */
  destroy(): Promise<void>;
}

/** The control object of undici-backed mock platforms. */
export interface UndiciMockPlatforms extends MockPlatformsControl {
  /** Pass it to the transport: `undiciTransport({ dispatcher: mock.dispatcher })`. */
  readonly dispatcher: MockDispatcher;
  /** Closes the dispatcher: hung requests end with a socket error. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link mockPlatformsWithUndici}. */
export type MockPlatformsWithUndiciOptions = MockOptions;

type Abort = (reason?: Error) => void;

/** undici's handler callbacks, both styles (`request()` passes the older one). */
interface AnyHandler {
  onConnect?(abort: Abort, context?: unknown): void;
  onHeaders?(status: number, raw: Buffer[], resume: () => void, statusText: string): unknown;
  onData?(chunk: Buffer): unknown;
  onComplete?(trailers: Buffer[] | null): void;
  onError?(error: Error): void;
  onRequestStart?(controller: Controller, context: unknown): void;
  onResponseStart?(
    controller: Controller,
    status: number,
    headers: Record<string, string>,
    statusText: string,
  ): void;
  onResponseData?(controller: Controller, chunk: Buffer): void;
  onResponseEnd?(controller: Controller, trailers: Record<string, string>): void;
  onResponseError?(controller: Controller, error: Error): void;
}

interface Controller {
  readonly aborted: boolean;
  readonly paused: boolean;
  readonly reason: Error | null;
  abort(reason?: Error): void;
  pause(): void;
  resume(): void;
}

interface DispatchOptions {
  origin?: string | URL;
  path?: string;
  method?: string;
  headers?: unknown;
  body?: unknown;
}

/** One request's answer, in the terms both handler styles share. */
interface Reply {
  start(abort: Abort): void;
  respond(status: number, headers: Record<string, string>, body: Buffer): void;
  fail(error: Error): void;
}

function replyTo(handler: AnyHandler): Reply {
  if (typeof handler.onResponseStart === 'function' || typeof handler.onRequestStart === 'function') {
    let controller: Controller | undefined;
    return {
      start(abort) {
        let reason: Error | null = null;
        controller = {
          get aborted() {
            return reason !== null;
          },
          get reason() {
            return reason;
          },
          paused: false,
          abort(r) {
            reason = r ?? new Error('aborted');
            abort(reason);
          },
          pause() {},
          resume() {},
        };
        handler.onRequestStart?.(controller, {});
      },
      respond(status, headers, body) {
        const c = controller as Controller;
        handler.onResponseStart?.(c, status, headers, statusText(status));
        if (c.aborted) return;
        handler.onResponseData?.(c, body);
        handler.onResponseEnd?.(c, {});
      },
      fail(error) {
        handler.onResponseError?.(controller as Controller, error);
      },
    };
  }
  return {
    start: (abort) => handler.onConnect?.(abort, null),
    respond(status, headers, body) {
      const raw: Buffer[] = [];
      for (const [k, v] of Object.entries(headers)) raw.push(Buffer.from(k), Buffer.from(v));
      handler.onHeaders?.(status, raw, () => {}, statusText(status));
      handler.onData?.(body);
      handler.onComplete?.([]);
    },
    fail: (error) => handler.onError?.(error),
  };
}

function statusText(status: number): string {
  return status === 200 ? 'OK' : '';
}

/** Request headers as an object: undici takes an object, or a flat `[name, value, ...]` array. */
function headersOf(raw: unknown): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) headers[String(raw[i])] = String(raw[i + 1]);
  } else if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) if (v !== undefined && v !== null) headers[k] = v as string;
  }
  return headers;
}

/** The request body as text: undici accepts strings, bytes and (async) iterables of either. */
async function bodyText(body: unknown): Promise<string> {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  if (typeof body === 'object' && (Symbol.asyncIterator in body || Symbol.iterator in body)) {
    const chunks: Buffer[] = [];
    for await (const c of body as AsyncIterable<string | Uint8Array>) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks).toString('utf8');
  }
  throw new TypeError('mock dispatcher: unsupported request body type');
}

/**
 * Creates an undici dispatcher that answers as the mock platforms: no DNS lookup, no socket.
 *
 * Faults act per request as with nock: latency is a real wait (cut short by the request's
 * signal), `reset` fails the request with undici's socket error, `hang` answers never (until the
 * request is aborted or the mock closed).
 *
 * @param baseUrls e.g. `'https://lgsp.example.gov.vn'`, or `{ vneid, land, tax, token }` (a
 *   target left out is not mocked, and a request to it fails).
 * @example
 * const mock = mockPlatformsWithUndici('https://lgsp.test', { scenario: 'flaky' });
 * const transport = undiciTransport({ dispatcher: mock.dispatcher });
 * // ... vneid({ baseUrl: 'https://lgsp.test', transport, ... })
 * await mock.close();
 */
export function mockPlatformsWithUndici(
  baseUrls: MockBaseUrls,
  options: MockPlatformsWithUndiciOptions = {},
): UndiciMockPlatforms {
  const undici = loadUndici();
  const engine = createMockEngine(options);
  const routes = platformRoutes(baseUrls);
  // Every request not yet answered, so close() can end the hung ones and clear delay timers.
  const pending = new Set<Abort>();
  let closed = false;

  const find = (origin: string | URL | undefined, path: string): PlatformRoute | undefined => {
    if (origin === undefined) return undefined;
    const o = new URL(String(origin)).origin;
    return routes.find((r) => r.origin === o && r.matches(path));
  };

  const serve = (opts: DispatchOptions, reply: Reply): void => {
    const path = opts.path ?? '/';
    const route = find(opts.origin, path);
    if (route === undefined) {
      // Origin and method only: the path may hold a personal ID.
      const where = opts.origin === undefined ? '(no origin)' : new URL(String(opts.origin)).origin;
      reply.fail(
        new undici.mockErrors.MockNotMatchedError(`No mock platform for ${opts.method ?? 'GET'} ${where}`),
      );
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = () => {
      done = true;
      pending.delete(abort);
      if (timer !== undefined) clearTimeout(timer);
    };
    const abort: Abort = (reason) => {
      if (done) return;
      finish();
      reply.fail(reason ?? new undici.errors.RequestAbortedError());
    };
    pending.add(abort);
    reply.start(abort);
    const later = (ms: number, fn: () => void) => {
      if (ms <= 0) return fn();
      timer = setTimeout(fn, ms);
    };

    bodyText(opts.body).then(
      (body) => {
        if (done) return;
        const outcome = engine.dispatch(
          toMockRequest({
            method: opts.method ?? 'GET',
            url: path.slice(route.prefix.length),
            headers: headersOf(opts.headers),
            body,
          }),
        );
        if (outcome.type === 'hang') return; // until aborted or closed
        later(outcome.delayMs, () => {
          if (done) return;
          finish();
          if (outcome.type === 'reset') {
            reply.fail(new undici.errors.SocketError('other side closed'));
            return;
          }
          const { status, headers, body: payload } = outcome.response;
          const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
          const bytes = Buffer.from(text, 'utf8');
          reply.respond(status, { ...headers, 'content-length': String(bytes.length) }, bytes);
        });
      },
      (error: unknown) => abort(error as Error),
    );
  };

  const end = async () => {
    closed = true;
    for (const abort of [...pending]) abort(new undici.errors.SocketError('closed'));
  };

  class PlatformDispatcher extends undici.Dispatcher {
    override dispatch(
      opts: UndiciModule.Dispatcher.DispatchOptions,
      handler: UndiciModule.Dispatcher.DispatchHandler,
    ): boolean {
      const reply = replyTo(handler as AnyHandler);
      if (closed) {
        reply.fail(new undici.errors.ClientDestroyedError());
        return false;
      }
      serve(opts as DispatchOptions, reply);
      return true;
    }
    override close(): Promise<void> {
      return end();
    }
    override destroy(): Promise<void> {
      return end();
    }
  }
  const dispatcher = new PlatformDispatcher() as unknown as MockDispatcher;

  return {
    dispatcher,
    ...controlsOf(engine),
    close: end,
  };
}

function loadUndici(): typeof UndiciModule {
  try {
    return nodeRequire()('undici') as typeof UndiciModule;
  } catch {
    throw new Error(
      'mockPlatformsWithUndici needs the optional peer dependency undici (npm install -D undici@7)',
    );
  }
}
