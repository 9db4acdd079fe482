/**
 * The default wire profile of the tax registry adapter: the assumed contract of CONTRACT.md
 * (`/tax/v1`, envelope `{ error_code, message, result }`, Vietnamese field names, `yyyyMMdd`
 * dates). A city holding the real specification replaces this profile, not the adapter.
 */
import { z } from 'zod';
import {
  type DecodeInfo,
  defineProfile,
  type EnvelopeResult,
  type ErrorCode,
  type WireReply,
} from 'vn-national-gateway';
import { parseTaxCode, toWireDate } from 'vn-national-gateway/identifiers';
import { decodeEnum, envelopeFailure, wireCodeSchema } from '../shared.js';
import { type TaxpayerStatus, type TaxRegistrationStatus, taxRegistryOperations } from './schemas.js';

/**
 * `error_code` values other than `0` (success) and the gateway code each maps to:
 * - `404` not found → `NOT_FOUND`;
 * - `400` invalid → `CONTRACT`: our input schemas enforce the contract's rules (the tax code's
 *   check digit included), so a request the registry calls invalid means the two sides disagree
 *   on the contract (not retried);
 * - `401` not authorised → `AUTH`;
 * - `503` system busy → `UPSTREAM_UNAVAILABLE` (transient: retried, then stale/queued fallbacks).
 *
 * A code missing here is also `CONTRACT`. Override single codes with {@link createTaxEnvelope}.
 */
export const TAX_ERROR_CODES: Readonly<Record<string, ErrorCode>> = Object.freeze({
  '404': 'NOT_FOUND',
  '400': 'CONTRACT',
  '401': 'AUTH',
  '503': 'UPSTREAM_UNAVAILABLE',
});

/** The tax envelope as it arrives; the free text `message` is never read (it may quote personal data). */
const envelopeSchema = z.object({
  /** Error code (mã lỗi): `0` success; a number (a numeric string is accepted too). */
  error_code: wireCodeSchema,
  /** The payload (kết quả). */
  result: z.unknown().optional(),
});

/**
 * Builds the tax envelope reader, optionally remapping some codes. Whatever the HTTP status
 * (200, 400, 403, 404), `error_code` decides.
 */
export function createTaxEnvelope(
  overrides: Readonly<Record<string, ErrorCode>> = {},
): (reply: WireReply) => EnvelopeResult {
  const codes = { ...TAX_ERROR_CODES, ...overrides };
  return (reply) => {
    const e = envelopeSchema.parse(reply.body);
    if (e.error_code === '0') return { ok: true, data: e.result };
    return envelopeFailure(codes, e.error_code);
  };
}

/** `result` of `GET /tax/v1/nguoi-nop-thue/{mst}`. */
export const taxpayerWire = z.object({
  /** Tax code (mã số thuế). */
  mst: z.string().min(1),
  /** Taxpayer's name (tên người nộp thuế). */
  tenNguoiNopThue: z.string(),
  /** Status (trạng thái): `00`, `01`, `03`; other values pass through. */
  trangThai: z.string(),
  /** Managing tax office (cơ quan thuế quản lý). */
  coQuanThueQuanLy: z.string(),
});

/** `result` of `POST /tax/v1/dang-ky-thue` and `GET /tax/v1/dang-ky-thue/{maHoSoThue}`. */
export const taxRegistrationWire = z.object({
  /** Tax registration dossier number (mã hồ sơ thuế). */
  maHoSoThue: z.string().min(1),
  /** Tax code (mã số thuế) once issued; absent or null before. */
  mst: z.string().nullish(),
  /**
   * Dossier code (mã hồ sơ), not in the assumed contract: a registry version that echoes it is
   * checked against the request's (see `identity`).
   */
  maHoSo: z.string().nullish(),
  /** Status (trạng thái): `TIEP_NHAN` or `DA_CAP`; other values pass through. */
  trangThai: z.string(),
});

