/**
 * The `lie` fault: a mock platform answers a read about someone else (another citizen, parcel,
 * certificate, taxpayer or registration) in a well-formed envelope with the request's X-Road-Id,
 * and the gateway, over a real loopback socket, refuses each such answer as CONTRACT. Writes stay
 * truthful.
 */
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, isGatewayError } from 'vn-national-gateway';
import { landRegistry, taxRegistry, vneid } from 'vn-national-gateway/adapters';
import {
  type Fault,
  fixtures,
  MOCK_CREDENTIALS,
  type MockPlatforms,
  startMockPlatforms,
} from 'vn-national-gateway/testing';

let mock: MockPlatforms;
beforeAll(async () => {
  mock = await startMockPlatforms({ seed: 5 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

function gateway() {
  const options = {
    baseUrl: mock.url,
    auth: { type: 'oauth2' as const, tokenUrl: mock.urls.token, ...MOCK_CREDENTIALS },
    policy: { retry: { baseDelayMs: 1, maxDelayMs: 2 } },
  };
  return createGateway({
    client: 'VN/GOV/test/lie',
    upstreams: { vneid: vneid(options), land: landRegistry(options), tax: taxRegistry(options) },
    logger: pino({ level: 'silent' }),
    drainer: { autoStart: false },
  });
}

const ctx = { purpose: '1.001234', actor: 'officer-17' };
const citizen = fixtures.citizens[0]!;
const parcel = fixtures.parcels[0]!;

/** The call fails CONTRACT naming `fields`, after one request answered by the platform. */
async function refused(p: Promise<unknown>, target: 'vneid' | 'land' | 'tax', fields: string[]) {
  const before = mock.requests(target).length;
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(isGatewayError(e, 'CONTRACT'), String(e)).toBe(true);
  expect((e as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(
    fields.map((f) => `data.${f}`),
  );
  const sent = mock.requests(target).slice(before);
  expect(sent.map((r) => [r.outcome, r.status])).toEqual([['answered', 200]]);
}

describe('lie: a platform answering about someone else', () => {
  it('vneid: a profile of another citizen is refused; a verification carries no ID, so it cannot be', async () => {
    mock.setFault('vneid', { lie: true });
    const g = gateway();
    await refused(
      g.vneid.getCitizenProfile({ personalId: citizen.personalId, consentCode: citizen.consentCode }, ctx),
      'vneid',
      ['SoDinhDanh'],
    );
    // The contract's verification is three booleans: answered about someone else, it reads as a
    // name mismatch. Only the X-Road-Id binds it; the docs say so.
    const v = await g.vneid.verifyCitizen(
      { personalId: citizen.personalId, fullName: citizen.fullName, dateOfBirth: citizen.dateOfBirth },
      ctx,
    );
    expect(v).toMatchObject({ status: 'ok', data: { verified: false } });
    await g.close();
  });

  it('land: another parcel, another certificate, another receipt are refused; writes stay truthful', async () => {
    mock.setFault('land', { lie: true });
    const g = gateway();
    const key = { wardCode: parcel.wardCode, mapSheet: parcel.mapSheet, parcelNumber: parcel.parcelNumber };
    await refused(g.land.getParcel(key), 'land', ['soTo', 'soThua']);
    await refused(g.land.verifyCertificate({ serial: parcel.certificates[0]!.serial }), 'land', [
      'soPhatHanh',
    ]);
    const receipts: string[] = [];
    for (const n of [1, 2]) {
      const r = await g.land.submitRegistration(
        {
          dossierCode: `HS-LIE-${n}`,
          ...key,
          changeType: 'CHUYEN_NHUONG',
          applicant: { personalId: citizen.personalId, fullName: citizen.fullName },
        },
        ctx,
      );
      if (r.status !== 'ok') throw new Error(r.status);
      receipts.push(r.data.receiptId);
    }
    expect(mock.registrations('land').map((r) => r.idempotencyKey)).toEqual(['HS-LIE-1', 'HS-LIE-2']);
    await refused(g.land.getRegistrationStatus({ receiptId: receipts[0]! }), 'land', ['maBienNhan']);
    await g.close();
  });

  it('tax: another taxpayer and another registration are refused', async () => {
    mock.setFault('tax', { lie: true });
    const g = gateway();
    await refused(g.tax.lookupTaxCode({ taxCode: fixtures.enterprises[0]!.taxCode }, ctx), 'tax', ['mst']);
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const r = await g.tax.registerTaxpayer(
        {
          dossierCode: `HS-LIE-TAX-${n}`,
          personalId: citizen.personalId,
          fullName: citizen.fullName,
          dateOfBirth: citizen.dateOfBirth,
        },
        ctx,
      );
      if (r.status !== 'ok') throw new Error(r.status);
      ids.push(r.data.registrationId);
    }
    await refused(g.tax.getRegistrationStatus({ registrationId: ids[1]! }, ctx), 'tax', ['maHoSoThue']);
    await g.close();
  });

  it('{ rate } lies about a seeded share of reads only', async () => {
    const run = async () => {
      mock.reset();
      mock.setFault('tax', { lie: { rate: 0.5 } });
      const g = gateway();
      const outcomes: string[] = [];
      for (let i = 0; i < 20; i++) {
        const r = await g.tax.lookupTaxCode({ taxCode: fixtures.enterprises[0]!.taxCode }, ctx).then(
          (x) => x.status,
          (e: { code: string }) => e.code,
        );
        outcomes.push(r);
      }
      await g.close();
      return outcomes;
    };
    const first = await run();
    expect(new Set(first)).toEqual(new Set(['ok', 'CONTRACT']));
    expect(await run()).toEqual(first);
  });

  it('a misspelt or out-of-range lie is refused', () => {
    expect(() => mock.setFault('tax', { lie: { rate: 1.5 } })).toThrow(/lie/);
    expect(() => mock.setFault('tax', { lie: 'yes' } as unknown as Fault)).toThrow(/lie/);
    expect(() => mock.setFault('tax', { lie: { rate: 0.1 } })).not.toThrow();
  });
});
