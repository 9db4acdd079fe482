/**
 * Tax registration (`/tax/v1`): look up a taxpayer (enterprise, branch, or an individual by
 * personal ID), register an individual or household business (a write), and read its status.
 * Envelope `{ error_code, message, result }`; codes come with HTTP 200 except `401`.
 */

import { z } from 'zod';
import type { TaxpayerFixture } from '../fixtures.js';
import type { PlatformOptions } from './common-options.js';
import { createIdempotencyStore } from './idempotency.js';
import {
  assemblePlatform,
  defineRoute,
  lastSegment,
  type PlatformModel,
  someoneElse,
  withLastSegment,
} from './router.js';
import { type FailureKind, isTaxCode, isWireDate, type PlatformEnvelope } from './wire.js';

const CODES: Record<FailureKind, readonly [code: number, status: number]> = {
  notFound: [404, 200],
  invalid: [400, 200],
  unauthorised: [401, 401],
  forbidden: [401, 200],
  busy: [503, 200],
};

/** The tax registry envelope. */
export const taxEnvelope: PlatformEnvelope = {
  dataKey: 'result',
  ok: (result) => ({ status: 200, body: { error_code: 0, message: 'Thành công', result } }),
  fail(kind, message) {
    const [code, status] = CODES[kind];
    return { status, body: { error_code: code, message, result: null } };
  },
};

const registrationInput = z.object({
  maHoSo: z.string().trim().min(1),
  soDinhDanh: z.string().regex(/^\d{12}$/),
  hoTen: z.string().trim().min(1),
  ngaySinh: z.string().refine(isWireDate),
  diaChiKinhDoanh: z
    .object({ maXa: z.string().regex(/^\d{5}$/), chiTiet: z.string().trim().min(1) })
    .optional(),
  nganhNghe: z.string().optional(),
});

/** Creates the tax registry platform model. */
export function createTaxPlatform({ fixtures, tokens, now }: PlatformOptions): PlatformModel {
  const store = createIdempotencyStore('tax');
  const taxpayers = new Map<string, TaxpayerFixture>();
  for (const e of fixtures.enterprises) {
    taxpayers.set(e.taxCode, e);
    for (const b of e.branches) taxpayers.set(b.taxCode, b);
  }
  for (const i of fixtures.individualTaxpayers) taxpayers.set(i.taxCode, i);
  const codes = [...taxpayers.keys()];

  const routes = [
    defineRoute({
      method: 'GET',
      path: /^\/tax\/v1\/nguoi-nop-thue\/([^/]+)$/,
      elsewhere: (req) => {
        const asked = lastSegment(req);
        return withLastSegment(
          req,
          someoneElse(codes, (c) => c === asked),
        );
      },
      run: ({ params }) => {
        const mst = params[0]!;
        if (!isTaxCode(mst)) return { fail: 'invalid', message: 'Mã số thuế không hợp lệ' };
        const t = taxpayers.get(mst);
        if (!t) return { fail: 'notFound', message: 'Không tìm thấy người nộp thuế' };
        return {
          ok: { mst: t.taxCode, tenNguoiNopThue: t.name, trangThai: t.status, coQuanThueQuanLy: t.taxOffice },
        };
      },
    }),
    defineRoute({
      method: 'POST',
      path: /^\/tax\/v1\/dang-ky-thue$/,
      citizenData: true,
      write: true,
      input: registrationInput,
      run: () => {
        const receiptId = `HST-${String(store.registrations().length + 1).padStart(6, '0')}`;
        return { ok: { maHoSoThue: receiptId, trangThai: 'TIEP_NHAN' }, receiptId };
      },
    }),
    defineRoute({
      method: 'GET',
      path: /^\/tax\/v1\/dang-ky-thue\/([^/]+)$/,
      elsewhere: (req) => {
        const asked = lastSegment(req);
        return withLastSegment(
          req,
          someoneElse(store.registrations(), (r) => r.receiptId === asked)?.receiptId,
        );
      },
      run: ({ params }) => {
        const reg = store.byReceipt(params[0]!);
        if (!reg) return { fail: 'notFound', message: 'Không tìm thấy hồ sơ đăng ký thuế' };
        return { ok: { maHoSoThue: reg.receiptId, trangThai: 'TIEP_NHAN' } };
      },
    }),
  ];

  return assemblePlatform({ upstream: 'tax', envelope: taxEnvelope, routes }, { tokens, store, now });
}
