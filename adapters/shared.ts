/**
 * Small pieces shared by the built-in adapters: input schemas for values every platform takes
 * (names, dossier codes, reference ids), open enums for values a platform may extend, and the
 * envelope helpers. Only the public API of `vn-national-gateway` is used here.
 *
 * Messages of these schemas name the rule, never the value (the path of a zod issue names the
 * field), because a value may be a citizen's name or identifier.
 */
import { z } from 'zod';
import type { DecodeInfo, EnvelopeResult, ErrorCode, FieldLabels } from 'vn-national-gateway';

/**
 * Vietnamese labels of the fields every platform takes, spread into each adapter's own table (the
 * `userMessage` of a `VALIDATION` error names fields by them).
 */
export const COMMON_LABELS = {
  personalId: 'số định danh cá nhân',
  fullName: 'họ và tên',
  dateOfBirth: 'ngày sinh',
  dossierCode: 'mã hồ sơ',
} as const satisfies FieldLabels;

/** Any character outside ASCII. */
const NON_ASCII = /[\u0080-\uFFFF]/;
/** Whitespace other than single spaces: what collapsing changes. */
const UNCOLLAPSED = /[^\S ]| {2}/;

/**
 * `s.trim().normalize('NFC').replace(/\s+/g, ' ')`, skipping the steps that would change nothing
 * (a name is usually typed clean): NFC leaves ASCII as it is, and the replacement changes only
 * whitespace other than single spaces.
 */
function cleanName(s: string): string {
  let t = s.trim();
  if (NON_ASCII.test(t)) t = t.normalize('NFC');
  return UNCOLLAPSED.test(t) ? t.replace(/\s+/g, ' ') : t;
}

/**
 * A person's full name as typed at the counter: Unicode NFC, trimmed, inner spaces collapsed;
 * then 1–100 characters of letters (with their diacritics), spaces, `.`, `'` and `-`,
 * starting with a letter. Sent to the platforms in that normalised form.
 */
export const fullNameSchema = z
  .string({ message: 'must be a string' })
  .overwrite(cleanName)
  .min(1, { message: 'must not be empty', abort: true })
  .max(100, { message: 'must be at most 100 characters', abort: true })
  .regex(/^\p{L}[\p{L}\p{M} .'-]*$/u, {
    message: "must be letters (with diacritics), spaces, '.', \"'\" or '-', starting with a letter",
  });

/**
 * A dossier code (mã hồ sơ) of the city's one-stop system, for example `000.00.29.H29-250701-0001`:
 * 1–100 characters among letters, digits and `. _ - / :`. It becomes the `Idempotency-Key` and
 * `X-Road-Issue` headers, so it must be a plain header value.
 */
export const dossierCodeSchema = z
  .string({ message: 'must be a string' })
  .regex(/^[A-Za-z0-9._\-/:]{1,100}$/, {
    message: 'must be 1–100 letters, digits or . _ - / : (it is sent as a header)',
  });

/**
 * An identifier a platform issued (a receipt or registration number), for example `BN-000001`:
 * 1–64 letters, digits, `.`, `_` or `-`. It is placed in a URL path (percent-encoded).
 */
export const referenceIdSchema = z
  .string({ message: 'must be a string' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message: 'must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  });

// Vietnam keeps UTC+7 all year.
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

// The last day asked for and its text: a date-of-birth check runs on every call, and building a
// Date and its ISO string each time cost more than the rest of the check. A memo of a pure
// function (the same day always gives the same text), not state.
let memoDay = Number.NaN;
let memoText = '';

/** Today's date in Vietnam as `YYYY-MM-DD` (of `now`, default the current time). */
export function vietnamToday(now?: Date): string {
  const ms = (now === undefined ? Date.now() : now.getTime()) + VIETNAM_OFFSET_MS;
  const day = Math.floor(ms / DAY_MS);
  if (day !== memoDay) {
    // An invalid time throws here, as it always did (toISOString of an invalid Date).
    memoText = new Date(ms).toISOString().slice(0, 10);
    memoDay = day;
  }
  return memoText;
}

/**
 * A wider string type that keeps the known values in editor completion: a value outside
 * `T` is one the platform added after this adapter was written (passed through, see
 * {@link decodeEnum}).
 */
export type Open<T extends string> = T | (string & {});

/**
 * A zod schema for an open enum: the known values, or any other string (a value the platform
 * added since; the adapter passes it through unchanged and reports it).
 */
export function openEnum<const T extends readonly [string, ...string[]]>(
  values: T,
): z.ZodType<Open<T[number]>> {
  return z.union([z.enum(values), z.string()]) as unknown as z.ZodType<Open<T[number]>>;
}

/**
 * Maps a platform's enum value to the domain one; a value not in `table` is passed through
 * unchanged and reported with `info.unknownValue(field, value)` (logged, counted, emitted as
 * `contract:unknown-value`), never a `CONTRACT` error.
 */
export function decodeEnum<T extends string>(
  table: Readonly<Record<string, T>>,
  value: string,
  field: string,
  info: DecodeInfo,
): Open<T> {
  if (Object.hasOwn(table, value)) return table[value]!;
  info.unknownValue(field, value);
  return value;
}

/**
 * What the envelope reports for a platform code. Codes are short machine tokens; anything else
 * (a long or free-text value) is not kept, since `upstreamCode` is logged.
 */
const CODE_LIKE = /^[A-Za-z0-9_.-]{1,32}$/;

/** Builds the failure of an envelope: the mapped gateway code, and the platform's own code. */
export function envelopeFailure(
  codes: Readonly<Record<string, ErrorCode>>,
  upstreamCode: string,
  unknown: ErrorCode = 'CONTRACT',
): EnvelopeResult {
  // A run of 9+ digits is a personal ID or phone number in a code field, not a code.
  if (!CODE_LIKE.test(upstreamCode) || /\d{9}/.test(upstreamCode)) {
    // Throwing is read by the core as CONTRACT (or NOT_FOUND/AUTH by HTTP 404/403).
    throw new Error('envelope code is not a code');
  }
  return {
    ok: false,
    code: Object.hasOwn(codes, upstreamCode) ? codes[upstreamCode]! : unknown,
    upstreamCode,
  };
}

/** An envelope code sent as a string, or as a number by a tolerant platform (`0`, `404`). */
export const wireCodeSchema = z.union([z.string(), z.number().int()]).transform(String);

/** `true` when A and B are the same type (not merely assignable one way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compile-time refusal of a schema whose types drift from its documented interfaces. */
type DriftCheck<S extends z.ZodType, Out, In> =
  Equal<z.output<S>, Out> extends true
    ? Equal<z.input<S>, In> extends true
      ? unknown
      : { __schemaInputDriftsFromItsInterface: In }
    : { __schemaOutputDriftsFromItsInterface: Out };

/**
 * Types a schema as its documented interfaces (`z.ZodType<Out, In>`), so the interfaces' TSDoc is
 * what `gateway.land.submitRegistration(…)` shows in the editor and the `.d.ts`. Refused at
 * compile time when the schema's inferred types are not exactly the interfaces.
 */
export function documented<Out, In = Out>() {
  return <S extends z.ZodType>(schema: S & DriftCheck<S, Out, In>): z.ZodType<Out, In> =>
    schema as unknown as z.ZodType<Out, In>;
}

/** {@link documented} for a result schema: only its output type is checked and kept. */
export function documentedOutput<Out>() {
  return <S extends z.ZodType>(schema: S & DriftCheck<S, Out, z.input<S>>): z.ZodType<Out> =>
    schema as unknown as z.ZodType<Out>;
}
