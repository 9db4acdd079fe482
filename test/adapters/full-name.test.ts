/**
 * fullNameSchema cleans a name in one step that skips what would change nothing (NFC on ASCII,
 * collapsing when spaces are single); it must parse exactly as the zod chain it replaced.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { fullNameSchema } from '../../adapters/shared.js';
import { z } from 'zod';
const old = z
  .string({ message: 'must be a string' })
  .trim()
  .normalize('NFC')
  .overwrite((s) => s.replace(/\s+/g, ' '))
  .min(1, { message: 'must not be empty', abort: true })
  .max(100, { message: 'must be at most 100 characters', abort: true })
  .regex(/^\p{L}[\p{L}\p{M} .'-]*$/u, {
    message: "must be letters (with diacritics), spaces, '.', \"'\" or '-', starting with a letter",
  });
it('fullNameSchema gives what trim → NFC → collapse → rules gave, for any input (issues included)', () => {
  const ws = fc.constantFrom(
    ' ',
    '  ',
    '\t',
    '\n',
    '\u00a0',
    '\u2000',
    '\u2001',
    '\u3000',
    '\ufeff',
    '\u2028',
    '\u0085',
    '\u180e',
    '\u200b',
  );
  const piece = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    ws,
    fc.constantFrom('Nguyễn', 'Nguye\u0302\u0303n', 'A\u030a', '\u212b', 'Văn', "O'Neil", '-', '.'),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), fc.anything(), (parts, any) => {
      const s = parts.join('');
      expect(fullNameSchema.safeParse(s)).toEqual(old.safeParse(s));
      expect(fullNameSchema.safeParse(any)).toEqual(old.safeParse(any));
    }),
    { numRuns: 3000 },
  );
});
