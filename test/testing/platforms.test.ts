import { randomUUID } from 'node:crypto';
import type { AxiosInstance } from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixtures, type MockPlatforms, startMockPlatforms } from '../../src/testing/index.js';
import { client, getToken, manualClock, vneidBody, wire, xroad } from './helpers.js';

const clock = manualClock();
let mock: MockPlatforms;
let http: AxiosInstance;
let token: string;

beforeAll(async () => {
  mock = await startMockPlatforms({ now: clock.now, tokenTtlSeconds: 600 });
  http = client(mock.url);
  token = await getToken(http);
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

describe('server basics', () => {
  it('listens on 127.0.0.1 and lists each platform under one base URL', () => {
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(mock.urls).toEqual({
      vneid: `${mock.url}/c06/v1`,
      land: `${mock.url}/land/v1`,
      tax: `${mock.url}/tax/v1`,
      token: `${mock.url}/token`,
    });
  });

  it('answers a plain 404 outside every platform and 405 for a wrong method', async () => {
    expect((await http.get('/nothing')).status).toBe(404);
    const res = await http.get('/c06/v1/xac-thuc-cong-dan', { headers: xroad(token) });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
  });
});

describe('OAuth2 token endpoint', () => {
  const form = (fields: Record<string, string>) =>
    http.post('/token', new URLSearchParams(fields).toString(), {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

  it('issues a bearer token for the default credentials', async () => {
    const res = await form({
      grant_type: 'client_credentials',
      client_id: 'hcmc-tthc',
      client_secret: 'mock-secret',
    });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 600 });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('refuses a wrong secret (401), another grant type and a JSON body (400)', async () => {
    const wrong = await form({
      grant_type: 'client_credentials',
      client_id: 'hcmc-tthc',
      client_secret: 'nope',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.data.error).toBe('invalid_client');
    const grant = await form({
      grant_type: 'password',
      client_id: 'hcmc-tthc',
      client_secret: 'mock-secret',
    });
    expect(grant.data.error).toBe('unsupported_grant_type');
    const json = await http.post('/token', { grant_type: 'client_credentials' });
    expect(json.status).toBe(400);
  });

  it('records the token request with the secret redacted', async () => {
    await getToken(http);
    const [rec] = mock.requests('token');
    expect((rec!.body as Record<string, string>).client_secret).toBe('[REDACTED]');
  });

  it('answers 401 without a token, with an unknown token, and once the token expired', async () => {
    const call = (t: string | undefined) => {
      const headers = xroad(t ?? '');
      if (t === undefined) delete headers.authorization;
      return http.get('/tax/v1/nguoi-nop-thue/0312345673', { headers });
    };
    expect((await call(undefined)).status).toBe(401);
    const unknown = await call('made-up');
    expect(unknown.status).toBe(401);
    expect(unknown.data).toEqual({ error_code: 401, message: expect.any(String), result: null });
    expect(unknown.headers['www-authenticate']).toMatch(/^Bearer/);

    const fresh = await getToken(http);
    expect((await call(fresh)).status).toBe(200);
    clock.advance(600_000); // the configured TTL
    expect((await call(fresh)).status).toBe(401);
    const next = await getToken(http);
    expect((await call(next)).status).toBe(200);
  });

  it('expireTokens() makes every issued token answer 401 on each platform', async () => {
    const t = await getToken(http);
    mock.expireTokens();
    const h = xroad(t);
    const v = await http.post('/c06/v1/xac-thuc-cong-dan', vneidBody(h, {}), { headers: h });
    expect([v.status, v.data.MaKetQua]).toEqual([401, '97']);
    const l = await http.get('/land/v1/giay-chung-nhan/CS123456', { headers: xroad(t) });
    expect([l.status, l.data.errorCode]).toEqual([401, 'UNAUTHORIZED']);
    token = await getToken(http);
  });
});

describe('VNeID (/c06/v1)', () => {
  const verify = (input: { personalId: string; fullName: string; dateOfBirth: string }) => {
    const headers = xroad(token);
    return http.post(
      '/c06/v1/xac-thuc-cong-dan',
      vneidBody(headers, {
        SoDinhDanh: input.personalId,
        HoVaTen: input.fullName,
        NgayThangNamSinh: wire(input.dateOfBirth),
      }),
      { headers },
    );
  };

  it('verifies a citizen with the Vietnamese envelope and echoes X-Road-Id', async () => {
    const headers = xroad(token);
    const c = fixtures.citizens[0]!;
    const res = await http.post(
      '/c06/v1/xac-thuc-cong-dan',
      vneidBody(headers, {
        SoDinhDanh: c.personalId,
        HoVaTen: c.fullName,
        NgayThangNamSinh: wire(c.dateOfBirth),
      }),
      { headers },
    );
    expect(res.status).toBe(200);
    expect(res.headers['x-road-id']).toBe(headers['x-road-id']);
    expect(res.data).toEqual({
      MaKetQua: '00',
      MoTa: expect.any(String),
      DuLieu: { TonTai: true, KhopHoVaTen: true, KhopNgaySinh: true },
    });
  });

  it.each(fixtures.verifyCases)('verify case: $description', async ({ input, expected }) => {
    const res = await verify(input);
    expect(res.status).toBe(200);
    if (expected === 'not-found') {
      expect(res.data).toMatchObject({ MaKetQua: '01', DuLieu: null });
    } else {
      expect(res.data.MaKetQua).toBe('00');
      expect(res.data.DuLieu).toEqual({
        TonTai: expected.exists,
        KhopHoVaTen: expected.nameMatches,
        KhopNgaySinh: expected.dateOfBirthMatches,
      });
    }
  });

  it('returns a profile with the consent code, 97/403 without the right one', async () => {
    const c = fixtures.citizens.find((x) => x.oldIdNumber && x.gender === 'female')!;
    const headers = xroad(token);
    const res = await http.post(
      '/c06/v1/tra-cuu-cong-dan',
      vneidBody(headers, { SoDinhDanh: c.personalId, MaXacNhan: c.consentCode }),
      { headers },
    );
    expect(res.data).toEqual({
      MaKetQua: '00',
      MoTa: expect.any(String),
      DuLieu: {
        SoDinhDanh: c.personalId,
        SoCMND: c.oldIdNumber,
        HoVaTen: c.fullName,
        NgayThangNamSinh: wire(c.dateOfBirth),
        GioiTinh: '2',
        QuocTich: 'VN',
        NoiThuongTru: { MaTinh: '79', MaXa: c.permanentAddress.wardCode, ChiTiet: c.permanentAddress.detail },
      },
    });
    const h2 = xroad(token);
    const denied = await http.post(
      '/c06/v1/tra-cuu-cong-dan',
      vneidBody(h2, { SoDinhDanh: c.personalId, MaXacNhan: '000000' }),
      { headers: h2 },
    );
    expect([denied.status, denied.data.MaKetQua, denied.data.DuLieu]).toEqual([403, '97', null]);
  });

  it.each([
    [
      'HoVaTen missing',
      (h: Record<string, string>) =>
        vneidBody(h, { SoDinhDanh: '079203001234', NgayThangNamSinh: '20030501' }),
    ],
    [
      'date not yyyyMMdd',
      (h: Record<string, string>) =>
        vneidBody(h, { SoDinhDanh: '079203001234', HoVaTen: 'Nguyễn Văn A', NgayThangNamSinh: '2003-05-01' }),
    ],
    [
      '11-digit id',
      (h: Record<string, string>) =>
        vneidBody(h, { SoDinhDanh: fixtures.invalid.personalId, HoVaTen: 'A', NgayThangNamSinh: '20030501' }),
    ],
    [
      'MaYeuCau differs from X-Road-Id',
      (h: Record<string, string>) => ({
        ...vneidBody(h, { SoDinhDanh: '079203001234', HoVaTen: 'A', NgayThangNamSinh: '20030501' }),
        MaYeuCau: randomUUID(),
      }),
    ],
    [
      'MaDVC missing',
      (h: Record<string, string>) => {
        const { MaDVC: _, ...b } = vneidBody(h, {
          SoDinhDanh: '079203001234',
          HoVaTen: 'A',
          NgayThangNamSinh: '20030501',
        });
        return b;
      },
    ],
  ])('answers 02 for an invalid body: %s', async (_name, body) => {
    const headers = xroad(token);
    const res = await http.post('/c06/v1/xac-thuc-cong-dan', body(headers), { headers });
    expect([res.status, res.data.MaKetQua, res.data.DuLieu]).toEqual([200, '02', null]);
  });

  it.each([
    ['X-Road-Id not a UUID', { 'x-road-id': 'req-1' }],
    ['X-Road-UserId missing', { 'x-road-userid': '' }],
    ['X-Road-UserId without VN', { 'x-road-userid': 'officer-17' }],
  ])('answers 02 when a header is wrong: %s', async (_name, override) => {
    const headers = { ...xroad(token), ...override };
    const res = await http.post(
      '/c06/v1/xac-thuc-cong-dan',
      vneidBody(headers, {
        SoDinhDanh: '079203001234',
        HoVaTen: 'Nguyễn Văn A',
        NgayThangNamSinh: '20030501',
      }),
      { headers },
    );
    expect(res.data.MaKetQua).toBe('02');
  });
});

describe('a request without X-Road-Client', () => {
  // CONTRACT.md: refused as a real exchange does, HTTP 400 with the platform's invalid-request code
  // and a reason naming the header, before the token is even looked at.
  it.each([
    ['vneid', 'post', '/c06/v1/xac-thuc-cong-dan', (b: Record<string, unknown>) => b.MaKetQua, '02', 'MoTa'],
    [
      'land',
      'get',
      '/land/v1/thua-dat?maXa=27058&soTo=12&soThua=345',
      (b: Record<string, unknown>) => b.errorCode,
      'INVALID_REQUEST',
      'message',
    ],
    [
      'tax',
      'get',
      '/tax/v1/nguoi-nop-thue/0310668799',
      (b: Record<string, unknown>) => b.error_code,
      400,
      'message',
    ],
  ] as const)(
    '%s answers 400 with its own envelope and the reason',
    async (_name, method, path, code, expected, reasonKey) => {
      for (const auth of [token, 'not-a-token']) {
        const { 'x-road-client': _, ...headers } = xroad(auth);
        const res =
          method === 'post' ? await http.post(path, {}, { headers }) : await http.get(path, { headers });
        expect(res.status).toBe(400);
        expect(code(res.data)).toBe(expected);
        expect(res.data[reasonKey]).toContain('missing X-Road-Client');
        expect(res.headers['x-road-id']).toBe(headers['x-road-id']);
      }
      for (const blank of ['', '   ']) {
        const headers = { ...xroad(token), 'x-road-client': blank };
        const res =
          method === 'post' ? await http.post(path, {}, { headers }) : await http.get(path, { headers });
        expect(res.status).toBe(400);
      }
    },
  );
});

describe('land registry (/land/v1)', () => {
  const parcel = fixtures.parcels.find((p) => p.restrictions.length > 0 && p.certificates.length > 1)!;

  it('returns a parcel with the Vietnamese field names', async () => {
    const res = await http.get('/land/v1/thua-dat', {
      headers: xroad(token),
      params: { maXa: parcel.wardCode, soTo: parcel.mapSheet, soThua: parcel.parcelNumber },
    });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({
      status: 'SUCCESS',
      errorCode: null,
      message: expect.any(String),
      data: {
        maXa: '27058',
        soTo: 8,
        soThua: 112,
        dienTich: 96.3,
        loaiDat: 'ODT',
        thoiHanSuDung: 'Lâu dài',
        giayChungNhan: [
          { soPhatHanh: 'BX654321', ngayCap: '20120302', trangThai: 'THU_HOI' },
          {
            soPhatHanh: 'AA01234567',
            maGiayChungNhan: 'HCM250000123',
            ngayCap: '20250218',
            trangThai: 'HIEU_LUC',
          },
        ],
        hanChe: ['Thế chấp tại Ngân hàng TMCP Ngoại thương Việt Nam'],
      },
    });
  });

  it('accepts a pre-2025 commune code and answers with the current one', async () => {
    const formerCode = fixtures.wards
      .find((w) => w.code === '27058')!
      .formerUnits.find((u) => u.code !== '27058')!.code;
    const res = await http.get('/land/v1/thua-dat', {
      headers: xroad(token),
      params: { maXa: formerCode, soTo: 12, soThua: 345 },
    });
    expect(res.data.status).toBe('SUCCESS');
    expect(res.data.data.maXa).toBe('27058');
    const tanDinh = await http.get('/land/v1/thua-dat', {
      headers: xroad(token),
      params: { maXa: '26734', soTo: 5, soThua: 78 },
    });
    expect(tanDinh.data.data.maXa).toBe('26737');
  });

  it('answers NOT_FOUND (404) and INVALID_REQUEST (400)', async () => {
    const u = fixtures.unknown.parcel;
    const nf = await http.get('/land/v1/thua-dat', {
      headers: xroad(token),
      params: { maXa: u.wardCode, soTo: u.mapSheet, soThua: u.parcelNumber },
    });
    expect([nf.status, nf.data]).toEqual([
      404,
      { status: 'FAIL', errorCode: 'NOT_FOUND', message: expect.any(String), data: null },
    ]);
    const bad = await http.get('/land/v1/thua-dat', {
      headers: xroad(token),
      params: { maXa: '27058', soTo: 0 },
    });
    expect([bad.status, bad.data.errorCode]).toEqual([400, 'INVALID_REQUEST']);
  });

  it('verifies a certificate, with or without the space in its serial', async () => {
    for (const serial of ['CS123456', 'CS 123456']) {
      const res = await http.get(`/land/v1/giay-chung-nhan/${encodeURIComponent(serial)}`, {
        headers: xroad(token),
      });
      expect(res.data).toEqual({
        status: 'SUCCESS',
        errorCode: null,
        message: expect.any(String),
        data: {
          soPhatHanh: 'CS123456',
          ngayCap: '20190614',
          trangThai: 'HIEU_LUC',
          maXa: '27058',
          soTo: 12,
          soThua: 345,
        },
      });
    }
    const nf = await http.get(`/land/v1/giay-chung-nhan/${fixtures.unknown.certificateSerial}`, {
      headers: xroad(token),
    });
    expect(nf.data.errorCode).toBe('NOT_FOUND');
    const bad = await http.get(`/land/v1/giay-chung-nhan/${fixtures.invalid.certificateSerial}`, {
      headers: xroad(token),
    });
    expect(bad.data.errorCode).toBe('INVALID_REQUEST');
  });

  const registration = {
    maHoSo: 'HS-27058-2025-000123',
    maXa: '27058',
    soTo: 12,
    soThua: 345,
    loaiBienDong: 'CHUYEN_NHUONG',
    nguoiNop: { soDinhDanh: '079085001234', hoTen: 'Nguyễn Văn An' },
  };

  it('registers a change once per Idempotency-Key and reports its status', async () => {
    const key = 'HS-27058-2025-000123';
    const first = await http.post('/land/v1/dang-ky-bien-dong', registration, {
      headers: xroad(token, { 'idempotency-key': key }),
    });
    expect(first.data).toEqual({
      status: 'SUCCESS',
      errorCode: null,
      message: expect.any(String),
      data: { maBienNhan: expect.stringMatching(/^BN-\d{6}$/), trangThai: 'DA_TIEP_NHAN' },
    });
    const again = await http.post('/land/v1/dang-ky-bien-dong', registration, {
      headers: xroad(token, { 'idempotency-key': key }),
    });
    expect(again.data).toEqual(first.data);
    const other = await http.post(
      '/land/v1/dang-ky-bien-dong',
      { ...registration, maHoSo: 'HS-2' },
      {
        headers: xroad(token, { 'idempotency-key': 'HS-2' }),
      },
    );
    expect(other.data.data.maBienNhan).not.toBe(first.data.data.maBienNhan);

    expect(mock.registrations('land').map((r) => r.idempotencyKey)).toEqual([key, 'HS-2']);
    expect(mock.requests('land').map((r) => r.replayed)).toEqual([false, true, false]);

    const receipt = first.data.data.maBienNhan as string;
    const status = await http.get(`/land/v1/dang-ky-bien-dong/${receipt}`, { headers: xroad(token) });
    expect(status.data.data).toEqual({
      maBienNhan: receipt,
      trangThai: 'DA_TIEP_NHAN',
      capNhatLuc: new Date(clock.now()).toISOString(),
    });
    const missing = await http.get('/land/v1/dang-ky-bien-dong/BN-999999', { headers: xroad(token) });
    expect(missing.data.errorCode).toBe('NOT_FOUND');
  });

  it('refuses a write without Idempotency-Key or with a missing field, and counts neither', async () => {
    const noKey = await http.post('/land/v1/dang-ky-bien-dong', registration, { headers: xroad(token) });
    expect([noKey.status, noKey.data.errorCode]).toEqual([400, 'INVALID_REQUEST']);
    const { nguoiNop: _, ...missing } = registration;
    const noApplicant = await http.post('/land/v1/dang-ky-bien-dong', missing, {
      headers: xroad(token, { 'idempotency-key': 'k-1' }),
    });
    expect([noApplicant.status, noApplicant.data.errorCode]).toEqual([400, 'INVALID_REQUEST']);
    expect(mock.registrations('land')).toEqual([]);
  });

  it('records requests with Authorization redacted', async () => {
    await http.get('/land/v1/giay-chung-nhan/CS123456', { headers: xroad(token) });
    const [rec] = mock.requests('land');
    expect(rec).toMatchObject({
      method: 'GET',
      path: '/land/v1/giay-chung-nhan/CS123456',
      status: 200,
      outcome: 'answered',
    });
    expect(rec!.headers.authorization).toBe('Bearer [REDACTED]');
    expect(JSON.stringify(mock.requests())).not.toContain(token);
  });
});

describe('tax registry (/tax/v1)', () => {
  it('looks up an enterprise, a branch and an individual (personal ID as tax code)', async () => {
    const e = fixtures.enterprises[0]!;
    const res = await http.get(`/tax/v1/nguoi-nop-thue/${e.taxCode}`, { headers: xroad(token) });
    expect(res.data).toEqual({
      error_code: 0,
      message: expect.any(String),
      result: { mst: e.taxCode, tenNguoiNopThue: e.name, trangThai: '00', coQuanThueQuanLy: e.taxOffice },
    });
    const branch = await http.get(`/tax/v1/nguoi-nop-thue/${e.branches[0]!.taxCode}`, {
      headers: xroad(token),
    });
    expect(branch.data.result.mst).toBe('0301234562-001');
    const person = fixtures.individualTaxpayers[0]!;
    const ind = await http.get(`/tax/v1/nguoi-nop-thue/${person.taxCode}`, { headers: xroad(token) });
    expect(ind.data.result).toMatchObject({ mst: person.taxCode, tenNguoiNopThue: person.name });
  });

  it('answers 404 for an unknown code and 400 for a bad check digit', async () => {
    const nf = await http.get(`/tax/v1/nguoi-nop-thue/${fixtures.unknown.taxCode}`, {
      headers: xroad(token),
    });
    expect(nf.data).toEqual({ error_code: 404, message: expect.any(String), result: null });
    const bad = await http.get(`/tax/v1/nguoi-nop-thue/${fixtures.invalid.taxCode}`, {
      headers: xroad(token),
    });
    expect(bad.data.error_code).toBe(400);
  });

  const body = {
    maHoSo: 'HS-26743-2025-000777',
    soDinhDanh: '079205011223',
    hoTen: 'Đặng Quốc Bảo',
    ngaySinh: '20051224',
    diaChiKinhDoanh: { maXa: '27559', chiTiet: 'Số 22 đường Bà Triệu' },
    nganhNghe: '4711',
  };

  it('registers a taxpayer idempotently and reports TIEP_NHAN', async () => {
    const headers = () => xroad(token, { 'idempotency-key': body.maHoSo });
    const first = await http.post('/tax/v1/dang-ky-thue', body, { headers: headers() });
    expect(first.data).toEqual({
      error_code: 0,
      message: expect.any(String),
      result: { maHoSoThue: expect.stringMatching(/^HST-\d{6}$/), trangThai: 'TIEP_NHAN' },
    });
    const replay = await http.post('/tax/v1/dang-ky-thue', body, { headers: headers() });
    expect(replay.data).toEqual(first.data);
    expect(mock.registrations('tax')).toHaveLength(1);
    expect(mock.requests('tax').map((r) => r.replayed)).toEqual([false, true]);

    const id = first.data.result.maHoSoThue as string;
    const status = await http.get(`/tax/v1/dang-ky-thue/${id}`, { headers: xroad(token) });
    expect(status.data.result).toEqual({ maHoSoThue: id, trangThai: 'TIEP_NHAN' });
  });

  it('answers 400 for a missing field or Idempotency-Key', async () => {
    const { hoTen: _, ...missing } = body;
    const res = await http.post('/tax/v1/dang-ky-thue', missing, {
      headers: xroad(token, { 'idempotency-key': 'x' }),
    });
    expect(res.data).toEqual({ error_code: 400, message: expect.stringContaining('hoTen'), result: null });
    const noKey = await http.post('/tax/v1/dang-ky-thue', body, { headers: xroad(token) });
    expect(noKey.data.error_code).toBe(400);
    expect(mock.registrations('tax')).toHaveLength(0);
  });
});
