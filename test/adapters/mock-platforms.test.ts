/**
 * The adapters against the library's own mock platforms (`vn-national-gateway/testing`), through
 * nock and through the real HTTP server on loopback: both sides were written from CONTRACT.md by
 * different hands, so this checks they read it alike, over either transport.
 */
import nock from 'nock';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, isGatewayError, type UnknownValueEvent } from 'vn-national-gateway';
import { landRegistry, taxRegistry, vneid } from 'vn-national-gateway/adapters';
import {
  fixtures,
  MOCK_CREDENTIALS,
  type MockPlatformsControl,
  mockPlatformsWithNock,
  startMockPlatforms,
} from 'vn-national-gateway/testing';
import { submitRegistrationTwice } from '../helpers/land-registration.js';

const NOCK_BASE = 'http://mock-platforms.test';

/** The two ways to run the mock platforms: a base URL, the control object, and how to stop. */
const TRANSPORTS = {
  nock: async () => {
    const m = mockPlatformsWithNock(NOCK_BASE);
    return { base: NOCK_BASE, control: m as MockPlatformsControl, stop: async () => m.done() };
  },
  http: async () => {
    const m = await startMockPlatforms();
    return { base: m.url, control: m as MockPlatformsControl, stop: () => m.close() };
  },
};
const ctx = { purpose: '1.001234', actor: 'officer-17' };

function gatewayOverMock(BASE: string, client: string | null = 'VN/GOV/000.00.00.H29/hcmc-tthc') {
  const auth = {
    type: 'oauth2' as const,
    tokenUrl: `${BASE}/token`,
    clientId: MOCK_CREDENTIALS.clientId,
    clientSecret: MOCK_CREDENTIALS.clientSecret,
  };
  return createGateway({
    ...(client === null ? {} : { client }),
    upstreams: {
      vneid: vneid({ baseUrl: BASE, auth }),
      land: landRegistry({ baseUrl: BASE, auth }),
      tax: taxRegistry({ baseUrl: BASE, auth }),
    },
    logger: pino({ level: 'silent' }),
    drainer: { autoStart: false },
    policy: { retry: { baseDelayMs: 1, maxDelayMs: 2 } },
  });
}

