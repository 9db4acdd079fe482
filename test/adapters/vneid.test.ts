import { describe, expect, it } from 'vitest';
import {
  citizenProfileResult,
  citizenProfileWireData,
  getCitizenProfileSample,
  verifyCitizenSample,
  verifyCitizenWireBody,
  verifyCitizenWireData,
  vneidContext,
  vneidFail,
  vneidFailureCodes,
  vneidOk,
} from '../../adapters/vneid/fixtures.js';
import { expectStandardHeaders, FREE_TEXT_FRAGMENTS, failure, intercept, useTestGateway } from './helpers.js';

const VERIFY = '/c06/v1/xac-thuc-cong-dan';
const PROFILE = '/c06/v1/tra-cuu-cong-dan';

const t = useTestGateway();

describe('vneid.verifyCitizen', () => {
  it('sends the contract request and decodes the answer', async () => {
    const { seen } = intercept('POST', VERIFY, [[200, vneidOk(verifyCitizenWireData)]]);
    const r = await t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext);

    expect(r).toMatchObject({
      status: 'ok',
      data: { exists: true, nameMatches: true, dateOfBirthMatches: true, verified: true },
      meta: { upstream: 'vneid', operation: 'verifyCitizen', attempts: 1 },
    });
    expect(seen).toHaveLength(1);
    const req = seen[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(VERIFY);
    expectStandardHeaders(req, vneidContext.actor);
    expect(req.headers['x-road-id']).toBe(r.meta.requestId);
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    expect(req.headers['idempotency-key']).toBeUndefined();
    expect(req.headers['x-road-issue']).toBeUndefined();
    expect(req.body).toEqual({
      MaYeuCau: r.meta.requestId,
      MaDVC: vneidContext.purpose,
      MaCanBo: vneidContext.actor,
      ...verifyCitizenWireBody,
    });
  });

  it('actor (issue 11): header and MaCanBo carry the same string; a Vietnamese name is VALIDATION, nothing sent', async () => {
    const { seen } = intercept('POST', VERIFY, [[200, vneidOk(verifyCitizenWireData)]]);
    for (const actor of ['cán-bộ-Nguyễn-17', 'Nguyễn Văn Bình', 'can bo 17']) {
      const e = await failure(
        () => t.gateway.vneid.verifyCitizen(verifyCitizenSample, { ...vneidContext, actor }),
        'VALIDATION',
      );
      expect(e.issues?.map((i) => i.path)).toEqual(['context.actor']);
      expect(e.message).not.toContain(actor);
    }
    expect(seen).toHaveLength(0);
    await t.gateway.vneid.verifyCitizen(verifyCitizenSample, { ...vneidContext, actor: 'can-bo-17' });
    expect(seen[0]!.headers['x-road-userid']).toBe('VNcan-bo-17');
    expect((seen[0]!.body as { MaCanBo: string }).MaCanBo).toBe('can-bo-17');
  });

  it('sends X-Road-Issue when the context names a dossier', async () => {
    const { seen } = intercept('POST', VERIFY, [[200, vneidOk(verifyCitizenWireData)]]);
    await t.gateway.vneid.verifyCitizen(verifyCitizenSample, { ...vneidContext, dossierCode: 'H29-0001' });
    expect(seen[0]!.headers['x-road-issue']).toBe('H29-0001');
  });

  it('normalises the name it sends (NFC, trimmed, single spaces)', async () => {
    const { seen } = intercept('POST', VERIFY, [[200, vneidOk(verifyCitizenWireData)]]);
    const decomposed = '  Nguye\u0302\u0303n   Văn A '.normalize('NFD');
    await t.gateway.vneid.verifyCitizen({ ...verifyCitizenSample, fullName: decomposed }, vneidContext);
    expect((seen[0]!.body as { HoVaTen: string }).HoVaTen).toBe('Nguyễn Văn A');
  });

  it('reports a mismatch as verified: false', async () => {
    intercept('POST', VERIFY, [[200, vneidOk({ TonTai: true, KhopHoVaTen: false, KhopNgaySinh: true })]]);
    const r = await t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext);
    expect(r.status === 'ok' && r.data).toEqual({
      exists: true,
      nameMatches: false,
      dateOfBirthMatches: true,
      verified: false,
    });
  });

  it('rejects a personal ID that disagrees with the date of birth, without echoing either', async () => {
    const { seen } = intercept('POST', VERIFY, [[200, vneidOk(verifyCitizenWireData)]]);
    const e = await failure(
      () =>
        t.gateway.vneid.verifyCitizen({ ...verifyCitizenSample, dateOfBirth: '1993-05-01' }, vneidContext),
      'VALIDATION',
    );
    expect(e.issues).toEqual([
      {
        path: 'dateOfBirth',
        message: expect.stringContaining('personalId'),
        code: 'format',
        userMessage: 'ngày sinh không khớp với năm sinh trong số định danh cá nhân',
      },
    ]);
    expect(e.message).not.toContain(verifyCitizenSample.personalId);
    expect(e.message).not.toContain('1993-05-01');
    expect(e.attempts).toBe(0);
    expect(seen).toHaveLength(0);
  });

  it('names each bad field and rule', async () => {
    const e = await failure(
      () =>
        t.gateway.vneid.verifyCitizen(
          { personalId: '07920300123', fullName: '', dateOfBirth: '2003-02-30' },
          vneidContext,
        ),
      'VALIDATION',
    );
    expect(e.issues!.map((i) => i.path).sort()).toEqual(['dateOfBirth', 'fullName', 'personalId']);
    expect(e.message).not.toContain('07920300123');
  });

  it('rejects a date of birth in the future', async () => {
    const e = await failure(
      () =>
        t.gateway.vneid.verifyCitizen(
          { personalId: '079299001234', fullName: 'Nguyễn Văn A', dateOfBirth: '2099-01-01' },
          vneidContext,
        ),
      'VALIDATION',
    );
    expect(e.issues!.some((i) => i.path === 'dateOfBirth' && /future/.test(i.message))).toBe(true);
  });

  it('retries the busy code 99 and succeeds on the third attempt', async () => {
    const { seen } = intercept('POST', VERIFY, [
      [200, vneidFail('99')],
      [200, vneidFail('99')],
      [200, vneidOk(verifyCitizenWireData)],
    ]);
    const r = await t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext);
    expect(r).toMatchObject({ status: 'ok', meta: { attempts: 3 } });
    expect(t.retries.map((e) => e.code)).toEqual(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE']);
    // One logical call: the same X-Road-Id and MaYeuCau on every attempt.
    const ids = new Set(seen.map((s) => s.headers['x-road-id']));
    expect(ids.size).toBe(1);
    expect(seen.every((s) => (s.body as { MaYeuCau: string }).MaYeuCau === r.meta.requestId)).toBe(true);
  });

  it('serves a cached verification as stale while VNeID stays busy', async () => {
    intercept('POST', VERIFY, [[200, vneidOk(verifyCitizenWireData)]]);
    await t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext);
    intercept('POST', VERIFY, [[200, vneidFail('99')]], 3);
    const r = await t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext);
    expect(r).toMatchObject({ status: 'stale', data: { verified: true }, meta: { attempts: 3 } });
  });

  it('is a CONTRACT error when a field is missing or of the wrong type', async () => {
    intercept('POST', VERIFY, [[200, vneidOk({ TonTai: true, KhopHoVaTen: 'yes' })]]);
    const e = await failure(
      () => t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext),
      'CONTRACT',
    );
    expect(e.issues!.map((i) => i.path).sort()).toEqual(['KhopHoVaTen', 'KhopNgaySinh']);
    expect(e.attempts).toBe(1);
  });

  it('is a CONTRACT error when DuLieu is missing from a success', async () => {
    intercept('POST', VERIFY, [[200, { MaKetQua: '00', MoTa: 'Thành công' }]]);
    await failure(() => t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext), 'CONTRACT');
  });
});

