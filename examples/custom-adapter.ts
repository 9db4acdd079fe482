/**
 * Adapting the gateway without forking it:
 *
 * 1. a fourth platform, social insurance (BHXH), written with the same public API as the built-in
 *    adapters: `defineOperation` (domain schemas), `defineProfile` (paths, field names, its own
 *    envelope), `defineAdapter`; it gets breakers, retries, timeouts, stale reads, the outbox,
 *    metrics and the audit trail like the others;
 * 2. the built-in tax registry adapter with a replaced profile: the city's provincial LGSP fronts
 *    the registry under another path and wraps every answer in its own envelope.
 *
 * It runs against a tiny local server standing in for both: `npx tsx examples/custom-adapter.ts`.
 * The BHXH contract below is invented for the example, like the assumed contracts of CONTRACT.md.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import {
  type CallResult,
  createGateway,
  defineAdapter,
  defineOperation,
  defineProfile,
  type ErrorCode,
  isGatewayError,
} from 'vn-national-gateway';
import { taxRegistry, taxRegistryOperations, taxRegistryProfile } from 'vn-national-gateway/adapters';
import { personalIdSchema } from 'vn-national-gateway/identifiers';
import { z } from 'zod';

// ── 1. A fourth platform: social insurance (Bảo hiểm xã hội) ─────────────────────────────────

/** The domain side, in the library's English camelCase vocabulary. */
const bhxhOperations = {
  /** A citizen's social insurance book (sổ BHXH), by personal ID. */
  lookupInsuranceBook: defineOperation({
    kind: 'read',
    personalData: true, // purpose and actor required, call audited
    input: z.object({ personalId: personalIdSchema }),
    output: z.object({
      bookNumber: z.string(),
      fullName: z.string(),
      status: z.enum(['contributing', 'paused', 'closed']),
      contributionMonths: z.number().int().nonnegative(),
    }),
    subject: (i) => i.personalId,
    // Stale-if-error: a book changes monthly, so an answer up to a day old is fine during an outage.
    policy: { cache: { ttlMs: 60 * 60_000, maxStaleMs: 24 * 60 * 60_000 } },
    summary: "Look up a citizen's social insurance book",
  }),
  /** Registers voluntary contributions (đăng ký đóng BHXH tự nguyện): a write, queued when BHXH is down. */
  registerVoluntaryContribution: defineOperation({
    kind: 'write',
    personalData: true,
    input: z.object({
      dossierCode: z.string().regex(/^[A-Za-z0-9._\-/:]{1,100}$/),
      personalId: personalIdSchema,
      /** Declared monthly income in VND (mức thu nhập làm căn cứ đóng). */
      monthlyIncome: z.number().int().min(1_500_000),
      /** Paid every 1, 3, 6 or 12 months (phương thức đóng). */
      everyMonths: z.union([z.literal(1), z.literal(3), z.literal(6), z.literal(12)]),
    }),
    output: z.object({ receiptId: z.string(), status: z.string() }),
    subject: (i) => i.personalId,
    dossierCode: (i) => i.dossierCode, // the idempotency key of the write
  }),
};

/** BHXH's envelope: `{ maLoi: "0", thongBao, duLieu }`; `9` means busy (transient). */
const bhxhEnvelope = z.object({ maLoi: z.string(), duLieu: z.unknown().optional() });
const BHXH_CODES: Record<string, ErrorCode> = {
  '1': 'NOT_FOUND',
  '2': 'CONTRACT',
  '3': 'AUTH',
  '9': 'UPSTREAM_UNAVAILABLE',
};
const bookWire = z.object({
  soDinhDanh: z.string(),
  soSoBHXH: z.string(),
  hoTen: z.string(),
  trangThai: z.enum(['DANG_DONG', 'TAM_DUNG', 'CHOT_SO']),
  soThangDong: z.number(),
});
type BookWire = z.output<typeof bookWire>;
const BOOK_STATUS = { DANG_DONG: 'contributing', TAM_DUNG: 'paused', CHOT_SO: 'closed' } as const;
const receiptWire = z.object({ soBienNhan: z.string(), trangThai: z.string() });

