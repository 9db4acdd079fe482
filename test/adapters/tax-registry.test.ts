import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type AuditRecord, createAuditTrail, createGateway } from 'vn-national-gateway';
import { taxRegistry } from 'vn-national-gateway/adapters';
import {
  branchTaxCodeUndashed,
  enterpriseTaxCode,
  personalTaxCode,
  registerTaxpayerSample,
  registerTaxpayerWireBody,
  taxContext,
  taxFail,
  taxFailureCodes,
  taxOk,
  taxpayerWireData,
  taxRegistrationIssuedWireData,
  taxRegistrationWireData,
} from '../../adapters/tax-registry/fixtures.js';
import {
  BASE,
  expectStandardHeaders,
  FREE_TEXT_FRAGMENTS,
  failure,
  intercept,
  useTestGateway,
  TOKEN,
} from './helpers.js';

const LOOKUP = (mst: string) => `/tax/v1/nguoi-nop-thue/${mst}`;
const REGISTER = '/tax/v1/dang-ky-thue';

const t = useTestGateway();

describe('tax.lookupTaxCode', () => {
  it('looks up a 10-digit code', async () => {
    const { seen } = intercept('GET', LOOKUP(enterpriseTaxCode), [[200, taxOk(taxpayerWireData)]]);
    const r = await t.gateway.tax.lookupTaxCode({ taxCode: enterpriseTaxCode }, taxContext);
    expect(r).toMatchObject({
      status: 'ok',
      data: {
        taxCode: enterpriseTaxCode,
        name: 'Công ty Cổ phần Dịch vụ Công nghệ Sài Gòn',
        status: 'active',
        taxOffice: 'Thuế Thành phố Hồ Chí Minh',
      },
    });
    expect(seen[0]!.method).toBe('GET');
    expectStandardHeaders(seen[0]!, taxContext.actor);
    expect(seen[0]!.headers['idempotency-key']).toBeUndefined();
  });

  it('sends a 13-digit branch code with its dash', async () => {
    const mst = '0301234562-001';
    const { seen } = intercept('GET', LOOKUP(mst), [[200, taxOk({ ...taxpayerWireData, mst })]]);
    const r = await t.gateway.tax.lookupTaxCode({ taxCode: branchTaxCodeUndashed }, taxContext);
    expect(seen[0]!.path).toBe(LOOKUP(mst));
    expect(r.status === 'ok' && r.data.taxCode).toBe(mst);
  });

  it('looks up an individual by personal ID', async () => {
    const { seen } = intercept('GET', LOOKUP(personalTaxCode), [
      [200, taxOk({ ...taxpayerWireData, mst: personalTaxCode, trangThai: '01' })],
    ]);
    const r = await t.gateway.tax.lookupTaxCode({ taxCode: personalTaxCode }, taxContext);
    expect(seen).toHaveLength(1);
    expect(r.status === 'ok' && r.data.status).toBe('suspended');
  });

  it('maps 03 to closed and passes an unknown status through', async () => {
    intercept('GET', LOOKUP(enterpriseTaxCode), [[200, taxOk({ ...taxpayerWireData, trangThai: '03' })]]);
    const closed = await t.gateway.tax.lookupTaxCode({ taxCode: enterpriseTaxCode }, taxContext);
    expect(closed.status === 'ok' && closed.data.status).toBe('closed');
    intercept('GET', LOOKUP('0312345673'), [
      [200, taxOk({ ...taxpayerWireData, mst: '0312345673', trangThai: '05' })],
    ]);
    const other = await t.gateway.tax.lookupTaxCode({ taxCode: '0312345673' }, taxContext);
    expect(other.status === 'ok' && other.data.status).toBe('05');
    expect(t.unknown).toEqual([
      { upstream: 'tax', operation: 'lookupTaxCode', field: 'trangThai', value: '05' },
    ]);
  });

  it('rejects a wrong check digit, a 000 branch and an impossible personal ID before sending', async () => {
    for (const taxCode of ['0312345674', '0301234562-000', '079999001234', '03012345', 301234562]) {
      const e = await failure(
        () => t.gateway.tax.lookupTaxCode({ taxCode } as { taxCode: string }, taxContext),
        'VALIDATION',
      );
      expect(e.issues!.map((i) => i.path)).toEqual(['taxCode']);
      expect(e.message).not.toContain(String(taxCode));
    }
  });

  it('requires purpose and actor for a personal code only', async () => {
    const { scope } = intercept('GET', LOOKUP(personalTaxCode), [[200, taxOk(taxpayerWireData)]]);
    const e = await failure(() => t.gateway.tax.lookupTaxCode({ taxCode: personalTaxCode }), 'VALIDATION');
    expect(e.issues!.map((i) => i.path)).toEqual(['context.purpose', 'context.actor']);
    expect(scope.isDone()).toBe(false);
    intercept('GET', LOOKUP(enterpriseTaxCode), [[200, taxOk(taxpayerWireData)]]);
    await expect(t.gateway.tax.lookupTaxCode({ taxCode: enterpriseTaxCode })).resolves.toMatchObject({
      status: 'ok',
    });
  });

  it('a missing name is a CONTRACT error', async () => {
    const { tenNguoiNopThue: _, ...rest } = taxpayerWireData;
    intercept('GET', LOOKUP(enterpriseTaxCode), [[200, taxOk(rest)]]);
    const e = await failure(
      () => t.gateway.tax.lookupTaxCode({ taxCode: enterpriseTaxCode }, taxContext),
      'CONTRACT',
    );
    expect(e.issues!.map((i) => i.path)).toEqual(['tenNguoiNopThue']);
  });

  it('serves a cached look-up as stale while the registry is busy', async () => {
    intercept('GET', LOOKUP(enterpriseTaxCode), [[200, taxOk(taxpayerWireData)]]);
    await t.gateway.tax.lookupTaxCode({ taxCode: enterpriseTaxCode }, taxContext);
    intercept('GET', LOOKUP(enterpriseTaxCode), [[200, taxFail(503)]], 3);
    const r = await t.gateway.tax.lookupTaxCode({ taxCode: enterpriseTaxCode }, taxContext);
    expect(r).toMatchObject({ status: 'stale', data: { status: 'active' } });
  });
});

