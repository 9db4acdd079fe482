import type { CallContext } from '../adapter.js';
import type { GatewayError } from '../errors.js';
import type { CallEvent, EventBus } from '../events.js';
import type { AuditTrail } from './audit.js';
import type { GatewayLogger } from './logger.js';

/**
 * How one call ended, as the gateway's own observers (the `call` event, health stats, the audit
 * trail, the log line) see it. Internal: it holds the context and the audit subject, which the
 * public `call` event does not carry.
 */
export interface CallRecord extends Omit<CallEvent, 'correlationId'> {
  /** When the call started (wall, epoch ms): the audit record's time. */
  started: number;
  /** When the call started on the monotonic clock: its `durationMs` is measured from here. */
  startedMono: number;
  /** The call's context as validated (no signal); empty when it could not be read. */
  context: Readonly<Omit<CallContext, 'signal'>>;
  /** The call touches a citizen's personal data: it is audited. */
  personal: boolean;
  /** The audit subject (e.g. the personal ID), only for the audit trail's keyed hash. */
  subject: string | undefined;
  /** The error the caller got, when the outcome is an error code. */
  error: GatewayError | undefined;
  /** The upstream's logger. */
  logger: GatewayLogger;
}

export type CallObserver = (record: CallRecord) => void;

/**
 * The observers of every call's end, in order. One that throws is reported and never breaks the
 * call nor the observers after it.
 */
export class CallObservers {
  private readonly list: CallObserver[] = [];

  constructor(private readonly onError: (error: unknown) => void) {}

  add(observer: CallObserver): void {
    this.list.push(observer);
  }

  notify(record: CallRecord): void {
    for (const observer of this.list) {
      try {
        observer(record);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}

/** The public `call` event (metrics and the city system's listeners subscribe to it). */
export function callEvent(events: EventBus): CallObserver {
  return (r) =>
    events.emit('call', {
      upstream: r.upstream,
      operation: r.operation,
      requestId: r.requestId,
      outcome: r.outcome,
      attempts: r.attempts,
      durationMs: r.durationMs,
      correlationId: r.context.correlationId,
    });
}

/**
 * One audit record per call on citizen data, whatever its outcome, including a call refused for a
 * missing purpose or actor (recorded as `(none)`: that attempt is what an auditor looks for).
 * A failing audit sink is logged loudly but does not undo an answer the citizen already has.
 */
export function auditRecord(trail: AuditTrail): CallObserver {
  return (r) => {
    if (!r.personal) return;
    try {
      trail.record({
        time: r.started,
        actor: r.context.actor?.trim() || '(none)',
        purpose: r.context.purpose?.trim() || '(none)',
        upstream: r.upstream,
        operation: r.operation,
        subject: r.subject,
        dossierCode: r.context.dossierCode,
        correlationId: r.context.correlationId,
        outcome: r.outcome,
        requestId: r.requestId,
      });
    } catch (e) {
      r.logger.error(
        { operation: r.operation, requestId: r.requestId, err: (e as Error)?.name },
        'audit record could not be written',
      );
    }
  };
}

/** The call's log line: `info` on a result, `warn` with the error's code and message on an error. */
export function logLine(traceId: (() => string | undefined) | undefined): CallObserver {
  return (r) => {
    const line: Record<string, unknown> = {
      operation: r.operation,
      requestId: r.requestId,
      correlationId: r.context.correlationId,
      traceId: traceId?.(),
      outcome: r.outcome,
      attempts: r.attempts,
      durationMs: r.durationMs,
    };
    const { error } = r;
    if (error === undefined) {
      r.logger.info(line, 'call');
      return;
    }
    line.code = error.code;
    line.upstreamCode = error.upstreamCode;
    line.status = error.status;
    r.logger.warn(line, error.message);
  };
}
