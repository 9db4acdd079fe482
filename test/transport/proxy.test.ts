/**
 * The undici transport's proxy: an explicit URL, `'env'` with HTTP_PROXY / HTTPS_PROXY / NO_PROXY,
 * HTTPS tunnelled with CONNECT (the proxy never sees the request), and bad options refused.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isGatewayError, type Transport, type TransportRequest } from 'vn-national-gateway';
import { undiciTransport } from 'vn-national-gateway/undici';
import {
  httpUpstream,
  makePki,
  type Pki,
  type TestProxy,
  startProxy,
  tlsUpstream,
  type Upstream,
} from './helpers.js';

const ENV_KEYS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'] as const;
let savedEnv: Record<string, string | undefined> = {};
let up: Upstream;
let tls: Upstream;
let proxy: TestProxy;
let pki: Pki;
const open: Transport[] = [];

beforeAll(async () => {
  up = await httpUpstream();
  up.handler = (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
  };
  pki = await makePki();
  tls = await tlsUpstream(pki, { requireClientCert: false });
  tls.handler = up.handler;
  proxy = await startProxy();
  savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
});
afterEach(() => {
  for (const t of open.splice(0)) t.close?.();
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});
afterAll(async () => {
  await Promise.all([up.close(), tls.close(), proxy.close()]);
});

const get = (url: string): TransportRequest => ({
  method: 'GET',
  url,
  headers: {},
  signal: new AbortController().signal,
});
function make(o: Parameters<typeof undiciTransport>[0]): Transport {
  const t = undiciTransport(o);
  open.push(t);
  return t;
}
const host = (url: string) => new URL(url).host;

function setEnv(values: Partial<Record<(typeof ENV_KEYS)[number], string>>) {
  for (const k of ENV_KEYS) delete process.env[k];
  Object.assign(process.env, values);
}

describe('undici transport proxy', { timeout: 10_000 }, () => {
  it('sends a plain HTTP request through the given proxy', async () => {
    const seen = proxy.seen.length;
    const r = await make({ proxy: proxy.url }).request(get(`${up.url}/via`));
    expect(r).toMatchObject({ status: 200, body: { path: '/via' } });
    expect(proxy.seen.slice(seen)).toEqual([`CONNECT ${host(up.url)}`]);
  });

  it('tunnels HTTPS with CONNECT, verifying the upstream with the custom CA', async () => {
    const seen = proxy.seen.length;
    const r = await make({ proxy: proxy.url, ca: pki.caCert }).request(get(`${tls.url}/secure`));
    expect(r).toMatchObject({ status: 200, body: { path: '/secure' } });
    expect(proxy.seen.slice(seen)).toEqual([`CONNECT ${host(tls.url)}`]);
    // Without the CA the tunnel is built but the upstream's certificate is refused.
    const e = await make({ proxy: proxy.url })
      .request(get(`${tls.url}/secure`))
      .catch((x: unknown) => x);
    expect(isGatewayError(e, 'NETWORK')).toBe(true);
  });

  it("'env' honours HTTP_PROXY and HTTPS_PROXY", async () => {
    setEnv({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
    const seen = proxy.seen.length;
    const t = make({ proxy: 'env', ca: pki.caCert });
    await t.request(get(`${up.url}/env`));
    await t.request(get(`${tls.url}/env`));
    expect(proxy.seen.slice(seen)).toEqual([`CONNECT ${host(up.url)}`, `CONNECT ${host(tls.url)}`]);
  });

  it("'env' goes direct for a host in NO_PROXY, and without any proxy variable", async () => {
    setEnv({ HTTP_PROXY: proxy.url, NO_PROXY: `example.org,${host(up.url)}` });
    const seen = proxy.seen.length;
    const hits = up.hits;
    expect((await make({ proxy: 'env' }).request(get(`${up.url}/direct`))).status).toBe(200);
    setEnv({});
    expect((await make({ proxy: 'env' }).request(get(`${up.url}/direct`))).status).toBe(200);
    expect(proxy.seen.length).toBe(seen);
    expect(up.hits).toBe(hits + 2);
  });

  it('a dead proxy is NETWORK', async () => {
    const dead = await startProxy();
    await dead.close();
    const e = await make({ proxy: dead.url })
      .request(get(`${up.url}/x`))
      .catch((x: unknown) => x);
    expect(isGatewayError(e, 'NETWORK')).toBe(true);
  });

  it.each([
    [{ proxy: 'socks5://127.0.0.1:1080' }, 'proxy'],
    [{ proxy: 'not a url' }, 'proxy'],
    [{ cert: 'PEM' }, 'cert and key'],
    [{ maxResponseBytes: 0 }, 'maxResponseBytes'],
  ])('refuses bad options with VALIDATION (%o)', (options, message) => {
    let error: unknown;
    try {
      undiciTransport(options);
    } catch (e) {
      error = e;
    }
    expect(isGatewayError(error, 'VALIDATION')).toBe(true);
    expect((error as Error).message).toContain(message);
  });
});
