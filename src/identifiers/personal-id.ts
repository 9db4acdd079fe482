/**
 * The personal identification number (số định danh cá nhân, printed on the CCCD card):
 * 12 digits = birth-registration province (3) + gender/century digit (1) + last two digits of
 * the birth year (2) + 6 random digits. There is no check digit, so the structure is all that
 * can be validated offline.
 *
 * The number identifies a person: no message here repeats it, nor a full date of birth (a year
 * alone is shown, to make a mismatch understandable).
 */
import { z } from 'zod';
import { getBirthProvince } from './birth-provinces.js';
import { isIsoDate } from './dates.js';
import type { ParseResult } from './result.js';

/** Gender as encoded by the gender/century digit (even = male, odd = female). */
export type Gender = 'male' | 'female';

/** What a personal identification number says about its holder. */
export interface PersonalId {
  /** Digits 1–3: the pre-2025 province where the birth was registered, for example `'079'`. */
  provinceCode: string;
  /** That province's name before the 2025 mergers, for example `'Thành phố Hồ Chí Minh'`. */
  provinceName: string;
  /** From the gender/century digit: even = male, odd = female. */
  gender: Gender;
  /** `1900 + 100 · ⌊centuryDigit / 2⌋ + yy`, where yy are digits 5–6. */
  birthYear: number;
  /** Digit 4: 0/1 born 1900–1999, 2/3 2000–2099, 4/5 2100–2199, … (male/female). */
  centuryDigit: number;
}

/** Options of {@link parsePersonalId}. */
export interface PersonalIdOptions {
  /** The current time, for the "birth year is not in the future" rule. Default: `new Date()`. */
  now?: Date | undefined;
}

const TWELVE_DIGITS = /^\d{12}$/;
// Vietnam keeps UTC+7 all year: the "current year" is Vietnam's, not the server's.
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The current year in Vietnam at `ms` (epoch milliseconds); NaN for an invalid time. @internal */
export function vietnamYearAt(ms: number): number {
  // Days since 1970-01-01 to a civil year (H. Hinnant's days_from_civil, inverted), without
  // building a Date per call; exact over Date's whole range (±100,000,000 days).
  // As the Date constructor clips a time value: NaN beyond ±8.64e15 ms, else its integer part.
  const t = Math.trunc(ms + VIETNAM_OFFSET_MS);
  if (!(Math.abs(t) <= 8.64e15)) return Number.NaN;
  const z = Math.floor(t / DAY_MS) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return yoe + era * 400 + (mp >= 10 ? 1 : 0);
}

/** First year of the century a gender/century digit encodes. */
function centuryStart(centuryDigit: number): number {
  return 1900 + 100 * Math.floor(centuryDigit / 2);
}

/** Decodes the fields of a string already known to be 12 digits. */
function decode(value: string): { provinceCode: string; centuryDigit: number; birthYear: number } {
  const centuryDigit = Number(value[3]);
  return {
    provinceCode: value.slice(0, 3),
    centuryDigit,
    birthYear: centuryStart(centuryDigit) + Number(value.slice(4, 6)),
  };
}

/**
 * Validates and decodes a personal identification number, naming it `label` in messages. Shared
 * with the tax code, where a 12-digit code is a personal identification number.
 * @internal
 */
export function checkPersonalId(value: unknown, now: Date, label: string): ParseResult<PersonalId> {
  // `now` is read only for a 12-digit value, as it always was.
  if (typeof value !== 'string' || !TWELVE_DIGITS.test(value)) return checkPersonalIdAt(value, 0, label);
  return checkPersonalIdAt(value, now.getTime(), label);
}

/** {@link checkPersonalId} at `nowMs` (epoch milliseconds), without a Date. @internal */
export function checkPersonalIdAt(value: unknown, nowMs: number, label: string): ParseResult<PersonalId> {
  if (typeof value !== 'string' || !TWELVE_DIGITS.test(value)) {
    return { ok: false, issues: [`${label}: must be exactly 12 digits`] };
  }
  const { provinceCode, centuryDigit, birthYear } = decode(value);
  const issues: string[] = [];
  const province = getBirthProvince(provinceCode);
  if (!province) {
    issues.push(`${label}: digits 1–3 (${provinceCode}) are not a known birth-registration province code`);
  }
  if (birthYear > vietnamYearAt(nowMs)) {
    issues.push(`${label}: digits 4–6 give birth year ${birthYear}, which is in the future`);
  }
  if (!province || issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: {
      provinceCode,
      provinceName: province.name,
      gender: centuryDigit % 2 === 0 ? 'male' : 'female',
      birthYear,
      centuryDigit,
    },
  };
}

