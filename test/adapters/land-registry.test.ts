import { describe, expect, it } from 'vitest';
import {
  certificateWireData,
  getParcelPre2025Sample,
  getParcelSample,
  landContext,
  landFail,
  landFailureCodes,
  landOk,
  parcelResult,
  parcelWireData,
  registrationStatusWireData,
  registrationWireData,
  submitRegistrationSample,
  submitRegistrationWireBody,
  verifyCertificateSample,
} from '../../adapters/land-registry/fixtures.js';
import { expectStandardHeaders, FREE_TEXT_FRAGMENTS, failure, intercept, useTestGateway } from './helpers.js';

const PARCEL = '/land/v1/thua-dat';
const REGISTER = '/land/v1/dang-ky-bien-dong';

const t = useTestGateway();

describe('land.getParcel', () => {
  it('sends the parcel key as query parameters and decodes the parcel', async () => {
    const { seen } = intercept('GET', /^\/land\/v1\/thua-dat/, [[200, landOk(parcelWireData)]]);
    const r = await t.gateway.land.getParcel(getParcelSample);
    expect(r).toMatchObject({ status: 'ok', data: parcelResult, meta: { attempts: 1 } });
    const req = seen[0]!;
    expect(req.method).toBe('GET');
    expect(req.path).toBe(`${PARCEL}?maXa=27058&soTo=12&soThua=345`);
    expectStandardHeaders(req);
    // Not a citizen-data call: no actor, no user id header; a read has no idempotency key.
    expect(req.headers['x-road-userid']).toBeUndefined();
    expect(req.headers['idempotency-key']).toBeUndefined();
    expect(t.unknown).toEqual([]);
  });

  it('sends a pre-2025 commune code as given and reports the current unit', async () => {
    const { seen } = intercept('GET', /^\/land\/v1\/thua-dat/, [[200, landOk(parcelWireData)]]);
    const r = await t.gateway.land.getParcel(getParcelPre2025Sample);
    expect(seen[0]!.path).toBe(`${PARCEL}?maXa=27061&soTo=12&soThua=345`);
    expect(r.status === 'ok' && r.data).toMatchObject({ wardCode: '27058', wardName: 'Phường Cầu Kiệu' });
  });

  it('resolves a pre-2025 code in the answer and keeps it in resolvedFrom', async () => {
    intercept('GET', /^\/land\/v1\/thua-dat/, [[200, landOk({ ...parcelWireData, maXa: '27061' })]]);
    const r = await t.gateway.land.getParcel(getParcelPre2025Sample);
    expect(r.status === 'ok' && r.data).toMatchObject({
      wardCode: '27058',
      wardName: 'Phường Cầu Kiệu',
      resolvedFrom: '27061',
    });
  });

  it('passes through an unknown land-use code, status and term, and reports each', async () => {
    intercept('GET', /^\/land\/v1\/thua-dat/, [
      [
        200,
        landOk({
          ...parcelWireData,
          loaiDat: 'XYZ',
          thoiHanSuDung: '50 năm',
          giayChungNhan: [{ soPhatHanh: 'CS123456', ngayCap: '20190614', trangThai: 'TAM_KHOA' }],
        }),
      ],
    ]);
    const r = await t.gateway.land.getParcel(getParcelSample);
    expect(r.status === 'ok' && r.data).toMatchObject({
      wardCode: '27058',
      landUseCode: 'XYZ',
      useTerm: '50 năm',
      certificates: [{ serial: 'CS123456', issuedOn: '2019-06-14', status: 'TAM_KHOA' }],
    });
    expect(t.unknown.map((e) => [e.field, e.value])).toEqual([
      ['loaiDat', 'XYZ'],
      // free text with spaces is not code-shaped: never logged (issue 11)
      ['thoiHanSuDung', '(not a code)'],
      ['giayChungNhan.trangThai', 'TAM_KHOA'],
    ]);
    const warned = t.logs().filter((l) => l.msg === 'unknown value passed through');
    expect(warned.map((l) => l.field)).toEqual(['loaiDat', 'thoiHanSuDung', 'giayChungNhan.trangThai']);
  });

  it('decodes a dated term of use and knows codes beyond the four named in the contract', async () => {
    intercept('GET', /^\/land\/v1\/thua-dat/, [
      [200, landOk({ ...parcelWireData, loaiDat: 'TMD', thoiHanSuDung: '20681231' })],
    ]);
    const r = await t.gateway.land.getParcel(getParcelSample);
    expect(r.status === 'ok' && r.data).toMatchObject({ landUseCode: 'TMD', useTerm: '2068-12-31' });
    expect(t.unknown).toEqual([]);
  });

  it('a missing area or a string parcel number is a CONTRACT error', async () => {
    const { dienTich: _, ...withoutArea } = parcelWireData;
    intercept('GET', /^\/land\/v1\/thua-dat/, [[200, landOk({ ...withoutArea, soThua: '345' })]]);
    const e = await failure(() => t.gateway.land.getParcel(getParcelSample), 'CONTRACT');
    expect(e.issues!.map((i) => i.path).sort()).toEqual(['dienTich', 'soThua']);
  });

  it('rejects an unknown commune code and non-positive numbers before sending', async () => {
    const { seen } = intercept('GET', /^\/land\/v1\/thua-dat/, [[200, landOk(parcelWireData)]]);
    const e = await failure(
      () => t.gateway.land.getParcel({ wardCode: '99999', mapSheet: 0, parcelNumber: 1.5 }),
      'VALIDATION',
    );
    expect(e.issues!.map((i) => i.path).sort()).toEqual(['mapSheet', 'parcelNumber', 'wardCode']);
    expect(seen).toHaveLength(0);
  });

  it('retries SYSTEM_BUSY (HTTP 200) and succeeds on the third attempt', async () => {
    intercept('GET', /^\/land\/v1\/thua-dat/, [
      [200, landFail('SYSTEM_BUSY')],
      [200, landFail('SYSTEM_BUSY')],
      [200, landOk(parcelWireData)],
    ]);
    const r = await t.gateway.land.getParcel(getParcelSample);
    expect(r).toMatchObject({ status: 'ok', meta: { attempts: 3 } });
  });
});

