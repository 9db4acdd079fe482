/**
 * Land registry (hệ thống thông tin đất đai): the domain side of its operations, in English
 * camelCase. The wire side (Vietnamese field names, `yyyyMMdd` dates, the envelope) is in
 * `profile.ts`.
 *
 * Commune codes and the 2025 merger: a parcel is identified by the commune of the cadastral map
 * it was surveyed on, its map sheet (số tờ) and its parcel number (số thửa). Cadastral maps
 * predate the merger of 1 July 2025, and two pre-2025 communes merged into one ward may both have
 * a sheet 12 with a parcel 345, so `wardCode` accepts a current **or a pre-2025** commune code and
 * the default profile sends it **as given** (the code on the certificate or cadastral record): it
 * is the only unambiguous key, and the registry accepts pre-2025 codes (CONTRACT.md). Results
 * report the parcel's **current** unit in `wardCode` (resolved with `resolveCommuneCode` from
 * `vn-national-gateway/identifiers`) and, when the registry answered with a pre-2025 code, that
 * code in `resolvedFrom`.
 */
import { z } from 'zod';
import { defineOperation } from 'vn-national-gateway';
import { certificateSerialSchema, parcelKeySchema, personalIdSchema } from 'vn-national-gateway/identifiers';
import type { FieldLabels } from 'vn-national-gateway';
import {
  COMMON_LABELS,
  documented,
  documentedOutput,
  dossierCodeSchema,
  fullNameSchema,
  type Open,
  openEnum,
  referenceIdSchema,
} from '../shared.js';
import type * as T from './types.js';

/**
 * Land-use codes (mã loại đất) of Circular 08/2024/TT-BTNMT (and Circular 27/2018/TT-BTNMT for
 * older records), for example `ODT` urban residential (đất ở tại đô thị), `ONT` rural residential
 * (đất ở tại nông thôn), `LUC` rice land (đất chuyên trồng lúa), `CLN` perennial crops (đất trồng
 * cây lâu năm), `TMD` commercial and service land (đất thương mại, dịch vụ). A code outside this
 * list is passed through and reported as an unknown value.
 */
// biome-ignore format: grouped by land group, one line per group
export const LAND_USE_CODES = [
  // Agricultural land (nhóm đất nông nghiệp)
  'LUC', 'LUK', 'LUN', 'HNK', 'BHK', 'NHK', 'CLN', 'RDD', 'RPH', 'RSX', 'NTS', 'CNT', 'LMU', 'NKH',
  // Non-agricultural land (nhóm đất phi nông nghiệp)
  'ODT', 'ONT', 'TSC', 'DTS', 'CQP', 'CAN', 'DVH', 'DXH', 'DYT', 'DGD', 'DTT', 'DKH', 'DMT', 'DKT',
  'DNG', 'DSK', 'SKK', 'SKN', 'SKT', 'TMD', 'SKC', 'SKS', 'SKX', 'DGT', 'DTL', 'DNL', 'DBV', 'DCH',
  'DDT', 'DDL', 'DRA', 'DCK', 'DKV', 'DSH', 'TON', 'TIN', 'NTD', 'SON', 'MNC', 'PNK',
  // Unused land (nhóm đất chưa sử dụng)
  'BCS', 'DCS', 'NCS',
] as const;
export type LandUseCode = Open<(typeof LAND_USE_CODES)[number]>;

/** Known certificate statuses: `valid` (wire `HIEU_LUC`), `revoked` (wire `THU_HOI`). */
export const CERTIFICATE_STATUSES = ['valid', 'revoked'] as const;
export type CertificateStatus = Open<(typeof CERTIFICATE_STATUSES)[number]>;

/** Known statuses of a change registration: `received` (wire `DA_TIEP_NHAN`). */
export const LAND_REGISTRATION_STATUSES = ['received'] as const;
export type LandRegistrationStatus = Open<(typeof LAND_REGISTRATION_STATUSES)[number]>;

const { wardCode, mapSheet, parcelNumber } = parcelKeySchema.shape;

/** Input of `land.getParcel`. */
export const getParcelInput = z.object({
  /**
   * Commune code (mã xã) of the parcel's cadastral record, 5 digits: the current code of the
   * ward/commune/special zone or its pre-2025 code (mã xã cũ), as on the certificate. Sent as given.
   */
  wardCode,
  /** Map sheet number (số tờ bản đồ), a positive integer. */
  mapSheet,
  /** Parcel number on the sheet (số thửa), a positive integer. */
  parcelNumber,
});

