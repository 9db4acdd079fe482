import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  checkPersonalIdAgainstDateOfBirth,
  createPersonalIdSchema,
  getBirthProvince,
  isoDateSchema,
  listBirthProvinces,
  oldIdCardSchema,
  parsePersonalId,
  personalIdSchema,
  refinePersonalIdDateOfBirth,
} from 'vn-national-gateway/identifiers';

const FAR_FUTURE = new Date('2400-01-01T00:00:00Z');

describe('parsePersonalId', () => {
  it.each([
    ['0', 'male', 1985],
    ['1', 'female', 1985],
    ['2', 'male', 2085],
    ['3', 'female', 2085],
    ['4', 'male', 2185],
    ['5', 'female', 2185],
    ['6', 'male', 2285],
    ['7', 'female', 2285],
    ['8', 'male', 2385],
    ['9', 'female', 2385],
  ] as const)('decodes gender/century digit %s as %s born %i', (g, gender, birthYear) => {
    expect(parsePersonalId(`079${g}85123456`, { now: FAR_FUTURE })).toEqual({
      ok: true,
      value: {
        provinceCode: '079',
        provinceName: 'Thành phố Hồ Chí Minh',
        gender,
        birthYear,
        centuryDigit: Number(g),
      },
    });
  });

  it('decodes a Hà Nội number born 2003 with the real clock', () => {
    const r = parsePersonalId('001303012345');
    expect(r.ok && r.value).toMatchObject({ provinceCode: '001', gender: 'female', birthYear: 2003 });
  });

  it('rejects an unknown birth-registration province code, naming the digits but not the number', () => {
    for (const code of ['000', '003', '063', '097', '099', '123']) {
      const id = `${code}203001234`;
      const r = parsePersonalId(id);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.issues).toEqual([
          `personalId: digits 1–3 (${code}) are not a known birth-registration province code`,
        ]);
        expect(r.issues.join()).not.toContain(id);
      }
    }
  });

  it('rejects a birth year in the future of the injected clock', () => {
    const now = new Date('2025-07-01T00:00:00Z');
    expect(parsePersonalId('079225001234', { now }).ok).toBe(true);
    expect(parsePersonalId('079226001234', { now })).toEqual({
      ok: false,
      issues: ['personalId: digits 4–6 give birth year 2026, which is in the future'],
    });
    // g = 4 is the 22nd century: always in the future today.
    expect(parsePersonalId('079400001234', { now }).ok).toBe(false);
  });

  it("takes the current year in Vietnam (UTC+7), not the server's", () => {
    // 2025-12-31T17:30Z is already 2026-01-01 00:30 in Hồ Chí Minh City.
    expect(parsePersonalId('079226001234', { now: new Date('2025-12-31T17:30:00Z') }).ok).toBe(true);
    expect(parsePersonalId('079226001234', { now: new Date('2025-12-31T16:30:00Z') }).ok).toBe(false);
  });

  it('reports both an unknown province and a future year', () => {
    const r = parsePersonalId('099499001234', { now: new Date('2025-07-01T00:00:00Z') });
    expect(r.ok === false && r.issues).toHaveLength(2);
  });

  it.each([
    ['11 digits', '07920300123'],
    ['13 digits', '0792030012345'],
    ['a space', '079203 01234'],
    ['letters', '07920300123A'],
    ['empty', ''],
    ['a number', 79203001234],
    ['undefined', undefined],
  ])('rejects %s', (_label, value) => {
    expect(parsePersonalId(value)).toEqual({ ok: false, issues: ['personalId: must be exactly 12 digits'] });
  });
});

describe('personalIdSchema', () => {
  it('accepts a valid number unchanged', () => {
    expect(personalIdSchema.parse('079203001234')).toBe('079203001234');
  });

  it('reads the injected clock at each parse', () => {
    let now = new Date('2025-07-01T00:00:00Z');
    const schema = createPersonalIdSchema({ now: () => now });
    expect(schema.safeParse('079226001234').success).toBe(false);
    now = new Date('2026-01-02T00:00:00Z');
    expect(schema.safeParse('079226001234').success).toBe(true);
  });

  it('never puts the number in its issues', () => {
    const r = personalIdSchema.safeParse('099203001234');
    expect(r.success).toBe(false);
    if (!r.success) expect(JSON.stringify(r.error)).not.toContain('099203001234');
  });
});

