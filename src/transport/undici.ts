import { createBrotliDecompress, createGunzip, createInflate, type Gunzip } from 'node:zlib';
import { Agent, EnvHttpProxyAgent, ProxyAgent } from 'undici';
import { GatewayError } from '../errors.js';
import { toTransportError } from './undici-errors.js';
import type { TransportTlsOptions } from './tls.js';
import type { UndiciDispatcherLike, UndiciRequestOptions, UndiciResponseData } from './dispatcher-types.js';
import type { Transport, TransportRequest, TransportResponse } from './types.js';
import { checkOptionKeys, type OptionKeys } from '../option-keys.js';
import { type Defaults, withDefaults } from '../util/defaults.js';

export interface UndiciTransportOptions extends TransportTlsOptions {
  /** Largest response body accepted, counted after decompression; larger is a `CONTRACT` error. @default 5 MiB */
  maxResponseBytes?: number | undefined;
  /**
   * Connections per upstream origin. Unbounded by default: the gateway's concurrency limit (per
   * upstream) is the gate, and a smaller pool would make attempts wait for a connection, time the
   * limit would take for the platform's latency. @default Infinity
   */
  maxSockets?: number | undefined;
  /** Idle keep-alive sockets are closed after this long. @default 4000 */
  keepAliveTimeoutMs?: number | undefined;
  /**
   * HTTP(S) proxy: a URL (`http://proxy.local:3128`, credentials in the URL are sent as
   * `Proxy-Authorization`), or `'env'` to honour `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (read
   * when the transport is created). HTTPS upstreams are tunnelled with `CONNECT`, so the proxy
   * never sees the request. @default none (direct)
   */
  proxy?: string | undefined;
  /**
   * Send through this undici dispatcher instead of the transport's own pool: the testing kit's
   * `mockPlatformsWithUndici(...).dispatcher`, an undici `MockAgent`, or an `Agent` you configure
   * yourself. Any object with undici's `request()` fits (a structural type, so these types never
   * import undici). It replaces the pool, so `proxy`, `maxSockets`, `keepAliveTimeoutMs` and the
   * TLS options cannot be combined with it; `close()` leaves it open (its owner closes it).
   * @default none (a keep-alive pool per origin)
   */
  dispatcher?: UndiciDispatcherLike | undefined;
}

/** Options that configure the transport's own pool, meaningless beside a given dispatcher. */
const POOL_OPTIONS = [
  'proxy',
  'maxSockets',
  'keepAliveTimeoutMs',
  'ca',
  'cert',
  'key',
  'passphrase',
] as const;

/** Defaults of {@link undiciTransport}. */
export const DEFAULT_UNDICI_TRANSPORT_OPTIONS: Readonly<
  Defaults<Pick<UndiciTransportOptions, 'maxResponseBytes' | 'maxSockets' | 'keepAliveTimeoutMs'>>
> = Object.freeze({
  maxResponseBytes: 5 * 1024 * 1024,
  maxSockets: Number.POSITIVE_INFINITY,
  keepAliveTimeoutMs: 4000,
});

const ACCEPT_ENCODING = 'gzip, deflate, br';

const UNDICI_OPTION_KEYS: OptionKeys<UndiciTransportOptions> = {
  maxResponseBytes: true,
  maxSockets: true,
  keepAliveTimeoutMs: true,
  proxy: true,
  dispatcher: true,
  ca: true,
  cert: true,
  key: true,
  passphrase: true,
};

/**
 * A transport on undici: one keep-alive pool per upstream origin, no redirects (a 3xx is returned
 * as a status), gzip/deflate/br decompressed under the size limit, every status resolved. Needs the
 * optional peer dependency `undici` (`npm install undici`).
 */
export function undiciTransport(options: UndiciTransportOptions = {}): Transport {
  checkOptionKeys('undiciTransport', options, UNDICI_OPTION_KEYS);
  const o = withDefaults(DEFAULT_UNDICI_TRANSPORT_OPTIONS, options);
  if (!Number.isSafeInteger(o.maxResponseBytes) || o.maxResponseBytes <= 0)
    throw new GatewayError('VALIDATION', 'maxResponseBytes must be a positive integer', { retryable: false });
  if ((o.cert === undefined) !== (o.key === undefined))
    throw new GatewayError('VALIDATION', 'cert and key must be given together for mutual TLS', {
      retryable: false,
    });
  const given = options.dispatcher;
  if (given !== undefined) {
    if (typeof given?.request !== 'function')
      throw new GatewayError('VALIDATION', 'dispatcher must be an undici Dispatcher (with request())', {
        retryable: false,
      });
    const clash = POOL_OPTIONS.filter((k) => options[k] !== undefined);
    if (clash.length > 0)
      throw new GatewayError(
        'VALIDATION',
        `dispatcher cannot be combined with ${clash.join(', ')}: configure them on the dispatcher`,
        { retryable: false },
      );
  }
  if (given === undefined && !(o.maxSockets >= 1))
    throw new GatewayError('VALIDATION', 'maxSockets must be at least 1', { retryable: false });
  const own = given === undefined ? createDispatcher(o) : undefined;
  const dispatcher: UndiciDispatcherLike = given ?? (own as OwnDispatcher);

  return {
    stack: 'undici',
    // The pool size the gateway compares with its concurrency ceiling: only for a pool of our own.
    ...(own && Number.isFinite(o.maxSockets) ? { maxSockets: o.maxSockets } : {}),
    async request(req: TransportRequest): Promise<TransportResponse> {
      try {
        const options: UndiciRequestOptions = {
          ...originAndPath(req.url),
          method: req.method,
          headers: requestHeaders(req),
          signal: req.signal,
        };
        const body = serialise(req.body);
        if (body !== undefined) options.body = body;
        const res = await dispatcher.request(options);
        const headers = flattenHeaders(res.headers);
        const declared = Number(headers['content-length']);
        // An honest Content-Length over the limit is refused before reading a byte of it.
        if (!headers['content-encoding'] && declared > o.maxResponseBytes) {
          discard(res.body);
          throw tooLarge();
        }
        const text = await readBody(res.body, headers['content-encoding'], o.maxResponseBytes);
        return { status: res.statusCode, headers, body: parseBody(text) };
      } catch (e) {
        throw toTransportError(e, req.signal);
      }
    },
    close() {
      void own?.destroy().catch(() => {});
    },
  };
}

