/**
 * VNeID / national population data (Cơ sở dữ liệu quốc gia về dân cư, C06): the domain side of
 * its operations, in English camelCase. The wire side (Vietnamese field names, `yyyyMMdd` dates,
 * the envelope) is in `profile.ts`.
 */
import { z } from 'zod';
import { defineOperation } from 'vn-national-gateway';
import {
  isoDateSchema,
  personalIdSchema,
  refinePersonalIdDateOfBirth,
} from 'vn-national-gateway/identifiers';
import type { FieldLabels } from 'vn-national-gateway';
import {
  COMMON_LABELS,
  documented,
  documentedOutput,
  fullNameSchema,
  type Open,
  openEnum,
  vietnamToday,
} from '../shared.js';
import type * as T from './types.js';

/** Date of birth: a real `YYYY-MM-DD` date, not after today in Vietnam. */
const dateOfBirthSchema = isoDateSchema.refine((d) => d <= vietnamToday(), {
  message: 'date: must not be in the future',
});

/** Input of `vneid.verifyCitizen`. */
export const verifyCitizenInput = z
  .object({
    /** Personal identification number (số định danh cá nhân, on the CCCD card), 12 digits. */
    personalId: personalIdSchema,
    /** Full name (họ và tên) as on the citizen's card, with diacritics; NFC-normalised, spaces collapsed. */
    fullName: fullNameSchema,
    /** Date of birth (ngày tháng năm sinh), `YYYY-MM-DD`; must agree with the birth year the personal ID encodes. */
    dateOfBirth: dateOfBirthSchema,
  })
  .superRefine(refinePersonalIdDateOfBirth);

/** Result of `vneid.verifyCitizen`. */
export const verifyCitizenOutput = z.object({
  /** The personal ID exists in the population database (tồn tại). */
  exists: z.boolean(),
  /** The full name matches the record (khớp họ và tên). */
  nameMatches: z.boolean(),
  /** The date of birth matches the record (khớp ngày sinh). */
  dateOfBirthMatches: z.boolean(),
  /** All three hold: the citizen is verified (xác thực thành công). */
  verified: z.boolean(),
});

/** Input of `vneid.getCitizenProfile`. */
export const getCitizenProfileInput = z.object({
  /** Personal identification number (số định danh cá nhân), 12 digits. */
  personalId: personalIdSchema,
  /**
   * The citizen's consent code (mã xác nhận) from the VNeID app, authorising this one look-up:
   * 4–64 letters, digits or `-`.
   */
  consentCode: z
    .string({ message: 'must be a string' })
    .regex(/^[A-Za-z0-9-]{4,64}$/, { message: 'must be 4–64 letters, digits or "-"' }),
});

/** Known values of {@link CitizenProfile.gender}. */
export const GENDERS = ['male', 'female'] as const;
export type Gender = Open<(typeof GENDERS)[number]>;

/** A permanent residence address (nơi thường trú). */
export const residenceAddressSchema = z.object({
  /** Province code (mã tỉnh), 2 digits, for example `79` (Thành phố Hồ Chí Minh). */
  provinceCode: z.string(),
  /** Commune-level unit code (mã xã/phường/đặc khu), 5 digits, as the population database records it. */
  communeCode: z.string(),
  /** House number, street, hamlet (chi tiết địa chỉ). */
  detail: z.string(),
});

/** Result of `vneid.getCitizenProfile`. */
export const citizenProfileOutput = z.object({
  /** Personal identification number (số định danh cá nhân), 12 digits. */
  personalId: z.string(),
  /** Old identity card number (số chứng minh nhân dân, CMND), when the citizen had one. */
  oldIdCardNumber: z.string().optional(),
  /** Full name (họ và tên). */
  fullName: z.string(),
  /** Date of birth (ngày tháng năm sinh), `YYYY-MM-DD`. */
  dateOfBirth: z.string(),
  /**
   * Gender (giới tính): `male` (nam, wire `1`) or `female` (nữ, wire `2`); another wire value is
   * passed through unchanged and reported as an unknown value.
   */
  gender: openEnum(GENDERS),
  /** Nationality (quốc tịch), as the platform sends it, for example `VN`. */
  nationality: z.string(),
  /** Permanent residence (nơi thường trú). */
  permanentAddress: residenceAddressSchema,
});

export type {
  CitizenProfile,
  GetCitizenProfileInput,
  ResidenceAddress,
  VerifyCitizenInput,
  VerifyCitizenResult,
} from './types.js';

/** Vietnamese labels of the VNeID adapter's input fields, for counter staff. */
export const VNEID_LABELS: FieldLabels = Object.freeze({
  ...COMMON_LABELS,
  consentCode: 'mã xác nhận do công dân cung cấp trên ứng dụng VNeID',
});

/**
 * The operations of the VNeID adapter (domain side). Both touch a citizen's data: `purpose`
 * (MaDVC, the procedure code) and `actor` (MaCanBo, the officer) are required and every call is
 * audited with the personal ID as a salted hash.
 */
export const vneidOperations = {
  /**
   * Does this person match the national population data? The answer is cached for
   * stale-if-error: fresh for 5 min, served as `stale` for up to 30 min while VNeID fails
   * transiently (a match rarely changes within the hour, yet a citizen verification must not
   * rely on an old answer for long). A personal ID the database does not know is `NOT_FOUND`.
   */
  verifyCitizen: defineOperation({
    kind: 'read',
    personalData: true,
    input: documented<T.VerifyCitizenInput>()(verifyCitizenInput),
    output: documentedOutput<T.VerifyCitizenResult>()(verifyCitizenOutput),
    subject: (i) => i.personalId,
    policy: { cache: { ttlMs: 5 * 60_000, maxStaleMs: 30 * 60_000 } },
    summary: 'Verify a citizen (personal ID, name, date of birth) against the population database',
  }),
  /**
   * A citizen's profile, read with the consent code the citizen gave for this look-up. Never
   * cached (`cache: false`): the consent covers one look-up, and keeping a whole profile in
   * memory to serve it later would keep personal data beyond that purpose (Law 91/2025/QH15).
   * A wrong or expired consent code is answered `97` by VNeID, so it surfaces as `AUTH`.
   */
  getCitizenProfile: defineOperation({
    kind: 'read',
    personalData: true,
    input: documented<T.GetCitizenProfileInput>()(getCitizenProfileInput),
    output: documentedOutput<T.CitizenProfile>()(citizenProfileOutput),
    subject: (i) => i.personalId,
    policy: { cache: false },
    summary: "Read a citizen's profile with their consent code",
  }),
};

export type VneidOperations = typeof vneidOperations;
