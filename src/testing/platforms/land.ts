/**
 * Land registry (`/land/v1`): parcels, certificates, change registrations (a write) and their
 * status. Envelope `{ status, errorCode, message, data }`; errors use HTTP 400/401/403/404 except
 * `SYSTEM_BUSY`, which comes with HTTP 200. Pre-2025 commune codes are accepted and mapped to the
 * current unit, since cadastral maps predate the 2025 merger.
 */

import { z } from 'zod';
import type { CertificateFixture, MockFixtures, ParcelFixture } from '../fixtures.js';
import type { PlatformOptions } from './common-options.js';
import { createIdempotencyStore } from './idempotency.js';
import {
  assemblePlatform,
  defineRoute,
  type PlatformModel,
  type RouteResult,
  lastSegment,
  someoneElse,
  withLastSegment,
} from './router.js';
import { type FailureKind, normalizeSerial, type PlatformEnvelope, toWireDate } from './wire.js';

const CODES: Record<FailureKind, readonly [code: string, status: number]> = {
  notFound: ['NOT_FOUND', 404],
  invalid: ['INVALID_REQUEST', 400],
  unauthorised: ['UNAUTHORIZED', 401],
  forbidden: ['UNAUTHORIZED', 403],
  busy: ['SYSTEM_BUSY', 200],
};

/** The land registry envelope. */
export const landEnvelope: PlatformEnvelope = {
  dataKey: 'data',
  ok: (data) => ({ status: 200, body: { status: 'SUCCESS', errorCode: null, message: 'Thành công', data } }),
  fail(kind, message) {
    const [code, status] = CODES[kind];
    return { status, body: { status: 'FAIL', errorCode: code, message, data: null } };
  },
};

const wardCode = z.string().regex(/^\d{5}$/);
const positiveIntText = z.string().regex(/^[1-9]\d*$/);
const positiveInt = z.number().int().positive();

const parcelQuery = z.object({ maXa: wardCode, soTo: positiveIntText, soThua: positiveIntText });

const registrationInput = z.object({
  maHoSo: z.string().trim().min(1),
  maXa: wardCode,
  soTo: positiveInt,
  soThua: positiveInt,
  loaiBienDong: z.string().trim().min(1),
  nguoiNop: z.object({ soDinhDanh: z.string().regex(/^\d{12}$/), hoTen: z.string().trim().min(1) }),
});

/** Current ward code for a current or pre-2025 code, from the fixtures' ward list. */
function wardResolver(fixtures: MockFixtures): (code: string) => string | undefined {
  const current = new Set(fixtures.wards.map((w) => w.code));
  const former = new Map<string, string>();
  for (const w of fixtures.wards) for (const f of w.formerUnits) former.set(f.code, w.code);
  return (code) => (current.has(code) ? code : former.get(code));
}

function certificateWire(c: CertificateFixture): Record<string, unknown> {
  return {
    soPhatHanh: c.serial,
    ...(c.code ? { maGiayChungNhan: c.code } : {}),
    ngayCap: toWireDate(c.issuedOn),
    trangThai: c.status,
  };
}

function parcelWire(p: ParcelFixture): Record<string, unknown> {
  return {
    maXa: p.wardCode,
    soTo: p.mapSheet,
    soThua: p.parcelNumber,
    dienTich: p.areaM2,
    loaiDat: p.landUse,
    thoiHanSuDung: toWireDate(p.landUseTerm),
    giayChungNhan: p.certificates.map(certificateWire),
    hanChe: [...p.restrictions],
  };
}

/** Creates the land registry platform model. */
export function createLandPlatform({ fixtures, tokens, now }: PlatformOptions): PlatformModel {
  const store = createIdempotencyStore('land');
  const resolveWard = wardResolver(fixtures);
  const findParcel = (maXa: string, soTo: number, soThua: number) => {
    const ward = resolveWard(maXa);
    return fixtures.parcels.find(
      (p) => p.wardCode === ward && p.mapSheet === soTo && p.parcelNumber === soThua,
    );
  };
  const parcelNotFound: RouteResult = { fail: 'notFound', message: 'Không tìm thấy thửa đất' };
  const serials = fixtures.parcels.flatMap((p) => p.certificates.map((c) => c.serial));

  const routes = [
    defineRoute({
      method: 'GET',
      path: /^\/land\/v1\/thua-dat$/,
      input: parcelQuery,
      elsewhere: (req) => {
        const { maXa, soTo, soThua } = req.query;
        const asked = findParcel(maXa ?? '', Number(soTo), Number(soThua));
        const other = someoneElse(fixtures.parcels, (p) => p === asked);
        if (!other) return undefined;
        const query = {
          maXa: other.wardCode,
          soTo: String(other.mapSheet),
          soThua: String(other.parcelNumber),
        };
        return { ...req, query };
      },
      run: ({ input }) => {
        const p = findParcel(input.maXa, Number(input.soTo), Number(input.soThua));
        return p ? { ok: parcelWire(p) } : parcelNotFound;
      },
    }),
    defineRoute({
      method: 'GET',
      path: /^\/land\/v1\/giay-chung-nhan\/([^/]+)$/,
      elsewhere: (req) => {
        const asked = normalizeSerial(lastSegment(req) ?? '');
        return withLastSegment(
          req,
          someoneElse(serials, (s) => s === asked),
        );
      },
      run: ({ params }) => {
        const serial = normalizeSerial(params[0]!);
        if (!serial) return { fail: 'invalid', message: 'Số phát hành giấy chứng nhận không hợp lệ' };
        for (const p of fixtures.parcels) {
          const c = p.certificates.find((x) => x.serial === serial);
          if (c)
            return {
              ok: { ...certificateWire(c), maXa: p.wardCode, soTo: p.mapSheet, soThua: p.parcelNumber },
            };
        }
        return { fail: 'notFound', message: 'Không tìm thấy giấy chứng nhận' };
      },
    }),
    defineRoute({
      method: 'POST',
      path: /^\/land\/v1\/dang-ky-bien-dong$/,
      citizenData: true,
      write: true,
      input: registrationInput,
      run: ({ input }) => {
        if (!findParcel(input.maXa, input.soTo, input.soThua)) return parcelNotFound;
        const receiptId = `BN-${String(store.registrations().length + 1).padStart(6, '0')}`;
        return { ok: { maBienNhan: receiptId, trangThai: 'DA_TIEP_NHAN' }, receiptId };
      },
    }),
    defineRoute({
      method: 'GET',
      path: /^\/land\/v1\/dang-ky-bien-dong\/([^/]+)$/,
      elsewhere: (req) => {
        const asked = lastSegment(req);
        const other = someoneElse(store.registrations(), (r) => r.receiptId === asked);
        return withLastSegment(req, other?.receiptId);
      },
      run: ({ params }) => {
        const reg = store.byReceipt(params[0]!);
        if (!reg) return { fail: 'notFound', message: 'Không tìm thấy hồ sơ đăng ký biến động' };
        return {
          ok: {
            maBienNhan: reg.receiptId,
            trangThai: 'DA_TIEP_NHAN',
            capNhatLuc: new Date(reg.time).toISOString(),
          },
        };
      },
    }),
  ];

  return assemblePlatform({ upstream: 'land', envelope: landEnvelope, routes }, { tokens, store, now });
}
