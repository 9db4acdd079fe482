/**
 * The gateway's events typed from its own adapters: `outbox:delivered` carries the operation's
 * output type and `outbox:dead` its error code, as a union over every (upstream, operation) pair,
 * so `if (e.upstream === 'vneid' && e.operation === 'verifyCitizen') e.result.verified` type-checks.
 */
import type { z } from 'zod';
import type { Adapter, OperationMap } from './adapter.js';
import type { GatewayEvents, OutboxDeadEvent, OutboxDeliveredEvent } from './events.js';

type OpsOf<A> = A extends Adapter<infer Ops> ? Ops : never;

/** One event per operation of one upstream, `upstream` and `operation` as literals. */
type PerOperation<Name extends string, Ops extends OperationMap, Base> = {
  [O in keyof Ops & string]: Omit<Base, 'upstream' | 'operation' | 'result'> & {
    upstream: Name;
    operation: O;
  } & (Base extends OutboxDeliveredEvent ? { result: z.output<Ops[O]['output']> } : unknown);
}[keyof Ops & string];

/** `outbox:delivered` of a gateway over upstreams `U`, with each operation's typed result. */
export type OutboxDeliveredOf<U extends Record<string, Adapter>> = {
  [K in keyof U & string]: PerOperation<K, OpsOf<U[K]>, OutboxDeliveredEvent>;
}[keyof U & string];

/** `outbox:dead` of a gateway over upstreams `U`. */
export type OutboxDeadOf<U extends Record<string, Adapter>> = {
  [K in keyof U & string]: PerOperation<K, OpsOf<U[K]>, OutboxDeadEvent>;
}[keyof U & string];

/** {@link GatewayEvents} with the outbox outcomes typed for the upstreams `U`. */
export type GatewayEventsOf<U extends Record<string, Adapter>> = Omit<
  GatewayEvents,
  'outbox:delivered' | 'outbox:dead'
> & {
  'outbox:delivered': OutboxDeliveredOf<U>;
  'outbox:dead': OutboxDeadOf<U>;
};
