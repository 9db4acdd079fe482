/**
 * The default wire profile of the VNeID adapter: the assumed LGSP/NDXP JSON contract of
 * CONTRACT.md (`/c06/v1`, envelope `{ MaKetQua, MoTa, DuLieu }`, Vietnamese field names,
 * `yyyyMMdd` dates). A city holding the real specification replaces this profile, not the adapter
 * (see `adapters/README.md`, "Writing a profile").
 */
import { z } from 'zod';
import {
  defineProfile,
  type EnvelopeResult,
  type ErrorCode,
  type IdentityField,
  type WireInfo,
  type WireReply,
} from 'vn-national-gateway';
import { toWireDate, wireDateSchema } from 'vn-national-gateway/identifiers';
import { decodeEnum, envelopeFailure, wireCodeSchema } from '../shared.js';
import { type Gender, vneidOperations } from './schemas.js';

/**
 * `MaKetQua` codes other than `00` (success) and the gateway code each maps to:
 * - `01` not found → `NOT_FOUND`;
 * - `02` invalid request → `CONTRACT`: our input schemas enforce every rule the contract states,
 *   so a request the platform calls invalid means the two sides disagree on the contract (loud,
 *   not retried, no fallback), not that the citizen was refused;
 * - `97` not authorised → `AUTH` (also a wrong or expired consent code);
 * - `99` system busy → `UPSTREAM_UNAVAILABLE` (transient: retried, then stale/queued fallbacks).
 *
 * A code missing here is also `CONTRACT` (the platform added a code this profile does not know).
 * Override single codes with {@link createVneidEnvelope}.
 */
export const VNEID_ERROR_CODES: Readonly<Record<string, ErrorCode>> = Object.freeze({
  '01': 'NOT_FOUND',
  '02': 'CONTRACT',
  '97': 'AUTH',
  '99': 'UPSTREAM_UNAVAILABLE',
});

/** The VNeID envelope as it arrives; the free text `MoTa` is never read (it may quote personal data). */
const envelopeSchema = z.object({
  /** Result code (mã kết quả): `00` success. A number (`1`) is read as the two-digit code (`01`). */
  MaKetQua: wireCodeSchema.transform((c) => (/^\d$/.test(c) ? `0${c}` : c)),
  /** The payload (dữ liệu), when `00`. */
  DuLieu: z.unknown().optional(),
});

/**
 * Builds the VNeID envelope reader, optionally remapping some codes, for example
 * `createVneidEnvelope({ '02': 'REJECTED' })`. Whatever the HTTP status (200, 400, 403, 404), the
 * envelope code decides; a body that is not this envelope is a `CONTRACT` error (or `NOT_FOUND` /
 * `AUTH` for a bare HTTP 404 / 403).
 */
export function createVneidEnvelope(
  overrides: Readonly<Record<string, ErrorCode>> = {},
): (reply: WireReply) => EnvelopeResult {
  const codes = { ...VNEID_ERROR_CODES, ...overrides };
  return (reply) => {
    const e = envelopeSchema.parse(reply.body);
    if (e.MaKetQua === '00') return { ok: true, data: e.DuLieu };
    return envelopeFailure(codes, e.MaKetQua);
  };
}

/** The fields every VNeID request body starts with: who asks, why, and the request id. */
function caller(info: WireInfo) {
  return {
    /** Request id (mã yêu cầu) = the call's `X-Road-Id`. */
    MaYeuCau: info.requestId,
    /** Public-service / procedure code (mã dịch vụ công) = the context's `purpose`. */
    MaDVC: info.context.purpose,
    /** Officer (mã cán bộ) = the context's `actor`. */
    MaCanBo: info.context.actor,
  };
}

/** `DuLieu` of `POST /c06/v1/xac-thuc-cong-dan`. */
export const verifyCitizenWire = z.object({
  /**
   * The personal ID verified (số định danh), not in the assumed contract: a platform version that
   * echoes it is checked against the request (see `identity`).
   */
  SoDinhDanh: z.string().nullish(),
  /** The personal ID exists (tồn tại). */
  TonTai: z.boolean(),
  /** Full name matches (khớp họ và tên). */
  KhopHoVaTen: z.boolean(),
  /** Date of birth matches (khớp ngày sinh). */
  KhopNgaySinh: z.boolean(),
});

