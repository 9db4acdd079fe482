/**
 * What the counter officer reads: every `userMessage` of a corpus of bad inputs and contexts names
 * fields by their Vietnamese labels and states rules in Vietnamese, never a code name (`personalId`,
 * `context.actor`) nor a value; an empty required field is "chưa nhập …". Custom adapters give
 * their own labels.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createGateway,
  defineAdapter,
  defineOperation,
  defineProfile,
  type GatewayError,
  isGatewayError,
  UNLABELLED_FIELD,
} from 'vn-national-gateway';
import {
  LAND_REGISTRY_LABELS,
  landRegistry,
  landRegistryOperations,
  TAX_REGISTRY_LABELS,
  taxRegistry,
  taxRegistryOperations,
  VNEID_LABELS,
  vneid,
  vneidOperations,
} from 'vn-national-gateway/adapters';
import { labelLookup } from '../../src/pipeline/field-labels.js';
import { scriptedTransport } from '../helpers/scripted-transport.js';

const CTX = { purpose: '1.001234', actor: 'officer-17' };
const PID = '079203001234';
const NAME = 'Nguyễn Văn A';
const DOB = '2003-05-01';

/** No camelCase code name, no dotted code name (`context.purpose`), no English rule words. */
const CODE_NAME = /[a-z]+[A-Z]|\w+\.\w+|\(root\)|\bmust\b|\brequired\b|\bcontext\b/;
/** The platform's own name (VNeID) is not a code name. */
const codeNames = (text: string) => text.replaceAll('VNeID', 'VNEID');
/** Values of the corpus that must never be echoed. */
const VALUES = [PID, NAME, '079203001', '1993-05-01', 'Nguyễn'];

function gateway() {
  const transport = scriptedTransport(new Error('nothing may be sent'));
  const common = { baseUrl: 'http://lgsp.test', auth: { type: 'none' as const }, transport };
  return {
    transport,
    gateway: createGateway({
      upstreams: { vneid: vneid(common), land: landRegistry(common), tax: taxRegistry(common) },
      logger: pino({ level: 'silent' }),
      drainer: { autoStart: false },
    }),
  };
}

type G = ReturnType<typeof gateway>['gateway'];
type Case = [label: string, call: (g: G) => Promise<unknown>];

const registration = {
  dossierCode: 'HS-1',
  personalId: '079085001234',
  fullName: 'Nguyễn Văn An',
  dateOfBirth: '1985-03-12',
};
const submission = {
  dossierCode: 'HS-2',
  wardCode: '27058',
  mapSheet: 12,
  parcelNumber: 345,
  changeType: 'CHUYEN_NHUONG',
  applicant: { personalId: PID, fullName: NAME },
};
const loose = (fn: (...a: never[]) => unknown) => fn as (...a: unknown[]) => Promise<unknown>;

