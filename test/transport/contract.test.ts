/**
 * The transport contract, run against both transports over real sockets on 127.0.0.1: every status
 * resolved, redirects refused, size limit (also after decompression), abort and timeout through
 * the signal, typed network errors, keep-alive reuse, custom CA and mutual TLS.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AxiosTransportOptions,
  axiosTransport,
  GatewayError,
  isGatewayError,
  type Transport,
  type TransportRequest,
} from 'vn-national-gateway';
import { type UndiciTransportOptions, undiciTransport } from 'vn-national-gateway/undici';
import { httpUpstream, makePki, type Pki, tlsUpstream, type Upstream } from './helpers.js';

const PERSONAL_ID = '079203001234';
const TOKEN = 'tok-SECRET-4f9a2c';

type Options = AxiosTransportOptions & UndiciTransportOptions;
const TRANSPORTS: Array<[string, (o?: Options) => Transport]> = [
  ['axios', (o) => axiosTransport(o)],
  ['undici', (o) => undiciTransport(o)],
];

const open: Transport[] = [];
function make(factory: (o?: Options) => Transport, o?: Options): Transport {
  const t = factory(o);
  open.push(t);
  return t;
}
afterEach(() => {
  for (const t of open.splice(0)) t.close?.();
});

function get(url: string, extra: Partial<TransportRequest> = {}): TransportRequest {
  return {
    method: 'GET',
    url,
    headers: { accept: 'application/json', authorization: `Bearer ${TOKEN}` },
    signal: new AbortController().signal,
    ...extra,
  };
}

async function failure(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (e) {
    if (!isGatewayError(e)) throw e;
    for (const secret of [PERSONAL_ID, TOKEN])
      expect(`${e.message} ${String(e.cause)}`).not.toContain(secret);
    return e;
  }
  throw new Error('expected a typed error');
}

let up: Upstream;
let pki: Pki;
beforeAll(async () => {
  up = await httpUpstream();
  pki = await makePki();
});
afterAll(() => up.close());

describe.each(TRANSPORTS)('%s transport contract', { timeout: 10_000 }, (_name, factory) => {
  it('parses JSON, lower-cases headers and resolves every status', async () => {
    up.handler = (req, res) => {
      res.writeHead(req.url === '/fail' ? 503 : 200, {
        'Content-Type': 'application/json',
        'X-Road-Id': 'r-1',
      });
      res.end(JSON.stringify({ ok: true, path: req.url }));
    };
    const t = make(factory);
    const ok = await t.request(get(`${up.url}/a?b=1`));
    expect(ok).toMatchObject({ status: 200, body: { ok: true, path: '/a?b=1' } });
    expect(ok.headers['x-road-id']).toBe('r-1');
    const bad = await t.request(get(`${up.url}/fail`));
    expect(bad.status).toBe(503);
  });

  it('sends an object as JSON and a string as is; returns a non-JSON body as text', async () => {
    const got: Array<{ type: string | undefined; body: string }> = [];
    up.handler = (req, res, body) => {
      got.push({ type: req.headers['content-type'], body });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('plain text');
    };
    const t = make(factory);
    const a = await t.request({ ...get(up.url), method: 'POST', body: { id: 1 } });
    await t.request({
      ...get(up.url),
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=2',
    });
    expect(a.body).toBe('plain text');
    expect(got[0]).toEqual({ type: 'application/json', body: '{"id":1}' });
    expect(got[1]).toEqual({ type: 'application/x-www-form-urlencoded', body: 'a=1&b=2' });
  });

  it('returns a redirect as a status and never follows it', async () => {
    let followed = 0;
    up.handler = (req, res) => {
      if (req.url === '/elsewhere') followed++;
      res.writeHead(302, { location: `${up.url}/elsewhere`, 'content-type': 'application/json' });
      res.end('{"ok":true}');
    };
    const r = await make(factory).request(get(`${up.url}/start`));
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe(`${up.url}/elsewhere`);
    expect(followed).toBe(0);
  });

  it.each([
    ['with a Content-Length', true],
    ['chunked', false],
  ])('a body over the size limit is CONTRACT (%s)', async (_label, withLength) => {
    up.handler = (_q, res) => {
      const body = `{"pad":"${'x'.repeat(4096)}"}`;
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(withLength ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
      });
      res.end(body);
    };
    const t = make(factory, { maxResponseBytes: 1024 });
    const e = await failure(t.request(get(up.url)));
    expect(e.code).toBe('CONTRACT');
    expect(e.retryable).toBe(false);
    // The transport still works after refusing a body.
    up.handler = (_q, res) => res.end('{"n":1}');
    expect((await t.request(get(up.url))).body).toEqual({ n: 1 });
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const)('decompresses %s', async (encoding, compress) => {
    const payload = { ok: true, name: 'Nguyễn', items: Array.from({ length: 200 }, (_, i) => i) };
    up.handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
      res.end(compress(Buffer.from(JSON.stringify(payload))));
    };
    expect((await make(factory).request(get(up.url))).body).toEqual(payload);
  });

  it.each([
    ['gzip', gzipSync],
    ['br', brotliCompressSync],
  ] as const)('a %s bomb is refused by size, not inflated into memory', async (encoding, compress) => {
    const bomb = compress(Buffer.alloc(20 * 1024 * 1024, 0x20)); // ~20 KiB on the wire
    up.handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
      res.end(bomb);
    };
    const heap = process.memoryUsage().heapUsed;
    const e = await failure(make(factory, { maxResponseBytes: 64 * 1024 }).request(get(up.url)));
    expect(e.code).toBe('CONTRACT');
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(16 * 1024 * 1024);
  });

  it('an abort rejects with the signal’s GatewayError (the pipeline’s timeout), else ABORTED', async () => {
    const t = make(factory);
    for (const reason of [new GatewayError('TIMEOUT', 'Attempt timed out'), undefined]) {
      const ac = new AbortController();
      up.handler = () => ac.abort(reason); // the server holds the request; the caller gives up
      const e = await failure(t.request(get(up.url, { signal: ac.signal })));
      if (reason) expect(e).toBe(reason);
      else expect(e.code).toBe('ABORTED');
    }
  });

  it('an already aborted signal sends nothing', async () => {
    const hits = up.hits;
    const e = await failure(make(factory).request(get(up.url, { signal: AbortSignal.abort() })));
    expect(e.code).toBe('ABORTED');
    expect(up.hits).toBe(hits);
  });

  it('a slow body is cut by the signal', async () => {
    const ac = new AbortController();
    up.handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":', () => ac.abort(new GatewayError('TIMEOUT', 'Attempt timed out')));
    };
    const e = await failure(make(factory).request(get(up.url, { signal: ac.signal })));
    expect(e.code).toBe('TIMEOUT');
  });

  it('refused, reset and garbage are NETWORK, without the URL or headers in the error', async () => {
    const t = make(factory);
    const closed = await httpUpstream();
    const deadUrl = closed.url;
    await closed.close();
    expect((await failure(t.request(get(`${deadUrl}/person/${PERSONAL_ID}`)))).code).toBe('NETWORK');
    up.handler = (req) => req.socket.destroy();
    expect((await failure(t.request(get(`${up.url}/person/${PERSONAL_ID}`)))).code).toBe('NETWORK');
    up.handler = (req) => {
      req.socket.write('NOT HTTP AT ALL\r\n\r\n');
      req.socket.destroy();
    };
    expect((await failure(t.request(get(up.url)))).code).toBe('NETWORK');
    up.handler = (_q, res) => {
      res.writeHead(200, { 'x-big': 'y'.repeat(100_000) });
      res.end('{}');
    };
    expect((await failure(t.request(get(up.url)))).code).toBe('NETWORK');
  });

  it('reuses keep-alive connections for sequential calls', async () => {
    up.handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"n":1}');
    };
    const t = make(factory);
    const before = up.connections;
    for (let i = 0; i < 20; i++) await t.request(get(`${up.url}/k/${i}`));
    // undici may open a second socket when the next request is dispatched in the same tick as the
    // previous body ends (its pool sees the first client as still busy); never one per call.
    expect(up.connections - before).toBeGreaterThanOrEqual(1);
    expect(up.connections - before).toBeLessThanOrEqual(2);
  });

  describe('TLS', () => {
    let mtls: Upstream;
    beforeAll(async () => {
      mtls = await tlsUpstream(pki, { requireClientCert: true });
      mtls.handler = (req, res) => {
        const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ client: peer.subject?.CN }));
      };
    });
    afterAll(() => mtls?.close());

    it('mutual TLS with a custom CA succeeds and presents the client certificate', async () => {
      const t = make(factory, { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey });
      const r = await t.request(get(mtls.url));
      expect(r).toMatchObject({ status: 200, body: { client: 'hcmc-client' } });
    });

    it('a client without the certificate is refused', async () => {
      const hits = mtls.hits;
      const e = await failure(make(factory, { ca: pki.caCert }).request(get(mtls.url)));
      expect(e.code).toBe('NETWORK');
      expect(mtls.hits).toBe(hits);
    });

    it('a server certificate from an unknown CA is refused without `ca`', async () => {
      const hits = mtls.hits;
      for (const o of [{}, { ca: pki.otherCaCert }]) {
        const t = make(factory, { ...o, cert: pki.clientCert, key: pki.clientKey });
        const e = await failure(t.request(get(mtls.url)));
        expect(e.code).toBe('NETWORK');
      }
      expect(mtls.hits).toBe(hits);
    });
  });
});