/** A land-use right certificate (giấy chứng nhận quyền sử dụng đất). */
export const certificateSchema = z.object({
  /** Certificate serial (số phát hành): two capital letters and 6 or 8 digits, without a space. */
  serial: z.string(),
  /** Nationwide certificate code (mã giấy chứng nhận), 12 letters and digits, on newer certificates. */
  certificateCode: z.string().optional(),
  /** Date of issue (ngày cấp), `YYYY-MM-DD`. */
  issuedOn: z.string(),
  /**
   * Status (trạng thái): `valid` (hiệu lực) or `revoked` (thu hồi); another wire value is passed
   * through unchanged and reported as an unknown value.
   */
  status: openEnum(CERTIFICATE_STATUSES),
});

/** Where a parcel lies, as the registry answered, with its current administrative unit. */
export const parcelLocationSchema = z.object({
  /**
   * Current commune code (mã xã, after 1 July 2025) of the parcel. When the registry answers a
   * code this library does not know, it is passed through as sent.
   */
  wardCode: z.string(),
  /** Name of the current unit (tên xã/phường/đặc khu), for example `Phường Cầu Kiệu`, when known. */
  wardName: z.string().optional(),
  /** The pre-2025 commune code (mã xã cũ) the registry answered with, when it was resolved to `wardCode`. */
  resolvedFrom: z.string().optional(),
  /** Map sheet number (số tờ bản đồ). */
  mapSheet: z.number().int(),
  /** Parcel number (số thửa). */
  parcelNumber: z.number().int(),
});

/** Result of `land.getParcel`. */
export const parcelOutput = parcelLocationSchema.extend({
  /** Area (diện tích) in square metres. */
  areaM2: z.number(),
  /** Land-use code (mã loại đất), for example `ODT`; see {@link LAND_USE_CODES}. Unknown codes pass through. */
  landUseCode: openEnum(LAND_USE_CODES),
  /**
   * Term of use (thời hạn sử dụng): `long-term` (lâu dài), or the end date `YYYY-MM-DD`; another
   * wire text is passed through unchanged and reported as an unknown value.
   */
  useTerm: z.string(),
  /** Certificates issued for the parcel (giấy chứng nhận), current and revoked. */
  certificates: z.array(certificateSchema),
  /** Restrictions on the parcel (hạn chế: mortgage, planning…), as the registry words them. */
  restrictions: z.array(z.string()),
});

/** Input of `land.verifyCertificate`. */
export const verifyCertificateInput = z.object({
  /**
   * Certificate serial (số phát hành): two capital letters and 6 digits (forms before 2024) or
   * 8 digits (Circular 10/2024/TT-BTNMT), with or without a space; sent without the space.
   */
  serial: certificateSerialSchema,
});

/** Result of `land.verifyCertificate`: the certificate and the parcel it is for. */
export const certificateOutput = certificateSchema.extend({
  /** The parcel the certificate covers (thửa đất). */
  parcel: parcelLocationSchema,
});

/** Input of `land.submitRegistration`. */
export const submitRegistrationInput = z.object({
  /** Dossier code (mã hồ sơ) of the city's one-stop system; the write's idempotency key. */
  dossierCode: dossierCodeSchema,
  /** Commune code (mã xã) of the parcel's cadastral record, current or pre-2025; sent as given. */
  wardCode,
  /** Map sheet number (số tờ bản đồ), a positive integer. */
  mapSheet,
  /** Parcel number (số thửa), a positive integer. */
  parcelNumber,
  /** Kind of change (loại biến động), the registry's code, 1–100 characters. */
  changeType: z
    .string({ message: 'must be a string' })
    .trim()
    .regex(/^[^\p{Cc}]{1,100}$/u, { message: 'must be 1–100 characters without control characters' }),
  /** The person filing (người nộp hồ sơ). */
  applicant: z.object({
    /** Personal identification number (số định danh cá nhân), 12 digits. */
    personalId: personalIdSchema,
    /** Full name (họ và tên). */
    fullName: fullNameSchema,
  }),
});

/** Result of `land.submitRegistration`. */
export const submitRegistrationOutput = z.object({
  /** Receipt number (mã biên nhận) of the registry; ask `getRegistrationStatus` with it. */
  receiptId: z.string(),
  /** Status (trạng thái): `received` (đã tiếp nhận); another wire value passes through. */
  status: openEnum(LAND_REGISTRATION_STATUSES),
});

