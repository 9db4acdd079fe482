import { describe, expectTypeOf, it } from 'vitest';
import type { CallContext } from '../../src/adapter.js';

// Under `exactOptionalPropertyTypes`, a context built from values that may be undefined
// (e.g. `req.headers['x-actor']`) must still be assignable to CallContext.
describe('CallContext under exactOptionalPropertyTypes', () => {
  it('accepts explicitly undefined optional fields', () => {
    const maybe: string | undefined = undefined;
    const context: CallContext = {
      purpose: maybe,
      actor: maybe,
      dossierCode: maybe,
      idempotencyKey: maybe,
      signal: undefined,
      defer: undefined,
    };
    expectTypeOf(context.purpose).toEqualTypeOf<string | undefined>();
    expectTypeOf<CallContext['signal']>().toEqualTypeOf<AbortSignal | undefined>();
    // @ts-expect-error purpose is a string, not a number
    const wrong: CallContext = { purpose: 1 };
    expectTypeOf(wrong).toEqualTypeOf<CallContext>();
  });
});
