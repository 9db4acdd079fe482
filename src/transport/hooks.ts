/**
 * Request and response hooks (`createGateway({ hooks })`, an adapter's `hooks` option): a city's
 * own exchange header or request signature before each attempt is sent, a look at each reply
 * before the envelope is read. They wrap the platform transport (never the token endpoint's), so
 * they run once per attempt, retries included.
 */
import { GatewayError } from '../errors.js';
import { assertHeaderValues } from '../pipeline/attempt.js';
import type { HttpMethod, Transport } from './types.js';

/** What `beforeRequest` sees of an attempt; it may add headers. */
export interface HookRequest {
  /** The upstream's name on the gateway, e.g. `vneid`. */
  readonly upstream: string;
  /** The call's `X-Road-Id`. */
  readonly requestId: string;
  readonly method: HttpMethod;
  /** Absolute URL, query string included. */
  readonly url: string;
  /**
   * The request's headers without `authorization`. Add new ones (lower-case names); changing or
   * removing one the gateway set is refused. Values follow the core's header rules (single line,
   * no NUL, at most 4096 characters).
   */
  headers: Record<string, string>;
  /** The body as it will be sent (JSON-serialised unless a string). Read only. */
  readonly body: unknown;
}

/** What `afterResponse` sees of a reply, before the envelope is read. */
export interface HookResponse {
  readonly upstream: string;
  readonly requestId: string;
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** Hooks of a gateway (all upstreams) or of one adapter; the gateway's run first. */
export interface GatewayHooks {
  /**
   * Runs before each attempt is sent; may add headers (e.g. a signature). A hook that throws (or
   * adds an unsafe header) fails the call with a non-retryable `VALIDATION` error: nothing is sent.
   */
  beforeRequest?(req: HookRequest): void | Promise<void>;
  /**
   * Runs on each reply (any status) before it is read. A hook that throws rejects the reply: the
   * call fails with a non-retryable `CONTRACT` error (the platform did answer: a write may have
   * been applied).
   */
  afterResponse?(res: HookResponse): void | Promise<void>;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function hookFailure(code: 'VALIDATION' | 'CONTRACT', message: string, cause?: unknown): GatewayError {
  return new GatewayError(code, message, { retryable: false, cause });
}

/** Wraps a transport with the given hooks (`undefined` entries skipped); the same transport if none. */
export function withHooks(
  transport: Transport,
  upstream: string,
  layers: (GatewayHooks | undefined)[],
): Transport {
  const hooks = layers.filter((h): h is GatewayHooks => h !== undefined);
  const before = hooks.filter((h) => typeof h.beforeRequest === 'function');
  const after = hooks.filter((h) => typeof h.afterResponse === 'function');
  if (before.length === 0 && after.length === 0) return transport;
  return {
    close: transport.close?.bind(transport),
    async request(req) {
      const requestId = req.headers['x-road-id'] ?? '';
      let headers = req.headers;
      if (before.length > 0) {
        const { authorization, ...visible } = req.headers;
        const hookReq: HookRequest = {
          upstream,
          requestId,
          method: req.method,
          url: req.url,
          headers: { ...visible },
          body: req.body,
        };
        for (const h of before) {
          try {
            await h.beforeRequest!(hookReq);
          } catch (e) {
            throw hookFailure(
              'VALIDATION',
              `The beforeRequest hook of ${upstream} threw (${(e as Error)?.name ?? 'error'}); nothing was sent`,
              e,
            );
          }
        }
        const added: Record<string, string> = {};
        for (const [name, value] of Object.entries(hookReq.headers)) {
          if (Object.hasOwn(visible, name)) {
            if (visible[name] !== value)
              throw hookFailure(
                'VALIDATION',
                `The beforeRequest hook of ${upstream} changed header ${name}; hooks may only add headers`,
              );
          } else if (name.toLowerCase() === 'authorization' || !HEADER_NAME.test(name)) {
            throw hookFailure(
              'VALIDATION',
              `The beforeRequest hook of ${upstream} added a header with a refused name`,
            );
          } else added[name] = value;
        }
        for (const name of Object.keys(visible))
          if (!Object.hasOwn(hookReq.headers, name))
            throw hookFailure(
              'VALIDATION',
              `The beforeRequest hook of ${upstream} removed header ${name}; hooks may only add headers`,
            );
        assertHeaderValues(added);
        headers = { ...req.headers, ...added };
        if (authorization !== undefined) headers.authorization = authorization;
      }
      const res = await transport.request({ ...req, headers });
      for (const h of after) {
        try {
          await h.afterResponse!({
            upstream,
            requestId,
            status: res.status,
            headers: res.headers,
            body: res.body,
          });
        } catch (e) {
          throw hookFailure(
            'CONTRACT',
            `The afterResponse hook of ${upstream} rejected the reply (${(e as Error)?.name ?? 'error'})`,
            e,
          );
        }
      }
      return res;
    },
  };
}
