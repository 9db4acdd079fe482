/**
 * The default wire profile of the land registry adapter: the assumed contract of CONTRACT.md
 * (`/land/v1`, envelope `{ status, errorCode, message, data }`, Vietnamese field names, `yyyyMMdd`
 * dates). A city holding the real specification replaces this profile, not the adapter.
 */
import { z } from 'zod';
import {
  type DecodeInfo,
  defineProfile,
  type EnvelopeResult,
  type ErrorCode,
  type IdentityField,
  type WireReply,
} from 'vn-national-gateway';
import {
  fromWireDate,
  normalizeCertificateSerial,
  resolveCommuneCode,
  wireDateSchema,
} from 'vn-national-gateway/identifiers';
import { decodeEnum, envelopeFailure } from '../shared.js';
import {
  type CertificateStatus,
  LAND_USE_CODES,
  type LandRegistrationStatus,
  type LandUseCode,
  landRegistryOperations,
} from './schemas.js';

/**
 * `errorCode` values and the gateway code each maps to:
 * - `NOT_FOUND` → `NOT_FOUND`;
 * - `INVALID_REQUEST` → `CONTRACT`: our input schemas enforce the contract's rules, so a request
 *   the registry calls invalid means the two sides disagree on the contract (not retried);
 * - `UNAUTHORIZED` → `AUTH`;
 * - `SYSTEM_BUSY` → `UPSTREAM_UNAVAILABLE` (transient: retried, then stale/queued fallbacks).
 *
 * A code missing here is also `CONTRACT`. Override single codes with {@link createLandEnvelope}.
 */
export const LAND_ERROR_CODES: Readonly<Record<string, ErrorCode>> = Object.freeze({
  NOT_FOUND: 'NOT_FOUND',
  INVALID_REQUEST: 'CONTRACT',
  UNAUTHORIZED: 'AUTH',
  SYSTEM_BUSY: 'UPSTREAM_UNAVAILABLE',
});

/** The land envelope as it arrives; the free text `message` is never read (it may quote personal data). */
const envelopeSchema = z.object({
  /** `SUCCESS` or `FAIL`. */
  status: z.string(),
  /** The error code (mã lỗi), `null` on success. */
  errorCode: z.string().nullish(),
  /** The payload. */
  data: z.unknown().optional(),
});

/**
 * Builds the land envelope reader, optionally remapping some codes. A non-null `errorCode` is a
 * failure whatever `status` and the HTTP status (200, 400, 403, 404) say; `SUCCESS` without one is
 * the data; anything else (`FAIL` without a code, an unknown `status`) is a `CONTRACT` error.
 */
export function createLandEnvelope(
  overrides: Readonly<Record<string, ErrorCode>> = {},
): (reply: WireReply) => EnvelopeResult {
  const codes = { ...LAND_ERROR_CODES, ...overrides };
  return (reply) => {
    const e = envelopeSchema.parse(reply.body);
    if (e.errorCode != null) return envelopeFailure(codes, e.errorCode);
    if (e.status === 'SUCCESS') return { ok: true, data: e.data };
    throw new Error('land envelope: neither SUCCESS nor an error code');
  };
}

const positiveInt = z.number().int().positive();

/** A certificate on the wire (giấy chứng nhận). */
export const certificateWire = z.object({
  /** Serial (số phát hành). */
  soPhatHanh: z.string().min(1),
  /** Nationwide code (mã giấy chứng nhận), optional. */
  maGiayChungNhan: z.string().nullish(),
  /** Date of issue (ngày cấp), `yyyyMMdd`; decoded to `YYYY-MM-DD`. */
  ngayCap: wireDateSchema,
  /** Status (trạng thái): `HIEU_LUC` or `THU_HOI`; other values pass through. */
  trangThai: z.string(),
});

/** `data` of `GET /land/v1/thua-dat`. */
export const parcelWire = z.object({
  /** Commune code (mã xã). */
  maXa: z.string().min(1),
  /** Map sheet (số tờ). */
  soTo: positiveInt,
  /** Parcel number (số thửa). */
  soThua: positiveInt,
  /** Area in m² (diện tích). */
  dienTich: z.number().nonnegative(),
  /** Land-use code (loại đất). */
  loaiDat: z.string().min(1),
  /** Term of use (thời hạn sử dụng): `Lâu dài` or an end date `yyyyMMdd`. */
  thoiHanSuDung: z.string().min(1),
  /** Certificates (giấy chứng nhận). */
  giayChungNhan: z.array(certificateWire),
  /** Restrictions (hạn chế). */
  hanChe: z.array(z.string()),
});