/**
 * Validates and decodes a personal identification number (12 digits; a known pre-2025
 * birth-registration province code; a birth year, from the gender/century digit and the year
 * digits, that is not after the current year in Vietnam).
 *
 * The value is taken as is: no trimming or removal of spaces. Never throws; issues never repeat
 * the number.
 *
 * @param value - the number, for example `'079203001234'`
 * @param options - `now` (default `new Date()`) for the future-year rule
 */
export function parsePersonalId(value: unknown, options: PersonalIdOptions = {}): ParseResult<PersonalId> {
  return checkPersonalId(value, options.now ?? new Date(), 'personalId');
}

/** Options of {@link createPersonalIdSchema}. */
export interface PersonalIdSchemaOptions {
  /** Returns the current time, read at each parse. Default: `() => new Date()`. */
  now?: (() => Date) | undefined;
}

/**
 * Builds a zod string schema for a personal identification number with the rules of
 * {@link parsePersonalId}; use it to inject the clock in tests. The output is the input unchanged.
 */
export function createPersonalIdSchema(options: PersonalIdSchemaOptions = {}) {
  const now = options.now;
  return z.string().superRefine((value, ctx) => {
    // The real clock is read as epoch milliseconds (no Date per parse); an injected one as before.
    const result =
      now === undefined
        ? checkPersonalIdAt(value, Date.now(), 'personalId')
        : checkPersonalId(value, now(), 'personalId');
    if (!result.ok) for (const message of result.issues) ctx.addIssue({ code: 'custom', message });
  });
}

/**
 * A zod string schema for a personal identification number: the rules of
 * {@link parsePersonalId}, with the real clock read at each parse. The output is the input
 * unchanged. Issues never repeat the number (zod leaves the input out of issues unless the caller
 * asks for `reportInput`).
 */
export const personalIdSchema = createPersonalIdSchema();

/**
 * Checks that a personal identification number agrees with a date of birth: the
 * gender/century digit and the year digits must give the year of `dateOfBirth`.
 *
 * Only the agreement is checked: when either value is malformed this returns `undefined`, because
 * its own schema ({@link personalIdSchema}, `isoDateSchema`) reports that.
 *
 * @param personalId - 12 digits
 * @param dateOfBirth - `YYYY-MM-DD`
 * @returns a message naming the fields and the rule (never the number or the full date, only
 *   years), or `undefined` when they agree
 */
export function checkPersonalIdAgainstDateOfBirth(
  personalId: string,
  dateOfBirth: string,
): string | undefined {
  if (typeof personalId !== 'string' || !TWELVE_DIGITS.test(personalId) || !isIsoDate(dateOfBirth)) {
    return undefined;
  }
  const { centuryDigit, birthYear } = decode(personalId);
  const dobYear = Number(dateOfBirth.slice(0, 4));
  if (dobYear === birthYear) return undefined;
  const start = centuryStart(centuryDigit);
  if (dobYear < start || dobYear > start + 99) {
    return `personalId: gender/century digit says born ${start}–${start + 99} but dateOfBirth is in ${dobYear}`;
  }
  return `personalId: birth-year digits (5–6) say born ${birthYear} but dateOfBirth is in ${dobYear}`;
}

/**
 * A zod `superRefine` callback for object schemas that have both `personalId` and `dateOfBirth`:
 * adds the {@link checkPersonalIdAgainstDateOfBirth} issue at path `dateOfBirth`.
 *
 * @example
 * z.object({ personalId: personalIdSchema, dateOfBirth: isoDateSchema })
 *   .superRefine(refinePersonalIdDateOfBirth)
 */
export function refinePersonalIdDateOfBirth(
  value: { personalId: string; dateOfBirth: string },
  ctx: z.RefinementCtx,
): void {
  const message = checkPersonalIdAgainstDateOfBirth(value.personalId, value.dateOfBirth);
  if (message) ctx.addIssue({ code: 'custom', message, path: ['dateOfBirth'] });
}
