/**
 * The real-server test: three processes share a 20/s quota through Redis; the platform
 * sees at most 20/s (±10 %) over 30 s. Redis is cut through a TCP proxy on 127.0.0.1 (the
 * machine's Redis is shared, never stopped): each process falls back to its local bucket and says
 * so, then returns to the shared quota when the proxy is back.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRedis } from '../helpers/services.js';

const ROOT = join(import.meta.dirname, '../..');
const redis = await requireRedis({ suite: 'shared quota (Redis)' });
const WINDOW_S = Number(process.env.QUOTA_WINDOW_S ?? 30);

/** A TCP proxy to Redis that the test can cut and restore on the same port. */
function redisProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((c) => {
        const up = createConnection(Number(target.port || 6379), target.hostname);
        for (const s of [c, up]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {});
        }
        c.pipe(up).pipe(c);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  return {
    listen,
    get port() {
      return port;
    },
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!redis.available)('shared quota through Redis (3 processes)', () => {
  const hits: number[] = [];
  const http = createHttpServer((req, res) => {
    hits.push(Date.now());
    const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? 0);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: true, code: 'OK', data: { n } }));
  });
  const proxy = redisProxy(new URL(redis.url));
  const workers: ChildProcess[] = [];
  const messages: Array<Array<Record<string, unknown>>> = [];

  beforeAll(async () => {
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    await proxy.listen();
    const base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
    const prefix = `vngw:test:quota:${process.pid}:${Date.now()}`;
    const ready: Promise<void>[] = [];
    for (let i = 0; i < 3; i++) {
      const w = fork(
        join(ROOT, 'test/quota/fixtures/quota-worker.ts'),
        [base, `redis://127.0.0.1:${proxy.port}`, prefix],
        {
          cwd: ROOT,
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        },
      );
      const box: Array<Record<string, unknown>> = [];
      messages.push(box);
      workers.push(w);
      ready.push(
        new Promise((resolve) =>
          w.on('message', (m: Record<string, unknown>) => {
            box.push(m);
            if (m.ready) resolve();
          }),
        ),
      );
    }
    await Promise.all(ready);
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) if (w.connected) w.send('stop');
    await sleep(500);
    for (const w of workers) w.kill();
    await proxy.cut().catch(() => {});
    await new Promise<void>((r) => http.close(() => r()));
  });

  it(`the platform sees at most 20/s (±10 %) over ${WINDOW_S} s; with Redis cut each falls back and says so, then returns`, async () => {
    for (const w of workers) w.send('go');
    await sleep(2000); // connections up, first windows settled
    const from = Date.now();
    await sleep(WINDOW_S * 1000);
    const to = Date.now();
    const rate = hits.filter((t) => t >= from && t < to).length / ((to - from) / 1000);
    console.info(`[quota] 3 processes, shared 20/s: platform saw ${rate.toFixed(2)}/s over ${WINDOW_S} s`);
    expect(rate).toBeLessThanOrEqual(22);
    expect(rate).toBeGreaterThanOrEqual(18);
    expect(messages.flat().filter((m) => m.event === 'fallback')).toEqual([]);

    await proxy.cut();
    const cutAt = Date.now();
    await sleep(4000);
    for (const box of messages) {
      expect(box).toContainEqual(expect.objectContaining({ event: 'fallback', key: 'echo' }));
      expect(
        box.some((m) => typeof m.log === 'string' && /falling back to the local bucket/.test(m.log)),
      ).toBe(true);
    }
    // Each process now counts locally: together they exceed the shared 20/s, and calls still flow.
    const localRate = hits.filter((t) => t >= cutAt + 1000 && t < cutAt + 4000).length / 3;
    console.info(`[quota] Redis cut: platform saw ${localRate.toFixed(2)}/s (3 local buckets of 20/s)`);
    expect(localRate).toBeGreaterThan(30);

    await proxy.listen();
    // ioredis reconnects with its backoff (up to 2 s a try), then the next try after retryMs returns.
    const back = () => messages.every((box) => box.some((m) => m.event === 'shared'));
    for (let i = 0; i < 100 && !back(); i++) await sleep(100);
    for (const box of messages) expect(box).toContainEqual({ event: 'shared', key: 'echo' });
  }, 90_000);
});
