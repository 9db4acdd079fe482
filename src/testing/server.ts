/**
 * The mock platforms over real HTTP on loopback (`node:http`): one base URL serves VNeID, land,
 * tax and the token endpoint. Faults become real socket behaviour: delays, HTTP 503/429, TCP
 * resets, requests that never answer.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { handleFaultAdmin } from './admin.js';
import {
  controlsOf,
  createMockEngine,
  type MockOptions,
  type MockPlatformsControl,
  toMockRequest,
} from './engine.js';
import type { MockResponse } from './types.js';

/** Options of {@link startMockPlatforms}. */
export interface StartMockPlatformsOptions extends MockOptions {
  /** Port to listen on. Default 0 (a free port). */
  port?: number | undefined;
  /** Interface to listen on. Default `'127.0.0.1'`. */
  host?: string | undefined;
  /**
   * Serve `GET|POST|DELETE /__admin/faults` (loopback clients only) to switch faults at run time
   * over HTTP; `vn-gateway mock` turns it on. Default `false`.
   */
  admin?: boolean | undefined;
}

/** Where each platform lives under the one base URL. */
export interface MockPlatformUrls {
  /** `${url}/c06/v1` */
  vneid: string;
  /** `${url}/land/v1` */
  land: string;
  /** `${url}/tax/v1` */
  tax: string;
  /** `${url}/token` */
  token: string;
}

/** A running mock. */
export interface MockPlatforms extends MockPlatformsControl {
  /** The base URL, e.g. `http://127.0.0.1:41234`: every adapter's `baseUrl`. */
  readonly url: string;
  readonly urls: MockPlatformUrls;
  /** The underlying server (for `listening` checks). */
  readonly server: Server;
  /** Open client connections, hung ones included. */
  openConnections(): number;
  /** Stops listening, destroys every open socket (hung requests too) and resolves once closed. Idempotent. */
  close(): Promise<void>;
}

/** Largest request body accepted; beyond it the request gets HTTP 413. */
const MAX_BODY_BYTES = 1024 * 1024;

function send(res: ServerResponse, response: MockResponse): void {
  // The client may have gone (timeout, abort) while a latency fault held the answer back.
  if (res.destroyed || res.headersSent) return;
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Starts the mock platforms on `host:port`.
 *
 * @example
 * const mock = await startMockPlatforms({ scenario: 'flaky', seed: 42 });
 * const gateway = createGateway({ upstreams: { vneid: vneid({ baseUrl: mock.url, auth: {
 *   type: 'oauth2', tokenUrl: mock.urls.token, ...MOCK_CREDENTIALS } }) } });
 * await mock.close();
 */
export async function startMockPlatforms(options: StartMockPlatformsOptions = {}): Promise<MockPlatforms> {
  const { port = 0, host = '127.0.0.1', admin = false, ...engineOptions } = options;
  const engine = createMockEngine(engineOptions);
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  // Runs `fn` after a real delay that `close()` can cancel.
  const later = (ms: number, fn: () => void) => {
    if (ms <= 0) return fn();
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const act = (req: IncomingMessage, res: ServerResponse, body: string) => {
    if (admin && req.url?.startsWith('/__admin/')) {
      const path = new URL(req.url, 'http://mock.invalid').pathname;
      const request = { method: req.method ?? 'GET', path, body, remoteAddress: req.socket.remoteAddress };
      return send(res, handleFaultAdmin(engine, request));
    }
    const outcome = engine.dispatch(
      toMockRequest({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body }),
    );
    if (outcome.type === 'hang') return; // the socket stays open until the client or close() ends it
    if (outcome.type === 'reset') return later(outcome.delayMs, () => req.socket.resetAndDestroy());
    later(outcome.delayMs, () => send(res, outcome.response));
  };

  const server = createServer((req, res) => {
    // A client that gives up mid-request is normal here (hang, timeouts): never crash on it.
    req.on('error', () => {});
    res.on('error', () => {});
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        return send(res, {
          status: 413,
          headers: { 'content-type': 'application/json' },
          body: { error: 'Payload Too Large' },
        });
      }
      act(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('Mock server has no TCP address');
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostPart}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    urls: { vneid: `${url}/c06/v1`, land: `${url}/land/v1`, tax: `${url}/tax/v1`, token: `${url}/token` },
    server,
    openConnections: () => sockets.size,
    ...controlsOf(engine),
    close() {
      closing ??= (async () => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Wait for every socket's own 'close', so openConnections() is 0 once this resolves.
        const ended = [...sockets].map((s) => new Promise((resolve) => s.once('close', resolve)));
        // Hung requests would keep server.close() waiting forever: end them now.
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
        await Promise.all([stopped, ...ended]);
      })();
      return closing;
    },
  };
}
