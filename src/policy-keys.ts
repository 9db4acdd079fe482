/**
 * Refuses unknown keys in policy options (`policy: { retries: 5 }`, `operations: { getParcels }`):
 * a misspelt key would otherwise be ignored and the city would run on defaults it did not choose.
 */
import { ConfigurationError, DEFAULT_POLICY } from './policy.js';
import { didYouMean } from './util/suggest.js';

/** Allowed keys, nested; `true` marks a leaf. */
type Shape = { [key: string]: Shape | true };

function shapeOf(value: object): Shape {
  const out: Shape = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = typeof v === 'object' && v !== null ? shapeOf(v) : true;
  }
  return out;
}

const POLICY_SHAPE: Shape = {
  ...shapeOf(DEFAULT_POLICY),
  // Off by default, so absent from DEFAULT_POLICY.
  rateLimit: { perSecond: true, burst: true },
};

/** Per-operation overrides cannot set the per-upstream parts. */
const { breaker: _b, bulkhead: _h, concurrency: _c, rateLimit: _r, ...OPERATION_SHAPE } = POLICY_SHAPE;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownKeys(value: Record<string, unknown>, shape: Shape, path: string, out: string[]): void {
  for (const [key, v] of Object.entries(value)) {
    const sub = shape[key];
    if (sub === undefined) out.push(`${path}.${key}${didYouMean(key, Object.keys(shape))}`);
    else if (sub !== true && isPlainObject(v)) unknownKeys(v, sub, `${path}.${key}`, out);
  }
}

/**
 * Throws {@link ConfigurationError} naming every unknown key of a policy layer and every
 * `operations` key that is not one of `operationNames`.
 */
export function checkPolicyKeys(where: string, policy: unknown, operationNames: readonly string[]): void {
  if (policy === undefined) return;
  if (!isPlainObject(policy))
    throw new ConfigurationError(`Invalid configuration of ${where}: policy must be an object`);
  const found: string[] = [];
  const { operations, ...rest } = policy;
  unknownKeys(rest, POLICY_SHAPE, 'policy', found);
  if (operations !== undefined) {
    if (!isPlainObject(operations))
      throw new ConfigurationError(`Invalid configuration of ${where}: policy.operations must be an object`);
    for (const [op, over] of Object.entries(operations)) {
      if (!operationNames.includes(op))
        found.push(`policy.operations.${op}${didYouMean(op, operationNames)}`);
      else if (isPlainObject(over)) unknownKeys(over, OPERATION_SHAPE, `policy.operations.${op}`, found);
    }
  }
  if (found.length > 0) {
    const ops = operations !== undefined ? ` (operations: ${operationNames.join(', ')})` : '';
    throw new ConfigurationError(
      `Invalid configuration of ${where}: unknown policy key${found.length > 1 ? 's' : ''} ${found.join(', ')}${ops}`,
    );
  }
}
