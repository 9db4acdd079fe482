/**
 * Issue 11: a hostile upstream over real sockets on 127.0.0.1. Each case is bounded in time and
 * asserts the typed error; the suite's trace-level log is scanned at the end for personal data.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type GatewayError, isGatewayError, type PolicyOptions } from 'vn-national-gateway';
import { echo, ok } from '../helpers/echo-adapter.js';

const PERSONAL_ID = '079203001234';
const NAME = 'Nguyễn Văn Bình';
const DOB = '1985-03-12';
const TOKEN = 'tok-SECRET-4f9a2c';
const SECRET = 'client-secret-77e1';
const PERSON = { personalId: PERSONAL_ID, fullName: NAME };
const CTX = { purpose: '1.001234', actor: 'officer-17', dossierCode: 'HS-1' };

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let handler: Handler = (_q, res) => res.end();
let server: Server;
let base = '';
const lines: string[] = [];
const logger = pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) });

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  const log = lines.join('');
  expect(lines.length).toBeGreaterThan(10); // the log was really captured
  for (const secret of [PERSONAL_ID, NAME, 'Nguyen Van Binh', DOB, '12/03/1985', TOKEN, SECRET])
    expect(log).not.toContain(secret);
});

const FAST: PolicyOptions = {
  retry: { maxAttempts: 1 },
  attemptTimeoutMs: 300,
  deadlineMs: 1000,
  breaker: { minimumCalls: 1000 },
};

function gw(policy: PolicyOptions = FAST, auth: Parameters<typeof echo>[0]['auth'] = { type: 'none' }) {
  return createGateway({
    upstreams: { echo: echo({ baseUrl: base, auth, policy, client: 'VN/GOV/000.00.00.H29/test' }) },
    logger,
    drainer: { autoStart: false },
  });
}

/** Runs a case with a hard time bound and a heap bound; returns the typed error. */
async function hostile(h: Handler, call: (g: ReturnType<typeof gw>) => Promise<unknown>, g = gw()) {
  handler = h;
  const heapBefore = process.memoryUsage().heapUsed;
  const started = Date.now();
  let error: GatewayError | undefined;
  try {
    await call(g);
  } catch (e) {
    if (!isGatewayError(e)) throw e;
    error = e;
  } finally {
    await g.close();
  }
  expect(Date.now() - started).toBeLessThan(3000);
  expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  if (!error) throw new Error('expected a typed error');
  for (const s of [PERSONAL_ID, NAME, DOB, TOKEN])
    expect(`${error.message} ${error.userMessage}`).not.toContain(s);
  return error;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe('hostile upstream', { timeout: 10_000 }, () => {
  it('a body over the size limit is CONTRACT', async () => {
    const e = await hostile(
      (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"ok":true,"code":"OK","data":{"n":1,"pad":"${'x'.repeat(6 * 1024 * 1024)}"}}`);
      },
      (g) => g.echo.ping({ n: 1 }),
    );
    expect(e.code).toBe('CONTRACT');
  });

  it('a gzip bomb is refused by size, not inflated into memory', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    const e = await hostile(
      (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(bomb);
      },
      (g) => g.echo.ping({ n: 1 }),
    );
    expect(['CONTRACT', 'NETWORK']).toContain(e.code);
  });

  it('a silent server is TIMEOUT', async () => {
    const e = await hostile(
      () => {},
      (g) => g.echo.ping({ n: 1 }),
    );
    expect(e.code).toBe('TIMEOUT');
  });

  it('a slow drip of bytes is TIMEOUT', async () => {
    const e = await hostile(
      (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const t = setInterval(() => (res.writableEnded ? clearInterval(t) : res.write(' ')), 50);
        res.on('close', () => clearInterval(t));
      },
      (g) => g.echo.ping({ n: 1 }),
    );
    expect(e.code).toBe('TIMEOUT');
  });

  it('a redirect whose body is a success envelope is never ok', async () => {
    const e = await hostile(
      (_q, res) => json(res, 302, ok({ receiptId: 'R-1' }), { location: 'http://169.254.169.254/' }),
      (g) => g.echo.submit({ dossierCode: 'HS-1', value: 1 }, CTX),
    );
    expect(e.code).toBe('CONTRACT');
    expect(e.status).toBe(302);
  });

  it('a connection reset mid-reply is NETWORK', async () => {
    const e = await hostile(
      (req) => req.socket.destroy(),
      (g) => g.echo.ping({ n: 1 }),
    );
    expect(e.code).toBe('NETWORK');
  });

  it('garbage instead of HTTP is NETWORK', async () => {
    const e = await hostile(
      (req) => {
        req.socket.write('NOT HTTP AT ALL\r\n\r\n');
        req.socket.destroy();
      },
      (g) => g.echo.ping({ n: 1 }),
    );
    expect(e.code).toBe('NETWORK');
  });

  it('a non-JSON 200 is CONTRACT; a 4xx without an envelope is REJECTED', async () => {
    const e = await hostile(
      (_q, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(`<html>${NAME} ${PERSONAL_ID}</html>`);
      },
      (g) => g.echo.lookup(PERSON, CTX),
    );
    expect(e.code).toBe('CONTRACT');
    const r = await hostile(
      (_q, res) => {
        res.writeHead(418);
        res.end(`teapot ${PERSONAL_ID}`);
      },
      (g) => g.echo.lookup(PERSON, CTX),
    );
    expect(r.code).toBe('REJECTED');
  });

  it("another request's X-Road-Id on a write is CONTRACT", async () => {
    const e = await hostile(
      (_q, res) => json(res, 200, ok({ receiptId: 'R-9' }), { 'x-road-id': 'not-yours' }),
      (g) => g.echo.submit({ dossierCode: 'HS-1', value: 1 }, CTX),
    );
    expect(e.code).toBe('CONTRACT');
  });

  it('personal data in a code field never reaches the error or the log', async () => {
    const e = await hostile(
      (_q, res) => json(res, 200, { ok: false, code: PERSONAL_ID, data: null }),
      (g) => g.echo.lookup(PERSON, CTX),
    );
    expect(e.upstreamCode).not.toBe(PERSONAL_ID);
  });

  it('a flood of unknown values writes a bounded number of log lines', async () => {
    const before = lines.length;
    handler = (_q, res) => json(res, 200, ok({ exists: true, status: 'NEW-1' }));
    const g = gw();
    for (let i = 0; i < 200; i++) await g.echo.lookup(PERSON, CTX);
    await g.close();
    // 200 calls with the same new value: one line per value per minute, not 200.
    const unknownLines = lines.slice(before).filter((l) => l.includes('unknown value passed through'));
    expect(unknownLines).toHaveLength(1);
  });

  it('a misbehaving token endpoint is a typed error, and the secret and token stay out of the log', async () => {
    const e = await hostile(
      (req, res) => {
        if (req.url?.startsWith('/token')) return json(res, 200, { access_token: 42, echo: SECRET });
        json(res, 200, ok({ n: 1 }));
      },
      (g) => g.echo.ping({ n: 1 }),
      gw(FAST, { type: 'oauth2', tokenUrl: `${base}/token`, clientId: 'c', clientSecret: SECRET }),
    );
    expect(['AUTH', 'CONTRACT']).toContain(e.code);
  });

  it('a token endpoint that never answers is bounded', async () => {
    const e = await hostile(
      (req, res) => {
        if (req.url?.startsWith('/token')) return;
        json(res, 200, ok({ n: 1 }));
      },
      (g) => g.echo.ping({ n: 1 }),
      gw(FAST, { type: 'oauth2', tokenUrl: `${base}/token`, clientId: 'c', clientSecret: SECRET }),
    );
    expect(['TIMEOUT', 'AUTH']).toContain(e.code);
  });

  it('a header with CR/LF from the caller is refused before sending', async () => {
    let hits = 0;
    const e = await hostile(
      (_q, res) => {
        hits++;
        json(res, 200, ok({ n: 1 }));
      },
      (g) => g.echo.ping({ n: 1 }, { correlationId: `a\r\nX-Evil: ${TOKEN}` }),
    );
    expect(e.code).toBe('VALIDATION');
    expect(hits).toBe(0);
  });

  it('an answer with a huge header is a typed error', async () => {
    const e = await hostile(
      (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-big': 'y'.repeat(100_000) });
        res.end(JSON.stringify(ok({ n: 1 })));
      },
      (g) => g.echo.ping({ n: 1 }),
    );
    expect(e.code).toBe('NETWORK');
  });
});
