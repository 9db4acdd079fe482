/**
 * Runs a full set of calls (successes, every kind of failure, retries, unknown values, a queued
 * write and its delivery) with real-looking personal data, and checks that the captured logs
 * contain none of it, nor the bearer token.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certificateWireData,
  getParcelPre2025Sample,
  landContext,
  landFail,
  landOk,
  parcelWireData,
  registrationStatusWireData,
  registrationWireData,
  submitRegistrationSample,
  verifyCertificateSample,
} from '../../adapters/land-registry/fixtures.js';
import {
  personalTaxCode,
  registerTaxpayerSample,
  taxContext,
  taxFail,
  taxOk,
  taxpayerWireData,
  taxRegistrationIssuedWireData,
} from '../../adapters/tax-registry/fixtures.js';
import {
  citizenProfileWireData,
  getCitizenProfileSample,
  verifyCitizenSample,
  vneidContext,
  vneidFail,
  vneidOk,
} from '../../adapters/vneid/fixtures.js';
import { intercept, TOKEN, testGateway } from './helpers.js';

const PERSONAL_VALUES = [
  // personal IDs (also as tax codes), the old ID card number, the consent code
  '079203001234',
  '079085001234',
  '079192004567',
  '025123456',
  '731904',
  // names, as given and as the platforms answer them
  'Nguyễn Văn A',
  'Nguyễn Văn An',
  'Trần Thị Bích Ngọc',
  'Nguyen Van',
  'NGUYỄN',
  // dates of birth, domain and wire forms
  '2003-05-01',
  '20030501',
  '1985-03-12',
  '19850312',
  '1992-11-05',
  // addresses
  'Lê Thánh Tôn',
  'Lê Văn Sỹ',
  // the free text of failure envelopes
  'không hợp lệ',
  'Không xử lý',
];

beforeAll(() => nock.disableNetConnect());
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('log scan', () => {
  it('a full set of calls logs no personal data and no token', async () => {
    const t = testGateway();
    const g = t.gateway;
    const swallow = (p: Promise<unknown>) => p.catch(() => undefined);
    try {
      // VNeID: success, busy retried, not found (free text quoting the citizen), wrong types, unknown gender.
      intercept('POST', '/c06/v1/xac-thuc-cong-dan', [
        [200, vneidFail('99')],
        [200, vneidOk({ TonTai: true, KhopHoVaTen: true, KhopNgaySinh: true })],
      ]);
      await g.vneid.verifyCitizen(verifyCitizenSample, vneidContext);
      intercept('POST', '/c06/v1/xac-thuc-cong-dan', [[404, vneidFail('01')]]);
      await swallow(
        g.vneid.verifyCitizen({ ...verifyCitizenSample, fullName: 'Trần Thị Bích Ngọc' }, vneidContext),
      );
      intercept('POST', '/c06/v1/tra-cuu-cong-dan', [
        [200, vneidOk({ ...citizenProfileWireData, GioiTinh: '9' })],
      ]);
      await g.vneid.getCitizenProfile(getCitizenProfileSample, vneidContext);
      intercept('POST', '/c06/v1/tra-cuu-cong-dan', [
        [
          200,
          vneidOk({ ...citizenProfileWireData, SoDinhDanh: 79085001234, NgayThangNamSinh: '1985-03-12' }),
        ],
      ]);
      await swallow(g.vneid.getCitizenProfile(getCitizenProfileSample, vneidContext));
      intercept('POST', '/c06/v1/tra-cuu-cong-dan', [[403, vneidFail('97')]]);
      await swallow(g.vneid.getCitizenProfile(getCitizenProfileSample, vneidContext));
      // Validation failures carrying personal values.
      await swallow(
        g.vneid.verifyCitizen({ ...verifyCitizenSample, dateOfBirth: '1992-11-05' }, vneidContext),
      );
      await swallow(
        g.vneid.verifyCitizen({ ...verifyCitizenSample, personalId: '079192004567x' }, vneidContext),
      );
      // @ts-expect-error the types require purpose and actor too: this checks the run-time refusal
      await swallow(g.vneid.verifyCitizen(verifyCitizenSample));

      // Land: pre-2025 parcel, certificate, registration busy → queued → delivered, status, invalid.
      intercept('GET', /^\/land\/v1\/thua-dat/, [[200, landOk({ ...parcelWireData, loaiDat: 'XYZ' })]]);
      await g.land.getParcel(getParcelPre2025Sample);
      intercept('GET', /^\/land\/v1\/giay-chung-nhan\//, [[200, landOk(certificateWireData)]]);
      await g.land.verifyCertificate(verifyCertificateSample);
      intercept('POST', '/land/v1/dang-ky-bien-dong', [[200, landFail('SYSTEM_BUSY')]], 3);
      const queued = await g.land.submitRegistration(submitRegistrationSample, landContext);
      expect(queued.status).toBe('queued');
      intercept('POST', '/land/v1/dang-ky-bien-dong', [[200, landOk(registrationWireData)]]);
      await g.outbox.drain();
      intercept('POST', '/land/v1/dang-ky-bien-dong', [[400, landFail('INVALID_REQUEST')]]);
      await swallow(
        g.land.submitRegistration({ ...submitRegistrationSample, dossierCode: 'H29-2' }, landContext),
      );
      intercept('GET', /^\/land\/v1\/dang-ky-bien-dong\//, [[200, landOk(registrationStatusWireData)]]);
      await g.land.getRegistrationStatus({ receiptId: 'BN-000001' });

      // Tax: personal look-up, unknown status, registration, status, not found, network failure.
      intercept('GET', `/tax/v1/nguoi-nop-thue/${personalTaxCode}`, [
        [
          200,
          taxOk({
            ...taxpayerWireData,
            mst: personalTaxCode,
            tenNguoiNopThue: 'Nguyễn Văn An',
            trangThai: '07',
          }),
        ],
      ]);
      await g.tax.lookupTaxCode({ taxCode: personalTaxCode }, taxContext);
      intercept('GET', '/tax/v1/nguoi-nop-thue/079192004567', [[200, taxFail(404)]]);
      await swallow(g.tax.lookupTaxCode({ taxCode: '079192004567' }, taxContext));
      // No interceptor: the request is refused by nock (a transport error naming the URL inside nock).
      await swallow(g.tax.lookupTaxCode({ taxCode: '079203001234' }, taxContext));
      intercept('POST', '/tax/v1/dang-ky-thue', [[200, taxOk(taxRegistrationIssuedWireData)]]);
      await g.tax.registerTaxpayer(registerTaxpayerSample, taxContext);
      intercept('GET', /^\/tax\/v1\/dang-ky-thue\//, [[200, taxOk(taxRegistrationIssuedWireData)]]);
      await g.tax.getRegistrationStatus({ registrationId: 'HST-000001' }, taxContext);
      await swallow(
        g.tax.registerTaxpayer({ ...registerTaxpayerSample, dateOfBirth: '1992-11-05' }, taxContext),
      );
    } finally {
      await g.close();
    }

    const text = t.logText();
    // The run did log: one line per call outcome, retries, unknown values.
    expect(t.logs().filter((l) => l.msg === 'call').length).toBeGreaterThanOrEqual(8);
    expect(text).toContain('unknown value passed through');
    expect(text).toContain('VALIDATION');
    expect(text).toContain('CONTRACT');
    for (const value of [...PERSONAL_VALUES, TOKEN, `Bearer ${TOKEN}`]) {
      expect({ value, found: text.includes(value) }).toEqual({ value, found: false });
    }
    // Also decomposed (NFD) forms of the names.
    for (const name of ['Nguyễn Văn A', 'Trần Thị Bích Ngọc'])
      expect(text).not.toContain(name.normalize('NFD'));
  });
});
