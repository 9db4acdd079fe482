import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { checkOptionKeys, type OptionKeys } from '../option-keys.js';
import { type MetricsSource, TELEMETRY_PATHS, type TelemetryPath, telemetryAnswer } from './endpoints.js';

export type { MetricsSource } from './endpoints.js';

/** Options of {@link serveMetrics}. */
export interface MetricsServerOptions {
  /** TCP port; 0 picks a free one (read it from `url`). @default 9464 (the OpenTelemetry Prometheus exporter's port) */
  port?: number | undefined;
  /**
   * Interface to bind. The default keeps the endpoints on the machine; bind a pod or private
   * interface only behind a network policy (the health JSON names the upstreams and their state).
   * @default '127.0.0.1'
   */
  host?: string | undefined;
}

/** A running {@link serveMetrics} server. */
export interface MetricsServer {
  /** Base URL, e.g. `http://127.0.0.1:9464` (no trailing slash); scrape `${url}/metrics`. */
  readonly url: string;
  /** Stops listening and destroys open connections (keep-alive ones included). Idempotent. */
  close(): Promise<void>;
}

const SERVER_KEYS: OptionKeys<MetricsServerOptions> = { port: true, host: true };

/**
 * Serves a gateway's telemetry over HTTP with `node:http`, for Prometheus and for probes:
 *
 * - `GET /metrics`: `gateway.metrics()`, with the registry's content type (Prometheus text 0.0.4);
 *   500 if collecting fails.
 * - `GET /health`: `gateway.health()` as JSON; **200** when `status` is `ok` or `degraded`,
 *   **503** when `down` (every breaker open) or when the snapshot cannot be taken. It follows the
 *   platforms: use it for dashboards, not as a probe.
 * - `GET /livez`: `gateway.livez()` as JSON, **200** (liveness probe).
 * - `GET /readyz`: `gateway.readyz()` as JSON; **200** when `ready` (open, outbox store answers),
 *   **503** otherwise (readiness probe). Independent of the platforms.
 * - `GET /status`: `gateway.platformStatus()` as JSON, **200** (per-platform breaker, fallback
 *   share, outbox depth and age); 500 if it cannot be built.
 * - `HEAD` is answered like `GET` without a body; other methods get **405** (with `Allow`),
 *   other paths **404**. Query strings are ignored.
 *
 * The server is not tied to the gateway's life: close it before or after `gateway.close()`
 * (after the gateway is closed, `/metrics` serves an empty registry and `/health` may be 503).
 * @param gateway the gateway (anything with `metrics()`, `health()` and `registry`)
 * @param options `{ port = 9464, host = '127.0.0.1' }`
 * @returns once listening; rejects if the port cannot be bound (e.g. `EADDRINUSE`)
 * @example
 * const server = await serveMetrics(gateway);           // http://127.0.0.1:9464/metrics
 * process.on('SIGTERM', async () => { await server.close(); await gateway.close(); });
 */
export async function serveMetrics(
  gateway: MetricsSource,
  options: MetricsServerOptions = {},
): Promise<MetricsServer> {
  checkOptionKeys('serveMetrics', options, SERVER_KEYS);
  const port = options.port ?? 9464;
  const host = options.host ?? '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`serveMetrics: port must be an integer from 0 to 65535 (got ${port})`);
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(gateway, req, res).catch(() => {
      if (!res.headersSent)
        send(res, 500, 'text/plain; charset=utf-8', 'internal error\n', req.method === 'HEAD');
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });

  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shown}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
      return closing;
    },
  };
}

const PATHS: ReadonlySet<string> = new Set(TELEMETRY_PATHS);

async function handle(gateway: MetricsSource, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?', 1)[0] as string;
  const head = req.method === 'HEAD';
  if (!PATHS.has(path)) {
    send(
      res,
      404,
      'text/plain; charset=utf-8',
      'not found: try /metrics, /health, /livez, /readyz or /status\n',
      head,
    );
    return;
  }
  if (req.method !== 'GET' && !head) {
    res.setHeader('allow', 'GET, HEAD');
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', false);
    return;
  }
  const answer = await telemetryAnswer(gateway, path as TelemetryPath);
  send(res, answer.status, answer.type, answer.body, head);
}

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.statusCode = status;
  res.setHeader('content-type', type);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(head ? undefined : body);
}
