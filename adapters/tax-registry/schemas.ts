/**
 * Tax registration (đăng ký thuế): the domain side of its operations, in English camelCase. The
 * wire side (Vietnamese field names, `yyyyMMdd` dates, the envelope) is in `profile.ts`.
 *
 * Since 1 July 2025 (Circular 86/2024/TT-BTC) an individual's or household business's tax code is
 * their 12-digit personal identification number, so a tax code may itself be a citizen's
 * personal ID: see `lookupTaxCode` for what that means for `purpose` and `actor`.
 */
import { z } from 'zod';
import { defineOperation } from 'vn-national-gateway';
import {
  currentCommuneCodeSchema,
  isoDateSchema,
  personalIdSchema,
  refinePersonalIdDateOfBirth,
  taxCodeSchema,
} from 'vn-national-gateway/identifiers';
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
  vietnamToday,
} from '../shared.js';
import type * as T from './types.js';

/** Known taxpayer statuses: `active` (wire `00`), `suspended` (`01`), `closed` (`03`). */
export const TAXPAYER_STATUSES = ['active', 'suspended', 'closed'] as const;
export type TaxpayerStatus = Open<(typeof TAXPAYER_STATUSES)[number]>;

/** Known statuses of a tax registration: `received` (wire `TIEP_NHAN`), `issued` (`DA_CAP`). */
export const TAX_REGISTRATION_STATUSES = ['received', 'issued'] as const;
export type TaxRegistrationStatus = Open<(typeof TAX_REGISTRATION_STATUSES)[number]>;

/** Text typed by an officer: trimmed, 1–`max` characters, no control characters. */
const text = (max: number) =>
  z
    .string({ message: 'must be a string' })
    .trim()
    .regex(new RegExp(`^[^\\p{Cc}]{1,${max}}$`, 'u'), {
      message: `must be 1–${max} characters without control characters`,
    });

/** Input of `tax.lookupTaxCode`. */
export const lookupTaxCodeInput = z.object({
  /**
   * Tax identification number (mã số thuế): 10 digits with a valid check digit (an organisation),
   * a branch code `NNNNNNNNNN-NNN` (also accepted as 13 digits; sent with the dash), or an
   * individual's / household business's 12-digit personal identification number (số định danh
   * cá nhân).
   */
  taxCode: taxCodeSchema,
});

/** Result of `tax.lookupTaxCode`. */
export const taxpayerOutput = z.object({
  /** Tax identification number (mã số thuế), as the registry answered it. */
  taxCode: z.string(),
  /** Taxpayer's name (tên người nộp thuế): an organisation, branch, household business or person. */
  name: z.string(),
  /**
   * Status (trạng thái): `active` (đang hoạt động, `00`), `suspended` (tạm ngừng, `01`), `closed`
   * (đã chấm dứt hiệu lực mã số thuế, `03`); another wire value passes through and is reported.
   */
  status: openEnum(TAXPAYER_STATUSES),
  /** Managing tax office (cơ quan thuế quản lý). */
  taxOffice: z.string(),
});

/** Business address of a household business (địa chỉ kinh doanh). */
export const businessAddressSchema = z.object({
  /** Commune code (mã xã/phường/đặc khu) in force since 1 July 2025, 5 digits (an address written today). */
  wardCode: currentCommuneCodeSchema,
  /** House number, street, hamlet (chi tiết địa chỉ), 1–200 characters. */
  detail: text(200),
});

/** Input of `tax.registerTaxpayer`. */
export const registerTaxpayerInput = z
  .object({
    /** Dossier code (mã hồ sơ) of the city's one-stop system; the write's idempotency key. */
    dossierCode: dossierCodeSchema,
    /** Personal identification number (số định danh cá nhân) of the individual, 12 digits; it becomes the tax code. */
    personalId: personalIdSchema,
    /** Full name (họ và tên). */
    fullName: fullNameSchema,
    /** Date of birth (ngày sinh), `YYYY-MM-DD`; must agree with the birth year the personal ID encodes. */
    dateOfBirth: isoDateSchema.refine((d) => d <= vietnamToday(), {
      message: 'date: must not be in the future',
    }),
    /** Business address (địa chỉ kinh doanh), for a household business. */
    businessAddress: businessAddressSchema.optional(),
    /** Line of business (ngành nghề kinh doanh), 1–500 characters, for example a VSIC code and its name. */
    businessLine: text(500).optional(),
  })
  .superRefine(refinePersonalIdDateOfBirth);