const CORPUS: Case[] = [
  ['all missing', (g) => loose(g.vneid.verifyCitizen)({}, CTX)],
  ['all empty', (g) => g.vneid.verifyCitizen({ personalId: '', fullName: ' ', dateOfBirth: '' }, CTX)],
  [
    'short personal ID',
    (g) => g.vneid.verifyCitizen({ personalId: '12345', fullName: NAME, dateOfBirth: DOB }, CTX),
  ],
  [
    'unknown province',
    (g) => g.vneid.verifyCitizen({ personalId: '999203001234', fullName: NAME, dateOfBirth: DOB }, CTX),
  ],
  [
    'future birth year',
    (g) => g.vneid.verifyCitizen({ personalId: '079299001234', fullName: NAME, dateOfBirth: DOB }, CTX),
  ],
  [
    'date of birth disagrees',
    (g) => g.vneid.verifyCitizen({ personalId: PID, fullName: NAME, dateOfBirth: '1993-05-01' }, CTX),
  ],
  [
    'not a date',
    (g) => g.vneid.verifyCitizen({ personalId: PID, fullName: NAME, dateOfBirth: '2003-02-30' }, CTX),
  ],
  [
    'future date',
    (g) => g.vneid.verifyCitizen({ personalId: PID, fullName: NAME, dateOfBirth: '2999-01-01' }, CTX),
  ],
  ['bad name', (g) => g.vneid.verifyCitizen({ personalId: PID, fullName: 'N@m 1', dateOfBirth: DOB }, CTX)],
  [
    'long name',
    (g) => g.vneid.verifyCitizen({ personalId: PID, fullName: 'A'.repeat(101), dateOfBirth: DOB }, CTX),
  ],
  [
    'number for a string',
    (g) => loose(g.vneid.verifyCitizen)({ personalId: 79203001234, fullName: NAME, dateOfBirth: DOB }, CTX),
  ],
  ['input not an object', (g) => loose(g.vneid.verifyCitizen)(null, CTX)],
  ['bad consent code', (g) => g.vneid.getCitizenProfile({ personalId: PID, consentCode: 'a' }, CTX)],
  ['short tax code', (g) => g.tax.lookupTaxCode({ taxCode: '123' })],
  ['tax check digit', (g) => g.tax.lookupTaxCode({ taxCode: '0301234563' })],
  ['tax branch 000', (g) => g.tax.lookupTaxCode({ taxCode: '0301234562-000' })],
  ['tax zeros', (g) => g.tax.lookupTaxCode({ taxCode: '0100000000' })],
  [
    'registration',
    (g) =>
      g.tax.registerTaxpayer(
        {
          ...registration,
          dossierCode: 'HS 1',
          businessAddress: { wardCode: '1', detail: '' },
          businessLine: '',
        },
        CTX,
      ),
  ],
  [
    'pre-2025 business ward',
    (g) =>
      g.tax.registerTaxpayer({ ...registration, businessAddress: { wardCode: '27061', detail: 'x' } }, CTX),
  ],
  ['registration id', (g) => g.tax.getRegistrationStatus({ registrationId: '-x' }, CTX)],
  ['parcel', (g) => g.land.getParcel({ wardCode: '99999', mapSheet: 0, parcelNumber: 1.5 })],
  ['certificate serial', (g) => g.land.verifyCertificate({ serial: 'x' })],
  [
    'land submission',
    (g) =>
      g.land.submitRegistration(
        { ...submission, changeType: '', applicant: { personalId: '1', fullName: '' } },
        CTX,
      ),
  ],
  ['receipt id', (g) => g.land.getRegistrationStatus({ receiptId: '' })],
  // The context.
  ['no context', (g) => loose(g.vneid.verifyCitizen)({ personalId: PID, fullName: NAME, dateOfBirth: DOB })],
  [
    'empty purpose and actor',
    (g) =>
      g.vneid.verifyCitizen(
        { personalId: PID, fullName: NAME, dateOfBirth: DOB },
        { purpose: '', actor: '  ' },
      ),
  ],
  [
    'officer name as actor',
    (g) =>
      g.vneid.verifyCitizen(
        { personalId: PID, fullName: NAME, dateOfBirth: DOB },
        { ...CTX, actor: 'cán bộ Nguyễn' },
      ),
  ],
  [
    'every context field wrong',
    (g) =>
      loose(g.land.getParcel)(
        { wardCode: '27058', mapSheet: 12, parcelNumber: 345 },
        {
          purpose: 'a\u0000',
          actor: 'x'.repeat(200),
          dossierCode: 'a b',
          idempotencyKey: '',
          correlationId: 'a b',
          deadlineMs: -1,
          signal: 'x',
          defer: 'yes',
          deadline: 5,
        },
      ),
  ],
  [
    'context not an object',
    (g) => loose(g.land.getParcel)({ wardCode: '27058', mapSheet: 12, parcelNumber: 345 }, 'x'),
  ],
  ['enqueue null context', (g) => loose(g.outbox.enqueue)('tax.registerTaxpayer', registration, null)],
  ['enqueue unknown operation', (g) => loose(g.outbox.enqueue)('tax.registerTaxpayr', registration, CTX)],
  ['discard reason', (g) => g.outbox.discard('t', { reason: '' })],
  ['purge', (g) => g.outbox.purge({ olderThanMs: -1, now: Number.NaN })],
];

