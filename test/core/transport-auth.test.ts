import { Writable } from 'node:stream';
import nock from 'nock';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AuthOptions, createGateway, isGatewayError } from 'vn-national-gateway';
import { BASE, CTX, echo, ok, PERSON } from '../helpers/echo-adapter.js';

const silent = pino({ level: 'silent' });
const oauth: AuthOptions = {
  type: 'oauth2',
  tokenUrl: `${BASE}/token`,
  clientId: 'hcmc-tthc',
  clientSecret: 'very-secret-value',
};

function gatewayWith(auth: AuthOptions, logger = silent) {
  return createGateway({
    upstreams: { echo: echo({ baseUrl: BASE, auth, client: 'VN/GOV/000.00.00.H29/hcmc-tthc' }) },
    logger,
    random: () => 0,
    drainer: { autoStart: false },
  });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('X-Road headers and auth over HTTP (nock)', () => {
  it('sends the contract headers and the bearer token', async () => {
    let headers: Record<string, string | string[]> = {};
    nock(BASE)
      .post('/echo/lookup')
      .reply(function () {
        headers = this.req.headers;
        return [200, ok({ exists: true, status: 'ACTIVE' })];
      });
    const g = gatewayWith({ type: 'bearer', token: 'tok-123' });
    const r = await g.echo.lookup(PERSON, { ...CTX, dossierCode: 'HS-9' });
    expect(headers).toMatchObject({
      authorization: 'Bearer tok-123',
      'x-road-client': 'VN/GOV/000.00.00.H29/hcmc-tthc',
      'x-road-id': r.meta.requestId,
      'x-road-userid': 'VNofficer-17',
      'x-road-issue': 'HS-9',
    });
    expect(headers['idempotency-key']).toBeUndefined();
    await g.close();
  });

  it('sends an API key in its header', async () => {
    const scope = nock(BASE, { reqheaders: { 'x-api-key': 'k-1' } })
      .get('/echo/ping')
      .query({ n: 1 })
      .reply(200, ok({ n: 1 }));
    const g = gatewayWith({ type: 'apiKey', header: 'X-Api-Key', key: 'k-1' });
    await expect(g.echo.ping({ n: 1 })).resolves.toMatchObject({ status: 'ok' });
    expect(scope.isDone()).toBe(true);
    await g.close();
  });

  it('on 401 fetches a new token once and retries; a second 401 is AUTH', async () => {
    let tokens = 0;
    nock(BASE)
      .post('/token', (body) => body.grant_type === 'client_credentials' && body.client_id === 'hcmc-tthc')
      .times(3)
      .reply(() => [200, { access_token: `t${++tokens}`, token_type: 'Bearer', expires_in: 3600 }]);
    nock(BASE).get('/echo/ping').query(true).matchHeader('authorization', 'Bearer t1').reply(401);
    nock(BASE)
      .get('/echo/ping')
      .query(true)
      .matchHeader('authorization', 'Bearer t2')
      .reply(200, ok({ n: 1 }));
    const g = gatewayWith(oauth);
    await expect(g.echo.ping({ n: 1 })).resolves.toMatchObject({ status: 'ok', meta: { attempts: 1 } });
    expect(tokens).toBe(2);

    nock(BASE).get('/echo/ping').query(true).times(2).reply(401);
    const e = await g.echo.ping({ n: 2 }).catch((x) => x);
    expect(isGatewayError(e, 'AUTH')).toBe(true);
    expect(tokens).toBe(3);
    await g.close();
  });

  it('100 concurrent callers share one token fetch', async () => {
    let tokens = 0;
    nock(BASE)
      .post('/token')
      .delay(30)
      .reply(() => [200, { access_token: `t${++tokens}`, expires_in: 3600 }])
      .persist();
    nock(BASE)
      .get('/echo/ping')
      .query(true)
      .times(100)
      .reply(200, ok({ n: 1 }));
    const g = gatewayWith(oauth);
    const results = await Promise.all(Array.from({ length: 100 }, (_, n) => g.echo.ping({ n })));
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    expect(tokens).toBe(1);
    await g.close();
  });

  it('refused client credentials are AUTH, not retried', async () => {
    nock(BASE).post('/token').reply(401, { error: 'invalid_client' });
    const g = gatewayWith(oauth);
    const e = await g.echo.ping({ n: 1 }).catch((x) => x);
    expect(e).toMatchObject({ code: 'AUTH', attempts: 1 });
    expect(e.message).not.toContain('very-secret-value');
    await g.close();
  });

  it('a connection reset is NETWORK and retried', async () => {
    nock(BASE)
      .get('/echo/ping')
      .query(true)
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    nock(BASE)
      .get('/echo/ping')
      .query(true)
      .reply(200, ok({ n: 1 }));
    const g = gatewayWith({ type: 'bearer', token: 't' });
    await expect(g.echo.ping({ n: 1 })).resolves.toMatchObject({ status: 'ok', meta: { attempts: 2 } });
    await g.close();
  });

  it('does not follow redirects (a credentialed call never lands elsewhere)', async () => {
    nock(BASE).get('/echo/ping').query(true).reply(302, '', { location: 'http://elsewhere.test/x' });
    const g = gatewayWith({ type: 'bearer', token: 't' });
    const e = await g.echo.ping({ n: 1 }).catch((x) => x);
    expect(e.code).toBe('CONTRACT');
    await g.close();
  });
});

describe('logs', () => {
  it('a full run (ok, retries, errors, contract drift) logs no personal ID, name, token or secret', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ level: 'debug' }, sink);
    nock(BASE).post('/token').reply(200, { access_token: 'access-token-xyz', expires_in: 3600 }).persist();
    nock(BASE).post('/echo/lookup').reply(503);
    nock(BASE)
      .post('/echo/lookup')
      .reply(200, ok({ exists: true, status: 'NEW_STATUS' }));
    nock(BASE)
      .post('/echo/lookup')
      .reply(200, ok({ exists: true }));
    nock(BASE).post('/echo/lookup').reply(200, { ok: false, code: 'NOT_FOUND', data: null });
    const g = gatewayWith(oauth, logger);
    await g.echo.lookup(PERSON, CTX);
    await g.echo.lookup(PERSON, CTX).catch(() => {});
    await g.echo.lookup(PERSON, CTX).catch(() => {});
    await g.echo.lookup({ personalId: '12345', fullName: 'Trần Thị B' }, CTX).catch(() => {});
    await g.close();
    const text = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(text).toContain('"outcome":"ok"');
    expect(text).toContain('NEW_STATUS'); // an unknown enum value is logged (not personal)
    for (const secret of [
      PERSON.personalId,
      PERSON.fullName,
      'Trần Thị B',
      '12345"',
      'access-token-xyz',
      'very-secret-value',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
