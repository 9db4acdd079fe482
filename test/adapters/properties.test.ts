/**
 * Property-based tests of every operation's input schema: whatever a caller passes, a call that
 * the schema refuses fails with a VALIDATION gateway error (nothing else is thrown) and sends no
 * request.
 */
import fc from 'fast-check';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { type CallContext, isGatewayError } from 'vn-national-gateway';
import { landRegistry, taxRegistry, vneid } from 'vn-national-gateway/adapters';
import {
  getParcelSample,
  landContext,
  submitRegistrationSample,
  verifyCertificateSample,
} from '../../adapters/land-registry/fixtures.js';
import {
  enterpriseTaxCode,
  registerTaxpayerSample,
  taxContext,
} from '../../adapters/tax-registry/fixtures.js';
import { getCitizenProfileSample, verifyCitizenSample, vneidContext } from '../../adapters/vneid/fixtures.js';
import { testGateway } from './helpers.js';

const RUNS = 200;

type Call = (input: unknown, context?: CallContext) => Promise<unknown>;

interface Case {
  upstream: 'vneid' | 'land' | 'tax';
  operation: string;
  schema: z.ZodType;
  valid: Record<string, unknown>;
  context: CallContext;
}

const cases: Case[] = [
  ...Object.entries({ verifyCitizen: verifyCitizenSample, getCitizenProfile: getCitizenProfileSample }).map(
    ([operation, valid]) => ({
      upstream: 'vneid' as const,
      operation,
      schema: vneid.spec.operations[operation as keyof typeof vneid.spec.operations].input,
      valid,
      context: vneidContext,
    }),
  ),
  ...Object.entries({
    getParcel: getParcelSample,
    verifyCertificate: verifyCertificateSample,
    submitRegistration: submitRegistrationSample,
    getRegistrationStatus: { receiptId: 'BN-000001' },
  }).map(([operation, valid]) => ({
    upstream: 'land' as const,
    operation,
    schema: landRegistry.spec.operations[operation as keyof typeof landRegistry.spec.operations].input,
    valid,
    context: landContext,
  })),
  ...Object.entries({
    lookupTaxCode: { taxCode: enterpriseTaxCode },
    registerTaxpayer: registerTaxpayerSample,
    getRegistrationStatus: { registrationId: 'HST-000001' },
  }).map(([operation, valid]) => ({
    upstream: 'tax' as const,
    operation,
    schema: taxRegistry.spec.operations[operation as keyof typeof taxRegistry.spec.operations].input,
    valid,
    context: taxContext,
  })),
];

/** A value of the wrong kind, or a near miss of a valid string or number. */
function wrong(valid: unknown): fc.Arbitrary<unknown> {
  const near: fc.Arbitrary<unknown>[] = [];
  if (typeof valid === 'string') {
    near.push(
      fc.constant(''),
      fc.constant(` ${valid}`),
      fc.constant(valid.slice(1)),
      fc.constant(`${valid}0`),
      fc.constant(valid.toLowerCase()),
      fc.string().map((s) => valid.slice(0, 3) + s),
      fc.stringMatching(/^\d{0,14}$/),
      fc.string({ unit: 'grapheme', maxLength: 120 }),
    );
  }
  if (typeof valid === 'number') near.push(fc.integer({ max: 0 }), fc.double(), fc.constant(Number.NaN));
  return fc.oneof(
    ...near,
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.integer(),
    fc.string(),
    fc.array(fc.anything(), { maxLength: 3 }),
    fc.object({ maxDepth: 1 }),
  );
}

/** An object shaped like `valid` with fields kept, dropped, replaced by wrong values, or nested wrongs. */
function structured(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, value] of Object.entries(valid)) {
    const variants: fc.Arbitrary<unknown>[] = [fc.constant(value), wrong(value)];
    if (value && typeof value === 'object') variants.push(structured(value as Record<string, unknown>));
    fields[key] = fc.oneof(...variants);
  }
  return fc
    .tuple(fc.record(fields, { requiredKeys: [] }), fc.dictionary(fc.string(), fc.anything(), { maxKeys: 2 }))
    .map(([obj, extra]) => ({ ...extra, ...obj }));
}

let t: ReturnType<typeof testGateway>;
let unmatched = 0;
const onNoMatch = () => {
  unmatched++;
};
beforeAll(() => {
  nock.disableNetConnect();
  nock.emitter.on('no match', onNoMatch);
});
afterAll(() => {
  nock.emitter.removeListener('no match', onNoMatch);
  nock.enableNetConnect();
});
beforeEach(() => {
  t = testGateway();
  unmatched = 0;
});
afterEach(async () => {
  await t.gateway.close();
  nock.cleanAll();
});

describe('input schemas under random input', () => {
  for (const c of cases) {
    it(`${c.upstream}.${c.operation}: only VALIDATION errors, no request`, async () => {
      const client = (t.gateway as unknown as Record<string, Record<string, Call>>)[c.upstream]!;
      const call = client[c.operation]!;
      let checked = 0;
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.anything(), structured(c.valid)), async (input) => {
          // An input that happens to be valid is not this property's concern (it would be sent).
          if (c.schema.safeParse(input).success) return;
          checked++;
          let error: unknown;
          try {
            await call(input, c.context);
          } catch (e) {
            error = e;
          }
          expect(isGatewayError(error, 'VALIDATION')).toBe(true);
          expect((error as { attempts?: number }).attempts).toBe(0);
        }),
        { numRuns: RUNS },
      );
      expect(checked).toBeGreaterThan(RUNS / 2);
      expect(unmatched).toBe(0);
      expect(t.calls.every((e) => e.outcome === 'VALIDATION' && e.attempts === 0)).toBe(true);
    });
  }

  it('the valid samples are valid (so the properties above test near misses)', () => {
    for (const c of cases) expect(c.schema.safeParse(c.valid).success).toBe(true);
  });

  it('messages of refused inputs never echo the personal values', async () => {
    const secrets = ['079203001234', '079085001234', 'Nguyễn Văn A', '2003-05-01', '1985-03-12'];
    await fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        fc.constantFrom(...secrets),
        fc.constantFrom('x', ' ', '0', 'A'),
        (c, secret, junk) => {
          // Each personal value, slightly spoiled, in every field of the operation.
          const spoiled = Object.fromEntries(Object.keys(c.valid).map((k) => [k, `${secret}${junk}`]));
          const r = c.schema.safeParse(spoiled);
          if (r.success) return;
          const text = JSON.stringify(r.error.issues.map((i) => i.message));
          for (const s of secrets) expect(text).not.toContain(s);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