describe.each(Object.keys(TRANSPORTS) as (keyof typeof TRANSPORTS)[])(
  'adapters × mock platforms (%s)',
  (kind) => {
    let mock: MockPlatformsControl;
    let stop: () => Promise<void>;
    let gateway: ReturnType<typeof gatewayOverMock>;
    let unknown: UnknownValueEvent[];
    let base: string;
    beforeAll(() => nock.disableNetConnect());
    afterAll(() => nock.enableNetConnect());
    beforeEach(async () => {
      if (kind === 'http') nock.enableNetConnect('127.0.0.1');
      const started = await TRANSPORTS[kind]();
      mock = started.control;
      stop = started.stop;
      base = started.base;
      gateway = gatewayOverMock(started.base);
      unknown = [];
      gateway.on('contract:unknown-value', (e) => unknown.push(e));
    });
    afterEach(async () => {
      await gateway.close();
      await stop();
      nock.cleanAll();
    });

    it('vneid.verifyCitizen answers every verification case of the fixtures', async () => {
      for (const c of fixtures.verifyCases) {
        const r = await gateway.vneid.verifyCitizen(c.input, ctx).catch((e: unknown) => e);
        if (c.expected === 'not-found') {
          expect(isGatewayError(r, 'NOT_FOUND'), c.description).toBe(true);
        } else {
          expect(r, c.description).toMatchObject({
            status: 'ok',
            data: {
              ...c.expected,
              verified: c.expected.exists && c.expected.nameMatches && c.expected.dateOfBirthMatches,
            },
          });
        }
      }
    });

    it('vneid.getCitizenProfile reads every citizen with their consent code, and refuses a wrong one', async () => {
      for (const c of fixtures.citizens) {
        const r = await gateway.vneid.getCitizenProfile(
          { personalId: c.personalId, consentCode: c.consentCode },
          ctx,
        );
        expect(r.status === 'ok' && r.data).toEqual({
          personalId: c.personalId,
          ...(c.oldIdNumber ? { oldIdCardNumber: c.oldIdNumber } : {}),
          fullName: c.fullName,
          dateOfBirth: c.dateOfBirth,
          gender: c.gender,
          nationality: c.nationality,
          permanentAddress: {
            provinceCode: c.permanentAddress.provinceCode,
            communeCode: c.permanentAddress.wardCode,
            detail: c.permanentAddress.detail,
          },
        });
      }
      const c = fixtures.citizens[0]!;
      const e = await gateway.vneid
        .getCitizenProfile({ personalId: c.personalId, consentCode: '000000' }, ctx)
        .catch((x) => x);
      expect(isGatewayError(e, 'AUTH')).toBe(true);
    });

    it('land.getParcel finds every parcel by its current and by every pre-2025 code of its ward', async () => {
      for (const p of fixtures.parcels) {
        const ward = fixtures.wards.find((w) => w.code === p.wardCode)!;
        for (const code of new Set([p.wardCode, ...ward.formerUnits.map((f) => f.code)])) {
          const r = await gateway.land.getParcel({
            wardCode: code,
            mapSheet: p.mapSheet,
            parcelNumber: p.parcelNumber,
          });
          expect(r.status === 'ok' && r.data, `${code}/${p.mapSheet}/${p.parcelNumber}`).toMatchObject({
            wardCode: p.wardCode,
            wardName: ward.name,
            areaM2: p.areaM2,
            landUseCode: p.landUse,
            useTerm: p.landUseTerm === 'Lâu dài' ? 'long-term' : p.landUseTerm,
            restrictions: [...p.restrictions],
          });
        }
      }
      expect(unknown).toEqual([]);
      const e = await gateway.land.getParcel(fixtures.unknown.parcel).catch((x) => x);
      expect(isGatewayError(e, 'NOT_FOUND')).toBe(true);
    });

    it('land.verifyCertificate finds every certificate, written with a space', async () => {
      for (const p of fixtures.parcels) {
        for (const c of p.certificates) {
          const spaced = `${c.serial.slice(0, 2)} ${c.serial.slice(2)}`;
          const r = await gateway.land.verifyCertificate({ serial: spaced });
          expect(r.status === 'ok' && r.data).toMatchObject({
            serial: c.serial,
            issuedOn: c.issuedOn,
            status: c.status === 'HIEU_LUC' ? 'valid' : 'revoked',
            parcel: { wardCode: p.wardCode, mapSheet: p.mapSheet, parcelNumber: p.parcelNumber },
          });
        }
      }
    });

    it('land.submitRegistration is deduplicated by dossier code, and its status can be read', async () => {
      const first = await submitRegistrationTwice(gateway, '000.00.29.H29-250701-0009', ctx);
      expect(mock.registrations('land')).toHaveLength(1);
      const receiptId = first.status === 'ok' ? first.data.receiptId : '';
      const s = await gateway.land.getRegistrationStatus({ receiptId });
      expect(s.status === 'ok' && s.data).toMatchObject({ receiptId, status: 'received' });
    });

    it('tax.lookupTaxCode finds enterprises, branches (with or without the dash) and individuals', async () => {
      const statuses = { '00': 'active', '01': 'suspended', '03': 'closed' } as const;
      const taxpayers = [
        ...fixtures.enterprises,
        ...fixtures.enterprises.flatMap((e) => e.branches),
        ...fixtures.individualTaxpayers,
      ];
      for (const t of taxpayers) {
        for (const taxCode of new Set([t.taxCode, t.taxCode.replace('-', '')])) {
          const r = await gateway.tax.lookupTaxCode({ taxCode }, ctx);
          expect(r.status === 'ok' && r.data).toEqual({
            taxCode: t.taxCode,
            name: t.name,
            status: statuses[t.status],
            taxOffice: t.taxOffice,
          });
        }
      }
      const e = await gateway.tax.lookupTaxCode({ taxCode: fixtures.unknown.taxCode }, ctx).catch((x) => x);
      expect(isGatewayError(e, 'NOT_FOUND')).toBe(true);
    });

    it('tax.registerTaxpayer and tax.getRegistrationStatus', async () => {
      const c = fixtures.citizens[1]!;
      const r = await gateway.tax.registerTaxpayer(
        {
          dossierCode: '000.00.29.H29-250701-0010',
          personalId: c.personalId,
          fullName: c.fullName,
          dateOfBirth: c.dateOfBirth,
          businessAddress: { wardCode: c.permanentAddress.wardCode, detail: c.permanentAddress.detail },
          businessLine: '4711',
        },
        ctx,
      );
      expect(r.status === 'ok' && r.data.status).toBe('received');
      const registrationId = r.status === 'ok' ? r.data.registrationId : '';
      const s = await gateway.tax.getRegistrationStatus({ registrationId }, ctx);
      expect(s.status === 'ok' && s.data).toEqual({ registrationId, status: 'received' });
    });

    it('a busy platform is retried, then a cached read is served stale', async () => {
      const input = { taxCode: fixtures.enterprises[0]!.taxCode };
      await gateway.tax.lookupTaxCode(input, ctx);
      mock.setFault('tax', { errorRate: 1, errorKind: 'busy' });
      const r = await gateway.tax.lookupTaxCode(input, ctx);
      expect(r).toMatchObject({ status: 'stale', meta: { attempts: 3 } });
    });

    it('a gateway configured without client is refused by every platform: AUTH naming the missing client', async () => {
      await gateway.close();
      gateway = gatewayOverMock(base, null);
      const violations: unknown[] = [];
      gateway.on('contract:violation', (e) => violations.push(e));
      const c = fixtures.citizens[0]!;
      const p = fixtures.parcels[0]!;
      const calls = [
        () => gateway.vneid.verifyCitizen(fixtures.verifyCases[0]!.input, ctx),
        () =>
          gateway.land.getParcel({
            wardCode: p.wardCode,
            mapSheet: p.mapSheet,
            parcelNumber: p.parcelNumber,
          }),
        () => gateway.tax.lookupTaxCode({ taxCode: fixtures.enterprises[0]!.taxCode }, ctx),
        () =>
          gateway.tax.registerTaxpayer(
            {
              dossierCode: '000.00.29.H29-250701-0099',
              personalId: c.personalId,
              fullName: c.fullName,
              dateOfBirth: c.dateOfBirth,
            },
            ctx,
          ),
      ];
      for (const call of calls) {
        const e = await call().catch((x: unknown) => x);
        expect(isGatewayError(e, 'AUTH')).toBe(true);
        if (!isGatewayError(e)) continue;
        expect(e.status).toBe(400);
        expect(e.retryable).toBe(false);
        expect(e.message).toContain('no X-Road-Client header was sent');
        expect(e.message).toContain('client configuration is missing');
        expect(e.attempts).toBe(1); // a configuration fault: not retried
        expect(['02', 'INVALID_REQUEST', '400']).toContain(e.upstreamCode);
      }
      // The platforms' own invalid-request codes are kept (code-shaped); their free text is not.
      expect(violations).toHaveLength(0);
      expect(
        mock
          .requests()
          .filter((r) => r.target !== 'token')
          .map((r) => r.status),
      ).toEqual([400, 400, 400, 400]);
      expect(mock.registrations('tax')).toHaveLength(0);
    });

    it('a drifted payload (renamed fields) is a CONTRACT error, not a wrong answer', async () => {
      mock.setFault('vneid', { drift: true });
      const e = await gateway.vneid.verifyCitizen(fixtures.verifyCases[0]!.input, ctx).catch((x) => x);
      expect(isGatewayError(e, 'CONTRACT')).toBe(true);
    });
  },
);
