/**
 * A per-request view of a gateway whose calls carry the request's id as `correlationId`, so a
 * city system's log line, the gateway's log line, its audit record and the platform's
 * `X-Correlation-Id`-style headers share one id without wiring it by hand at every call.
 */

import { RESERVED } from '../gateway-members.js';

type Client = Record<string, (input: unknown, context?: Record<string, unknown>) => Promise<unknown>>;

/**
 * `gateway` with every upstream method filling `context.correlationId` with `id` (a context that
 * names its own `correlationId` keeps it). The gateway's own members (`health`, `outbox`, `close`,
 * ...) are the gateway's, through the prototype; upstream clients are wrapped on first use.
 */
export function correlatedGateway<G extends object>(gateway: G, id: string): G {
  const view = Object.create(gateway) as G;
  for (const name of Object.keys(gateway)) {
    if (RESERVED.has(name)) continue;
    const client = (gateway as Record<string, unknown>)[name];
    if (client === null || typeof client !== 'object') continue;
    let wrapped: Client | undefined;
    Object.defineProperty(view, name, {
      enumerable: true,
      get: () => {
        wrapped ??= wrap(client as Client, id);
        return wrapped;
      },
    });
  }
  return view;
}

function wrap(client: Client, id: string): Client {
  const out: Client = {};
  for (const [op, call] of Object.entries(client)) {
    if (typeof call !== 'function') continue;
    out[op] = (input, context) =>
      call(
        input,
        // Anything but an object without its own id goes as is, for the gateway to judge.
        context === undefined ||
          (typeof context === 'object' && context !== null && context.correlationId === undefined)
          ? { ...context, correlationId: id }
          : context,
      );
  }
  return Object.freeze(out);
}
