/**
 * Issue 11: HTTP protocol errors and header abuse from a hostile upstream, written as raw bytes on
 * the socket (Node's HTTP writer would refuse to send them). Each case is bounded in time and heap
 * and asserts the typed error; the file's log, events and errors are scanned at the end.
 */
import { describe, expect, it } from 'vitest';
import { ok } from '../helpers/echo-adapter.js';
import { CTX, useHostileHarness, json, NAME, PERSON, PERSONAL_ID, raw } from './harness.js';

const h = useHostileHarness();

async function hostile(
  serve: Parameters<typeof h.serve>[0],
  call: (g: ReturnType<typeof h.gateway>) => Promise<unknown> = (g) => g.echo.lookup(PERSON, CTX),
) {
  h.serve(serve);
  const g = h.gateway();
  return h.expectError(
    () => call(g),
    () => g.close(),
  );
}

const BODY = JSON.stringify(ok({ exists: true, status: 'ACTIVE' }));
const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

describe('HTTP protocol errors', { timeout: 10_000 }, () => {
  it.each([
    ['a status line that is not HTTP', `HTTP/1.1 abc OK\r\ncontent-length: 2\r\n\r\n{}`],
    ['a status line with a two-digit code', `HTTP/1.1 20 OK\r\ncontent-length: 2\r\n\r\n{}`],
    ['a status line with personal data as reason', `HTTP/1.1 2OO ${NAME} ${PERSONAL_ID}\r\n\r\n`],
    [
      'bad chunk size',
      `${head(['HTTP/1.1 200 OK', 'transfer-encoding: chunked'])}ZZ\r\n${BODY}\r\n0\r\n\r\n`,
    ],
    [
      'a chunk longer than announced',
      `${head(['HTTP/1.1 200 OK', 'transfer-encoding: chunked'])}2\r\n${BODY}\r\n0\r\n\r\n`,
    ],
    [
      'two conflicting Content-Length headers',
      `${head(['HTTP/1.1 200 OK', 'content-type: application/json', 'content-length: 5', `content-length: ${BODY.length}`])}${BODY}`,
    ],
    [
      'Content-Length and chunked together (smuggling)',
      `${head(['HTTP/1.1 200 OK', `content-length: ${BODY.length}`, 'transfer-encoding: chunked'])}${BODY}`,
    ],
  ])('%s is NETWORK', async (_name, bytes) => {
    const e = await hostile((req) => raw(req, bytes));
    expect(e.code).toBe('NETWORK');
  });

  it('a body shorter than its Content-Length (the socket then closes) is NETWORK', async () => {
    const e = await hostile((req) =>
      raw(
        req,
        `${head(['HTTP/1.1 200 OK', 'content-type: application/json', 'content-length: 5000'])}${BODY}`,
      ),
    );
    expect(e.code).toBe('NETWORK');
  });

  it('a body longer than its Content-Length is never read as an answer', async () => {
    const e = await hostile((req) =>
      raw(req, `${head(['HTTP/1.1 200 OK', 'content-type: application/json', 'content-length: 12'])}${BODY}`),
    );
    expect(['CONTRACT', 'NETWORK']).toContain(e.code);
  });

  it('a status outside 100–599 is a typed error, not an answer', async () => {
    const e = await hostile(
      (req) =>
        raw(
          req,
          `${head(['HTTP/1.1 999 Weird', 'content-type: application/json', `content-length: ${BODY.length}`])}${BODY}`,
        ),
      (g) => g.echo.submit({ dossierCode: 'HS-1', value: 1 }, CTX),
    );
    // Not a passing 5xx: a write must not be queued on it, nor a read served stale.
    expect([e.code, e.status]).toEqual(['CONTRACT', 999]);
  });

  it('a connection closed before any byte is NETWORK', async () => {
    const e = await hostile((req) => req.socket.end());
    expect(e.code).toBe('NETWORK');
  });
});

describe('header abuse', { timeout: 10_000 }, () => {
  it('a huge header is NETWORK (the parser refuses it, nothing is buffered)', async () => {
    const e = await hostile((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-big': 'y'.repeat(100_000) });
      res.end(BODY);
    });
    expect(e.code).toBe('NETWORK');
  });

  it('thousands of headers are NETWORK', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => `x-h${i}: ${i}`);
    const e = await hostile((req) =>
      raw(
        req,
        `${head(['HTTP/1.1 200 OK', 'content-type: application/json', `content-length: ${BODY.length}`, ...many])}${BODY}`,
      ),
    );
    expect(e.code).toBe('NETWORK');
  });

  it.each([
    ['a NUL in a header value', 'x-odd: a\u0000b'],
    ['a bare CR in a header value', 'x-odd: a\rb'],
    ['a space in a header name', 'x odd: 1'],
    ['a header line without a colon', 'x-odd'],
  ])('%s is NETWORK', async (_name, line) => {
    const e = await hostile((req) =>
      raw(
        req,
        `${head(['HTTP/1.1 200 OK', 'content-type: application/json', line, `content-length: ${BODY.length}`])}${BODY}`,
      ),
    );
    expect(e.code).toBe('NETWORK');
  });

  it('an echoed X-Road-Id with odd (Latin-1, personal) characters is CONTRACT, never ok, and not quoted', async () => {
    const e = await hostile(
      (req) =>
        raw(
          req,
          Buffer.concat([
            Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-road-id: '),
            Buffer.from(`${PERSONAL_ID}\u00e9\u00ff`, 'latin1'),
            Buffer.from(`\r\ncontent-length: ${BODY.length}\r\n\r\n${BODY}`),
          ]),
        ),
      (g) => g.echo.submit({ dossierCode: 'HS-1', value: 1 }, CTX),
    );
    expect(e.code).toBe('CONTRACT');
  });

  it('an absurd Retry-After does not hold the call past its deadline', async () => {
    h.serve((_q, res) =>
      json(res, 503, { ok: false, code: 'BUSY', data: null }, { 'retry-after': '99999999' }),
    );
    const g = h.gateway({
      policy: {
        retry: { maxAttempts: 3 },
        attemptTimeoutMs: 300,
        deadlineMs: 1000,
        breaker: { minimumCalls: 1000 },
      },
    });
    const e = await h.expectError(
      () => g.echo.ping({ n: 1 }),
      () => g.close(),
      2500,
    );
    expect(['UPSTREAM_UNAVAILABLE', 'TIMEOUT']).toContain(e.code);
  });
});