/** Input of `land.getRegistrationStatus`. */
export const landRegistrationStatusInput = z.object({
  /** Receipt number (mã biên nhận) returned by `submitRegistration`. */
  receiptId: referenceIdSchema,
});

/** Result of `land.getRegistrationStatus`. */
export const landRegistrationStatusOutput = z.object({
  /** Receipt number (mã biên nhận). */
  receiptId: z.string(),
  /** Status (trạng thái): `received` (đã tiếp nhận); another wire value passes through. */
  status: openEnum(LAND_REGISTRATION_STATUSES),
  /** Last update (cập nhật lúc), an ISO 8601 date-time with offset, as the registry sent it. */
  updatedAt: z.string(),
});

export type {
  CertificateWithParcel,
  Certificate,
  GetParcelInput,
  LandApplicant,
  LandRegistrationStatusInput,
  LandRegistrationStatusResult,
  Parcel,
  ParcelLocation,
  SubmitRegistrationInput,
  SubmitRegistrationResult,
  VerifyCertificateInput,
} from './types.js';

/** Vietnamese labels of the land registry adapter's input fields, for counter staff. */
export const LAND_REGISTRY_LABELS: FieldLabels = Object.freeze({
  ...COMMON_LABELS,
  wardCode: 'mã xã, phường của thửa đất',
  mapSheet: 'số tờ bản đồ',
  parcelNumber: 'số thửa',
  serial: 'số phát hành giấy chứng nhận',
  changeType: 'loại biến động',
  applicant: 'thông tin người nộp hồ sơ',
  'applicant.personalId': 'số định danh cá nhân của người nộp hồ sơ',
  'applicant.fullName': 'họ và tên người nộp hồ sơ',
  receiptId: 'mã biên nhận',
});

/**
 * The operations of the land registry adapter (domain side). Only `submitRegistration` carries a
 * citizen's data (the applicant): it needs `purpose` and `actor` and is audited.
 */
export const landRegistryOperations = {
  /**
   * A parcel, its certificates and restrictions. Cached for stale-if-error: fresh for 10 min,
   * served as `stale` for up to 1 h (parcel records change rarely; `meta.ageMs` tells the age).
   */
  getParcel: defineOperation({
    kind: 'read',
    input: documented<T.GetParcelInput>()(getParcelInput),
    output: documentedOutput<T.Parcel>()(parcelOutput),
    policy: { cache: { ttlMs: 10 * 60_000, maxStaleMs: 60 * 60_000 } },
    summary: 'Look up a land parcel by commune code, map sheet and parcel number',
  }),
  /**
   * A certificate by serial, and its parcel. Stale for at most 15 min: a revocation must not
   * stay hidden behind an outage for long.
   */
  verifyCertificate: defineOperation({
    kind: 'read',
    input: documented<T.VerifyCertificateInput>()(verifyCertificateInput),
    output: documentedOutput<T.CertificateWithParcel>()(certificateOutput),
    policy: { cache: { ttlMs: 5 * 60_000, maxStaleMs: 15 * 60_000 } },
    summary: 'Verify a land-use right certificate by its serial',
  }),
  /**
   * Files a change registration (đăng ký biến động). A write: its idempotency key is the dossier
   * code, so it is retried and, on a transient failure, queued in the outbox and replayed.
   */
  submitRegistration: defineOperation({
    kind: 'write',
    personalData: true,
    input: documented<T.SubmitRegistrationInput>()(submitRegistrationInput),
    output: documentedOutput<T.SubmitRegistrationResult>()(submitRegistrationOutput),
    subject: (i) => i.applicant.personalId,
    dossierCode: (i) => i.dossierCode,
    summary: 'Submit a land change registration',
  }),
  /** Status of a change registration. Stale for at most 15 min. */
  getRegistrationStatus: defineOperation({
    kind: 'read',
    input: documented<T.LandRegistrationStatusInput>()(landRegistrationStatusInput),
    output: documentedOutput<T.LandRegistrationStatusResult>()(landRegistrationStatusOutput),
    policy: { cache: { ttlMs: 30_000, maxStaleMs: 15 * 60_000 } },
    summary: 'Read the status of a land change registration',
  }),
};

export type LandRegistryOperations = typeof landRegistryOperations;
