/**
 * The tax registry's domain types, written out with TSDoc so that each field's meaning
 * (Vietnamese term, allowed values) reaches the emitted `.d.ts` and the user's editor; the zod
 * schemas in `schemas.ts` are tied to them with {@link documented} and cannot drift.
 */
import type { TaxpayerStatus, TaxRegistrationStatus } from './schemas.js';

/** Input of `tax.lookupTaxCode`. */
export interface LookupTaxCodeInput {
  /**
   * Tax identification number (mã số thuế): 10 digits with a valid check digit (an organisation),
   * a branch code `NNNNNNNNNN-NNN` (also accepted as 13 digits; sent with the dash), or an
   * individual's / household business's 12-digit personal identification number (số định danh
   * cá nhân), which makes the look-up citizen data.
   */
  taxCode: string;
}

/** Result of `tax.lookupTaxCode`. */
export interface Taxpayer {
  /** Tax identification number (mã số thuế), as the registry answered it. */
  taxCode: string;
  /** Taxpayer's name (tên người nộp thuế): an organisation, branch, household business or person. */
  name: string;
  /**
   * Status (trạng thái): `active` (đang hoạt động, `00`), `suspended` (tạm ngừng, `01`), `closed`
   * (đã chấm dứt hiệu lực mã số thuế, `03`); another wire value passes through and is reported.
   */
  status: TaxpayerStatus;
  /** Managing tax office (cơ quan thuế quản lý). */
  taxOffice: string;
}

/** Business address of a household business (địa chỉ kinh doanh). */
export interface BusinessAddress {
  /** Commune code (mã xã/phường/đặc khu) in force since 1 July 2025, 5 digits. */
  wardCode: string;
  /** House number, street, hamlet (chi tiết địa chỉ), 1–200 characters. */
  detail: string;
}

/** Input of `tax.registerTaxpayer`. */
export interface RegisterTaxpayerInput {
  /** Dossier code (mã hồ sơ) of the city's one-stop system; the write's idempotency key. */
  dossierCode: string;
  /** Personal identification number (số định danh cá nhân) of the individual, 12 digits; it becomes the tax code. */
  personalId: string;
  /** Full name (họ và tên). */
  fullName: string;
  /** Date of birth (ngày sinh), `YYYY-MM-DD`; must agree with the birth year the personal ID encodes. */
  dateOfBirth: string;
  /** Business address (địa chỉ kinh doanh), for a household business. */
  businessAddress?: BusinessAddress | undefined;
  /** Line of business (ngành nghề kinh doanh), 1–500 characters, for example a VSIC code and its name. */
  businessLine?: string | undefined;
}

/** Result of `tax.registerTaxpayer` and `tax.getRegistrationStatus`. */
export interface TaxRegistration {
  /** Tax registration dossier number (mã hồ sơ thuế); ask `getRegistrationStatus` with it. */
  registrationId: string;
  /** Tax code (mã số thuế) once issued; for an individual it is their personal ID. */
  taxCode?: string | undefined;
  /**
   * Status (trạng thái): `received` (tiếp nhận, `TIEP_NHAN`) or `issued` (đã cấp, `DA_CAP`);
   * another wire value passes through and is reported.
   */
  status: TaxRegistrationStatus;
}

/** Input of `tax.getRegistrationStatus`. */
export interface TaxRegistrationStatusInput {
  /** Tax registration dossier number (mã hồ sơ thuế) returned by `registerTaxpayer`. */
  registrationId: string;
}