describe('vneid envelope codes', () => {
  for (const [code, expected] of vneidFailureCodes) {
    for (const status of [200, 400, 403, 404]) {
      it(`MaKetQua ${code} with HTTP ${status} → ${expected}`, async () => {
        intercept('POST', VERIFY, [[status, vneidFail(code)]], 3);
        const e = await failure(
          () => t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext),
          expected,
        );
        expect(e.upstreamCode).toBe(code);
        expect(e.status).toBe(status);
        expect(e.attempts).toBe(expected === 'UPSTREAM_UNAVAILABLE' ? 3 : 1);
        for (const fragment of FREE_TEXT_FRAGMENTS)
          expect(JSON.stringify(e.toJSON())).not.toContain(fragment);
      });
    }
  }

  it('an unknown MaKetQua is a CONTRACT error that keeps the code', async () => {
    intercept('POST', VERIFY, [[200, vneidFail('42')]]);
    const violations: unknown[] = [];
    t.gateway.on('contract:violation', (v) => violations.push(v));
    const e = await failure(
      () => t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext),
      'CONTRACT',
    );
    expect(e.upstreamCode).toBe('42');
    expect(e.retryable).toBe(false);
    // Counted as a contract violation (vngw_contract_violations_total).
    expect(violations).toMatchObject([{ upstream: 'vneid', operation: 'verifyCitizen' }]);
  });

  it('a numeric MaKetQua is read as its two-digit code', async () => {
    intercept('POST', VERIFY, [[200, { MaKetQua: 1, MoTa: '', DuLieu: null }]]);
    const e = await failure(
      () => t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext),
      'NOT_FOUND',
    );
    expect(e.upstreamCode).toBe('01');
  });

  it('a code that is not a code (free text) is not kept', async () => {
    intercept('POST', VERIFY, [[200, { MaKetQua: 'Lỗi: công dân Nguyễn Văn A', DuLieu: null }]]);
    const e = await failure(
      () => t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext),
      'CONTRACT',
    );
    expect(e.upstreamCode).toBeUndefined();
    expect(e.message).not.toContain('Nguyễn');
  });

  it('a bare HTTP 404 / a non-envelope 200 are NOT_FOUND / CONTRACT', async () => {
    intercept('POST', VERIFY, [[404, '<html>Not Found</html>']]);
    await failure(() => t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext), 'NOT_FOUND');
    intercept('POST', VERIFY, [[200, { ok: true }]]);
    await failure(() => t.gateway.vneid.verifyCitizen(verifyCitizenSample, vneidContext), 'CONTRACT');
  });
});

