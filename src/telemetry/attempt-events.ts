import { type ErrorCode, isGatewayError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { CallScope, Next, Step } from '../pipeline/step.js';

/**
 * Emits an `attempt` event as each attempt ends (inside the retry step, outside the breaker), so
 * metrics see the failures a retry or a fallback hid, and the breaker's own refusals.
 */
export class AttemptEvents implements Step {
  constructor(private readonly events: EventBus) {}

  async execute<T>(next: Next<T>, signal: AbortSignal, call: CallScope): Promise<T> {
    try {
      const value = await next(signal, call);
      this.emit(call, 'ok');
      return value;
    } catch (e) {
      this.emit(call, isGatewayError(e) ? e.code : 'CONTRACT');
      throw e;
    }
  }

  private emit(call: CallScope, outcome: 'ok' | ErrorCode): void {
    this.events.emit('attempt', {
      upstream: call.upstream,
      operation: call.operation,
      requestId: call.requestId,
      attempt: call.attempt,
      outcome,
    });
  }
}
