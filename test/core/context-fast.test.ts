/**
 * Well-formed call contexts skip zod (`parseContextFast`): for any snapshot, the fast path either
 * declines or gives exactly what the schema gives (same fields, same order, same values), and it
 * accepts every context the schema accepts, so no valid call is slowed down or judged otherwise.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callContextSchema, parseContextFast, snapshotContext } from '../../src/context.js';

const text = fc.oneof(
  fc.string({ maxLength: 140 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    'can-bo-17',
    'Nguyễn Văn A',
    '1.000001',
    'a\u0000b',
    'a\u007fb',
    'x'.repeat(128),
    'y'.repeat(129),
  ),
  fc.stringMatching(/^[A-Za-z0-9._\-/:]{1,130}$/),
);
const anything = fc.oneof(
  text,
  fc.double(),
  fc.constantFrom(
    0,
    -1,
    1,
    0.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    -0,
  ),
  fc.boolean(),
  fc.constant(null),
  fc.constant(new AbortController().signal),
  fc.constant({}),
  fc.constant([]),
);
const context = fc.record(
  {
    purpose: anything,
    actor: anything,
    dossierCode: anything,
    idempotencyKey: anything,
    signal: anything,
    defer: anything,
    deadlineMs: anything,
    correlationId: anything,
    other: anything,
  },
  { requiredKeys: [] },
);

describe('parseContextFast', () => {
  it('declines or agrees with callContextSchema, and accepts all that the schema accepts', () => {
    fc.assert(
      fc.property(context, (raw) => {
        const { value } = snapshotContext(raw);
        const expected = callContextSchema.safeParse({ ...value });
        const fast = parseContextFast({ ...value });
        if (expected.success) {
          expect(fast).toEqual(expected.data);
          expect(Object.keys(fast!)).toEqual(Object.keys(expected.data));
        } else {
          expect(fast).toBeUndefined();
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('the usual contexts take the fast path', () => {
    const signal = new AbortController().signal;
    for (const raw of [
      {},
      { purpose: '1.000001', actor: 'bench' },
      { purpose: 'Thủ tục 1.000001', actor: 'can-bo-17', dossierCode: 'G01.079.26734-250701-0042' },
      { idempotencyKey: 'k-1', signal, defer: true, deadlineMs: 1500, correlationId: 'c-1' },
    ]) {
      const { value } = snapshotContext(raw);
      expect(parseContextFast(value)).toEqual(callContextSchema.parse(value));
    }
  });
});
