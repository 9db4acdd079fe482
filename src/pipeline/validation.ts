import type { z } from 'zod';
import type { CallContext, OperationSpec } from '../adapter.js';
import { type FieldIssue, GatewayError } from '../errors.js';

/** zod issues as paths and rules; zod's messages name the rule, never the value. */
export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => {
    const path = i.path.map(String).join('.') || '(root)';
    // Identifier rules already name their field ("personalId: …"): say it once.
    const message = i.message.startsWith(`${path}: `) ? i.message.slice(path.length + 2) : i.message;
    return { path, message };
  });
}

/**
 * Step 1 of every call: the input must match the operation's schema and, on citizen data, the
 * context must say who and why (Law 91/2025/QH15, purpose limitation). Nothing is sent otherwise.
 */
export function validateCall(
  spec: OperationSpec,
  rawInput: unknown,
  context: CallContext,
): { input: unknown; personal: boolean; issues?: undefined } | { issues: FieldIssue[]; personal: boolean } {
  const issues: FieldIssue[] = [];
  const parsed = spec.input.safeParse(rawInput);
  const personal =
    typeof spec.personalData === 'function'
      ? !parsed.success || spec.personalData(parsed.data)
      : spec.personalData === true;
  if (personal) {
    if (!nonEmpty(context.purpose))
      issues.push({
        path: 'context.purpose',
        message: 'required: the procedure code this citizen data is needed for',
      });
    if (!nonEmpty(context.actor))
      issues.push({ path: 'context.actor', message: 'required: the officer making the call' });
  }
  if (!parsed.success) issues.push(...zodIssues(parsed.error));
  if (issues.length > 0 || !parsed.success) return { issues, personal };
  return { input: parsed.data, personal };
}

export function validationError(issues: FieldIssue[]): GatewayError {
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new GatewayError('VALIDATION', `Invalid call: ${summary}`, { issues, retryable: false });
}

function nonEmpty(v: unknown): boolean {
  return typeof v === 'string' && v.trim().length > 0;
}
