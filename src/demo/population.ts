/**
 * The people of the demo's ward: the mock platforms' own citizens plus a seeded crowd of invented
 * ones, so a day of hundreds of dossiers has first-time visitors (no cached VNeID answer) and
 * repeat visitors (a cached one). The crowd is added to the mock's fixtures, so every visitor is
 * known to VNeID and every input is valid.
 */
import type { CitizenFixture, MockFixtures } from '../testing/fixtures.js';
import { fixtures as mockFixtures } from '../testing/fixtures.js';
import type { Rng } from './random.js';

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ'];
const FAMILY_RARE = ['Hồ', 'Ngô', 'Dương', 'Lý', 'Trương', 'Đinh', 'Lâm', 'Mai'];
const MIDDLE = {
  male: ['Văn', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thanh', 'Công', 'Gia'],
  female: ['Thị', 'Ngọc', 'Thu', 'Kim', 'Mỹ', 'Thanh', 'Bảo', 'Diệu'],
} as const;
const GIVEN = {
  male: ['An', 'Bình', 'Cường', 'Dũng', 'Hải', 'Hùng', 'Khoa', 'Long', 'Nam', 'Phúc', 'Quân', 'Sơn', 'Tài'],
  female: ['Anh', 'Chi', 'Dung', 'Hằng', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'Nga', 'Nhung', 'Trang', 'Vy'],
} as const;
/** Birth-registration provinces (3-digit codes of the personal ID): mostly Hồ Chí Minh City. */
const BIRTH_PROVINCES = [
  '079',
  '079',
  '079',
  '079',
  '079',
  '001',
  '048',
  '074',
  '075',
  '080',
  '083',
  '052',
  '040',
];
const STREETS = [
  'Phan Đình Phùng',
  'Hoàng Văn Thụ',
  'Lê Văn Sỹ',
  'Nguyễn Văn Trỗi',
  'Trần Huy Liệu',
  'Huỳnh Văn Bánh',
];

/** `YYYY-MM-DD` of a random day of `year` (days 1–28, so every month works). */
function dateIn(rng: Rng, year: number): string {
  return `${year}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
}

/**
 * `count` invented citizens with valid personal IDs: province (3) + gender/century digit + the
 * birth year's last two digits + 6 random digits, unique and distinct from the mock's own.
 */
export function generateCitizens(rng: Rng, count: number, wardCodes: readonly string[]): CitizenFixture[] {
  const taken = new Set(mockFixtures.citizens.map((c) => c.personalId));
  taken.add(mockFixtures.unknown.citizen.personalId);
  const out: CitizenFixture[] = [];
  while (out.length < count) {
    const gender = rng.chance(0.5) ? 'male' : 'female';
    const year = rng.int(1950, 2006);
    const centuryDigit = (year >= 2000 ? 2 : 0) + (gender === 'female' ? 1 : 0);
    const personalId = `${rng.pick(BIRTH_PROVINCES)}${centuryDigit}${String(year % 100).padStart(2, '0')}${rng.digits(6)}`;
    if (taken.has(personalId)) continue;
    taken.add(personalId);
    const family = rng.chance(0.8) ? rng.pick(FAMILY) : rng.pick(FAMILY_RARE);
    out.push({
      personalId,
      fullName: `${family} ${rng.pick(MIDDLE[gender])} ${rng.pick(GIVEN[gender])}`,
      dateOfBirth: dateIn(rng, year),
      gender,
      nationality: 'VN',
      consentCode: rng.digits(6),
      permanentAddress: {
        provinceCode: '79',
        wardCode: rng.pick(wardCodes),
        detail: `Số ${rng.int(1, 250)} đường ${rng.pick(STREETS)}`,
      },
    });
  }
  return out;
}

/** The mock's fixtures with the crowd added to VNeID's citizens. */
export function demoFixtures(crowd: readonly CitizenFixture[]): MockFixtures {
  return { ...mockFixtures, citizens: [...mockFixtures.citizens, ...crowd] };
}

export { STREETS };
