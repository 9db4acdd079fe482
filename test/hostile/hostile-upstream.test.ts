/**
 * Issue 11: a hostile upstream over real sockets on 127.0.0.1: sizes, compression, slowness,
 * silence, redirects, resets, mismatched ids. Each case is bounded in time and heap and asserts the
 * typed error; the file's trace-level log, events and errors are scanned at the end (harness.ts).
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ok } from '../helpers/echo-adapter.js';
import { CTX, FAST, useHostileHarness, json, NAME, PERSON, PERSONAL_ID, TOKEN } from './harness.js';

const h = useHostileHarness();

/** One case: the server's behaviour, the call, the gateway's options and the case's time bound. */
async function hostile(
  serve: Parameters<typeof h.serve>[0],
  call: (g: ReturnType<typeof h.gateway>) => Promise<unknown>,
  options: Parameters<typeof h.gateway>[0] = {},
  maxMs = 3000,
) {
  h.serve(serve);
  const g = h.gateway(options);
  return h.expectError(
    () => call(g),
    () => g.close(),
    maxMs,
  );
}

describe('hostile upstream', { timeout: 10_000 }, () => {
  it('a body over the size limit is CONTRACT', async () => {
    const e = await hostile(
      (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"ok":true,"code":"OK","data":{"n":1,"pad":"${'x'.repeat(6 * 1024 * 1024)}"}}`);
      },
      (g) => g.echo.ping({ n: 1 }),
      // The size limit, not the clock, must end it: time enough to read 5 MiB on a busy machine.
      { policy: { ...FAST, attemptTimeoutMs: 4000, deadlineMs: 5000 } },
      6000,
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
      { policy: { ...FAST, attemptTimeoutMs: 4000, deadlineMs: 5000 } },
      6000,
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
});
