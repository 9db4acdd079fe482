/**
 * The land registry's domain types, written out with TSDoc so that each field's meaning
 * (Vietnamese term, allowed values) reaches the emitted `.d.ts` and the user's editor; the zod
 * schemas in `schemas.ts` are tied to them with {@link documented} and cannot drift.
 */
import type { CertificateStatus, LandRegistrationStatus, LandUseCode } from './schemas.js';

/** Input of `land.getParcel`. */
export interface GetParcelInput {
  /**
   * Commune code (mã xã) of the parcel's cadastral record, 5 digits: the current code of the
   * ward/commune/special zone or its pre-2025 code (mã xã cũ), as on the certificate. Sent as given.
   */
  wardCode: string;
  /** Map sheet number (số tờ bản đồ), a positive integer. */
  mapSheet: number;
  /** Parcel number on the sheet (số thửa), a positive integer. */
  parcelNumber: number;
}

/** A land-use right certificate (giấy chứng nhận quyền sử dụng đất). */
export interface Certificate {
  /** Certificate serial (số phát hành): two capital letters and 6 or 8 digits, without a space. */
  serial: string;
  /** Nationwide certificate code (mã giấy chứng nhận), 12 letters and digits, on newer certificates. */
  certificateCode?: string | undefined;
  /** Date of issue (ngày cấp), `YYYY-MM-DD`. */
  issuedOn: string;
  /**
   * Status (trạng thái): `valid` (hiệu lực) or `revoked` (thu hồi); another wire value is passed
   * through unchanged and reported as an unknown value.
   */
  status: CertificateStatus;
}

/** Where a parcel lies, as the registry answered, with its current administrative unit. */
export interface ParcelLocation {
  /** Current commune code (mã xã, after 1 July 2025) of the parcel; an unknown code is passed through as sent. */
  wardCode: string;
  /** Name of the current unit (tên xã/phường/đặc khu), for example `Phường Cầu Kiệu`, when known. */
  wardName?: string | undefined;
  /** The pre-2025 commune code (mã xã cũ) the registry answered with, when it was resolved to `wardCode`. */
  resolvedFrom?: string | undefined;
  /** Map sheet number (số tờ bản đồ). */
  mapSheet: number;
  /** Parcel number (số thửa). */
  parcelNumber: number;
}

/** Result of `land.getParcel`. */
export interface Parcel extends ParcelLocation {
  /** Area (diện tích) in square metres. */
  areaM2: number;
  /** Land-use code (mã loại đất), for example `ODT` (đất ở tại đô thị); unknown codes pass through. */
  landUseCode: LandUseCode;
  /**
   * Term of use (thời hạn sử dụng): `long-term` (lâu dài), or the end date `YYYY-MM-DD`; another
   * wire text is passed through unchanged and reported as an unknown value.
   */
  useTerm: string;
  /** Certificates issued for the parcel (giấy chứng nhận), current and revoked. */
  certificates: Certificate[];
  /** Restrictions on the parcel (hạn chế: mortgage, planning…), as the registry words them. */
  restrictions: string[];
}

/** Input of `land.verifyCertificate`. */
export interface VerifyCertificateInput {
  /**
   * Certificate serial (số phát hành): two capital letters and 6 digits (forms before 2024) or
   * 8 digits (Circular 10/2024/TT-BTNMT), with or without a space; sent without the space.
   */
  serial: string;
}

/** Result of `land.verifyCertificate`: the certificate and the parcel it is for. */
export interface CertificateWithParcel extends Certificate {
  /** The parcel the certificate covers (thửa đất). */
  parcel: ParcelLocation;
}

/** The person filing a change registration (người nộp hồ sơ). */
export interface LandApplicant {
  /** Personal identification number (số định danh cá nhân), 12 digits. */
  personalId: string;
  /** Full name (họ và tên), with diacritics; NFC-normalised, spaces collapsed. */
  fullName: string;
}

/** Input of `land.submitRegistration` (đăng ký biến động). */
export interface SubmitRegistrationInput {
  /** Dossier code (mã hồ sơ) of the city's one-stop system; the write's idempotency key. */
  dossierCode: string;
  /** Commune code (mã xã) of the parcel's cadastral record, current or pre-2025; sent as given. */
  wardCode: string;
  /** Map sheet number (số tờ bản đồ), a positive integer. */
  mapSheet: number;
  /** Parcel number (số thửa), a positive integer. */
  parcelNumber: number;
  /**
   * Kind of change (loại biến động), the registry's code, 1–100 characters without control
   * characters (trimmed), e.g. `CHUYEN_NHUONG` (chuyển nhượng, transfer), `TANG_CHO` (tặng cho,
   * gift), `THUA_KE` (thừa kế, inheritance), `THE_CHAP` (thế chấp, mortgage).
   */
  changeType: string;
  /** The person filing (người nộp hồ sơ). */
  applicant: LandApplicant;
}

/** Result of `land.submitRegistration`. */
export interface SubmitRegistrationResult {
  /** Receipt number (mã biên nhận) of the registry; ask `getRegistrationStatus` with it. */
  receiptId: string;
  /** Status (trạng thái): `received` (đã tiếp nhận); another wire value passes through. */
  status: LandRegistrationStatus;
}

/** Input of `land.getRegistrationStatus`. */
export interface LandRegistrationStatusInput {
  /** Receipt number (mã biên nhận) returned by `submitRegistration`. */
  receiptId: string;
}

/** Result of `land.getRegistrationStatus`. */
export interface LandRegistrationStatusResult {
  /** Receipt number (mã biên nhận). */
  receiptId: string;
  /** Status (trạng thái): `received` (đã tiếp nhận); another wire value passes through. */
  status: LandRegistrationStatus;
  /** Last update (cập nhật lúc), an ISO 8601 date-time with offset, as the registry sent it. */
  updatedAt: string;
}