async function failure(g: G, call: Case[1]): Promise<GatewayError> {
  const e = await call(g).then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isGatewayError(e, 'VALIDATION')) throw new Error(`expected VALIDATION, got ${String(e)}`);
  return e;
}

describe('Vietnamese userMessage for the counter', () => {
  it('has no code name, no English and no value in any userMessage of the corpus', async () => {
    const { gateway: g, transport } = gateway();
    const seen: string[] = [];
    for (const [label, call] of CORPUS) {
      const e = await failure(g, call);
      const texts = [e.userMessage, ...(e.issues ?? []).map((i) => i.userMessage ?? '(missing)')];
      for (const text of texts) {
        expect(codeNames(text), `${label}: ${text}`).not.toMatch(CODE_NAME);
        expect(text, label).not.toBe('(missing)');
        for (const v of VALUES) expect(text, label).not.toContain(v);
        expect(text, label).not.toContain(UNLABELLED_FIELD);
      }
      expect(e.userMessage, label).toMatch(
        /^Thông tin nhập vào( gửi tới [^:]+)? không hợp lệ: .+\. Vui lòng kiểm tra lại\.$/,
      );
      seen.push(e.userMessage);
      if (process.env.SHOW_VI) console.log(label, '→', e.userMessage);
    }
    expect(transport.requests).toHaveLength(0);
    expect(new Set(seen).size).toBeGreaterThan(CORPUS.length * 0.8);
    await g.close();
  });

  it('states the rules in Vietnamese, field by field', async () => {
    const { gateway: g } = gateway();
    const message = async (i: number) => (await failure(g, CORPUS[i]![1])).userMessage;
    expect(await message(2)).toBe(
      'Thông tin nhập vào gửi tới hệ thống VNeID không hợp lệ: số định danh cá nhân phải gồm đúng 12 chữ số. Vui lòng kiểm tra lại.',
    );
    expect(await message(5)).toContain('ngày sinh không khớp với năm sinh trong số định danh cá nhân');
    expect(await message(13)).toContain('mã số thuế phải gồm 10 chữ số');
    const land = await failure(g, CORPUS[22]![1]);
    expect(land.userMessage).toContain('số định danh cá nhân của người nộp hồ sơ phải gồm đúng 12 chữ số');
    expect(land.userMessage).toContain('chưa nhập họ và tên người nộp hồ sơ');
    expect(land.userMessage).toContain('chưa nhập loại biến động');
    const parcel = await failure(g, CORPUS[20]![1]);
    expect(parcel.issues?.map((i) => i.userMessage)).toEqual([
      'mã xã, phường của thửa đất không phải mã xã, phường hiện hành hay mã trước năm 2025',
      'số tờ bản đồ phải là số nguyên dương',
      'số thửa phải là số nguyên dương',
    ]);
    await g.close();
  });

  it('reports an empty required field as required, also an empty actor', async () => {
    const { gateway: g } = gateway();
    const empty = await failure(g, CORPUS[1]![1]);
    expect(empty.issues?.map((i) => [i.path, i.code, i.userMessage])).toEqual([
      ['personalId', 'required', 'chưa nhập số định danh cá nhân'],
      ['fullName', 'required', 'chưa nhập họ và tên'],
      ['dateOfBirth', 'required', 'chưa nhập ngày sinh'],
    ]);
    const context = await failure(g, CORPUS[25]![1]);
    expect(context.issues?.map((i) => [i.path, i.code, i.userMessage])).toEqual([
      ['context.purpose', 'required', 'chưa nhập mã thủ tục'],
      ['context.actor', 'required', 'chưa nhập mã cán bộ'],
    ]);
    // An optional field left empty is not "required": its rule is stated.
    const registration = await failure(g, CORPUS[17]![1]);
    const line = registration.issues?.find((i) => i.path === 'businessLine');
    expect(line).toMatchObject({
      code: 'format',
      userMessage: 'ngành nghề kinh doanh phải có 1–500 ký tự, không chứa ký tự điều khiển',
    });
    await g.close();
  });

  it('every input field of the built-in adapters has a label', () => {
    const tables = [
      [vneidOperations, VNEID_LABELS],
      [landRegistryOperations, LAND_REGISTRY_LABELS],
      [taxRegistryOperations, TAX_REGISTRY_LABELS],
    ] as const;
    for (const [operations, labels] of tables) {
      const labelOf = labelLookup(labels);
      for (const [name, spec] of Object.entries(operations)) {
        for (const path of fieldPaths(spec.input)) {
          expect(labelOf(path).label, `${name} ${path}`).not.toBe(UNLABELLED_FIELD);
          expect(codeNames(labelOf(path).label)).not.toMatch(CODE_NAME);
        }
      }
    }
  });
});

