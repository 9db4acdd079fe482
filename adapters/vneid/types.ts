/**
 * VNeID's domain types, written out with TSDoc so that each field's meaning (Vietnamese term,
 * allowed values) reaches the emitted `.d.ts`; the zod schemas in `schemas.ts` are tied to them
 * with `documented` and cannot drift.
 */
import type { Gender } from './schemas.js';

/** Input of `vneid.verifyCitizen`. */
export interface VerifyCitizenInput {
  /** Personal identification number (số định danh cá nhân, on the CCCD card), 12 digits. */
  personalId: string;
  /** Full name (họ và tên) as on the citizen's card, with diacritics; NFC-normalised, spaces collapsed. */
  fullName: string;
  /** Date of birth (ngày tháng năm sinh), `YYYY-MM-DD`; must agree with the birth year the personal ID encodes. */
  dateOfBirth: string;
}

/** Result of `vneid.verifyCitizen`. */
export interface VerifyCitizenResult {
  /** The personal ID exists in the population database (tồn tại). */
  exists: boolean;
  /** The full name matches the record (khớp họ và tên). */
  nameMatches: boolean;
  /** The date of birth matches the record (khớp ngày sinh). */
  dateOfBirthMatches: boolean;
  /** All three hold: the citizen is verified (xác thực thành công). */
  verified: boolean;
}

/** Input of `vneid.getCitizenProfile`. */
export interface GetCitizenProfileInput {
  /** Personal identification number (số định danh cá nhân), 12 digits. */
  personalId: string;
  /**
   * The citizen's consent code (mã xác nhận) from the VNeID app, authorising this one look-up:
   * 4–64 letters, digits or `-`.
   */
  consentCode: string;
}

/** A permanent residence address (nơi thường trú). */
export interface ResidenceAddress {
  /** Province code (mã tỉnh), 2 digits, for example `79` (Thành phố Hồ Chí Minh). */
  provinceCode: string;
  /** Commune-level unit code (mã xã/phường/đặc khu), 5 digits, as the population database records it. */
  communeCode: string;
  /** House number, street, hamlet (chi tiết địa chỉ). */
  detail: string;
}

/** Result of `vneid.getCitizenProfile`. */
export interface CitizenProfile {
  /** Personal identification number (số định danh cá nhân), 12 digits. */
  personalId: string;
  /** Old identity card number (số chứng minh nhân dân, CMND), when the citizen had one. */
  oldIdCardNumber?: string | undefined;
  /** Full name (họ và tên). */
  fullName: string;
  /** Date of birth (ngày tháng năm sinh), `YYYY-MM-DD`. */
  dateOfBirth: string;
  /**
   * Gender (giới tính): `male` (nam, wire `1`) or `female` (nữ, wire `2`); another wire value is
   * passed through unchanged and reported as an unknown value.
   */
  gender: Gender;
  /** Nationality (quốc tịch), as the platform sends it, for example `VN`. */
  nationality: string;
  /** Permanent residence (nơi thường trú). */
  permanentAddress: ResidenceAddress;
}
