import type { z } from 'zod';
import type { CallContext, OperationSpec } from '../adapter.js';
import { CONTEXT_FIELDS, callContextSchema, parseContextFast, snapshotContext } from '../context.js';
import { type FieldIssue, GatewayError, type IssueCode } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { type FieldLabels, type LabelLookup, labelLookup } from './field-labels.js';
import { safeCode } from './unknown-values.js';
import { issueSentence, validationUserMessage } from './vietnamese.js';

/** An issue and the zod issue it came from, while its Vietnamese sentence is not yet written. */
interface Draft {
  issue: FieldIssue;
  zod?: z.core.$ZodIssue | undefined;
}

/**
 * zod issues as paths, rules and stable codes; zod's messages name the rule, never the value. Keys
 * are data too (a record keyed by personal ID, a platform sending a name as a key): a path segment
 * or an unrecognized key enters the issue only when code-shaped (`safeCode`).
 */
export function zodIssues(error: z.ZodError, prefix = '', input?: unknown): FieldIssue[] {
  return zodDrafts(error, prefix, input).map((d) => d.issue);
}

/** {@link zodIssues} keeping each zod issue; `schema` tells a required field from an optional one. */
function zodDrafts(error: z.ZodError, prefix: string, input: unknown, schema?: z.ZodType): Draft[] {
  return error.issues.map((i) => {
    const inner = i.path.map((k) => (typeof k === 'number' ? String(k) : safeCode(String(k)))).join('.');
    const path = prefix ? (inner ? `${prefix}.${inner}` : prefix) : inner || '(root)';
    // Identifier rules already name their field ("personalId: …"): say it once.
    const bare = inner || path;
    const message =
      i.code === 'unrecognized_keys'
        ? `Unrecognized keys: ${i.keys.map((k) => safeCode(k)).join(', ')}`
        : i.message.startsWith(`${bare}: `)
          ? i.message.slice(bare.length + 2)
          : i.message;
    return { issue: { path, message, code: issueCode(i, input, schema) }, zod: i };
  });
}

function issueCode(i: z.core.$ZodIssue, input: unknown, schema: z.ZodType | undefined): IssueCode {
  if (i.code !== 'unrecognized_keys' && i.code !== 'invalid_type' && schema !== undefined) {
    // A required field left empty (or blank) is "required", whatever rule the empty text broke.
    const value = valueAt(input, i.path);
    if (typeof value === 'string' && value.trim() === '' && isRequired(schema, i.path)) return 'required';
  }
  switch (i.code) {
    case 'invalid_type':
      return valueAt(input, i.path) === undefined ? 'required' : 'type';
    case 'too_big':
      return 'too_long';
    case 'too_small': {
      // Only a length of at least 1 means "required"; a number's minimum is a range.
      const one = i.minimum === 1 || i.minimum === 1n;
      return one && (i.origin === 'string' || i.origin === 'array') ? 'required' : 'too_short';
    }
    case 'invalid_value':
    case 'invalid_union':
      return 'invalid_value';
    case 'unrecognized_keys':
      return 'unknown_field';
    default:
      return 'format';
  }
}

/** The value at a zod path of an already-read input (zod read it without throwing). */
function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v = input;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    try {
      v = (v as Record<PropertyKey, unknown>)[k];
    } catch {
      return undefined;
    }
  }
  return v;
}

interface SchemaDef {
  type?: string;
  shape?: Record<string, unknown>;
  in?: unknown;
  innerType?: unknown;
  element?: unknown;
}

/** Whether the field at `path` of an object schema refuses `undefined`; `true` when it cannot tell. */
function isRequired(schema: z.ZodType, path: PropertyKey[]): boolean {
  let s: unknown = schema;
  for (const k of path) {
    let def = (s as { _zod?: { def?: SchemaDef } })?._zod?.def;
    // Through transforms (`pipe`) to the object holding the field.
    while (def?.type === 'pipe') def = (def.in as { _zod?: { def?: SchemaDef } })?._zod?.def;
    if (typeof k === 'number' && def?.type === 'array') s = def.element;
    else if (def?.type === 'object' && def.shape && Object.hasOwn(def.shape, k as string))
      s = def.shape[k as string];
    else return true;
  }
  try {
    return !(s as z.ZodType).safeParse(undefined).success;
  } catch {
    return true;
  }
}

/** A call that passed validation: the parsed input and the checked context. */
export interface ValidCall {
  input: unknown;
  context: CallContext;
  personal: boolean;
  issues?: undefined;
}

/**
 * Step 1 of every call: the input must match the operation's schema, the context must match the
 * context schema (`src/context.ts`: its values become headers) and have no unknown field, and, on
 * citizen data, the context must say who and why (Law 91/2025/QH15, purpose limitation). Nothing
 * is sent otherwise. A caller fault while reading (a throwing getter, a hostile Proxy) is an issue
 * too, never a thrown error. Each issue gets its Vietnamese `userMessage`, naming the field by the
 * adapter's `labels` (then the operation's).
 */