/** Result of `tax.registerTaxpayer` and `tax.getRegistrationStatus`. */
export const taxRegistrationOutput = z.object({
  /** Tax registration dossier number (mã hồ sơ thuế); ask `getRegistrationStatus` with it. */
  registrationId: z.string(),
  /** Tax code (mã số thuế) once issued; for an individual it is their personal ID. */
  taxCode: z.string().optional(),
  /**
   * Status (trạng thái): `received` (tiếp nhận, `TIEP_NHAN`) or `issued` (đã cấp, `DA_CAP`);
   * another wire value passes through and is reported.
   */
  status: openEnum(TAX_REGISTRATION_STATUSES),
});

/** Input of `tax.getRegistrationStatus`. */
export const taxRegistrationStatusInput = z.object({
  /** Tax registration dossier number (mã hồ sơ thuế) returned by `registerTaxpayer`. */
  registrationId: referenceIdSchema,
});

export type {
  BusinessAddress,
  LookupTaxCodeInput,
  RegisterTaxpayerInput,
  Taxpayer,
  TaxRegistration,
  TaxRegistrationStatusInput,
} from './types.js';

/** Vietnamese labels of the tax registry adapter's input fields, for counter staff. */
export const TAX_REGISTRY_LABELS: FieldLabels = Object.freeze({
  ...COMMON_LABELS,
  taxCode: 'mã số thuế',
  businessAddress: 'địa chỉ kinh doanh',
  'businessAddress.wardCode': 'mã xã, phường của địa chỉ kinh doanh',
  'businessAddress.detail': 'địa chỉ kinh doanh chi tiết (số nhà, đường, thôn)',
  businessLine: 'ngành nghề kinh doanh',
  registrationId: 'mã hồ sơ thuế',
});

/** A 12-digit tax code is an individual's personal identification number. */
const isPersonalCode = (taxCode: string) => /^\d{12}$/.test(taxCode);

/** The operations of the tax registry adapter (domain side). */
export const taxRegistryOperations = {
  /**
   * A taxpayer by tax code. A 12-digit code is an individual's personal ID (since 1 July 2025), so
   * that look-up is citizen data: `purpose` and `actor` are required and the call is audited, with
   * the ID as its (hashed) subject. An organisation's or branch's code is not personal data.
   *
   * Cached for stale-if-error: fresh for 1 h, served as `stale` for up to 12 h (registrations
   * change slowly; `meta.ageMs` tells the age).
   */
  lookupTaxCode: defineOperation({
    kind: 'read',
    personalData: (i) => isPersonalCode(i.taxCode),
    input: documented<T.LookupTaxCodeInput>()(lookupTaxCodeInput),
    output: documentedOutput<T.Taxpayer>()(taxpayerOutput),
    subject: (i) => (isPersonalCode(i.taxCode) ? i.taxCode : undefined),
    policy: { cache: { ttlMs: 60 * 60_000, maxStaleMs: 12 * 60 * 60_000 } },
    summary: 'Look up a taxpayer by tax code (organisation, branch, or personal ID)',
  }),
  /**
   * Registers an individual or household business. A write: its idempotency key is the dossier
   * code, so it is retried and, on a transient failure, queued in the outbox and replayed.
   */
  registerTaxpayer: defineOperation({
    kind: 'write',
    personalData: true,
    input: documented<T.RegisterTaxpayerInput>()(registerTaxpayerInput),
    output: documentedOutput<T.TaxRegistration>()(taxRegistrationOutput),
    subject: (i) => i.personalId,
    dossierCode: (i) => i.dossierCode,
    summary: 'Register an individual or household business for tax',
  }),
  /**
   * Status of a tax registration. `personalData: true`: once issued, the answer carries the
   * individual's tax code, which is their personal ID. Stale for at most 15 min.
   */
  getRegistrationStatus: defineOperation({
    kind: 'read',
    personalData: true,
    input: documented<T.TaxRegistrationStatusInput>()(taxRegistrationStatusInput),
    output: documentedOutput<T.TaxRegistration>()(taxRegistrationOutput),
    policy: { cache: { ttlMs: 30_000, maxStaleMs: 15 * 60_000 } },
    summary: 'Read the status of a tax registration',
  }),
};

export type TaxRegistryOperations = typeof taxRegistryOperations;
