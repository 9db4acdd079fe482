import type { WireInfo } from '../adapter.js';
import { GatewayError } from '../errors.js';

/**
 * What runs inside a step: the rest of the pipeline, given the attempt's signal and the call.
 * Composed once per operation ({@link compose}), so a call allocates no closure per step.
 */
export type Next<T = unknown> = (signal: AbortSignal, call: CallScope) => Promise<T>;

/**
 * The one shape of every resilience step (DESIGN.md steps 3–8): run `next` under the step's rule,
 * with the current attempt's `signal` and the `call` it belongs to.
 */
export interface Step {
  execute<T>(next: Next<T>, signal: AbortSignal, call: CallScope): Promise<T>;
}

/** Builds `steps[0](steps[1](…(last)))` once, outermost first. */
export function compose<T>(steps: readonly Step[], last: Next<T>): Next<T> {
  let next = last;
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i] as Step;
    const inner = next;
    next = (signal, call) => step.execute(inner, signal, call);
  }
  return next;
}

/**
 * One call's state as it runs through the steps: what it sends, its deadline, its attempts, and
 * the one `AbortController` of its current attempt.
 *
 * Aborting is done here, not through listeners: a call that ends early ({@link end}: deadline,
 * caller's abort, gateway shutdown) aborts the current attempt's controller and rejects the
 * attempt's pending race at once, so the call settles even if a transport ignores its signal.
 */
export class CallScope {
  /** 1-based number of the attempt running (or last run); 0 before the first. */
  attempt = 0;
  /** Set once the call itself ended early: deadline, caller's abort or shutdown. */
  ended = false;
  /** The reason it ended early (a {@link GatewayError}). */
  endReason: unknown;
  private controller: AbortController | undefined;
  private rejectAttempt: ((reason: unknown) => void) | undefined;

  constructor(
    readonly upstream: string,
    readonly operation: string,
    readonly input: unknown,
    readonly info: WireInfo,
    /** The whole call's budget (ms): the policy's `deadlineMs`, shortened by the caller's. */
    readonly deadlineMs: number,
    /**
     * When the call's deadline passes, on the monotonic clock (`Clock.monotonic()`): compare it
     * with `clock.monotonic()`, never with wall time.
     */
    readonly deadlineAt: number,
    /** False for a write without an idempotency key: it is sent once. */
    readonly retryAllowed: boolean,
    /** Reports a value the adapter does not know (deduplicated by the gateway). */
    readonly unknownValue: (field: string, value: string) => void,
    /** The caller's own signal (`context.signal`), if any. */
    readonly callerSignal: AbortSignal | undefined,
  ) {}

  get requestId(): string {
    return this.info.requestId;
  }

  /** A fresh signal for the next attempt (and the waits before it); aborted already if the call ended. */
  nextSignal(): AbortSignal {
    const controller = new AbortController();
    this.controller = controller;
    if (this.ended) controller.abort(this.endReason);
    return controller.signal;
  }

  /** Ends the call early: the current attempt is cut and every later wait or attempt refused. */
  end(reason: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.endReason = reason;
    this.cut(reason);
  }

  /** Cuts the current attempt only (its timeout): the call may retry. */
  cut(reason: unknown): void {
    this.controller?.abort(reason);
    const reject = this.rejectAttempt;
    this.rejectAttempt = undefined;
    reject?.(reason);
  }

  /**
   * Settles as `work` does, or as soon as the attempt is cut, whichever comes first: a transport
   * that ignores its signal cannot hold the call past its deadline.
   */
  race<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) {
      work.catch(() => {});
      return Promise.reject(signal.reason);
    }
    return new Promise<T>((resolve, reject) => {
      this.rejectAttempt = reject;
      // A late settlement of an attempt already cut must not unhook the next attempt's race.
      const done = () => {
        if (this.rejectAttempt === reject) this.rejectAttempt = undefined;
      };
      work.then(
        (value) => {
          done();
          resolve(value);
        },
        (error) => {
          done();
          reject(error);
        },
      );
    });
  }

  /** The error of the call's own deadline. */
  deadlineError(): GatewayError {
    return new GatewayError('TIMEOUT', `Deadline of ${this.deadlineMs} ms exceeded`, { retryable: false });
  }
}