export function validateCall(
  spec: OperationSpec,
  rawInput: unknown,
  rawContext: unknown,
  adapterLabels?: FieldLabels,
): ValidCall | { issues: FieldIssue[]; personal: boolean; context: CallContext } {
  const drafts: Draft[] = [];
  let parsed: ReturnType<OperationSpec['input']['safeParse']> | undefined;
  try {
    parsed = spec.input.safeParse(rawInput);
  } catch {
    drafts.push({
      issue: { path: '(root)', message: 'could not be read (a getter or Proxy threw)', code: 'unreadable' },
    });
  }
  let personal = spec.personalData === true;
  try {
    if (typeof spec.personalData === 'function')
      personal = !parsed?.success || spec.personalData(parsed.data);
  } catch {
    personal = true; // cannot tell: audit it, as for an invalid input
  }

  const snap = snapshotContext(rawContext);
  for (const f of snap.faults)
    drafts.push({ issue: { ...f, code: f.message === 'must be an object' ? 'type' : 'unreadable' } });
  for (const key of snap.unknown)
    drafts.push({
      issue: {
        path: `context.${safeCode(key)}`,
        message: `unknown field${didYouMean(key, CONTEXT_FIELDS)}; known: ${CONTEXT_FIELDS.join(', ')}`,
        code: 'unknown_field',
      },
    });
  // Well-formed contexts (nearly all) skip zod; the schema runs to report what is wrong otherwise.
  const fast = parseContextFast(snap.value);
  const ctx = fast ? { success: true as const, data: fast } : callContextSchema.safeParse(snap.value);
  if (!ctx.success) drafts.push(...zodDrafts(ctx.error, 'context', snap.value));
  // Only well-formed fields are kept (the audit record of a refused call uses them).
  const context: CallContext = ctx.success ? ctx.data : keepValid(snap.value);

  if (personal) {
    requireContext(
      drafts,
      snap.value,
      'purpose',
      'required: the procedure code this citizen data is needed for',
    );
    requireContext(drafts, snap.value, 'actor', 'required: the officer making the call');
  }
  if (parsed && !parsed.success) drafts.push(...zodDrafts(parsed.error, '', rawInput, spec.input));
  if (drafts.length > 0 || !parsed?.success) {
    const labelOf = labelLookup(adapterLabels, spec.labels);
    return { issues: drafts.map((d) => worded(d, labelOf)), personal, context };
  }
  return { input: parsed.data, context, personal };
}

/**
 * On citizen data, `purpose` and `actor` are required: missing or blank is "required" (not a
 * format error of the empty text, which the schema may also have raised).
 */
function requireContext(
  drafts: Draft[],
  value: Record<string, unknown>,
  field: 'purpose' | 'actor',
  message: string,
): void {
  const path = `context.${field}`;
  const v = value[field];
  const blank = v === undefined || (typeof v === 'string' && v.trim() === '');
  // A field that could not be read is reported as such, not as missing.
  if (!blank || drafts.some((d) => d.issue.path === path && d.issue.code === 'unreadable')) return;
  for (let i = drafts.length - 1; i >= 0; i--) if (drafts[i]!.issue.path === path) drafts.splice(i, 1);
  drafts.push({ issue: { path, message, code: 'required' } });
}

function worded(draft: Draft, labelOf: LabelLookup): FieldIssue {
  const { issue } = draft;
  return issue.userMessage === undefined
    ? { ...issue, userMessage: issueSentence(issue, labelOf, draft.zod) }
    : issue;
}

function keepValid(value: Record<string, unknown>): CallContext {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const one = callContextSchema.shape[k as keyof typeof callContextSchema.shape]?.safeParse(v);
    if (one?.success) out[k] = one.data;
  }
  return out as CallContext;
}

/**
 * The `VALIDATION` error: `message` lists paths and rules (English, for developers), `userMessage`
 * (Vietnamese) names each field by its label and states its rule, and each issue carries a stable
 * `code` and its own Vietnamese `userMessage`. `platform` is the adapter's display name; `labels`
 * name the fields of issues that have no `userMessage` yet.
 */
export function validationError(
  issues: FieldIssue[],
  platform?: string,
  labels?: FieldLabels | LabelLookup,
): GatewayError {
  const labelOf = typeof labels === 'function' ? labels : labelLookup(labels);
  const all = issues.map((i) => worded({ issue: i }, labelOf));
  const summary = all.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new GatewayError('VALIDATION', `Invalid call: ${summary}`, {
    issues: all,
    retryable: false,
    userMessage: validationUserMessage(
      all.map((i) => i.userMessage!),
      platform,
    ),
  });
}