describe('checkPersonalIdAgainstDateOfBirth', () => {
  it('accepts a date of birth in the encoded year', () => {
    expect(checkPersonalIdAgainstDateOfBirth('079203001234', '2003-05-01')).toBeUndefined();
    expect(checkPersonalIdAgainstDateOfBirth('079085001234', '1985-12-31')).toBeUndefined();
  });

  it('names the fields and the century rule, without the number or the full date', () => {
    const id = '079203001234';
    const message = checkPersonalIdAgainstDateOfBirth(id, '1985-05-01');
    expect(message).toBe('personalId: gender/century digit says born 2000–2099 but dateOfBirth is in 1985');
    expect(message).not.toContain(id);
    expect(message).not.toContain('1985-05-01');
    expect(message).not.toContain('05-01');
  });

  it('names the year-digits rule when the century agrees', () => {
    const message = checkPersonalIdAgainstDateOfBirth('079203001234', '2004-01-15');
    expect(message).toBe('personalId: birth-year digits (5–6) say born 2003 but dateOfBirth is in 2004');
    expect(message).not.toContain('079203001234');
    expect(message).not.toContain('2004-01-15');
  });

  it('leaves malformed values to their own schemas', () => {
    expect(checkPersonalIdAgainstDateOfBirth('07920300123', '1985-05-01')).toBeUndefined();
    expect(checkPersonalIdAgainstDateOfBirth('079203001234', '2003-02-30')).toBeUndefined();
  });
});

describe('refinePersonalIdDateOfBirth', () => {
  const citizen = z
    .object({ personalId: personalIdSchema, fullName: z.string(), dateOfBirth: isoDateSchema })
    .superRefine(refinePersonalIdDateOfBirth);

  it('passes when they agree', () => {
    expect(
      citizen.safeParse({ personalId: '079203001234', fullName: 'Nguyễn Văn A', dateOfBirth: '2003-05-01' })
        .success,
    ).toBe(true);
  });

  it('adds the issue at path dateOfBirth, without echoing the values', () => {
    const r = citizen.safeParse({
      personalId: '079203001234',
      fullName: 'Nguyễn Văn A',
      dateOfBirth: '1985-05-01',
    });
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(r.error.issues).toHaveLength(1);
      expect(r.error.issues[0]).toMatchObject({
        code: 'custom',
        path: ['dateOfBirth'],
        message: 'personalId: gender/century digit says born 2000–2099 but dateOfBirth is in 1985',
      });
      const text = JSON.stringify(r.error.issues) + r.error.message;
      expect(text).not.toContain('079203001234');
      expect(text).not.toContain('1985-05-01');
    }
  });
});

describe('birth provinces', () => {
  it('lists the 63 pre-2025 provinces, 001 Hà Nội … 096 Cà Mau', () => {
    const list = listBirthProvinces();
    expect(list).toHaveLength(63);
    expect(list[0]).toEqual({ code: '001', name: 'Thành phố Hà Nội' });
    expect(list.at(-1)).toEqual({ code: '096', name: 'Tỉnh Cà Mau' });
    expect(getBirthProvince('079')?.name).toBe('Thành phố Hồ Chí Minh');
    expect(getBirthProvince('074')?.name).toBe('Tỉnh Bình Dương');
    expect(getBirthProvince('077')?.name).toBe('Tỉnh Bà Rịa - Vũng Tàu');
    expect(getBirthProvince('003')).toBeUndefined();
  });
});

describe('oldIdCardSchema', () => {
  it('accepts 9 digits and nothing else', () => {
    expect(oldIdCardSchema.parse('023456789')).toBe('023456789');
    for (const bad of ['02345678', '0234567890', '02345678a', ' 023456789']) {
      const r = oldIdCardSchema.safeParse(bad);
      expect(r.success).toBe(false);
      if (!r.success) expect(r.error.issues[0]?.message).toBe('oldIdCard: must be exactly 9 digits');
    }
  });
});
