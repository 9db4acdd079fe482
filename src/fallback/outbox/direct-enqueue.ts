import { randomUUID } from 'node:crypto';
import type { CallRuntime } from '../../call.js';
import type { OptionKeys } from '../../option-keys.js';
import { safeCode } from '../../pipeline/unknown-values.js';
import { validateCall, validationError } from '../../pipeline/validation.js';
import type { Upstream } from '../../upstream.js';
import { didYouMean } from '../../util/suggest.js';
import { notSavedError } from '../not-saved.js';
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

const OPTION_KEYS: OptionKeys<DirectEnqueueOptions> = { client: true };

/** Every `"upstream.operation"` that can be queued directly: the writes. */
export function queueableOperations(upstreams: ReadonlyMap<string, Upstream>): string[] {
  const names: string[] = [];
  for (const up of upstreams.values())
    for (const [name, spec] of Object.entries(up.spec.operations))
      if (spec.kind === 'write') names.push(`${up.name}.${name}`);
  return names;
}

/**
 * Queues a write without trying the upstream first, validated exactly like a call (same input
 * schema, same context checks and purpose/actor rules, the same adapter labels in the Vietnamese
 * message; a bad one is `VALIDATION` and nothing is stored). The drainer delivers it. `target` is
 * `"upstream.operation"`, e.g. `"vneid.registerResidence"`. A store failure is `NOT_SAVED`.
 */
export async function directEnqueue(
  rt: CallRuntime,
  upstreams: ReadonlyMap<string, Upstream>,
  target: unknown,
  rawInput: unknown,
  rawContext: unknown,
  rawOptions: unknown,
): Promise<OutboxItem> {
  const [name, operation] = typeof target === 'string' ? target.split('.', 2) : [];
  const up = name === undefined ? undefined : upstreams.get(name);
  const spec = operation === undefined ? undefined : up?.spec.operations[operation];
  if (!up || !spec || operation === undefined || spec.kind !== 'write') {
    const valid = queueableOperations(upstreams);
    const shown = typeof target === 'string' ? safeCode(target) : typeof target;
    const why = !spec ? `unknown operation "${shown}"` : `"${shown}" is a read: only a write can be queued`;
    throw validationError([
      {
        path: 'operation',
        message: `${why}${typeof target === 'string' ? didYouMean(target, valid) : ''}; writes that can be queued: ${valid.join(', ') || '(none)'}`,
        code: spec ? 'invalid_value' : 'format',
        userMessage: 'phần mềm yêu cầu một nghiệp vụ không thể xếp hàng đợi (vui lòng báo quản trị hệ thống)',
      },
    ]);
  }
  const options = (rawOptions ?? {}) as DirectEnqueueOptions;
  const unknownOptions =
    typeof options === 'object' ? Object.keys(options).filter((k) => !Object.hasOwn(OPTION_KEYS, k)) : [];
  if (unknownOptions.length > 0)
    throw validationError(
      unknownOptions.map((k) => ({
        path: `options.${safeCode(k)}`,
        message: `unknown option${didYouMean(k, Object.keys(OPTION_KEYS))}; known: ${Object.keys(OPTION_KEYS).join(', ')}`,
        code: 'unknown_field' as const,
      })),
    );
  // The one path: the context is read only through the checked snapshot, never raw.
  const checked = validateCall(spec, rawInput, rawContext, up.spec.labels);
  if (checked.issues) throw validationError(checked.issues, up.spec.displayName);
  const { context } = checked;
  const dossierCode = context.dossierCode ?? spec.dossierCode?.(checked.input);
  const idempotencyKey = context.idempotencyKey ?? dossierCode;
  if (idempotencyKey === undefined)
    throw validationError(
      [
        {
          path: 'context.idempotencyKey',
          message: 'required: a queued write is replayed with it',
          code: 'required',
          userMessage: 'chưa nhập mã hồ sơ',
        },
      ],
      up.spec.displayName,
    );
  if (options.client !== undefined && !('transactional' in rt.outbox))
    throw validationError([
      {
        path: 'options.client',
        message: 'this outbox store has no transactions',
        userMessage: 'kho lưu trữ hàng đợi không hỗ trợ giao dịch (vui lòng báo quản trị hệ thống)',
      },
    ]);
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
        context: { purpose: context.purpose, actor: context.actor, dossierCode },
      },
      rt.clock.now(),
      options.client === undefined ? undefined : { client: options.client },
    );
  } catch (cause) {
    throw notSavedError(cause, { upstream: up.name, operation, requestId });
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
