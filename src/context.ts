/**
 * The call context's one schema (issue 11): every field a caller passes as the second argument is
 * checked here before anything is sent, with the same header-safe rules as the inputs, because
 * `actor`, `dossierCode`, `idempotencyKey` and `correlationId` become HTTP headers.
 *
 * A Vietnamese officer name does not travel in `X-Road-UserId`: `actor` must be visible ASCII (an
 * officer code such as `can-bo-17`), refused otherwise with a message that says so, so the header
 * and the body (`MaCanBo`) always carry the same string. Messages name the rule, never the value.
 */
import { z } from 'zod';

/** Visible ASCII, no space: what a header value can carry unchanged through any transport. */
const TOKEN = /^[\x21-\x7E]+$/;

/** The rules of a dossier code (mã hồ sơ); the same as the adapters' `dossierCodeSchema`. */
const DOSSIER = /^[A-Za-z0-9._\-/:]{1,100}$/;

/** No control characters (C0 or DEL): the rule of `purpose`. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const NO_CONTROL = /^[^\x00-\x1F\x7F]*$/;

/** The rules of an idempotency key. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._\-/:]{1,128}$/;

/** Longest context string accepted (a header line stays small; see `MAX_HEADER_VALUE`). */
export const MAX_CONTEXT_VALUE = 128;

const str = (message: string) =>
  z.string({ message: 'must be a string' }).max(MAX_CONTEXT_VALUE, { message });

/** The call context (see `CallContext` in `adapter.ts` for what each field means). */
export const callContextSchema = z
  .object({
    purpose: str(`must be at most ${MAX_CONTEXT_VALUE} characters`)
      .regex(NO_CONTROL, { message: 'must not contain control characters' })
      .optional(),
    actor: str(`must be at most ${MAX_CONTEXT_VALUE} characters`)
      .regex(TOKEN, {
        message:
          'must be visible ASCII without spaces (it is sent as X-Road-UserId): use the officer code, not a Vietnamese name',
      })
      .optional(),
    dossierCode: z
      .string({ message: 'must be a string' })
      .regex(DOSSIER, { message: 'must be 1–100 letters, digits or . _ - / : (it is sent as a header)' })
      .optional(),
    idempotencyKey: z
      .string({ message: 'must be a string' })
      .regex(IDEMPOTENCY_KEY, {
        message: 'must be 1–128 letters, digits or . _ - / : (it is sent as a header)',
      })
      .optional(),
    signal: z
      .custom<AbortSignal>((v) => v instanceof AbortSignal, { message: 'must be an AbortSignal' })
      .optional(),
    defer: z.boolean({ message: 'must be a boolean' }).optional(),
    deadlineMs: z
      .number({ message: 'must be a number' })
      .positive({ message: 'must be a positive number of milliseconds' })
      .finite({ message: 'must be finite' })
      .optional(),
    correlationId: str(`must be at most ${MAX_CONTEXT_VALUE} characters`)
      .regex(TOKEN, { message: 'must be visible ASCII without spaces (it is sent as a header)' })
      .optional(),
  })
  .strip();

export type ValidContext = z.output<typeof callContextSchema>;

/** The fields of a call context, in the schema's order. */
export const CONTEXT_FIELDS: readonly (keyof ValidContext)[] = Object.freeze(
  Object.keys(callContextSchema.shape) as (keyof ValidContext)[],
);
const KNOWN: ReadonlySet<string> = new Set(CONTEXT_FIELDS);

/**
 * Reads the known fields one by one, so a throwing getter or a hostile Proxy is a caller fault
 * naming the field (`VALIDATION`), not an untyped error escaping the call. Unknown fields are not
 * read, only named in `unknown` (a misspelt `deadline` would otherwise be ignored in silence).
 */
export function snapshotContext(raw: unknown): {
  value: Record<string, unknown>;
  faults: { path: string; message: string }[];
  unknown: string[];
} {
  const faults: { path: string; message: string }[] = [];
  const value: Record<string, unknown> = {};
  const unknown: string[] = [];
  if (raw === undefined || raw === null) return { value, faults, unknown };
  if (typeof raw !== 'object') {
    faults.push({ path: 'context', message: 'must be an object' });
    return { value, faults, unknown };
  }
  for (const field of CONTEXT_FIELDS) {
    try {
      const v = (raw as Record<string, unknown>)[field];
      if (v !== undefined) value[field] = v;
    } catch {
      faults.push({ path: `context.${field}`, message: 'could not be read (its getter or Proxy threw)' });
    }
  }
  try {
    // Own enumerable keys only, without reading a value (`for in`: no array per call).
    for (const key in raw) if (!KNOWN.has(key) && Object.hasOwn(raw, key)) unknown.push(key);
  } catch {
    faults.push({ path: 'context', message: 'could not be read (its Proxy threw)' });
  }
  return { value, faults, unknown };
}

const shortText = (v: unknown, rule: RegExp): boolean =>
  typeof v === 'string' && v.length <= MAX_CONTEXT_VALUE && rule.test(v);

/**
 * The usual case of {@link callContextSchema} without zod: when every field of a snapshot
 * ({@link snapshotContext}) is well-formed, the parsed context, which is the snapshot itself (zod
 * would copy it: the same fields in the same order, values unchanged); otherwise `undefined`, and
 * the schema runs to say what is wrong. The rules are the schema's, field by field.
 */
export function parseContextFast(value: Record<string, unknown>): ValidContext | undefined {
  for (const key in value) {
    const v = value[key];
    let ok: boolean;
    switch (key) {
      case 'purpose':
        ok = shortText(v, NO_CONTROL);
        break;
      case 'actor':
      case 'correlationId':
        ok = shortText(v, TOKEN);
        break;
      case 'dossierCode':
        ok = typeof v === 'string' && DOSSIER.test(v);
        break;
      case 'idempotencyKey':
        ok = typeof v === 'string' && IDEMPOTENCY_KEY.test(v);
        break;
      case 'signal':
        ok = v instanceof AbortSignal;
        break;
      case 'defer':
        ok = typeof v === 'boolean';
        break;
      case 'deadlineMs':
        ok = typeof v === 'number' && v > 0 && Number.isFinite(v);
        break;
      default:
        ok = false;
    }
    if (!ok) return undefined;
  }
  return value as ValidContext;
}
