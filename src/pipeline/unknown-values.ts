/**
 * Values a platform sent that the adapter does not know (a new enum value), reported without
 * leaking or flooding: a value enters logs and events only when it has a strict code shape, and
 * each (operation, field, value) is reported at most once per window, at most `maxPerCall` per call.
 * One instance per gateway (no module-level state).
 */
import type { Clock } from '../clock.js';

/**
 * A platform code: 1–32 letters, digits, `_ . - : /`, without a run of 8+ digits (a personal ID,
 * an old ID card, a phone number, a `yyyyMMdd` date of birth) and without a date written with
 * separators (`1985-03-12`, `12/03/1985`). Names (letters with spaces) and free text never match.
 */
const CODE = /^[A-Za-z0-9_.\-:/]{1,32}$/;
const LONG_DIGITS = /\d{8}/;
const DATE = /\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}/;

/** What a non-code value is replaced by in logs, events and errors. */
export const NOT_A_CODE = '(not a code)';

/** The value if it is safe to log as a code, else {@link NOT_A_CODE}. */
export function safeCode(value: unknown): string {
  return typeof value === 'string' && CODE.test(value) && !LONG_DIGITS.test(value) && !DATE.test(value)
    ? value
    : NOT_A_CODE;
}

export interface UnknownValueOptions {
  /** One report per (operation, field, value) per window. @default 60000 */
  windowMs?: number;
  /** Reports per call at most; the rest are counted in one summary line. @default 10 */
  maxPerCall?: number;
  /** Distinct keys remembered; the oldest are forgotten first. @default 1000 */
  maxKeys?: number;
}

export class UnknownValueLog {
  private readonly seen = new Map<string, number>();
  private readonly windowMs: number;
  readonly maxPerCall: number;
  private readonly maxKeys: number;

  constructor(
    private readonly clock: Clock,
    options: UnknownValueOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.maxPerCall = options.maxPerCall ?? 10;
    this.maxKeys = options.maxKeys ?? 1000;
  }

  /**
   * A reporter for one call: `report` calls `emit(field, safeValue)` for a value not reported in
   * the window and while under the per-call cap; `suppressed()` says how many were dropped.
   */
  forCall(
    upstream: string,
    operation: string,
    emit: (field: string, value: string) => void,
  ): { report(field: string, raw: unknown): void; suppressed(): number } {
    let reported = 0;
    let dropped = 0;
    return {
      report: (field, raw) => {
        const value = safeCode(raw);
        const key = `${upstream}\u0000${operation}\u0000${String(field).slice(0, 64)}\u0000${value}`;
        const now = this.clock.monotonic();
        const last = this.seen.get(key);
        if ((last !== undefined && now - last < this.windowMs) || reported >= this.maxPerCall) {
          dropped++;
          return;
        }
        this.remember(key, now);
        reported++;
        emit(String(field).slice(0, 64), value);
      },
      suppressed: () => dropped,
    };
  }

  private remember(key: string, now: number): void {
    this.seen.delete(key);
    this.seen.set(key, now);
    if (this.seen.size > this.maxKeys) this.seen.delete(this.seen.keys().next().value as string);
  }
}
