/**
 * A profile is replaceable: the "Writing a profile" example of adapters/README.md, run as is
 * (another path, another envelope), plus the envelope factories and the public exports.
 */
import nock from 'nock';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ErrorCode, defineProfile } from 'vn-national-gateway';
import * as adapters from 'vn-national-gateway/adapters';
import {
  createLandEnvelope,
  createTaxEnvelope,
  createVneidEnvelope,
  landRegistryProfile,
  vneidOperations,
  vneidProfile,
} from 'vn-national-gateway/adapters';
import { landFail, landOk, parcelWireData } from '../../adapters/land-registry/fixtures.js';
import {
  verifyCitizenSample,
  verifyCitizenWireBody,
  vneidContext,
  vneidFail,
} from '../../adapters/vneid/fixtures.js';
import { expectStandardHeaders, failure, intercept, testGateway } from './helpers.js';

// ---- the README example, verbatim but for the gateway set-up ----
const lgspEnvelope = z.object({ ketQua: z.object({ ma: z.string() }), duLieu: z.unknown().optional() });
const LGSP_CODES: Record<string, ErrorCode> = {
  '404': 'NOT_FOUND',
  '403': 'AUTH',
  '429': 'UPSTREAM_UNAVAILABLE',
};
const base = vneidProfile.operations;
const hcmcVneidProfile = defineProfile(vneidOperations, {
  name: 'hcmc-lgsp-vneid-v2',
  envelope(reply) {
    const e = lgspEnvelope.parse(reply.body);
    if (e.ketQua.ma === '0') return { ok: true, data: e.duLieu };
    return { ok: false, code: LGSP_CODES[e.ketQua.ma] ?? 'CONTRACT', upstreamCode: e.ketQua.ma };
  },
  operations: {
    ...base,
    verifyCitizen: {
      ...base.verifyCitizen,
      request: (input, info) => ({
        ...base.verifyCitizen.request(input, info),
        path: '/lgsp/dan-cu/v2/xac-thuc',
      }),
    },
  },
});
// ----

const PATH = '/lgsp/dan-cu/v2/xac-thuc';
const lgspOk = (duLieu: unknown) => ({ ketQua: { ma: '0', moTa: 'OK' }, duLieu });

let t: ReturnType<typeof testGateway> | undefined;
beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(async () => {
  await t?.gateway.close();
  t = undefined;
  nock.cleanAll();
});

describe('a replaced profile', () => {
  it('calls another path under another envelope, with the same domain input and output', async () => {
    t = testGateway({ vneidProfile: hcmcVneidProfile });
    const { seen } = intercept('POST', PATH, [
      [200, lgspOk({ TonTai: true, KhopHoVaTen: true, KhopNgaySinh: false })],
    ]);
    const r = await t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext);
    expect(r).toMatchObject({
      status: 'ok',
      data: { exists: true, nameMatches: true, dateOfBirthMatches: false, verified: false },
    });
    expectStandardHeaders(seen[0]!, vneidContext.actor);
    expect(seen[0]!.body).toMatchObject(verifyCitizenWireBody);
  });

  it('maps its own codes: busy retried, unknown → CONTRACT, not-an-envelope → CONTRACT', async () => {
    t = testGateway({ vneidProfile: hcmcVneidProfile });
    intercept('POST', PATH, [
      [200, { ketQua: { ma: '429' } }],
      [200, lgspOk({ TonTai: true, KhopHoVaTen: true, KhopNgaySinh: true })],
    ]);
    const r = await t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext);
    expect(r).toMatchObject({ status: 'ok', meta: { attempts: 2 } });
    intercept('POST', PATH, [[200, { ketQua: { ma: '777' } }]]);
    expect(
      (await failure(() => t!.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext), 'CONTRACT'))
        .upstreamCode,
    ).toBe('777');
    intercept('POST', PATH, [[200, { MaKetQua: '00' }]]);
    await failure(() => t!.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext), 'CONTRACT');
  });

  it('the default path is no longer called', async () => {
    t = testGateway({ vneidProfile: hcmcVneidProfile });
    const { scope } = intercept('POST', '/c06/v1/xac-thuc-cong-dan', [[200, {}]]);
    intercept('POST', PATH, [[200, lgspOk({ TonTai: true, KhopHoVaTen: true, KhopNgaySinh: true })]]);
    await t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext);
    expect(scope.isDone()).toBe(false);
  });
});

