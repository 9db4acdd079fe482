/**
 * Reply identity (DESIGN.md step 10): a reply must be about what was asked. The profile declares
 * which reply fields identify the answer and how they compare with the request; this module checks
 * a declaration once (when a profile is defined or an upstream built) and each reply against it.
 * Codec-neutral: the fields are read by the profile's functions, never by a JSON path here.
 */
import type { IdentityField, ReplyIdentity, WireProfile } from '../adapter.js';
import { type FieldIssue, GatewayError } from '../errors.js';
import { ConfigurationError } from '../policy.js';

/**
 * Checks that `profile` maps each of `operations` and that every mapping declares its reply
 * identity, else throws a {@link ConfigurationError} naming `where` and the operation.
 */
export function checkProfile(profile: WireProfile, operations: readonly string[], where: string): void {
  const fail = (why: string) => {
    throw new ConfigurationError(`Invalid configuration of ${where}: ${why}`);
  };
  if (typeof profile !== 'object' || profile === null) fail('the profile is not an object');
  for (const op of operations) {
    const wire = profile.operations?.[op];
    if (!wire) fail(`profile ${profile.name} has no mapping for ${op}`);
    const problem = identityProblem((wire as { identity?: unknown }).identity);
    if (problem) fail(`profile ${profile.name}, operation ${op}: ${problem}`);
  }
}

const HOW =
  'declare identity: a list of { field, asked(input), answered(data) } the reply must agree with, or { none: "why the reply carries no identity" }';

function identityProblem(identity: unknown): string | undefined {
  if (identity === undefined || identity === null) return `no reply identity (${HOW})`;
  if (Array.isArray(identity)) {
    if (identity.length === 0) return `an empty identity list (${HOW})`;
    for (const [i, f] of identity.entries()) {
      const field = f as Partial<IdentityField<unknown>> | null;
      if (
        typeof field !== 'object' ||
        field === null ||
        typeof field.field !== 'string' ||
        !field.field.trim()
      )
        return `identity[${i}] has no field name`;
      if (typeof field.asked !== 'function' || typeof field.answered !== 'function')
        return `identity[${i}] (${field.field}) needs asked(input) and answered(data) functions`;
      for (const key of ['normalize', 'same'] as const)
        if (field[key] !== undefined && typeof field[key] !== 'function')
          return `identity[${i}] (${field.field}): ${key} must be a function`;
    }
    return undefined;
  }
  if (typeof identity === 'object' && 'none' in identity) {
    const reason = (identity as { none: unknown }).none;
    return typeof reason === 'string' && reason.trim()
      ? undefined
      : `identity { none } needs a reason (${HOW})`;
  }
  return `identity is neither a list of fields nor { none: reason } (${HOW})`;
}

/**
 * Throws a `CONTRACT` error when the platform's `data` is about something other than `input` asked
 * (every declared field is compared; the error lists the fields that differ, never their values).
 */
export function checkReplyIdentity(identity: ReplyIdentity<unknown>, input: unknown, data: unknown): void {
  if (!Array.isArray(identity)) return;
  const issues: FieldIssue[] = [];
  for (const f of identity as readonly IdentityField<unknown>[]) {
    const problem = compare(f, input, data);
    if (problem) issues.push({ path: `data.${f.field}`, ...problem });
  }
  if (issues.length === 0) return;
  const fields = issues.map((i) => i.path.slice('data.'.length)).join(', ');
  throw new GatewayError(
    'CONTRACT',
    `The reply is not about what was asked: ${fields} ${issues.length === 1 ? 'does' : 'do'} not match the request`,
    { issues, retryable: false },
  );
}

type Problem = Pick<FieldIssue, 'message' | 'code'>;

function compare(f: IdentityField<unknown>, input: unknown, data: unknown): Problem | undefined {
  const askedRaw = f.asked(input);
  if (askedRaw === undefined || askedRaw === null) return undefined; // the request did not ask by this field
  const asked = text(askedRaw);
  if (asked === undefined)
    return { message: 'the profile reads no single value from the request', code: 'type' };
  const raw = (f.answered as (d: unknown) => unknown)(data);
  if (raw === undefined || raw === null) {
    return f.optional ? undefined : { message: 'the reply does not say what it is about', code: 'required' };
  }
  const answered = text(raw);
  if (answered === undefined) return { message: 'is not a single value', code: 'type' };
  // The usual truthful reply: the same text needs no normalising (the asked value was validated).
  if (asked === answered) return undefined;
  const a = canonical(f, asked);
  const b = canonical(f, answered);
  if (a !== undefined && b !== undefined && (f.same ? f.same(a, b) : a === b)) return undefined;
  return {
    message: 'differs from the request: the reply is about someone or something else',
    code: 'invalid_value',
  };
}

function canonical(f: IdentityField<unknown>, value: string): string | undefined {
  const v = f.ignoreCase ? value.toUpperCase() : value;
  return f.normalize ? f.normalize(v) : v;
}

/** A value as comparable text: a string trimmed, a finite number or a bigint in decimal; else `undefined`. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint')
    return String(value);
  return undefined;
}