describe('land envelope codes', () => {
  for (const [code, expected] of landFailureCodes) {
    for (const status of [200, 400, 403, 404]) {
      it(`errorCode ${code} with HTTP ${status} → ${expected}`, async () => {
        intercept('GET', /^\/land\/v1\/thua-dat/, [[status, landFail(code)]], 3);
        const e = await failure(() => t.gateway.land.getParcel(getParcelSample), expected);
        expect(e.upstreamCode).toBe(code);
        expect(e.attempts).toBe(expected === 'UPSTREAM_UNAVAILABLE' ? 3 : 1);
        for (const fragment of FREE_TEXT_FRAGMENTS)
          expect(JSON.stringify(e.toJSON())).not.toContain(fragment);
      });
    }
  }

  it('an unknown errorCode is a CONTRACT error that keeps the code', async () => {
    intercept('GET', /^\/land\/v1\/thua-dat/, [[400, landFail('PARCEL_LOCKED')]]);
    const e = await failure(() => t.gateway.land.getParcel(getParcelSample), 'CONTRACT');
    expect(e.upstreamCode).toBe('PARCEL_LOCKED');
  });

  it('FAIL without a code, or an unknown status, is a CONTRACT error', async () => {
    intercept('GET', /^\/land\/v1\/thua-dat/, [[200, { status: 'FAIL', errorCode: null, data: null }]]);
    await failure(() => t.gateway.land.getParcel(getParcelSample), 'CONTRACT');
    intercept('GET', /^\/land\/v1\/thua-dat/, [[200, { status: 'PENDING', errorCode: null, data: {} }]]);
    await failure(() => t.gateway.land.getParcel(getParcelSample), 'CONTRACT');
  });

  it('an error code wins over status SUCCESS', async () => {
    intercept('GET', /^\/land\/v1\/thua-dat/, [
      [200, { status: 'SUCCESS', errorCode: 'NOT_FOUND', data: null }],
    ]);
    await failure(() => t.gateway.land.getParcel(getParcelSample), 'NOT_FOUND');
  });
});