/** The wire side: paths, Vietnamese field names, the envelope. */
const bhxhProfile = defineProfile(bhxhOperations, {
  name: 'bhxh-example-json-v1',
  envelope(reply) {
    const e = bhxhEnvelope.parse(reply.body); // throwing here is a CONTRACT error
    if (e.maLoi === '0') return { ok: true, data: e.duLieu };
    return { ok: false, code: BHXH_CODES[e.maLoi] ?? 'CONTRACT', upstreamCode: e.maLoi };
  },
  operations: {
    lookupInsuranceBook: {
      // POST, so the personal ID stays out of URLs and proxy logs.
      request: (i, info) => ({
        method: 'POST',
        path: '/bhxh/v2/tra-cuu-so',
        body: { soDinhDanh: i.personalId, maCanBo: info.context.actor, mucDich: info.context.purpose },
      }),
      data: bookWire,
      // The book must be the citizen's asked about: a book of anyone else is a CONTRACT error.
      identity: [
        { field: 'soDinhDanh', asked: (i) => i.personalId, answered: (d: BookWire) => d.soDinhDanh },
      ],
      decode: (d: z.output<typeof bookWire>) => ({
        bookNumber: d.soSoBHXH,
        fullName: d.hoTen,
        status: BOOK_STATUS[d.trangThai],
        contributionMonths: d.soThangDong,
      }),
    },
    registerVoluntaryContribution: {
      request: (i) => ({
        method: 'POST',
        path: '/bhxh/v2/dang-ky-tu-nguyen',
        body: {
          maHoSo: i.dossierCode,
          soDinhDanh: i.personalId,
          mucThuNhap: i.monthlyIncome,
          phuongThuc: i.everyMonths,
        },
      }),
      data: receiptWire,
      // Every operation says what identifies its reply, or why nothing does.
      identity: { none: 'the receipt names nothing asked; the Idempotency-Key ties it to the dossier' },
      decode: (d: z.output<typeof receiptWire>) => ({ receiptId: d.soBienNhan, status: d.trangThai }),
    },
  },
});

/** Configured like the built-in adapters: `socialInsurance({ baseUrl, auth, client?, profile?, policy? })`. */
export const socialInsurance = defineAdapter({
  name: 'bhxh',
  operations: bhxhOperations,
  profile: bhxhProfile,
  policy: { attemptTimeoutMs: 5_000 }, // the adapter author's defaults; a city overrides them per gateway
});

// ── 2. The tax registry behind the provincial LGSP: another path, another envelope ───────────

/** The provincial LGSP's envelope `{ success, errorCode, data }` around the registry's own payload. */
const lgspEnvelope = z.object({ success: z.boolean(), errorCode: z.string().nullish(), data: z.unknown() });
const LGSP_CODES: Record<string, ErrorCode> = {
  'LGSP-404': 'NOT_FOUND',
  'LGSP-503': 'UPSTREAM_UNAVAILABLE',
  'LGSP-401': 'AUTH',
};

const provincialTaxProfile = defineProfile(taxRegistryOperations, {
  ...taxRegistryProfile, // the data schemas and decoders are the registry's: reuse them
  name: 'tax-via-hcmc-lgsp-v2',
  envelope(reply) {
    const e = lgspEnvelope.parse(reply.body);
    if (e.success) return { ok: true, data: e.data };
    const code = e.errorCode ?? 'NONE';
    return { ok: false, code: LGSP_CODES[code] ?? 'CONTRACT', upstreamCode: code };
  },
  operations: {
    ...taxRegistryProfile.operations,
    lookupTaxCode: {
      ...taxRegistryProfile.operations.lookupTaxCode,
      request: (i) => ({ method: 'GET', path: '/lgsp-hcm/v2/thue/tra-cuu-mst', query: { mst: i.taxCode } }),
    },
  },
});

// ── A tiny local server standing in for BHXH and the provincial LGSP ─────────────────────────

const books: Record<string, z.input<typeof bookWire>> = {
  '079085001234': {
    soDinhDanh: '079085001234',
    soSoBHXH: '7912345678',
    hoTen: 'Nguyễn Văn An',
    trangThai: 'DANG_DONG',
    soThangDong: 84,
  },
};
const receipts = new Map<string, unknown>(); // by Idempotency-Key: a replay gets the first answer
let writeRequests = 0;