/** `data` of `GET /land/v1/giay-chung-nhan/{soPhatHanh}`: the certificate and its parcel key. */
export const certificateWithParcelWire = certificateWire.extend({
  /** Commune code (mã xã). */
  maXa: z.string().min(1),
  /** Map sheet (số tờ). */
  soTo: positiveInt,
  /** Parcel number (số thửa). */
  soThua: positiveInt,
});

/** `data` of `POST /land/v1/dang-ky-bien-dong`. */
export const registrationWire = z.object({
  /** Receipt number (mã biên nhận). */
  maBienNhan: z.string().min(1),
  /**
   * Dossier code (mã hồ sơ), not in the assumed contract: a registry version that echoes it is
   * checked against the request's (see `identity`).
   */
  maHoSo: z.string().nullish(),
  /** Status (trạng thái), `DA_TIEP_NHAN`. */
  trangThai: z.string(),
});

/** `data` of `GET /land/v1/dang-ky-bien-dong/{maBienNhan}`. */
export const registrationStatusWire = registrationWire.extend({
  /** Last update (cập nhật lúc), ISO 8601 date-time with offset. */
  capNhatLuc: z.iso.datetime({ offset: true }),
});

const CERTIFICATE_STATUS_CODES: Readonly<Record<string, CertificateStatus>> = Object.freeze({
  HIEU_LUC: 'valid',
  THU_HOI: 'revoked',
});
const REGISTRATION_STATUS_CODES: Readonly<Record<string, LandRegistrationStatus>> = Object.freeze({
  DA_TIEP_NHAN: 'received',
});
const LAND_USE_TABLE: Readonly<Record<string, LandUseCode>> = Object.freeze(
  Object.fromEntries(LAND_USE_CODES.map((c) => [c, c])),
);

/**
 * The parcel's current unit from the commune code the registry answered: a current code as is,
 * a pre-2025 code resolved to its successor (kept in `resolvedFrom`). A pre-2025 code that was
 * split over several units cannot be placed without the map: it stays as answered. A code this
 * library does not know is passed through and reported.
 */
function location(maXa: string, soTo: number, soThua: number, info: DecodeInfo) {
  const unit = resolveCommuneCode(maXa);
  if (!unit) info.unknownValue('maXa', maXa);
  const resolved =
    !unit || unit.candidates
      ? { wardCode: maXa }
      : { wardCode: unit.code, wardName: unit.name, ...(unit.current ? {} : { resolvedFrom: maXa }) };
  return { ...resolved, mapSheet: soTo, parcelNumber: soThua };
}

function certificate(c: z.output<typeof certificateWire>, info: DecodeInfo) {
  return {
    serial: c.soPhatHanh,
    ...(c.maGiayChungNhan ? { certificateCode: c.maGiayChungNhan } : {}),
    issuedOn: c.ngayCap,
    status: decodeEnum(CERTIFICATE_STATUS_CODES, c.trangThai, 'giayChungNhan.trangThai', info),
  };
}

/** `Lâu dài` → `long-term`; a `yyyyMMdd` date → `YYYY-MM-DD`; other text passes through, reported. */
function useTerm(value: string, info: DecodeInfo): string {
  if (value.normalize('NFC').trim().toLocaleLowerCase('vi') === 'lâu dài') return 'long-term';
  const date = fromWireDate(value);
  if (date) return date;
  info.unknownValue('thoiHanSuDung', value);
  return value;
}

/**
 * Whether the registry's commune code `answered` is the one `asked`: the same code, or, for a
 * pre-2025 code asked, the current unit it went to (the registry may answer with the parcel's
 * current commune). Any other code is another commune's parcel, even one merged into the same
 * ward: two pre-2025 communes may both have a sheet 12 with a parcel 345.
 */
function sameCommune(asked: string, answered: string): boolean {
  if (asked === answered) return true;
  const unit = resolveCommuneCode(asked);
  if (!unit || unit.current) return false;
  return unit.code === answered || (unit.candidates ?? []).some((c) => c.code === answered);
}