describe('land.verifyCertificate', () => {
  it('sends the serial without its space, percent-encoded in the path', async () => {
    const { seen } = intercept('GET', '/land/v1/giay-chung-nhan/CS123456', [
      [200, landOk(certificateWireData)],
    ]);
    const r = await t.gateway.land.verifyCertificate(verifyCertificateSample);
    expect(seen[0]!.path).toBe('/land/v1/giay-chung-nhan/CS123456');
    expectStandardHeaders(seen[0]!);
    expect(r).toMatchObject({
      status: 'ok',
      data: {
        serial: 'CS123456',
        issuedOn: '2019-06-14',
        status: 'valid',
        parcel: { wardCode: '27058', wardName: 'Phường Cầu Kiệu', mapSheet: 12, parcelNumber: 345 },
      },
    });
  });

  it("passes through an unknown commune code of the certificate's parcel, and reports it", async () => {
    // A parcel key the registry answers (not one asked: a getParcel reply in another commune is a
    // CONTRACT error, see reply-identity.test.ts).
    intercept('GET', '/land/v1/giay-chung-nhan/CS123456', [
      [200, landOk({ ...certificateWireData, maXa: '99999' })],
    ]);
    const r = await t.gateway.land.verifyCertificate(verifyCertificateSample);
    expect(r.status === 'ok' && r.data.parcel).toEqual({
      wardCode: '99999',
      mapSheet: 12,
      parcelNumber: 345,
    });
    expect(t.unknown.map((e) => [e.field, e.value])).toEqual([['maXa', '99999']]);
  });

  it('accepts an 8-digit serial and a certificate code', async () => {
    intercept('GET', '/land/v1/giay-chung-nhan/AB12345678', [
      [
        200,
        landOk({
          ...certificateWireData,
          soPhatHanh: 'AB12345678',
          maGiayChungNhan: 'HCM240004567',
          trangThai: 'THU_HOI',
        }),
      ],
    ]);
    const r = await t.gateway.land.verifyCertificate({ serial: 'AB 12345678' });
    expect(r.status === 'ok' && r.data).toMatchObject({ certificateCode: 'HCM240004567', status: 'revoked' });
  });

  it('rejects malformed serials before sending', async () => {
    for (const serial of ['cs123456', 'C1234567', 'CS 1234567', 'CS-123456', '']) {
      const e = await failure(() => t.gateway.land.verifyCertificate({ serial }), 'VALIDATION');
      expect(e.issues!.map((i) => i.path)).toEqual(['serial']);
    }
  });

  it('NOT_FOUND with HTTP 404', async () => {
    intercept('GET', '/land/v1/giay-chung-nhan/CS123456', [[404, landFail('NOT_FOUND')]]);
    await failure(() => t.gateway.land.verifyCertificate(verifyCertificateSample), 'NOT_FOUND');
  });
});

