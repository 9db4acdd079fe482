import type { z } from 'zod';
import type { CallContext, OperationSpec } from '../adapter.js';
import { callContextSchema, parseContextFast, snapshotContext } from '../context.js';
import { type FieldIssue, GatewayError, type IssueCode } from '../errors.js';
import { safeCode } from './unknown-values.js';

/**
 * zod issues as paths, rules and stable codes; zod's messages name the rule, never the value. Keys
 * are data too (a record keyed by personal ID, a platform sending a name as a key): a path segment
 * or an unrecognized key enters the issue only when code-shaped (`safeCode`).
 */
export function zodIssues(error: z.ZodError, prefix = '', input?: unknown): FieldIssue[] {
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
    return { path, message, code: issueCode(i, input) };
  });
}

function issueCode(i: z.core.$ZodIssue, input: unknown): IssueCode {
  switch (i.code) {
    case 'invalid_type':
      return valueAt(input, i.path) === undefined ? 'required' : 'type';
    case 'too_big':
      return 'too_long';
    case 'too_small':
      return (i as { minimum?: unknown }).minimum === 1 || (i as { minimum?: unknown }).minimum === 1n
        ? 'required'
        : 'too_short';
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

/** A call that passed validation: the parsed input and the checked context. */
export interface ValidCall {
  input: unknown;
  context: CallContext;
  personal: boolean;
  issues?: undefined;
}

/**
 * Step 1 of every call: the input must match the operation's schema, the context must match the
 * context schema (`src/context.ts`: its values become headers), and, on citizen data, the context
 * must say who and why (Law 91/2025/QH15, purpose limitation). Nothing is sent otherwise. A caller
 * fault while reading (a throwing getter, a hostile Proxy) is an issue too, never a thrown error.
 */
export function validateCall(
  spec: OperationSpec,
  rawInput: unknown,
  rawContext: unknown,
): ValidCall | { issues: FieldIssue[]; personal: boolean; context: CallContext } {
  const issues: FieldIssue[] = [];
  let parsed: ReturnType<OperationSpec['input']['safeParse']> | undefined;
  try {
    parsed = spec.input.safeParse(rawInput);
  } catch {
    issues.push({
      path: '(root)',
      message: 'could not be read (a getter or Proxy threw)',
      code: 'unreadable',
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
    issues.push({ ...f, code: f.message === 'must be an object' ? 'type' : 'unreadable' });
  // Well-formed contexts (nearly all) skip zod; the schema runs to report what is wrong otherwise.
  const fast = parseContextFast(snap.value);
  const ctx = fast ? { success: true as const, data: fast } : callContextSchema.safeParse(snap.value);
  if (!ctx.success) issues.push(...zodIssues(ctx.error, 'context', snap.value));
  // Only well-formed fields are kept (the audit record of a refused call uses them).
  const context: CallContext = ctx.success ? ctx.data : keepValid(snap.value);

  if (personal) {
    if (!nonEmpty(context.purpose) && !issues.some((i) => i.path === 'context.purpose'))
      issues.push({
        path: 'context.purpose',
        message: 'required: the procedure code this citizen data is needed for',
        code: 'required',
      });
    if (!nonEmpty(context.actor) && !issues.some((i) => i.path === 'context.actor'))
      issues.push({
        path: 'context.actor',
        message: 'required: the officer making the call',
        code: 'required',
      });
  }
  if (parsed && !parsed.success) issues.push(...zodIssues(parsed.error, '', rawInput));
  if (issues.length > 0 || !parsed?.success) return { issues, personal, context };
  return { input: parsed.data, context, personal };
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
 * The `VALIDATION` error: `message` lists paths and rules, `userMessage` (Vietnamese) names the
 * fields, and each issue carries a stable `code`. `platform` is the adapter's display name.
 */
export function validationError(issues: FieldIssue[], platform?: string): GatewayError {
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  const fields = [...new Set(issues.map((i) => i.path))].join(', ');
  const where = platform ? ` gửi tới ${platform[0]!.toLowerCase()}${platform.slice(1)}` : '';
  return new GatewayError('VALIDATION', `Invalid call: ${summary}`, {
    issues,
    retryable: false,
    userMessage: `Thông tin nhập vào${where} không hợp lệ (${fields}), vui lòng kiểm tra lại.`,
  });
}

function nonEmpty(v: unknown): boolean {
  return typeof v === 'string' && v.trim().length > 0;
}