describe('tax envelope codes', () => {
  for (const [code, expected] of taxFailureCodes) {
    for (const status of [200, 400, 403, 404]) {
      it(`error_code ${code} with HTTP ${status} → ${expected}`, async () => {
        intercept('GET', LOOKUP(enterpriseTaxCode), [[status, taxFail(code)]], 3);
        const e = await failure(
          () => t.gateway.tax.lookupTaxCode({ taxCode: enterpriseTaxCode }, taxContext),
          expected,
        );
        expect(e.upstreamCode).toBe(String(code));
        expect(e.attempts).toBe(expected === 'UPSTREAM_UNAVAILABLE' ? 3 : 1);
        for (const fragment of FREE_TEXT_FRAGMENTS)
          expect(JSON.stringify(e.toJSON())).not.toContain(fragment);
      });
    }
  }

  it('reads a numeric string error_code, and an unknown one is CONTRACT', async () => {
    intercept('GET', LOOKUP(enterpriseTaxCode), [[200, { error_code: '404', message: '', result: null }]]);
    await failure(() => t.gateway.tax.lookupTaxCode({ taxCode: enterpriseTaxCode }, taxContext), 'NOT_FOUND');
    intercept('GET', LOOKUP(enterpriseTaxCode), [[200, taxFail(409)]]);
    const e = await failure(
      () => t.gateway.tax.lookupTaxCode({ taxCode: enterpriseTaxCode }, taxContext),
      'CONTRACT',
    );
    expect(e.upstreamCode).toBe('409');
  });

  it('retries 503 (busy, busy, ok → ok with attempts 3)', async () => {
    intercept('GET', LOOKUP(enterpriseTaxCode), [
      [200, taxFail(503)],
      [200, taxFail(503)],
      [200, taxOk(taxpayerWireData)],
    ]);
    const r = await t.gateway.tax.lookupTaxCode({ taxCode: enterpriseTaxCode }, taxContext);
    expect(r).toMatchObject({ status: 'ok', meta: { attempts: 3 } });
  });
});