describe('vneid.getCitizenProfile', () => {
  it('sends the consent code and decodes the profile', async () => {
    const { seen } = intercept('POST', PROFILE, [[200, vneidOk(citizenProfileWireData)]]);
    const r = await t.gateway.vneid.getCitizenProfile(getCitizenProfileSample, vneidContext);
    expect(r).toMatchObject({ status: 'ok', data: citizenProfileResult });
    const req = seen[0]!;
    expectStandardHeaders(req, vneidContext.actor);
    expect(req.body).toEqual({
      MaYeuCau: r.meta.requestId,
      MaDVC: vneidContext.purpose,
      MaCanBo: vneidContext.actor,
      SoDinhDanh: getCitizenProfileSample.personalId,
      MaXacNhan: getCitizenProfileSample.consentCode,
    });
    expect(t.unknown).toEqual([]);
  });

  it('decodes "2" as female and leaves out an absent or null SoCMND', async () => {
    intercept('POST', PROFILE, [[200, vneidOk({ ...citizenProfileWireData, GioiTinh: '2', SoCMND: null })]]);
    const r = await t.gateway.vneid.getCitizenProfile(getCitizenProfileSample, vneidContext);
    expect(r.status === 'ok' && r.data.gender).toBe('female');
    expect(r.status === 'ok' && 'oldIdCardNumber' in r.data).toBe(false);
  });

  it('passes an unknown gender through, logs it and emits contract:unknown-value', async () => {
    intercept('POST', PROFILE, [[200, vneidOk({ ...citizenProfileWireData, GioiTinh: '3' })]]);
    const r = await t.gateway.vneid.getCitizenProfile(getCitizenProfileSample, vneidContext);
    expect(r).toMatchObject({ status: 'ok', data: { gender: '3' } });
    expect(t.unknown).toEqual([
      { upstream: 'vneid', operation: 'getCitizenProfile', field: 'GioiTinh', value: '3' },
    ]);
    expect(t.logs().some((l) => l.field === 'GioiTinh' && l.value === '3' && l.level === 40)).toBe(true);
  });

  it('a wrong date format in the profile is a CONTRACT error', async () => {
    intercept('POST', PROFILE, [
      [200, vneidOk({ ...citizenProfileWireData, NgayThangNamSinh: '12/03/1985' })],
    ]);
    const e = await failure(
      () => t.gateway.vneid.getCitizenProfile(getCitizenProfileSample, vneidContext),
      'CONTRACT',
    );
    expect(e.issues).toEqual([{ path: 'NgayThangNamSinh', message: expect.any(String), code: 'format' }]);
    expect(e.message).not.toContain('1985');
  });

  it('is never served stale (cache: false)', async () => {
    intercept('POST', PROFILE, [[200, vneidOk(citizenProfileWireData)]]);
    await t.gateway.vneid.getCitizenProfile(getCitizenProfileSample, vneidContext);
    intercept('POST', PROFILE, [[200, vneidFail('99')]], 3);
    await failure(
      () => t.gateway.vneid.getCitizenProfile(getCitizenProfileSample, vneidContext),
      'UPSTREAM_UNAVAILABLE',
    );
  });

  it('a malformed consent code is a VALIDATION error', async () => {
    const e = await failure(
      () =>
        t.gateway.vneid.getCitizenProfile({ ...getCitizenProfileSample, consentCode: '12' }, vneidContext),
      'VALIDATION',
    );
    expect(e.issues!.map((i) => i.path)).toEqual(['consentCode']);
  });
});

describe('vneid without purpose and actor', () => {
  const calls = [
    // @ts-expect-error the types require purpose and actor too: this checks the run-time refusal
    ['verifyCitizen', VERIFY, () => t.gateway.vneid.verifyCitizen(verifyCitizenSample, {})],
    // @ts-expect-error the types require purpose and actor too: this checks the run-time refusal
    ['getCitizenProfile', PROFILE, () => t.gateway.vneid.getCitizenProfile(getCitizenProfileSample)],
  ] as const;
  for (const [name, path, call] of calls) {
    it(`${name} is a VALIDATION error and sends nothing`, async () => {
      const { scope, seen } = intercept('POST', path, [[200, vneidOk({})]]);
      const e = await failure(call, 'VALIDATION');
      expect(e.issues!.map((i) => i.path)).toEqual(['context.purpose', 'context.actor']);
      expect(e.attempts).toBe(0);
      expect(seen).toHaveLength(0);
      expect(scope.isDone()).toBe(false);
    });
  }

  it('a blank purpose counts as none', async () => {
    const e = await failure(
      () => t.gateway.vneid.verifyCitizen(verifyCitizenSample, { purpose: '  ', actor: 'officer-17' }),
      'VALIDATION',
    );
    expect(e.issues!.map((i) => i.path)).toEqual(['context.purpose']);
  });
});