const TAXPAYER_STATUS_CODES: Readonly<Record<string, TaxpayerStatus>> = Object.freeze({
  '00': 'active',
  '01': 'suspended',
  '03': 'closed',
});
const REGISTRATION_STATUS_CODES: Readonly<Record<string, TaxRegistrationStatus>> = Object.freeze({
  TIEP_NHAN: 'received',
  DA_CAP: 'issued',
});

function decodeRegistration(d: z.output<typeof taxRegistrationWire>, info: DecodeInfo) {
  return {
    registrationId: d.maHoSoThue,
    ...(d.mst ? { taxCode: d.mst } : {}),
    status: decodeEnum(REGISTRATION_STATUS_CODES, d.trangThai, 'trangThai', info),
  };
}

/**
 * A tax code's canonical form (a branch with its dash), or `undefined` when it is not a valid tax
 * code: the form `taxCodeSchema` gives the request's, so both sides compare alike.
 */
function canonicalTaxCode(value: string): string | undefined {
  const r = parseTaxCode(value);
  return r.ok ? r.value.normalized : undefined;
}

type RegistrationWire = z.output<typeof taxRegistrationWire>;

/**
 * The default tax registry profile (`assumed-lgsp-json-v1`). Copy and modify it for another path
 * or envelope: `{ ...taxRegistryProfile, envelope: createTaxEnvelope({ … }) }`.
 */
export const taxRegistryProfile = defineProfile(taxRegistryOperations, {
  name: 'tax-assumed-lgsp-json-v1',
  envelope: createTaxEnvelope(),
  operations: {
    lookupTaxCode: {
      request: (i) => ({ method: 'GET', path: `/tax/v1/nguoi-nop-thue/${encodeURIComponent(i.taxCode)}` }),
      data: taxpayerWire,
      identity: [
        {
          field: 'mst',
          asked: (i) => i.taxCode,
          answered: (d: z.output<typeof taxpayerWire>) => d.mst,
          normalize: canonicalTaxCode,
        },
      ],
      decode: (d: z.output<typeof taxpayerWire>, info) => ({
        taxCode: d.mst,
        name: d.tenNguoiNopThue,
        status: decodeEnum(TAXPAYER_STATUS_CODES, d.trangThai, 'trangThai', info),
        taxOffice: d.coQuanThueQuanLy,
      }),
    },
    registerTaxpayer: {
      request: (i) => ({
        method: 'POST',
        path: '/tax/v1/dang-ky-thue',
        body: {
          maHoSo: i.dossierCode,
          soDinhDanh: i.personalId,
          hoTen: i.fullName,
          ngaySinh: toWireDate(i.dateOfBirth),
          ...(i.businessAddress
            ? { diaChiKinhDoanh: { maXa: i.businessAddress.wardCode, chiTiet: i.businessAddress.detail } }
            : {}),
          ...(i.businessLine !== undefined ? { nganhNghe: i.businessLine } : {}),
        },
      }),
      data: taxRegistrationWire,
      // An individual's tax code is their personal ID (since 1 July 2025): once issued it must be
      // the applicant's; a dossier code, when echoed, must be ours.
      identity: [
        {
          field: 'mst',
          asked: (i) => i.personalId,
          answered: (d: RegistrationWire) => d.mst,
          normalize: canonicalTaxCode,
          optional: true,
        },
        {
          field: 'maHoSo',
          asked: (i) => i.dossierCode,
          answered: (d: RegistrationWire) => d.maHoSo,
          optional: true,
        },
      ],
      decode: decodeRegistration,
    },
    getRegistrationStatus: {
      request: (i) => ({
        method: 'GET',
        path: `/tax/v1/dang-ky-thue/${encodeURIComponent(i.registrationId)}`,
      }),
      data: taxRegistrationWire,
      identity: [
        {
          field: 'maHoSoThue',
          asked: (i) => i.registrationId,
          answered: (d: RegistrationWire) => d.maHoSoThue,
        },
      ],
      decode: decodeRegistration,
    },
  },
});
