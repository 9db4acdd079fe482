/** The transport interface: the pipeline talks to the network only through it (axios by default). */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface TransportRequest {
  method: HttpMethod;
  /** Absolute URL, query string included. */
  url: string;
  headers: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Aborts this request only. */
  signal: AbortSignal;
}

export interface TransportResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed JSON, or the raw text when the body is not JSON (the envelope step decides). */
  body: unknown;
}

/** See {@link Transport.stack}; a custom transport may name another stack. */
export type TransportStack = 'node:http' | 'fetch' | 'undici' | (string & {});

/**
 * Sends one HTTP request. It resolves for every HTTP status (status mapping is the pipeline's job)
 * and rejects only with a `GatewayError`: `NETWORK` (reset, refused, DNS), `CONTRACT` (response
 * over the size limit), or the signal's reason when aborted.
 */
export interface Transport {
  request(req: TransportRequest): Promise<TransportResponse>;
  /**
   * The HTTP stack that sends the requests, for tools that must know how they leave the process:
   * `'node:http'` (`axiosTransport`; also `http.request` and global `fetch`, which nock
   * intercepts) or `'undici'` (`undiciTransport`, which nock cannot see). The testing kit's nock
   * helper refuses a transport whose stack it cannot intercept, an unnamed one included.
   * @default undefined (unknown)
   */
  readonly stack?: TransportStack | undefined;
  /** Frees sockets and agents. */
  close?: (() => void) | undefined;
  /**
   * Sockets the transport opens per origin at most, when bounded (the gateway warns when it is below
   * the upstream's concurrency ceiling: attempts would then wait for a socket).
   */
  readonly maxSockets?: number | undefined;
}
