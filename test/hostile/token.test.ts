/**
 * Issue 11: a token endpoint that lies (no token, a non-string token, a token that cannot be a
 * header, a token the platform calls expired, an already-expired lifetime), is slow, or quotes the
 * secret back. Each case is bounded and typed; neither the secret nor any issued token is logged.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ok } from '../helpers/echo-adapter.js';
import { FAST, useHostileHarness, json, SECRET, TOKEN } from './harness.js';

const h = useHostileHarness();

const oauth = () => ({
  type: 'oauth2' as const,
  tokenUrl: `${h.base}/token`,
  clientId: 'hcmc-tthc',
  clientSecret: SECRET,
});
const isToken = (req: IncomingMessage) => req.url?.startsWith('/token') === true;

/** Counts token fetches and platform hits; answers the platform with `platform`. */
async function withTokenEndpoint(
  token: (res: Parameters<Parameters<typeof h.serve>[0]>[1], body: string) => void,
  platform: (req: IncomingMessage, res: Parameters<Parameters<typeof h.serve>[0]>[1]) => void = (_q, res) =>
    json(res, 200, ok({ n: 1 })),
  policy = FAST,
  maxMs = 3000,
) {
  const hits = { token: 0, platform: 0 };
  h.serve((req, res, body) => {
    if (isToken(req)) {
      hits.token++;
      return token(res, body);
    }
    hits.platform++;
    platform(req, res);
  });
  const g = h.gateway({ auth: oauth(), policy });
  const e = await h.expectError(
    () => g.echo.ping({ n: 1 }),
    () => g.close(),
    maxMs,
  );
  return { e, hits };
}

describe('a token endpoint that lies', { timeout: 15_000 }, () => {
  it.each([
    ['200 with no token, quoting the secret', { token_type: 'Bearer', echo: SECRET }],
    ['200 with a number as token', { access_token: 42, token_type: 'Bearer' }],
    ['200 with an empty body', ''],
    ['200 with HTML quoting the secret', `<html>${SECRET}</html>`],
  ])('%s is AUTH and the platform is never called', async (_name, body) => {
    const { e, hits } = await withTokenEndpoint((res) =>
      typeof body === 'string' ? res.end(body) : json(res, 200, body),
    );
    expect(e.code).toBe('AUTH');
    expect(hits.platform).toBe(0);
  });

  it.each([
    ['a token with CR/LF (header injection)', `${TOKEN}\r\nX-Evil: 1`],
    ['a token of 100 KB', `${TOKEN}${'A'.repeat(100_000)}`],
  ])('%s is AUTH (not the caller’s VALIDATION) and nothing is sent', async (_name, token) => {
    h.sensitive(token.slice(0, 64));
    const { e, hits } = await withTokenEndpoint((res) =>
      json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 }),
    );
    expect(e.code).toBe('AUTH');
    expect(hits.platform).toBe(0);
  });

  it('a token the platform calls expired is fetched again once, then AUTH', async () => {
    let n = 0;
    const { e, hits } = await withTokenEndpoint(
      (res) => {
        const token = `${TOKEN}-${++n}`;
        h.sensitive(token);
        json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
      },
      (_q, res) =>
        json(res, 401, { ok: false, code: 'EXPIRED', data: null }, { 'www-authenticate': 'Bearer' }),
    );
    expect([e.code, e.status]).toEqual(['AUTH', 401]);
    expect(hits).toEqual({ token: 2, platform: 2 });
  });

  it('a token issued already expired is fetched per call, never reused, and calls still succeed', async () => {
    let fetched = 0;
    h.serve((req, res) => {
      if (isToken(req)) {
        fetched++;
        return json(res, 200, { access_token: TOKEN, token_type: 'Bearer', expires_in: -60 });
      }
      json(res, 200, ok({ n: 1 }));
    });
    const g = h.gateway({ auth: oauth() });
    for (let i = 0; i < 3; i++) expect((await g.echo.ping({ n: 1 })).status).toBe('ok');
    await g.close();
    expect(fetched).toBe(3);
  });

  it('a token endpoint refusing with the secret in its description is AUTH', async () => {
    const { e } = await withTokenEndpoint((res) =>
      json(res, 401, { error: 'invalid_client', error_description: `bad secret ${SECRET}` }),
    );
    expect([e.code, e.status]).toEqual(['AUTH', 401]);
  });

  it('a slow token endpoint (a drip of bytes) is bounded by the call deadline', async () => {
    const { e, hits } = await withTokenEndpoint((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => (res.writableEnded ? clearInterval(t) : res.write(' ')), 50);
      res.on('close', () => clearInterval(t));
    });
    expect(e.code).toBe('TIMEOUT');
    expect(hits.platform).toBe(0);
  });

  it('a token endpoint that never answers is bounded by the call deadline', async () => {
    const { e } = await withTokenEndpoint(() => {});
    expect(e.code).toBe('TIMEOUT');
  });
});