/** A dispatcher the transport made, so it destroys it on close. */
type OwnDispatcher = UndiciDispatcherLike & { destroy(): Promise<void> };

function createDispatcher(
  o: UndiciTransportOptions & typeof DEFAULT_UNDICI_TRANSPORT_OPTIONS,
): OwnDispatcher {
  const tls: Record<string, unknown> = {};
  if (o.ca !== undefined) tls.ca = o.ca;
  if (o.cert !== undefined) tls.cert = o.cert;
  if (o.key !== undefined) tls.key = o.key;
  if (o.passphrase !== undefined) tls.passphrase = o.passphrase;
  const pool = {
    // undici's "unbounded" is null.
    connections: Number.isFinite(o.maxSockets) ? o.maxSockets : null,
    keepAliveTimeout: o.keepAliveTimeoutMs,
    // Our signal (attempt timeout, deadline) bounds a request; undici's 300 s defaults would only
    // hold a socket longer than the caller waits.
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: tls,
  };
  if (o.proxy === undefined) return new Agent(pool);
  // requestTls: the TLS to the upstream inside the tunnel; connect (above) is for direct origins.
  if (o.proxy === 'env') return new EnvHttpProxyAgent({ ...pool, requestTls: tls });
  let uri: URL;
  try {
    uri = new URL(o.proxy);
  } catch {
    throw new GatewayError('VALIDATION', "proxy must be an http(s):// URL or 'env'", { retryable: false });
  }
  if (uri.protocol !== 'http:' && uri.protocol !== 'https:')
    throw new GatewayError('VALIDATION', "proxy must be an http(s):// URL or 'env'", { retryable: false });
  return new ProxyAgent({ ...pool, uri: uri.href, requestTls: tls });
}

/**
 * Splits a URL into undici's origin and path. The gateway's URLs come out of `URL#toString()`
 * (normalised, no credentials), so a plain http(s) URL is cut as text; anything else is parsed.
 */
function originAndPath(url: string): { origin: string; path: string } {
  const scheme = url.startsWith('https://') ? 8 : url.startsWith('http://') ? 7 : 0;
  const slash = scheme ? url.indexOf('/', scheme) : -1;
  const authority = scheme ? url.slice(scheme, slash < 0 ? undefined : slash) : '';
  if (scheme && authority && !/[@?#\\]/.test(authority) && authority === authority.toLowerCase())
    return slash < 0 ? { origin: url, path: '/' } : { origin: url.slice(0, slash), path: url.slice(slash) };
  const u = new URL(url);
  return { origin: u.origin, path: `${u.pathname}${u.search}` };
}

/** The request's headers, lower-cased, with what every undici request carries. */
function requestHeaders(req: TransportRequest): Record<string, string> {
  const headers: Record<string, string> = { 'accept-encoding': ACCEPT_ENCODING };
  for (const k in req.headers) headers[k.toLowerCase()] = req.headers[k] as string;
  if (req.body !== undefined && typeof req.body !== 'string' && headers['content-type'] === undefined)
    headers['content-type'] = 'application/json';
  return headers;
}

function serialise(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const k in raw) {
    const v = raw[k];
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return headers;
}

/** Destroys a stream we stopped reading; its abort error has no one left to hear it. */
function discard(stream: NodeJS.ReadableStream & { destroy(error?: Error): unknown }): void {
  stream.on('error', () => {});
  stream.destroy();
}

const tooLarge = () =>
  new GatewayError('CONTRACT', 'Response body exceeds the size limit', { retryable: false });

/** Reads the body as UTF-8 text, decompressing on the fly and stopping at the limit. */
async function readBody(
  body: UndiciResponseData['body'],
  encoding: string | undefined,
  limit: number,
): Promise<string> {
  const inflater = decompressor(encoding);
  if (!inflater) return collect(body, limit, () => discard(body));
  body.on('error', (e) => inflater.destroy(e));
  body.pipe(inflater);
  return collect(inflater, limit, () => {
    discard(body);
    discard(inflater);
  });
}

function decompressor(encoding: string | undefined): Gunzip | undefined {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress() as unknown as Gunzip;
    default:
      return undefined; // identity, or an encoding we did not ask for: passed through as is
  }
}

/** Collects a stream as UTF-8 text, stopping at the limit (events, not an async iterator: one answer is one chunk, mostly). */
function collect(stream: NodeJS.ReadableStream, limit: number, stop: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    stream.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        stop();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () =>
      resolve(
        chunks.length === 1
          ? (chunks[0] as Buffer).toString('utf8')
          : Buffer.concat(chunks, size).toString('utf8'),
      ),
    );
    stream.on('error', reject);
  });
}

function parseBody(text: string): unknown {
  if (text.length === 0) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