/** `DuLieu` of `POST /c06/v1/tra-cuu-cong-dan`. */
export const citizenProfileWire = z.object({
  /** Personal identification number (số định danh cá nhân). */
  SoDinhDanh: z.string(),
  /** Old identity card number (số CMND); absent or null when none. */
  SoCMND: z.string().nullish(),
  /** Full name (họ và tên). */
  HoVaTen: z.string(),
  /** Date of birth (ngày tháng năm sinh), `yyyyMMdd`; decoded to `YYYY-MM-DD`. */
  NgayThangNamSinh: wireDateSchema,
  /** Gender (giới tính): `1` nam, `2` nữ. A string; other values pass through. */
  GioiTinh: z.string(),
  /** Nationality (quốc tịch). */
  QuocTich: z.string(),
  /** Permanent residence (nơi thường trú). */
  NoiThuongTru: z.object({
    /** Province code (mã tỉnh). */
    MaTinh: z.string(),
    /** Commune code (mã xã). */
    MaXa: z.string(),
    /** Address detail (chi tiết). */
    ChiTiet: z.string(),
  }),
});

/**
 * The reply identity of both operations: the personal ID asked about. Twelve digits, compared as
 * is (its leading zeros are the province code, never dropped).
 */
const personalIdIdentity = (optional: boolean): IdentityField<{ personalId: string }>[] => [
  {
    field: 'SoDinhDanh',
    asked: (i) => i.personalId,
    answered: (d: { SoDinhDanh?: string | null }) => d.SoDinhDanh,
    normalize: (v) => (/^\d{12}$/.test(v) ? v : undefined),
    optional,
  },
];

const GENDER_CODES: Readonly<Record<string, Gender>> = Object.freeze({ '1': 'male', '2': 'female' });

/**
 * The default VNeID profile (`assumed-lgsp-json-v1`). Copy and modify it for another path or
 * envelope: `{ ...vneidProfile, envelope: createVneidEnvelope({ '02': 'REJECTED' }) }`.
 */
export const vneidProfile = defineProfile(vneidOperations, {
  name: 'vneid-assumed-lgsp-json-v1',
  envelope: createVneidEnvelope(),
  operations: {
    verifyCitizen: {
      request: (i, info) => ({
        method: 'POST',
        path: '/c06/v1/xac-thuc-cong-dan',
        body: {
          ...caller(info),
          SoDinhDanh: i.personalId,
          HoVaTen: i.fullName,
          NgayThangNamSinh: toWireDate(i.dateOfBirth),
        },
      }),
      data: verifyCitizenWire,
      // The contract's answer is three booleans, bound to the request only by its X-Road-Id echo;
      // a personal ID in the answer, when a platform version sends one, must be the one asked.
      identity: personalIdIdentity(true),
      decode: (d: z.output<typeof verifyCitizenWire>) => ({
        exists: d.TonTai,
        nameMatches: d.KhopHoVaTen,
        dateOfBirthMatches: d.KhopNgaySinh,
        verified: d.TonTai && d.KhopHoVaTen && d.KhopNgaySinh,
      }),
    },
    getCitizenProfile: {
      request: (i, info) => ({
        method: 'POST',
        path: '/c06/v1/tra-cuu-cong-dan',
        body: { ...caller(info), SoDinhDanh: i.personalId, MaXacNhan: i.consentCode },
      }),
      data: citizenProfileWire,
      identity: personalIdIdentity(false),
      decode: (d: z.output<typeof citizenProfileWire>, info) => ({
        personalId: d.SoDinhDanh,
        ...(d.SoCMND ? { oldIdCardNumber: d.SoCMND } : {}),
        fullName: d.HoVaTen,
        dateOfBirth: d.NgayThangNamSinh,
        gender: decodeEnum(GENDER_CODES, d.GioiTinh, 'GioiTinh', info),
        nationality: d.QuocTich,
        permanentAddress: {
          provinceCode: d.NoiThuongTru.MaTinh,
          communeCode: d.NoiThuongTru.MaXa,
          detail: d.NoiThuongTru.ChiTiet,
        },
      }),
    },
  },
});
