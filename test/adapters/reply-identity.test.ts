/**
 * A reply about someone else is no answer: for every operation of the three adapters, a reply
 * whose identifying fields name another citizen, parcel, certificate, taxpayer or registration is
 * a CONTRACT error (not retried, field names only in the error and the logs), including the cases
 * measured on a hostile platform: 079203001234 answered with 001099012345's record, parcel
 * 27058/12/345 answered with parcel 999 and with commune 00004's 12/345, tax code 0300588569
 * answered with 0101248141. The same operations with a truthful reply pass.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import {
  certificateWireData,
  getParcelPre2025Sample,
  getParcelSample,
  landContext,
  landOk,
  parcelWireData,
  registrationStatusWireData,
  registrationWireData,
  submitRegistrationSample,
  verifyCertificateSample,
} from '../../adapters/land-registry/fixtures.js';
import {
  registerTaxpayerSample,
  taxContext,
  taxOk,
  taxpayerWireData,
  taxRegistrationIssuedWireData,
  taxRegistrationWireData,
} from '../../adapters/tax-registry/fixtures.js';
import {
  citizenProfileWireData,
  verifyCitizenSample,
  verifyCitizenWireData,
  vneidContext,
  vneidOk,
} from '../../adapters/vneid/fixtures.js';
import { failure, intercept, useTestGateway } from './helpers.js';

const t = useTestGateway();

/**
 * Answers every attempt with `body` and expects the call to fail CONTRACT after one request,
 * naming exactly `fields`, and no value of `secrets` in the error or the logs.
 */
async function expectLie(
  method: 'GET' | 'POST',
  path: string | RegExp,
  body: unknown,
  call: () => Promise<unknown>,
  fields: string[],
  secrets: string[],
) {
  const { seen } = intercept(method, path, [[200, body]], 3);
  const e = await failure(call, 'CONTRACT');
  expect(seen).toHaveLength(1); // not retried
  expect(e.retryable).toBe(false);
  expect(e.issues!.map((i) => i.path)).toEqual(fields.map((f) => `data.${f}`));
  for (const f of fields) expect(e.message).toContain(f);
  const errorText = `${e.message} ${JSON.stringify(e.issues)} ${e.userMessage}`;
  for (const s of secrets) {
    expect(errorText).not.toContain(s);
    // In the logs only values too long to turn up by chance in a random request id or a duration.
    if (s.length >= 8) expect(t.logText()).not.toContain(s);
  }
  expect(t.calls.at(-1)).toMatchObject({ outcome: 'CONTRACT' });
  nock.cleanAll(); // the unused repeats, so a truthful reply can follow
  return e;
}

describe('vneid', () => {
  const profile = { personalId: '079203001234', consentCode: '731904' };

  it("getCitizenProfile: 079203001234 answered with 001099012345's record is CONTRACT", async () => {
    await expectLie(
      'POST',
      '/c06/v1/tra-cuu-cong-dan',
      vneidOk({ ...citizenProfileWireData, SoDinhDanh: '001099012345' }),
      () => t.gateway.vneid.getCitizenProfile(profile, vneidContext),
      ['SoDinhDanh'],
      ['001099012345', '079203001234'],
    );
  });

  it('getCitizenProfile: the record asked about passes (the leading zero is part of the ID)', async () => {
    intercept('POST', '/c06/v1/tra-cuu-cong-dan', [
      [200, vneidOk({ ...citizenProfileWireData, SoDinhDanh: ' 079203001234 ' })],
    ]);
    const r = await t.gateway.vneid.getCitizenProfile(profile, vneidContext);
    expect(r.status).toBe('ok');
    intercept('POST', '/c06/v1/tra-cuu-cong-dan', [
      [200, vneidOk({ ...citizenProfileWireData, SoDinhDanh: '79203001234' })],
    ]);
    await failure(() => t.gateway.vneid.getCitizenProfile(profile, vneidContext), 'CONTRACT');
  });

  it('verifyCitizen: a verification that names another personal ID is CONTRACT; one naming none passes', async () => {
    await expectLie(
      'POST',
      '/c06/v1/xac-thuc-cong-dan',
      vneidOk({ ...verifyCitizenWireData, SoDinhDanh: '001099012345' }),
      () => t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext),
      ['SoDinhDanh'],
      ['001099012345', '079203001234'],
    );
    intercept('POST', '/c06/v1/xac-thuc-cong-dan', [[200, vneidOk(verifyCitizenWireData)]]);
    expect((await t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext)).status).toBe('ok');
    intercept('POST', '/c06/v1/xac-thuc-cong-dan', [
      [200, vneidOk({ ...verifyCitizenWireData, SoDinhDanh: '079203001234' })],
    ]);
    expect((await t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext)).status).toBe('ok');
  });
});