async function platform(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let text = '';
  for await (const chunk of req) text += chunk;
  const body = text ? JSON.parse(text) : {};
  const url = new URL(req.url ?? '/', 'http://local');
  const send = (payload: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  };
  const bhxh = (maLoi: string, duLieu: unknown = null) => send({ maLoi, thongBao: '', duLieu });

  if (url.pathname.startsWith('/bhxh/') && req.headers['x-api-key'] !== 'example-key') return bhxh('3');
  if (url.pathname === '/bhxh/v2/tra-cuu-so') {
    const book = books[body.soDinhDanh];
    return book ? bhxh('0', book) : bhxh('1');
  }
  if (url.pathname === '/bhxh/v2/dang-ky-tu-nguyen') {
    // The first write finds BHXH busy: the gateway retries it with the same Idempotency-Key.
    if (++writeRequests === 1) return bhxh('9');
    const key = String(req.headers['idempotency-key']);
    if (!receipts.has(key))
      receipts.set(key, { soBienNhan: `BHXH-${receipts.size + 1}`, trangThai: 'DA_NHAN' });
    return bhxh('0', receipts.get(key));
  }
  if (url.pathname === '/lgsp-hcm/v2/thue/tra-cuu-mst') {
    if (url.searchParams.get('mst') !== '0301234562') return send({ success: false, errorCode: 'LGSP-404' });
    return send({
      success: true,
      errorCode: null,
      data: {
        mst: '0301234562',
        tenNguoiNopThue: 'Công ty Cổ phần Dịch vụ Công nghệ Sài Gòn',
        trangThai: '00',
        coQuanThueQuanLy: 'Thuế Thành phố Hồ Chí Minh',
      },
    });
  }
  res.writeHead(404).end();
}

const server = createServer((req, res) => void platform(req, res).catch(() => res.destroy()));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// ── Use both, side by side with nothing forked ──────────────────────────────────────────────

const gateway = createGateway({
  client: 'VN/GOV/000.00.00.H29/hcmc-tthc',
  upstreams: {
    bhxh: socialInsurance({ baseUrl, auth: { type: 'apiKey', header: 'x-api-key', key: 'example-key' } }),
    tax: taxRegistry({ baseUrl, auth: { type: 'bearer', token: 'example' }, profile: provincialTaxProfile }),
  },
  logger: pino({ level: 'silent' }),
});

function show<T>(step: string, r: CallResult<T>, say: (data: T) => string): void {
  const what = r.status === 'queued' ? `ticket ${r.ticket}` : say(r.data);
  console.log(`${step}: ${r.status} after ${r.meta.attempts} attempt(s), ${what}`);
}

const ctx = { purpose: '1.002101', actor: 'officer-17' };
try {
  const book = await gateway.bhxh.lookupInsuranceBook({ personalId: '079085001234' }, ctx);
  show('bhxh book', book, (d) => `${d.bookNumber}, ${d.contributionMonths} months (${d.status})`);

  const registration = {
    dossierCode: 'BHXH-250701-0001',
    personalId: '079085001234',
    monthlyIncome: 5_000_000,
  };
  const r = await gateway.bhxh.registerVoluntaryContribution({ ...registration, everyMonths: 3 }, ctx);
  show('bhxh registration', r, (d) => `receipt ${d.receiptId}`);
  console.log(`bhxh registrations stored: ${receipts.size} (${writeRequests} write requests)`);

  const taxpayer = await gateway.tax.lookupTaxCode({ taxCode: '0301234562' }, ctx);
  show('tax via provincial LGSP', taxpayer, (d) => `${d.name} (${d.status})`);

  await gateway.bhxh.lookupInsuranceBook({ personalId: '079099999999' }, ctx);
} catch (e) {
  if (!isGatewayError(e)) throw e;
  console.log(`${e.upstream}.${e.operation}: ${e.code}, ${e.userMessage}`);
} finally {
  await gateway.close();
  server.close();
}
