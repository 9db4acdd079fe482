import { randomUUID } from 'node:crypto';
import type { CallContext } from '../../adapter.js';
import type { CallRuntime } from '../../call.js';
import { GatewayError } from '../../errors.js';
import { validateCall, validationError } from '../../pipeline/validation.js';
import type { Upstream } from '../../upstream.js';
import type { PgQueryable } from './postgres.js';
import type { OutboxItem } from './types.js';

/** Options of `gateway.outbox.enqueue`. */
export interface DirectEnqueueOptions {
  /**
   * A node-postgres client on which the caller opened a transaction: the item is stored only if
   * that transaction commits, together with the city system's own rows. Needs `postgresOutbox`.
   */
  client?: PgQueryable | undefined;
}

/**
 * Queues a write without trying the upstream first, validated exactly like a call (same input
 * schema, same purpose/actor rules; a bad one is `VALIDATION` and nothing is stored). The drainer
 * delivers it. `target` is `"upstream.operation"`, e.g. `"vneid.registerResidence"`.
 */
export async function directEnqueue(
  rt: CallRuntime,
  upstreams: ReadonlyMap<string, Upstream>,
  target: string,
  rawInput: unknown,
  rawContext: CallContext = {},
  options: DirectEnqueueOptions = {},
): Promise<OutboxItem> {
  const [name, operation] = typeof target === 'string' ? target.split('.', 2) : [];
  const up = name === undefined ? undefined : upstreams.get(name);
  const spec = operation === undefined ? undefined : up?.spec.operations[operation];
  if (!up || !spec || operation === undefined)
    throw validationError([{ path: 'operation', message: 'unknown: expected "upstream.operation"' }]);
  if (spec.kind !== 'write')
    throw validationError([{ path: 'operation', message: 'only a write can be queued directly' }]);
  const checked = validateCall(spec, rawInput, rawContext ?? {});
  if (checked.issues) throw validationError(checked.issues);
  const dossierCode = rawContext.dossierCode ?? spec.dossierCode?.(checked.input);
  const idempotencyKey = rawContext.idempotencyKey ?? dossierCode;
  if (idempotencyKey === undefined)
    throw validationError([
      { path: 'context.idempotencyKey', message: 'required: a queued write is replayed with it' },
    ]);
  if (options.client !== undefined && !('transactional' in rt.outbox))
    throw validationError([{ path: 'options.client', message: 'this outbox store has no transactions' }]);
  const requestId = randomUUID();
  const enqueue = rt.outbox.enqueue as (
    item: Parameters<typeof rt.outbox.enqueue>[0],
    now: number,
    opts?: DirectEnqueueOptions,
  ) => Promise<OutboxItem>;
  let item: OutboxItem;
  try {
    item = await enqueue.call(
      rt.outbox,
      {
        upstream: up.name,
        operation,
        kind: 'write',
        input: checked.input,
        idempotencyKey,
        requestId,
        context: { purpose: rawContext.purpose, actor: rawContext.actor, dossierCode },
      },
      rt.clock.now(),
      options.client === undefined ? undefined : { client: options.client },
    );
  } catch (cause) {
    throw new GatewayError(
      'UPSTREAM_UNAVAILABLE',
      'the outbox could not store the write, so it was NOT queued',
      {
        upstream: up.name,
        operation,
        requestId,
        retryable: true,
        cause,
      },
    );
  }
  // Inside a caller's transaction the item may still be rolled back: no `queued` event for it.
  if (options.client === undefined)
    rt.events.emit('outbox:queued', {
      ticket: item.id,
      upstream: up.name,
      operation,
      requestId,
      dossierCode,
    });
  return item;
}