/** The dotted paths of an object schema's fields, nested objects included. */
function fieldPaths(schema: unknown, prefix = ''): string[] {
  let def = (schema as { _zod: { def: Record<string, unknown> } })._zod.def;
  while (def.type === 'optional' || def.type === 'pipe')
    def = ((def.innerType ?? def.in) as { _zod: { def: Record<string, unknown> } })._zod.def;
  if (def.type !== 'object') return [];
  return Object.entries(def.shape as Record<string, unknown>).flatMap(([k, v]) => [
    `${prefix}${k}`,
    ...fieldPaths(v, `${prefix}${k}.`),
  ]);
}

describe('labels of a custom adapter', () => {
  const operations = {
    enrol: defineOperation({
      kind: 'write',
      input: z.object({
        insuranceCode: z.string().regex(/^\d{10}$/, 'must be 10 digits'),
        fullName: z.string().min(1),
        note: z.string().max(3),
      }),
      output: z.object({ ok: z.boolean() }),
      // The operation's own labels win over the adapter's.
      labels: { fullName: 'họ và tên người tham gia' },
    }),
  };
  const profile = defineProfile(operations, {
    name: 'bhxh-json',
    envelope: () => ({ ok: true, data: {} }),
    operations: {
      enrol: {
        request: () => ({ method: 'POST', path: '/enrol' }),
        data: z.object({}),
        decode: () => ({ ok: true }),
        identity: { none: 'an enrolment receipt names nothing asked' },
      },
    },
  });
  const insurance = defineAdapter({
    name: 'bhxh',
    displayName: 'Hệ thống bảo hiểm xã hội',
    operations,
    profile,
    labels: {
      insuranceCode: { label: 'mã số bảo hiểm xã hội', rule: 'phải gồm 10 chữ số' },
      fullName: 'họ và tên',
    },
  });

  it("name fields by the adapter's and the operation's labels, with the label's rule, and a fallback", async () => {
    const transport = scriptedTransport(new Error('nothing may be sent'));
    const g = createGateway({
      upstreams: { bhxh: insurance({ baseUrl: 'http://bhxh.test', auth: { type: 'none' }, transport }) },
      logger: pino({ level: 'silent' }),
      drainer: { autoStart: false },
    });
    const e = await failure(g as unknown as G, () =>
      g.bhxh.enrol({ insuranceCode: '12', fullName: '', note: 'long note' }),
    );
    expect(e.issues?.map((i) => i.userMessage)).toEqual([
      'mã số bảo hiểm xã hội phải gồm 10 chữ số',
      'chưa nhập họ và tên người tham gia',
      `${UNLABELLED_FIELD} chỉ được tối đa 3 ký tự`,
    ]);
    expect(e.userMessage).toBe(
      'Thông tin nhập vào gửi tới hệ thống bảo hiểm xã hội không hợp lệ: mã số bảo hiểm xã hội phải gồm 10 chữ số; chưa nhập họ và tên người tham gia; một trường thông tin chỉ được tối đa 3 ký tự. Vui lòng kiểm tra lại.',
    );
    // Developers keep the English message and the paths.
    expect(e.message).toContain('insuranceCode: must be 10 digits');
    expect(transport.requests).toHaveLength(0);
    await g.close();
  });
});
