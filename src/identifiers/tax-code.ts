/**
 * The tax identification number (mã số thuế): 10 digits with a check digit, 13 for a dependent
 * unit (branch) of a 10-digit taxpayer, or, for individuals and household businesses since
 * 1 July 2025 (Circular 86/2024/TT-BTC), their 12-digit personal identification number.
 *
 * Tax codes of individuals are personal data: messages never repeat a code.
 */
import { z } from 'zod';
import { checkPersonalId, checkPersonalIdAt } from './personal-id.js';
import type { ParseResult } from './result.js';

/** Which form a tax code has. */
export type TaxCodeKind = 'enterprise' | 'branch' | 'personal';

/** A valid tax code, decoded. */
export interface TaxCode {
  /**
   * `'enterprise'`: 10 digits (an organisation's code; codes issued to individuals before
   * 1 July 2025 have the same form and cannot be told apart). `'branch'`: a dependent unit's
   * 13-digit code. `'personal'`: a 12-digit personal identification number.
   */
  kind: TaxCodeKind;
  /** The code in canonical form: 10 or 12 digits, or `NNNNNNNNNN-NNN` for a branch. */
  normalized: string;
  /** For a branch: the 10-digit code of the unit it depends on. */
  parentTaxCode?: string | undefined;
}

/** Options of {@link parseTaxCode}. */
export interface TaxCodeOptions {
  /** The current time, for the personal-number rule "birth year not in the future". Default: `new Date()`. */
  now?: Date | undefined;
}

const WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3] as const;

/**
 * The check digit (10th digit) of a tax code whose first nine digits are `first9`:
 * `10 − (Σ weightᵢ · digitᵢ mod 11)` with weights 31, 29, 23, 19, 17, 13, 7, 5, 3.
 *
 * The result of that formula lies in 0…10 (it cannot reach 11: the remainder is never negative).
 * 10, from a sum divisible by 11, is not a digit: no valid code starts with those nine digits, and
 * this returns `undefined`.
 *
 * @throws RangeError when `first9` is not exactly 9 digits (a programming error; `parseTaxCode`
 *   never does that).
 */
export function taxCodeCheckDigit(first9: string): number | undefined {
  if (!/^\d{9}$/.test(first9)) throw new RangeError('taxCodeCheckDigit: expected exactly 9 digits');
  let sum = 0;
  // Digit values from char codes (first9 is nine ASCII digits), not a Number() per digit.
  for (let i = 0; i < 9; i++) sum += WEIGHTS[i]! * (first9.charCodeAt(i) - 48);
  const digit = 10 - (sum % 11);
  return digit === 10 ? undefined : digit;
}

/** Issues of a 10-digit code (already known to be 10 digits). */
function tenDigitIssues(code: string): string[] {
  const issues: string[] = [];
  // Digits 3–9 are the taxpayer's sequence number, which starts at 1.
  if (/^\d{2}0{7}/.test(code)) issues.push('taxCode: digits 3–9 must not all be zero');
  const expected = taxCodeCheckDigit(code.slice(0, 9));
  if (expected === undefined) {
    issues.push('taxCode: no valid tax code starts with these nine digits (the check digit would be 10)');
  } else if (expected !== code.charCodeAt(9) - 48) {
    issues.push('taxCode: the check digit (10th digit) is wrong');
  }
  return issues;
}

/**
 * Validates and decodes a tax code. Accepted forms:
 * - 10 digits with a valid check digit (`'0300588569'`), `kind: 'enterprise'`;
 * - a branch, 10 valid digits + a 3-digit suffix 001–999, written `NNNNNNNNNN-NNN` or as
 *   13 digits without the dash (both are seen on documents); normalised **with** the dash,
 *   `kind: 'branch'`;
 * - 12 digits, a personal identification number with the rules of `parsePersonalId`,
 *   `kind: 'personal'`.
 *
 * No trimming or other clean-up. Never throws; issues never repeat the code.
 *
 * @param options - `now` (default `new Date()`) for the personal-number rules
 */
export function parseTaxCode(value: unknown, options: TaxCodeOptions = {}): ParseResult<TaxCode> {
  if (typeof value !== 'string') return { ok: false, issues: ['taxCode: must be a string'] };

  if (/^\d{10}$/.test(value)) {
    const issues = tenDigitIssues(value);
    return issues.length > 0
      ? { ok: false, issues }
      : { ok: true, value: { kind: 'enterprise', normalized: value } };
  }

  const branch = /^(\d{10})-?(\d{3})$/.exec(value);
  if (branch) {
    const [, parent, suffix] = branch as unknown as [string, string, string];
    const issues = tenDigitIssues(parent);
    if (suffix === '000') issues.push('taxCode: a branch suffix (digits 11–13) must be 001–999');
    if (issues.length > 0) return { ok: false, issues };
    return {
      ok: true,
      value: { kind: 'branch', normalized: `${parent}-${suffix}`, parentTaxCode: parent },
    };
  }

  if (/^\d{12}$/.test(value)) {
    const label = 'taxCode (personal identification number)';
    const now = options.now;
    const personal =
      now === undefined || now === null
        ? checkPersonalIdAt(value, Date.now(), label)
        : checkPersonalId(value, now, label);
    if (!personal.ok) return personal;
    return { ok: true, value: { kind: 'personal', normalized: value } };
  }

  return {
    ok: false,
    issues: [
      'taxCode: must be 10 digits, a branch code NNNNNNNNNN-NNN, or a 12-digit personal identification number',
    ],
  };
}

/**
 * A zod schema for a tax code with the rules of {@link parseTaxCode} (real clock). Its output is
 * the normalised code: a branch code always with its dash, other forms unchanged.
 */
export const taxCodeSchema = z.string().transform((value, ctx) => {
  const result = parseTaxCode(value);
  if (!result.ok) {
    for (const message of result.issues) ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  }
  return result.value.normalized;
});
