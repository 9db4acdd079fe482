import type { GatewayCore, GatewayEventName, GatewayEvents } from 'vn-national-gateway';

export type Recorded = { [K in GatewayEventName]?: GatewayEvents[K][] };

/** Records the named events of a gateway, by name, in order. */
export function recordEvents(gateway: GatewayCore, names: readonly GatewayEventName[]): Recorded {
  const events: Recorded = {};
  for (const name of names) {
    const list: unknown[] = [];
    events[name] = list as never;
    gateway.on(name, (e) => list.push(e));
  }
  // Unrecorded-yet names read as undefined, as before any event.
  return new Proxy(events, {
    get: (t, k: string) =>
      (t as Record<string, unknown[]>)[k]?.length ? t[k as GatewayEventName] : undefined,
  });
}
