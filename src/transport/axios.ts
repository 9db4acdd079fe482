import http from 'node:http';
import https from 'node:https';
import type { AxiosError } from 'axios';
import { GatewayError } from '../errors.js';
import type { TransportTlsOptions } from './tls.js';
import type { Transport, TransportRequest, TransportResponse } from './types.js';
import { checkOptionKeys, type OptionKeys } from '../option-keys.js';
import { type Defaults, withDefaults } from '../util/defaults.js';
import { loadAxios } from '../util/lazy-deps.js';

/**
 * `ca`, `cert`, `key` and `passphrase` (custom CA bundle, mutual TLS) apply to HTTPS upstreams.
 * There is no `proxy` option: axios does not tunnel HTTPS through a proxy with `CONNECT`, so a
 * government proxy needs `undiciTransport({ proxy })` from `vn-national-gateway/undici`.
 */
export interface AxiosTransportOptions extends TransportTlsOptions {
  /** Largest response body accepted; larger is a `CONTRACT` error. @default 5 MiB */
  maxResponseBytes?: number | undefined;
  /** Redirects followed; off so a credentialed call never lands on an unexpected host. @default 0 */
  maxRedirects?: number | undefined;
  /**
   * Sockets per host. Unbounded by default: the gateway's concurrency limit (per upstream) is the
   * gate, and a smaller pool would make attempts wait for a socket, time the limit would take for the
   * platform's latency. The gateway's own default transport is sized to the upstream's ceiling.
   * @default Infinity
   */
  maxSockets?: number | undefined;
}

/** Defaults of {@link axiosTransport}. */
export const DEFAULT_TRANSPORT_OPTIONS: Readonly<
  Defaults<Omit<AxiosTransportOptions, keyof TransportTlsOptions>>
> = Object.freeze({
  maxResponseBytes: 5 * 1024 * 1024,
  maxRedirects: 0,
  maxSockets: Number.POSITIVE_INFINITY,
});

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

const AXIOS_OPTION_KEYS: OptionKeys<AxiosTransportOptions> = {
  maxResponseBytes: true,
  maxRedirects: true,
  maxSockets: true,
  ca: true,
  cert: true,
  key: true,
  passphrase: true,
};

/** The default transport: axios over keep-alive agents, JSON in and out, every status resolved. */
export function axiosTransport(options: AxiosTransportOptions = {}): Transport {
  checkOptionKeys('axiosTransport', options, AXIOS_OPTION_KEYS);
  const o = withDefaults(DEFAULT_TRANSPORT_OPTIONS, options);
  const agentOptions = { keepAlive: true, maxSockets: o.maxSockets };
  const httpAgent = new http.Agent(agentOptions);
  const { ca, cert, key, passphrase } = o;
  const httpsAgent = new https.Agent({ ...agentOptions, ca, cert, key, passphrase });
  const client = loadAxios().create({
    httpAgent,
    httpsAgent,
    maxRedirects: o.maxRedirects,
    maxContentLength: o.maxResponseBytes,
    maxBodyLength: o.maxResponseBytes,
    validateStatus: () => true,
    // We parse JSON ourselves so a non-JSON body reaches the envelope step as text.
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    proxy: false,
  });

  return {
    stack: 'node:http',
    ...(Number.isFinite(o.maxSockets) ? { maxSockets: o.maxSockets } : {}),
    async request(req: TransportRequest): Promise<TransportResponse> {
      try {
        const res = await client.request<string>({
          method: req.method,
          url: req.url,
          headers: req.headers,
          data: req.body,
          signal: req.signal,
        });
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined && v !== null)
            headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
        }
        return { status: res.status, headers, body: parseBody(res.data) };
      } catch (e) {
        throw toGatewayError(e as AxiosError, req.signal);
      }
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function parseBody(text: string): unknown {
  if (typeof text !== 'string' || text.length === 0) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toGatewayError(e: AxiosError, signal: AbortSignal): GatewayError {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof GatewayError) return reason;
    return new GatewayError('ABORTED', 'Request aborted', { cause: reason });
  }
  const code = e.code ?? (e.cause as { code?: string } | undefined)?.code;
  // Never keep the AxiosError itself as the cause: its config holds the Authorization header,
  // the body and the URL, any of which may carry a token or a personal ID.
  const cause = Object.assign(new Error(code ?? 'transport error'), { code });
  if (e.message?.includes('maxContentLength') || code === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED') {
    return new GatewayError('CONTRACT', 'Response body exceeds the size limit', { retryable: false, cause });
  }
  if (code && NETWORK_CODES.has(code)) {
    return new GatewayError('NETWORK', `Network error ${code}`, { cause });
  }
  return new GatewayError('NETWORK', `Transport error${code ? ` ${code}` : ''}`, { cause });
}
