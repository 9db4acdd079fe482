import { describe, expect, it } from 'vitest';
import { parseTaxCode, taxCodeCheckDigit, taxCodeSchema } from 'vn-national-gateway/identifiers';

// Published tax codes of well-known enterprises (each also checked against the check-digit rule).
const REAL = {
  'Vinamilk (Công ty CP Sữa Việt Nam)': '0300588569',
  'FPT Corporation': '0101248141',
  Viettel: '0100109106',
  Vietcombank: '0100112437',
  VNPT: '0100684378',
  Vingroup: '0101245486',
  'Hòa Phát Group': '0900189284',
  Petrolimex: '0100107370',
  'Vietnam Airlines': '0100107518',
  EVN: '0100100079',
  'Masan Group': '0303576603',
  Sabeco: '0300583659',
  'Thế Giới Di Động': '0306731335',
  Techcombank: '0100230800',
};

describe('taxCodeCheckDigit', () => {
  it.each(Object.entries(REAL))('gives the published check digit of %s', (_name, code) => {
    expect(taxCodeCheckDigit(code.slice(0, 9))).toBe(Number(code[9]));
  });

  it('gives 0 when the weighted sum leaves remainder 10 (Petrolimex, Techcombank)', () => {
    expect(taxCodeCheckDigit('010010737')).toBe(0);
    expect(taxCodeCheckDigit('010023080')).toBe(0);
  });

  it('gives undefined when the sum is divisible by 11 (the formula would give 10)', () => {
    // 31·1 + 3·8 = 55
    expect(taxCodeCheckDigit('100000008')).toBeUndefined();
    expect(taxCodeCheckDigit('300588568')).toBeUndefined();
  });

  it('throws on anything but nine digits (a programming error)', () => {
    expect(() => taxCodeCheckDigit('12345678')).toThrow(RangeError);
    expect(() => taxCodeCheckDigit('12345678a')).toThrow(RangeError);
  });
});

describe('parseTaxCode', () => {
  it.each(Object.entries(REAL))('accepts the tax code of %s as an enterprise code', (_name, code) => {
    expect(parseTaxCode(code)).toEqual({ ok: true, value: { kind: 'enterprise', normalized: code } });
  });

  it('rejects a wrong check digit', () => {
    const r = parseTaxCode('0300588560');
    expect(r).toEqual({ ok: false, issues: ['taxCode: the check digit (10th digit) is wrong'] });
  });

  it('rejects every code whose first nine digits admit no check digit', () => {
    for (let d = 0; d <= 9; d++) {
      const r = parseTaxCode(`100000008${d}`);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.issues[0]).toMatch(/check digit would be 10/);
    }
  });

  it('rejects digits 3–9 all zero even with a matching check digit', () => {
    // 29·1 = 29, 29 mod 11 = 7, 10 − 7 = 3: the checksum alone would pass.
    expect(taxCodeCheckDigit('010000000')).toBe(3);
    expect(parseTaxCode('0100000003')).toEqual({
      ok: false,
      issues: ['taxCode: digits 3–9 must not all be zero'],
    });
  });

  it('accepts a branch code NNNNNNNNNN-NNN and names its parent', () => {
    expect(parseTaxCode('0100109106-001')).toEqual({
      ok: true,
      value: { kind: 'branch', normalized: '0100109106-001', parentTaxCode: '0100109106' },
    });
    expect(parseTaxCode('0300588569-999').ok).toBe(true);
  });

  it('accepts a branch code written as 13 digits and normalises it with the dash', () => {
    const r = parseTaxCode('0300588569012');
    expect(r).toEqual({
      ok: true,
      value: { kind: 'branch', normalized: '0300588569-012', parentTaxCode: '0300588569' },
    });
  });

  it('rejects branch suffix 000 and a branch of an invalid parent', () => {
    expect(parseTaxCode('0300588569-000')).toEqual({
      ok: false,
      issues: ['taxCode: a branch suffix (digits 11–13) must be 001–999'],
    });
    expect(parseTaxCode('0300588560-001')).toEqual({
      ok: false,
      issues: ['taxCode: the check digit (10th digit) is wrong'],
    });
  });

  it('accepts a 12-digit personal identification number (individuals since 1 July 2025)', () => {
    expect(parseTaxCode('079203001234')).toEqual({
      ok: true,
      value: { kind: 'personal', normalized: '079203001234' },
    });
  });

  it('applies the personal-number rules to a 12-digit code, without echoing it', () => {
    const unknownProvince = parseTaxCode('099203001234');
    expect(unknownProvince.ok).toBe(false);
    if (!unknownProvince.ok) {
      expect(unknownProvince.issues[0]).toMatch(/^taxCode \(personal identification number\): digits 1–3/);
      expect(unknownProvince.issues.join()).not.toContain('099203001234');
    }
    const future = parseTaxCode('079230001234', { now: new Date('2025-07-01T00:00:00Z') });
    expect(future.ok).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['9 digits', '030058856'],
    ['11 digits', '03005885690'],
    ['14 digits', '03005885690123'],
    ['branch with 2-digit suffix', '0300588569-01'],
    ['branch with 4-digit suffix', '0300588569-0001'],
    ['spaces', ' 0300588569'],
    ['letters', '03005885A9'],
    ['dash elsewhere', '030058-8569'],
  ])('rejects a wrong length or form: %s', (_label, value) => {
    const r = parseTaxCode(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatch(/^taxCode: /);
  });

  it('rejects a value that is not a string', () => {
    expect(parseTaxCode(300588569)).toEqual({ ok: false, issues: ['taxCode: must be a string'] });
  });
});

describe('taxCodeSchema', () => {
  it('outputs the normalised code', () => {
    expect(taxCodeSchema.parse('0300588569012')).toBe('0300588569-012');
    expect(taxCodeSchema.parse('0300588569')).toBe('0300588569');
  });

  it('reports the rule, not the code', () => {
    const r = taxCodeSchema.safeParse('0300588560');
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(r.error.issues.map((i) => i.message)).toEqual([
        'taxCode: the check digit (10th digit) is wrong',
      ]);
      expect(JSON.stringify(r.error.issues)).not.toContain('0300588560');
    }
  });
});
