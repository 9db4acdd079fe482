/**
 * Calendar dates: `YYYY-MM-DD` in the public API, `yyyyMMdd` on the platforms' wire.
 * A date of birth is personal data, so no message here repeats the value it refuses.
 */
import { z } from 'zod';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WIRE_DATE = /^(\d{4})(\d{2})(\d{2})$/;

// Read-only table, built once instead of an array literal per validated date.
const DAYS_IN_MONTH: readonly number[] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isRealDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
  return day <= days;
}

function matchDate(pattern: RegExp, value: unknown): [string, string, string] | undefined {
  if (typeof value !== 'string') return undefined;
  const m = pattern.exec(value);
  if (!m) return undefined;
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  return isRealDate(Number(y), Number(mo), Number(d)) ? [y, mo, d] : undefined;
}

/**
 * Whether `value` is a real calendar date written `YYYY-MM-DD` (year 0001–9999, leap years
 * honoured: `2024-02-29` is, `2023-02-29` is not). Never throws.
 */
export function isIsoDate(value: unknown): value is string {
  return matchDate(ISO_DATE, value) !== undefined;
}

/**
 * A zod string schema for a real calendar date written `YYYY-MM-DD` (see {@link isIsoDate}).
 * The output is the input unchanged; no time zone is involved.
 */
export const isoDateSchema = z.string().refine(isIsoDate, {
  message: 'date: must be a real calendar date written YYYY-MM-DD',
});

/**
 * Converts `YYYY-MM-DD` to the wire form `yyyyMMdd` (`'2003-05-01'` → `'20030501'`).
 *
 * @throws RangeError when `isoDate` is not a real `YYYY-MM-DD` date: inputs are validated before
 *   they are mapped to the wire, so reaching this is a programming error. The message does not
 *   repeat the value (it may be a date of birth).
 */
export function toWireDate(isoDate: string): string {
  const parts = matchDate(ISO_DATE, isoDate);
  if (!parts) throw new RangeError('toWireDate: expected a real calendar date written YYYY-MM-DD');
  return parts.join('');
}

/**
 * Converts the wire form `yyyyMMdd` to `YYYY-MM-DD` (`'20030501'` → `'2003-05-01'`).
 *
 * @returns `undefined` when `wireDate` is not a real `yyyyMMdd` date: it comes from a platform,
 *   so the caller decides (usually a `CONTRACT` error). Never throws.
 */
export function fromWireDate(wireDate: unknown): string | undefined {
  const parts = matchDate(WIRE_DATE, wireDate);
  return parts ? parts.join('-') : undefined;
}

/**
 * A zod schema for a wire date `yyyyMMdd` that outputs `YYYY-MM-DD`, for the platforms'
 * responses (`NgayThangNamSinh`, `ngaySinh`, `ngayCap`).
 */
export const wireDateSchema = z.string().transform((value, ctx) => {
  const iso = fromWireDate(value);
  if (iso === undefined) {
    ctx.addIssue({ code: 'custom', message: 'date: must be a real calendar date written yyyyMMdd' });
    return z.NEVER;
  }
  return iso;
});
