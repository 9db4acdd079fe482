/**
 * The one error of a write the outbox could not store: `NOT_SAVED`, never the upstream's code,
 * because the officer must not read "the platform is down, it will be sent later" when nothing was
 * kept. The store's failure is the `cause`; the upstream failure that led to the outbox, if any,
 * is named in the English `message` and keeps its `status` and `upstreamCode`.
 */
import { GatewayError } from '../errors.js';

export interface NotSavedContext {
  upstream: string;
  operation: string;
  requestId: string;
  /** The upstream's failure that sent the write to the outbox (absent for a direct enqueue). */
  after?: GatewayError | undefined;
}

export function notSavedError(storeError: unknown, at: NotSavedContext): GatewayError {
  const storeCode = (storeError as { code?: unknown } | null)?.code;
  const why = typeof storeCode === 'string' && /^[A-Z_]{1,32}$/.test(storeCode) ? ` (${storeCode})` : '';
  const before = at.after ? `${at.after.code}: ${at.after.message}; then ` : '';
  return new GatewayError(
    'NOT_SAVED',
    `${before}the outbox could not store the write${why}, so it was NOT saved and NOT queued: resubmit it with the same dossier code`,
    {
      upstream: at.upstream,
      operation: at.operation,
      requestId: at.requestId,
      attempts: at.after?.attempts,
      status: at.after?.status,
      upstreamCode: at.after?.upstreamCode,
      cause: storeError,
    },
  );
}