describe('land.submitRegistration', () => {
  it('sends the contract body and the write headers', async () => {
    const { seen } = intercept('POST', REGISTER, [[200, landOk(registrationWireData)]]);
    const r = await t.gateway.land.submitRegistration(submitRegistrationSample, landContext);
    expect(r).toMatchObject({ status: 'ok', data: { receiptId: 'BN-000001', status: 'received' } });
    const req = seen[0]!;
    expect(req.method).toBe('POST');
    expectStandardHeaders(req, landContext.actor);
    expect(req.headers['idempotency-key']).toBe(submitRegistrationSample.dossierCode);
    expect(req.headers['x-road-issue']).toBe(submitRegistrationSample.dossierCode);
    expect(req.body).toEqual(submitRegistrationWireBody);
  });

  it('uses the context idempotency key when given', async () => {
    const { seen } = intercept('POST', REGISTER, [[200, landOk(registrationWireData)]]);
    await t.gateway.land.submitRegistration(submitRegistrationSample, {
      ...landContext,
      idempotencyKey: 'k-1',
    });
    expect(seen[0]!.headers['idempotency-key']).toBe('k-1');
  });

  it('retries the busy code with the same idempotency key', async () => {
    const { seen } = intercept('POST', REGISTER, [
      [200, landFail('SYSTEM_BUSY')],
      [200, landFail('SYSTEM_BUSY')],
      [200, landOk(registrationWireData)],
    ]);
    const r = await t.gateway.land.submitRegistration(submitRegistrationSample, landContext);
    expect(r).toMatchObject({ status: 'ok', meta: { attempts: 3 } });
    expect(new Set(seen.map((s) => s.headers['idempotency-key']))).toEqual(
      new Set([submitRegistrationSample.dossierCode]),
    );
  });

  it('queues the write when the registry stays busy, and delivers it later with the same key', async () => {
    intercept('POST', REGISTER, [[200, landFail('SYSTEM_BUSY')]], 3);
    const r = await t.gateway.land.submitRegistration(submitRegistrationSample, landContext);
    expect(r.status).toBe('queued');
    const delivered: unknown[] = [];
    t.gateway.on('outbox:delivered', (e) => delivered.push(e.result));
    const { seen } = intercept('POST', REGISTER, [[200, landOk(registrationWireData)]]);
    await t.gateway.outbox.drain();
    expect(delivered).toEqual([{ receiptId: 'BN-000001', status: 'received' }]);
    expect(seen[0]!.headers['idempotency-key']).toBe(submitRegistrationSample.dossierCode);
    expect(seen[0]!.body).toEqual(submitRegistrationWireBody);
  });

  it('passes an unknown registration status through', async () => {
    intercept('POST', REGISTER, [[200, landOk({ maBienNhan: 'BN-000002', trangThai: 'CHO_BO_SUNG' })]]);
    const r = await t.gateway.land.submitRegistration(submitRegistrationSample, landContext);
    expect(r.status === 'ok' && r.data.status).toBe('CHO_BO_SUNG');
    expect(t.unknown).toMatchObject([
      { operation: 'submitRegistration', field: 'trangThai', value: 'CHO_BO_SUNG' },
    ]);
  });

  it('without purpose and actor is a VALIDATION error and sends nothing', async () => {
    const { scope } = intercept('POST', REGISTER, [[200, landOk(registrationWireData)]]);
    // @ts-expect-error the types require purpose and actor too: this checks the run-time refusal
    const e = await failure(() => t.gateway.land.submitRegistration(submitRegistrationSample), 'VALIDATION');
    expect(e.issues!.map((i) => i.path)).toEqual(['context.purpose', 'context.actor']);
    expect(scope.isDone()).toBe(false);
  });

  it('rejects a dossier code that cannot be a header, and a bad applicant', async () => {
    const e = await failure(
      () =>
        t.gateway.land.submitRegistration(
          {
            ...submitRegistrationSample,
            dossierCode: 'H29 0001\n',
            applicant: { personalId: '079203001234x', fullName: '123' },
          },
          landContext,
        ),
      'VALIDATION',
    );
    expect(e.issues!.map((i) => i.path).sort()).toEqual([
      'applicant.fullName',
      'applicant.personalId',
      'dossierCode',
    ]);
  });
});

describe('land.getRegistrationStatus', () => {
  it('reads the status by receipt number', async () => {
    const { seen } = intercept('GET', '/land/v1/dang-ky-bien-dong/BN-000001', [
      [200, landOk(registrationStatusWireData)],
    ]);
    const r = await t.gateway.land.getRegistrationStatus({ receiptId: 'BN-000001' });
    expect(r).toMatchObject({
      status: 'ok',
      data: { receiptId: 'BN-000001', status: 'received', updatedAt: '2025-07-01T03:15:00.000Z' },
    });
    expectStandardHeaders(seen[0]!);
  });

  it('a timestamp that is not ISO 8601 is a CONTRACT error', async () => {
    intercept('GET', '/land/v1/dang-ky-bien-dong/BN-000001', [
      [200, landOk({ ...registrationStatusWireData, capNhatLuc: '01/07/2025 10:15' })],
    ]);
    const e = await failure(
      () => t.gateway.land.getRegistrationStatus({ receiptId: 'BN-000001' }),
      'CONTRACT',
    );
    expect(e.issues!.map((i) => i.path)).toEqual(['capNhatLuc']);
  });

  it('rejects a receipt number that would change the path', async () => {
    for (const receiptId of ['../thua-dat', 'a/b', '', 'x'.repeat(65)]) {
      await failure(() => t.gateway.land.getRegistrationStatus({ receiptId }), 'VALIDATION');
    }
  });
});