/** A parcel's identity: commune (see {@link sameCommune}), map sheet and parcel number. */
const parcelIdentity: IdentityField<{ wardCode: string; mapSheet: number; parcelNumber: number }>[] = [
  { field: 'maXa', asked: (i) => i.wardCode, answered: (d: ParcelKeyWire) => d.maXa, same: sameCommune },
  { field: 'soTo', asked: (i) => i.mapSheet, answered: (d: ParcelKeyWire) => d.soTo },
  { field: 'soThua', asked: (i) => i.parcelNumber, answered: (d: ParcelKeyWire) => d.soThua },
];

type ParcelKeyWire = { maXa: string; soTo: number; soThua: number };

/**
 * The default land registry profile (`assumed-lgsp-json-v1`). Copy and modify it for another
 * path or envelope: `{ ...landRegistryProfile, envelope: createLandEnvelope({ … }) }`.
 */
export const landRegistryProfile = defineProfile(landRegistryOperations, {
  name: 'land-assumed-lgsp-json-v1',
  envelope: createLandEnvelope(),
  operations: {
    getParcel: {
      request: (i) => ({
        method: 'GET',
        path: '/land/v1/thua-dat',
        query: { maXa: i.wardCode, soTo: i.mapSheet, soThua: i.parcelNumber },
      }),
      data: parcelWire,
      identity: parcelIdentity,
      decode: (d: z.output<typeof parcelWire>, info) => ({
        ...location(d.maXa, d.soTo, d.soThua, info),
        areaM2: d.dienTich,
        landUseCode: decodeEnum(LAND_USE_TABLE, d.loaiDat, 'loaiDat', info),
        useTerm: useTerm(d.thoiHanSuDung, info),
        certificates: d.giayChungNhan.map((c) => certificate(c, info)),
        restrictions: d.hanChe,
      }),
    },
    verifyCertificate: {
      request: (i) => ({ method: 'GET', path: `/land/v1/giay-chung-nhan/${encodeURIComponent(i.serial)}` }),
      data: certificateWithParcelWire,
      identity: [
        {
          field: 'soPhatHanh',
          asked: (i) => i.serial,
          answered: (d: z.output<typeof certificateWithParcelWire>) => d.soPhatHanh,
          // Serials are capitals, written with or without a space: no two differ by case or space.
          ignoreCase: true,
          normalize: (v) => normalizeCertificateSerial(v.replace(/\s+/g, '')),
        },
      ],
      decode: (d: z.output<typeof certificateWithParcelWire>, info) => ({
        ...certificate(d, info),
        parcel: location(d.maXa, d.soTo, d.soThua, info),
      }),
    },
    submitRegistration: {
      request: (i) => ({
        method: 'POST',
        path: '/land/v1/dang-ky-bien-dong',
        body: {
          maHoSo: i.dossierCode,
          maXa: i.wardCode,
          soTo: i.mapSheet,
          soThua: i.parcelNumber,
          loaiBienDong: i.changeType,
          nguoiNop: { soDinhDanh: i.applicant.personalId, hoTen: i.applicant.fullName },
        },
      }),
      data: registrationWire,
      // The contract's receipt names nothing asked; a dossier code, when echoed, must be ours.
      identity: [
        {
          field: 'maHoSo',
          asked: (i) => i.dossierCode,
          answered: (d: z.output<typeof registrationWire>) => d.maHoSo,
          optional: true,
        },
      ],
      decode: (d: z.output<typeof registrationWire>, info) => ({
        receiptId: d.maBienNhan,
        status: decodeEnum(REGISTRATION_STATUS_CODES, d.trangThai, 'trangThai', info),
      }),
    },
    getRegistrationStatus: {
      request: (i) => ({
        method: 'GET',
        path: `/land/v1/dang-ky-bien-dong/${encodeURIComponent(i.receiptId)}`,
      }),
      data: registrationStatusWire,
      identity: [
        {
          field: 'maBienNhan',
          asked: (i) => i.receiptId,
          answered: (d: z.output<typeof registrationStatusWire>) => d.maBienNhan,
        },
      ],
      decode: (d: z.output<typeof registrationStatusWire>, info) => ({
        receiptId: d.maBienNhan,
        status: decodeEnum(REGISTRATION_STATUS_CODES, d.trangThai, 'trangThai', info),
        updatedAt: d.capNhatLuc,
      }),
    },
  },
});