describe('envelope factories', () => {
  it('createVneidEnvelope remaps single codes', async () => {
    t = testGateway({
      vneidProfile: { ...vneidProfile, envelope: createVneidEnvelope({ '02': 'REJECTED' }) },
    });
    intercept('POST', '/c06/v1/xac-thuc-cong-dan', [[400, vneidFail('02')]]);
    const e = await failure(
      () => t!.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext),
      'REJECTED',
    );
    expect(e.upstreamCode).toBe('02');
  });

  it('createLandEnvelope remaps single codes, and a profile may send the current commune code', async () => {
    const currentCode = defineProfile(adapters.landRegistryOperations, {
      ...landRegistryProfile,
      envelope: createLandEnvelope({ INVALID_REQUEST: 'REJECTED' }),
      operations: {
        ...landRegistryProfile.operations,
        getParcel: {
          ...landRegistryProfile.operations.getParcel,
          request: (i, info) =>
            landRegistryProfile.operations.getParcel.request(
              { ...i, wardCode: i.wardCode === '27061' ? '27058' : i.wardCode },
              info,
            ),
        },
      },
    });
    t = testGateway({ landProfile: currentCode });
    const { seen } = intercept('GET', /^\/land\/v1\/thua-dat/, [[200, landOk(parcelWireData)]]);
    await t.gateway.land.getParcel({ wardCode: '27061', mapSheet: 12, parcelNumber: 345 });
    expect(seen[0]!.path).toContain('maXa=27058');
    intercept('GET', /^\/land\/v1\/thua-dat/, [[400, landFail('INVALID_REQUEST')]]);
    await failure(
      () => t!.gateway.land.getParcel({ wardCode: '27058', mapSheet: 12, parcelNumber: 345 }),
      'REJECTED',
    );
  });

  it('createTaxEnvelope reads the same codes as the default profile', () => {
    const envelope = createTaxEnvelope();
    expect(envelope({ status: 200, headers: {}, body: { error_code: 0, result: { a: 1 } } })).toEqual({
      ok: true,
      data: { a: 1 },
    });
    expect(envelope({ status: 200, headers: {}, body: { error_code: 503, result: null } })).toEqual({
      ok: false,
      code: 'UPSTREAM_UNAVAILABLE',
      upstreamCode: '503',
    });
    expect(() => envelope({ status: 200, headers: {}, body: 'oops' })).toThrow();
  });
});

describe('public exports', () => {
  it('exports the factories, profiles, operations and schemas by name', () => {
    for (const name of [
      'vneid',
      'landRegistry',
      'taxRegistry',
      'vneidProfile',
      'landRegistryProfile',
      'taxRegistryProfile',
      'vneidOperations',
      'landRegistryOperations',
      'taxRegistryOperations',
      'verifyCitizenInput',
      'citizenProfileOutput',
      'getParcelInput',
      'parcelOutput',
      'submitRegistrationInput',
      'lookupTaxCodeInput',
      'registerTaxpayerInput',
      'taxRegistrationOutput',
      'LAND_USE_CODES',
    ]) {
      expect(adapters, name).toHaveProperty(name);
    }
    expect(adapters.vneid.spec.name).toBe('vneid');
    expect(Object.keys(adapters.vneid.spec.operations)).toEqual(['verifyCitizen', 'getCitizenProfile']);
    expect(Object.keys(adapters.landRegistry.spec.operations)).toEqual([
      'getParcel',
      'verifyCertificate',
      'submitRegistration',
      'getRegistrationStatus',
    ]);
    expect(Object.keys(adapters.taxRegistry.spec.operations)).toEqual([
      'lookupTaxCode',
      'registerTaxpayer',
      'getRegistrationStatus',
    ]);
  });

  it('every field of every domain schema has a TSDoc comment', async () => {
    const { readFile } = await import('node:fs/promises');
    const undocumented: string[] = [];
    let fields = 0;
    for (const folder of ['vneid', 'land-registry', 'tax-registry']) {
      const file = `adapters/${folder}/schemas.ts`;
      const src = await readFile(new URL(`../../${file}`, import.meta.url), 'utf8');
      const sf = ts.createSourceFile(file, src, ts.ScriptTarget.ES2022, true);
      const visit = (node: ts.Node): void => {
        // z.object({ … }) and <schema>.extend({ … }): each key must carry a /** … */ comment.
        if (
          ts.isCallExpression(node) &&
          ts.isPropertyAccessExpression(node.expression) &&
          ['object', 'extend'].includes(node.expression.name.text) &&
          node.arguments[0] &&
          ts.isObjectLiteralExpression(node.arguments[0])
        ) {
          for (const prop of node.arguments[0].properties) {
            fields++;
            const docs = ts.getJSDocCommentsAndTags(prop);
            if (docs.length === 0) {
              const { line } = sf.getLineAndCharacterOfPosition(prop.getStart());
              undocumented.push(`${file}:${line + 1} ${prop.name?.getText(sf)}`);
            }
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    expect(undocumented).toEqual([]);
    expect(fields).toBeGreaterThan(40);
  });
});
