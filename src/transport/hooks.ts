/**
 * Request and response hooks (`createGateway({ hooks })`, an adapter's `hooks` option): a city's
 * own exchange header or request signature before each attempt is sent, a look at each reply
 * before the envelope is read. They wrap the platform transport (never the token endpoint's), so
 * they run once per attempt, retries included.
 */
import { GatewayError } from '../errors.js';
import { assertHeaderValues } from '../pipeline/attempt.js';
import type { GatewayHooks, HookRequest } from './hook-types.js';
import type { Transport } from './types.js';
import { checkOptionKeys, type OptionKeys } from '../option-keys.js';

export type { GatewayHooks, HookRequest, HookResponse } from './hook-types.js';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function hookFailure(code: 'VALIDATION' | 'CONTRACT', message: string, cause?: unknown): GatewayError {
  return new GatewayError(code, message, { retryable: false, cause });
}

const HOOK_KEYS: OptionKeys<GatewayHooks> = { beforeRequest: true, afterResponse: true };

/** Refuses a misspelt hook (`beforeRequests`), which would otherwise never run. */
export function checkHookKeys(where: string, hooks: unknown): void {
  checkOptionKeys(where, hooks, HOOK_KEYS);
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