describe('tax.registerTaxpayer', () => {
  it('sends the contract body (yyyyMMdd date) and the write headers', async () => {
    const { seen } = intercept('POST', REGISTER, [[200, taxOk(taxRegistrationWireData)]]);
    const r = await t.gateway.tax.registerTaxpayer(registerTaxpayerSample, taxContext);
    expect(r).toMatchObject({ status: 'ok', data: { registrationId: 'HST-000001', status: 'received' } });
    expect(r.status === 'ok' && 'taxCode' in r.data).toBe(false);
    const req = seen[0]!;
    expectStandardHeaders(req, taxContext.actor);
    expect(req.headers['idempotency-key']).toBe(registerTaxpayerSample.dossierCode);
    expect(req.headers['x-road-issue']).toBe(registerTaxpayerSample.dossierCode);
    expect(req.body).toEqual(registerTaxpayerWireBody);
  });

  it('leaves out the optional fields when absent', async () => {
    const { seen } = intercept('POST', REGISTER, [[200, taxOk(taxRegistrationWireData)]]);
    const { businessAddress: _a, businessLine: _b, ...minimal } = registerTaxpayerSample;
    await t.gateway.tax.registerTaxpayer(minimal, taxContext);
    const { diaChiKinhDoanh: _c, nganhNghe: _d, ...body } = registerTaxpayerWireBody;
    expect(seen[0]!.body).toEqual(body);
  });

  it('decodes an issued registration with its tax code', async () => {
    intercept('POST', REGISTER, [[200, taxOk(taxRegistrationIssuedWireData)]]);
    const r = await t.gateway.tax.registerTaxpayer(registerTaxpayerSample, taxContext);
    expect(r.status === 'ok' && r.data).toEqual({
      registrationId: 'HST-000001',
      taxCode: personalTaxCode,
      status: 'issued',
    });
  });

  it('cross-checks the personal ID with the date of birth, and wants a current commune code', async () => {
    const e = await failure(
      () =>
        t.gateway.tax.registerTaxpayer(
          {
            ...registerTaxpayerSample,
            dateOfBirth: '1986-03-12',
            businessAddress: { wardCode: '27061', detail: 'Số 1' },
          },
          taxContext,
        ),
      'VALIDATION',
    );
    expect(e.issues!.map((i) => i.path).sort()).toEqual(['businessAddress.wardCode', 'dateOfBirth']);
    expect(e.message).not.toContain(registerTaxpayerSample.personalId);
    expect(e.message).not.toContain('1986-03-12');
  });

  it('retries 503 then queues the write; without purpose it sends nothing', async () => {
    intercept('POST', REGISTER, [[200, taxFail(503)]], 3);
    const r = await t.gateway.tax.registerTaxpayer(registerTaxpayerSample, taxContext);
    expect(r).toMatchObject({ status: 'queued', meta: { attempts: 3 } });
    const { scope } = intercept('POST', REGISTER, [[200, taxOk(taxRegistrationWireData)]]);
    await failure(
      // @ts-expect-error the types require purpose and actor too: this checks the run-time refusal
      () => t.gateway.tax.registerTaxpayer(registerTaxpayerSample, { actor: 'officer-17' }),
      'VALIDATION',
    );
    expect(scope.isDone()).toBe(false);
  });
});

describe('tax.getRegistrationStatus', () => {
  it('reads the status by registration id', async () => {
    const { seen } = intercept('GET', '/tax/v1/dang-ky-thue/HST-000001', [
      [200, taxOk(taxRegistrationIssuedWireData)],
    ]);
    const r = await t.gateway.tax.getRegistrationStatus({ registrationId: 'HST-000001' }, taxContext);
    expect(r).toMatchObject({
      status: 'ok',
      data: { registrationId: 'HST-000001', taxCode: personalTaxCode, status: 'issued' },
    });
    expectStandardHeaders(seen[0]!, taxContext.actor);
  });

  it('requires purpose and actor (the answer may carry a personal ID)', async () => {
    const e = await failure(
      // @ts-expect-error the types require purpose and actor too: this checks the run-time refusal
      () => t.gateway.tax.getRegistrationStatus({ registrationId: 'HST-000001' }),
      'VALIDATION',
    );
    expect(e.issues!.map((i) => i.path)).toEqual(['context.purpose', 'context.actor']);
  });

  it('passes an unknown status through', async () => {
    intercept('GET', '/tax/v1/dang-ky-thue/HST-000001', [
      [200, taxOk({ maHoSoThue: 'HST-000001', mst: null, trangThai: 'TU_CHOI' })],
    ]);
    const r = await t.gateway.tax.getRegistrationStatus({ registrationId: 'HST-000001' }, taxContext);
    expect(r.status === 'ok' && r.data).toEqual({ registrationId: 'HST-000001', status: 'TU_CHOI' });
    expect(t.unknown).toMatchObject([{ field: 'trangThai', value: 'TU_CHOI' }]);
  });
});

describe('tax audit', () => {
  it('audits a look-up by personal code (with its hashed subject), not by an organisation code', async () => {
    const records: AuditRecord[] = [];
    const audit = createAuditTrail({
      salt: 'test-salt-0123456789',
      sink: { write: (r) => void records.push(r) },
    });
    const gateway = createGateway({
      upstreams: { tax: taxRegistry({ baseUrl: BASE, auth: { type: 'bearer', token: TOKEN } }) },
      logger: pino({ level: 'silent' }),
      audit,
      drainer: { autoStart: false },
    });
    try {
      intercept('GET', LOOKUP(enterpriseTaxCode), [[200, taxOk(taxpayerWireData)]]);
      intercept('GET', LOOKUP(personalTaxCode), [
        [200, taxOk({ ...taxpayerWireData, mst: personalTaxCode })],
      ]);
      await gateway.tax.lookupTaxCode({ taxCode: enterpriseTaxCode }, taxContext);
      await gateway.tax.lookupTaxCode({ taxCode: personalTaxCode }, taxContext);
      await audit.flush();
      expect(records.map((r) => [r.operation, r.outcome, r.subjectHash !== undefined])).toEqual([
        ['lookupTaxCode', 'ok', true],
      ]);
      expect(JSON.stringify(records)).not.toContain(personalTaxCode);
    } finally {
      await gateway.close();
      await audit.close();
    }
  });
});