describe('land', () => {
  it('getParcel: 27058/12/345 answered with parcel 999 is CONTRACT', async () => {
    await expectLie(
      'GET',
      /^\/land\/v1\/thua-dat/,
      landOk({ ...parcelWireData, soThua: 999 }),
      () => t.gateway.land.getParcel(getParcelSample),
      ['soThua'],
      ['999'],
    );
  });

  it("getParcel: 27058/12/345 answered with commune 00004's parcel 12/345 is CONTRACT", async () => {
    await expectLie(
      'GET',
      /^\/land\/v1\/thua-dat/,
      landOk({ ...parcelWireData, maXa: '00004' }),
      () => t.gateway.land.getParcel(getParcelSample),
      ['maXa'],
      ['00004'],
    );
  });

  it('getParcel: another map sheet, or every field, are named', async () => {
    await expectLie(
      'GET',
      /^\/land\/v1\/thua-dat/,
      landOk({ ...parcelWireData, maXa: '00004', soTo: 3, soThua: 999 }),
      () => t.gateway.land.getParcel(getParcelSample),
      ['maXa', 'soTo', 'soThua'],
      ['00004', '999'],
    );
  });

  it("getParcel: a pre-2025 code may be answered with its current ward, never with another old commune's map", async () => {
    // 27061 (Phường 2, Phú Nhuận) went to 27058 (Phường Cầu Kiệu).
    intercept('GET', /^\/land\/v1\/thua-dat/, [[200, landOk(parcelWireData)]]);
    const r = await t.gateway.land.getParcel(getParcelPre2025Sample);
    expect(r.status === 'ok' && r.data.wardCode).toBe('27058');
    // Asked 27058's own sheet 12, answered from 27061's sheet 12: another parcel.
    await expectLie(
      'GET',
      /^\/land\/v1\/thua-dat/,
      landOk({ ...parcelWireData, maXa: '27061' }),
      () => t.gateway.land.getParcel(getParcelSample),
      ['maXa'],
      [],
    );
  });

  it('verifyCertificate: another serial is CONTRACT; the same one with a space or in lower case passes', async () => {
    await expectLie(
      'GET',
      '/land/v1/giay-chung-nhan/CS123456',
      landOk({ ...certificateWireData, soPhatHanh: 'BX654321' }),
      () => t.gateway.land.verifyCertificate(verifyCertificateSample),
      ['soPhatHanh'],
      ['BX654321'],
    );
    intercept('GET', '/land/v1/giay-chung-nhan/CS123456', [
      [200, landOk({ ...certificateWireData, soPhatHanh: 'cs 123456' })],
    ]);
    expect((await t.gateway.land.verifyCertificate(verifyCertificateSample)).status).toBe('ok');
  });

  it('submitRegistration: a receipt echoing another dossier code is CONTRACT, not queued', async () => {
    await expectLie(
      'POST',
      '/land/v1/dang-ky-bien-dong',
      landOk({ ...registrationWireData, maHoSo: '000.00.29.H29-250701-0999' }),
      () => t.gateway.land.submitRegistration(submitRegistrationSample, landContext),
      ['maHoSo'],
      ['000.00.29.H29-250701-0999', '079203001234'],
    );
    expect(await t.gateway.outbox.list()).toEqual([]);
    intercept('POST', '/land/v1/dang-ky-bien-dong', [
      [200, landOk({ ...registrationWireData, maHoSo: submitRegistrationSample.dossierCode })],
    ]);
    expect((await t.gateway.land.submitRegistration(submitRegistrationSample, landContext)).status).toBe(
      'ok',
    );
  });

  it('getRegistrationStatus: another receipt is CONTRACT', async () => {
    await expectLie(
      'GET',
      '/land/v1/dang-ky-bien-dong/BN-000001',
      landOk({ ...registrationStatusWireData, maBienNhan: 'BN-000002' }),
      () => t.gateway.land.getRegistrationStatus({ receiptId: 'BN-000001' }),
      ['maBienNhan'],
      ['BN-000002'],
    );
  });
});

describe('tax', () => {
  it('lookupTaxCode: 0300588569 answered with 0101248141 is CONTRACT', async () => {
    await expectLie(
      'GET',
      '/tax/v1/nguoi-nop-thue/0300588569',
      taxOk({ ...taxpayerWireData, mst: '0101248141' }),
      () => t.gateway.tax.lookupTaxCode({ taxCode: '0300588569' }, taxContext),
      ['mst'],
      ['0101248141', '0300588569'],
    );
  });

  it('lookupTaxCode: a branch answered without its dash is the code asked', async () => {
    intercept('GET', '/tax/v1/nguoi-nop-thue/0301234562-001', [
      [200, taxOk({ ...taxpayerWireData, mst: '0301234562001' })],
    ]);
    const r = await t.gateway.tax.lookupTaxCode({ taxCode: '0301234562-001' }, taxContext);
    expect(r.status).toBe('ok');
  });

  it("registerTaxpayer: a tax code issued that is not the applicant's personal ID is CONTRACT", async () => {
    await expectLie(
      'POST',
      '/tax/v1/dang-ky-thue',
      taxOk({ ...taxRegistrationIssuedWireData, mst: '001099012345' }),
      () => t.gateway.tax.registerTaxpayer(registerTaxpayerSample, taxContext),
      ['mst'],
      ['001099012345', '079085001234'],
    );
    intercept('POST', '/tax/v1/dang-ky-thue', [[200, taxOk(taxRegistrationIssuedWireData)]]);
    expect((await t.gateway.tax.registerTaxpayer(registerTaxpayerSample, taxContext)).status).toBe('ok');
  });

  it('registerTaxpayer: a receipt echoing another dossier code is CONTRACT', async () => {
    await expectLie(
      'POST',
      '/tax/v1/dang-ky-thue',
      taxOk({ ...taxRegistrationWireData, maHoSo: 'HS-OTHER' }),
      () => t.gateway.tax.registerTaxpayer(registerTaxpayerSample, taxContext),
      ['maHoSo'],
      ['HS-OTHER'],
    );
  });

  it('getRegistrationStatus: another registration is CONTRACT', async () => {
    await expectLie(
      'GET',
      '/tax/v1/dang-ky-thue/HST-000001',
      taxOk({ ...taxRegistrationWireData, maHoSoThue: 'HST-000002' }),
      () => t.gateway.tax.getRegistrationStatus({ registrationId: 'HST-000001' }, taxContext),
      ['maHoSoThue'],
      ['HST-000002'],
    );
  });
});
