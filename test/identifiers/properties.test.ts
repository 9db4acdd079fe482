import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkPersonalIdAgainstDateOfBirth,
  fromWireDate,
  listBirthProvinces,
  normalizeCertificateSerial,
  parsePersonalId,
  parseTaxCode,
  resolveCommuneCode,
  taxCodeCheckDigit,
  toWireDate,
} from 'vn-national-gateway/identifiers';

const nineDigits = fc.stringMatching(/^\d{9}$/);
// Digits 3–9 all zero are never valid, whatever the check digit.
const sequenceOk = (first9: string) => !/^\d{2}0{7}$/.test(first9);

describe('tax code properties', () => {
  it('accepts any nine digits followed by their computed check digit', () => {
    fc.assert(
      fc.property(nineDigits, (first9) => {
        const digit = taxCodeCheckDigit(first9);
        fc.pre(digit !== undefined && sequenceOk(first9));
        const r = parseTaxCode(`${first9}${digit}`);
        expect(r).toEqual({ ok: true, value: { kind: 'enterprise', normalized: `${first9}${digit}` } });
      }),
    );
  });

  it('rejects any other tenth digit', () => {
    fc.assert(
      fc.property(nineDigits, fc.integer({ min: 0, max: 9 }), (first9, tenth) => {
        fc.pre(taxCodeCheckDigit(first9) !== tenth);
        expect(parseTaxCode(`${first9}${tenth}`).ok).toBe(false);
      }),
    );
  });

  it('accepts a branch of any valid code with suffix 001–999, with or without the dash', () => {
    fc.assert(
      fc.property(nineDigits, fc.integer({ min: 1, max: 999 }), fc.boolean(), (first9, n, dash) => {
        const digit = taxCodeCheckDigit(first9);
        fc.pre(digit !== undefined && sequenceOk(first9));
        const parent = `${first9}${digit}`;
        const suffix = String(n).padStart(3, '0');
        const r = parseTaxCode(`${parent}${dash ? '-' : ''}${suffix}`);
        expect(r).toEqual({
          ok: true,
          value: { kind: 'branch', normalized: `${parent}-${suffix}`, parentTaxCode: parent },
        });
      }),
    );
  });
});

describe('personal identification number properties', () => {
  const provinces = listBirthProvinces().map((p) => p.code);
  const personalId = fc
    .tuple(
      fc.constantFrom(...provinces),
      fc.integer({ min: 0, max: 9 }),
      fc.stringMatching(/^\d{2}$/),
      fc.stringMatching(/^\d{6}$/),
    )
    .map(([p, g, yy, rest]) => `${p}${g}${yy}${rest}`);

  it('decodes every well-formed number, and refuses exactly those born after now', () => {
    const now = new Date('2025-07-01T00:00:00Z');
    fc.assert(
      fc.property(personalId, (id) => {
        const g = Number(id[3]);
        const year = 1900 + 100 * Math.floor(g / 2) + Number(id.slice(4, 6));
        const r = parsePersonalId(id, { now });
        expect(r.ok).toBe(year <= 2025);
        if (r.ok) expect(r.value).toMatchObject({ birthYear: year, gender: g % 2 ? 'female' : 'male' });
        else expect(r.issues.join('\n')).not.toContain(id);
      }),
    );
  });

  it('agrees with a date of birth in the encoded year, and never echoes either value', () => {
    fc.assert(
      fc.property(
        personalId,
        fc.integer({ min: 1900, max: 2399 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        (id, year, month, day) => {
          const dob = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          const encoded = 1900 + 100 * Math.floor(Number(id[3]) / 2) + Number(id.slice(4, 6));
          const message = checkPersonalIdAgainstDateOfBirth(id, dob);
          expect(message === undefined).toBe(encoded === year);
          if (message) {
            expect(message).toMatch(/^personalId: .*dateOfBirth is in \d{4}$/);
            expect(message).not.toContain(id);
            expect(message).not.toContain(dob);
          }
        },
      ),
    );
  });
});

describe('parse functions never throw', () => {
  const anyValue = fc.oneof(fc.string(), fc.stringMatching(/^[\d -]{0,15}$/), fc.anything());

  it('returns issues instead of throwing', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const tax = parseTaxCode(value);
        expect(tax.ok || tax.issues.length > 0).toBe(true);
        const person = parsePersonalId(value);
        expect(person.ok || person.issues.length > 0).toBe(true);
        normalizeCertificateSerial(value);
        fromWireDate(value);
        if (typeof value === 'string') {
          resolveCommuneCode(value);
          checkPersonalIdAgainstDateOfBirth(value, value);
        }
      }),
    );
  });
});

describe('date properties', () => {
  it('round-trips every real date through the wire form', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0001-01-01T00:00:00Z'),
          max: new Date('9999-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        (date) => {
          const iso = date.toISOString().slice(0, 10);
          expect(fromWireDate(toWireDate(iso))).toBe(iso);
        },
      ),
    );
  });
});
