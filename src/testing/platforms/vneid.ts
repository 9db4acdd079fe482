/**
 * VNeID / national population data (`/c06/v1`): verify a citizen, and read a profile with the
 * citizen's consent code. Envelope `{ MaKetQua, MoTa, DuLieu }`; every code is sent with HTTP 200
 * except `97` (401 for a bad token, 403 for a wrong consent code).
 */

import { z } from 'zod';
import type { CitizenFixture } from '../fixtures.js';
import type { PlatformOptions } from './common-options.js';
import { createIdempotencyStore } from './idempotency.js';
import type { MockRequest } from '../types.js';
import {
  assemblePlatform,
  defineRoute,
  type PlatformModel,
  type RouteContext,
  type RouteResult,
  someoneElse,
} from './router.js';
import { type FailureKind, isWireDate, type PlatformEnvelope, sameName, toWireDate } from './wire.js';

const CODES: Record<FailureKind, readonly [code: string, status: number]> = {
  notFound: ['01', 200],
  invalid: ['02', 200],
  unauthorised: ['97', 401],
  forbidden: ['97', 403],
  busy: ['99', 200],
};

/** The VNeID envelope. */
export const vneidEnvelope: PlatformEnvelope = {
  dataKey: 'DuLieu',
  ok: (data) => ({ status: 200, body: { MaKetQua: '00', MoTa: 'Thành công', DuLieu: data } }),
  fail(kind, message) {
    const [code, status] = CODES[kind];
    return { status, body: { MaKetQua: code, MoTa: message, DuLieu: null } };
  },
};

const common = {
  MaYeuCau: z.string().min(1),
  MaDVC: z.string().trim().min(1),
  MaCanBo: z.string().trim().min(1),
  SoDinhDanh: z.string().regex(/^\d{12}$/),
};

const verifyInput = z.object({
  ...common,
  HoVaTen: z.string().trim().min(1),
  NgayThangNamSinh: z.string().refine(isWireDate),
});

const profileInput = z.object({ ...common, MaXacNhan: z.string().trim().min(1) });

/** CONTRACT.md: `MaYeuCau` is the call's request id, the same as its `X-Road-Id`. */
function checkRequestId(ctx: RouteContext<{ MaYeuCau: string }>, then: () => RouteResult): RouteResult {
  if (ctx.input.MaYeuCau !== ctx.requestId) {
    return { fail: 'invalid', message: 'MaYeuCau phải trùng với X-Road-Id' };
  }
  return then();
}

function profileOf(c: CitizenFixture): Record<string, unknown> {
  return {
    SoDinhDanh: c.personalId,
    ...(c.oldIdNumber ? { SoCMND: c.oldIdNumber } : {}),
    HoVaTen: c.fullName,
    NgayThangNamSinh: toWireDate(c.dateOfBirth),
    GioiTinh: c.gender === 'male' ? '1' : '2',
    QuocTich: c.nationality,
    NoiThuongTru: {
      MaTinh: c.permanentAddress.provinceCode,
      MaXa: c.permanentAddress.wardCode,
      ChiTiet: c.permanentAddress.detail,
    },
  };
}

/** Creates the VNeID platform model. */
export function createVneidPlatform({ fixtures, tokens, now }: PlatformOptions): PlatformModel {
  const find = (id: string) => fixtures.citizens.find((c) => c.personalId === id);
  /** The lie: the same body about another citizen (with that citizen's consent code). */
  const aboutSomeoneElse = (req: MockRequest): MockRequest | undefined => {
    const body = req.body as { SoDinhDanh?: unknown } | undefined;
    const other = someoneElse(fixtures.citizens, (c) => c.personalId === body?.SoDinhDanh);
    if (!other || typeof body !== 'object' || body === null) return undefined;
    return { ...req, body: { ...body, SoDinhDanh: other.personalId, MaXacNhan: other.consentCode } };
  };
  const notFound: RouteResult = { fail: 'notFound', message: 'Không tìm thấy thông tin công dân' };

  const routes = [
    defineRoute({
      method: 'POST',
      path: /^\/c06\/v1\/xac-thuc-cong-dan$/,
      citizenData: true,
      input: verifyInput,
      elsewhere: (req) => {
        const other = aboutSomeoneElse(req);
        if (!other) return undefined;
        const { MaXacNhan: _, ...body } = other.body as Record<string, unknown>;
        return { ...other, body };
      },
      run: (ctx) =>
        checkRequestId(ctx, () => {
          const c = find(ctx.input.SoDinhDanh);
          if (!c) return notFound;
          return {
            ok: {
              TonTai: true,
              KhopHoVaTen: sameName(c.fullName, ctx.input.HoVaTen),
              KhopNgaySinh: toWireDate(c.dateOfBirth) === ctx.input.NgayThangNamSinh,
            },
          };
        }),
    }),
    defineRoute({
      method: 'POST',
      path: /^\/c06\/v1\/tra-cuu-cong-dan$/,
      citizenData: true,
      input: profileInput,
      elsewhere: aboutSomeoneElse,
      run: (ctx) =>
        checkRequestId(ctx, () => {
          const c = find(ctx.input.SoDinhDanh);
          if (!c) return notFound;
          if (c.consentCode !== ctx.input.MaXacNhan) {
            return { fail: 'forbidden', message: 'Mã xác nhận của công dân không đúng hoặc đã hết hạn' };
          }
          return { ok: profileOf(c) };
        }),
    }),
  ];

  return assemblePlatform(
    { upstream: 'vneid', envelope: vneidEnvelope, routes },
    { tokens, store: createIdempotencyStore('vneid'), now },
  );
}
