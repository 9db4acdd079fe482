import { Agent, request } from 'node:http';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type HealthSnapshot, type MetricsSource, serveMetrics } from 'vn-national-gateway';
import { BUSY, echoGateway, FOUND, rejection } from './helpers.js';
import { parseExposition } from './prom-text.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, options: { method?: string; agent?: Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', agent: options.agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const handles = () =>
  process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'TCPSocketWrap').length;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('serveMetrics', () => {
  it('GET /metrics: the exposition with the registry content type; GET /health: the snapshot as JSON', async () => {
    const { gateway } = echoGateway([FOUND]);
    cleanups.push(() => gateway.close());
    await gateway.echo.ping({ n: 1 }).catch(() => {});
    const server = await serveMetrics(gateway, { port: 0 });
    cleanups.push(() => server.close());
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const m = await get(`${server.url}/metrics`);
    expect(m.status).toBe(200);
    expect(m.headers['content-type']).toBe(gateway.registry.contentType);
    expect(m.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(m.body).toBe(await gateway.metrics());
    const families = parseExposition(m.body);
    expect(families.get('vngw_requests_total')?.type).toBe('counter');
    expect(families.get('vngw_breaker_state')?.samples[0]?.labels).toEqual({ upstream: 'echo' });

    const h = await get(`${server.url}/health?verbose=1`);
    expect(h.status).toBe(200);
    expect(h.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(h.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(h.body) as HealthSnapshot;
    expect(body).toMatchObject({
      status: 'ok',
      time: expect.any(String),
      outbox: { pending: 0, delivering: 0, delivered: 0, dead: 0 },
      upstreams: {
        echo: {
          status: 'ok',
          breaker: { state: 'closed', since: expect.any(String) },
          window: { calls: 1, failures: 0, errorRatio: 0 },
          latency: { samples: 1 },
          retries: 0,
          fallbacks: 0,
        },
      },
    });
  });

  it('GET /health is 503 when every breaker is open, 200 while one still serves', async () => {
    const policy = {
      retry: { maxAttempts: 1 },
      breaker: { minimumCalls: 2, resetTimeoutMs: 60_000 },
      cache: false as const,
    };
    const { gateway } = echoGateway([BUSY], { policy, second: [BUSY] });
    cleanups.push(() => gateway.close());
    const g = gateway as typeof gateway & { echo2: typeof gateway.echo };
    const server = await serveMetrics(gateway, { port: 0 });
    cleanups.push(() => server.close());
    while ((await gateway.health()).upstreams.echo!.breaker.state !== 'open')
      await rejection(g.echo.ping({ n: 1 }));
    let h = await get(`${server.url}/health`);
    expect(h.status).toBe(200);
    expect(JSON.parse(h.body).status).toBe('degraded');
    while ((await gateway.health()).upstreams.echo2!.breaker.state !== 'open')
      await rejection(g.echo2.ping({ n: 1 }));
    h = await get(`${server.url}/health`);
    expect(h.status).toBe(503);
    expect(JSON.parse(h.body)).toMatchObject({
      status: 'down',
      upstreams: { echo: { status: 'down', breaker: { state: 'open' } }, echo2: { status: 'down' } },
    });
    expect((await get(`${server.url}/metrics`)).body).toContain('vngw_breaker_state{upstream="echo2"} 2');
  });

  it('404 on other paths, 405 (with Allow) on other methods, HEAD like GET without a body', async () => {
    const { gateway } = echoGateway([FOUND]);
    cleanups.push(() => gateway.close());
    const server = await serveMetrics(gateway, { port: 0 });
    cleanups.push(() => server.close());
    expect((await get(`${server.url}/`)).status).toBe(404);
    expect((await get(`${server.url}/metrics/extra`)).status).toBe(404);
    expect((await get(`${server.url}/healthz`)).status).toBe(404);
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const r = await get(`${server.url}/metrics`, { method });
      expect(r.status, method).toBe(405);
      expect(r.headers.allow).toBe('GET, HEAD');
    }
    expect((await get(`${server.url}/health`, { method: 'POST' })).status).toBe(405);
    const head = await get(`${server.url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100);
  });

  it('a failing source: /metrics 500, /health 503 without the error text', async () => {
    const source: MetricsSource = {
      registry: new Registry(),
      metrics: async () => {
        throw new Error('SQLITE_CORRUPT at /var/lib/gw/outbox.db');
      },
      health: async () => {
        throw new Error('SQLITE_CORRUPT at /var/lib/gw/outbox.db');
      },
    };
    const server = await serveMetrics(source, { port: 0 });
    cleanups.push(() => server.close());
    const m = await get(`${server.url}/metrics`);
    expect(m.status).toBe(500);
    expect(m.body).not.toContain('SQLITE');
    const h = await get(`${server.url}/health`);
    expect(h.status).toBe(503);
    expect(JSON.parse(h.body)).toEqual({ status: 'down', error: 'health snapshot failed' });
  });

  it('close() destroys keep-alive and in-flight connections and leaves no open handle', async () => {
    const before = handles();
    let release: (() => void) | undefined;
    const registry = new Registry();
    const source: MetricsSource = {
      registry,
      metrics: () =>
        new Promise<string>((resolve) => {
          release = () => resolve('');
        }),
      health: async () => ({
        status: 'ok',
        time: new Date().toISOString(),
        upstreams: {},
        outbox: {},
        outboxDurable: true,
      }),
    };
    const server = await serveMetrics(source, { port: 0 });
    const agent = new Agent({ keepAlive: true });
    expect((await get(`${server.url}/health`, { agent })).status).toBe(200); // leaves an idle keep-alive socket
    const inFlight = get(`${server.url}/metrics`).catch((e: NodeJS.ErrnoException) => e);
    while (!release) await new Promise((r) => setImmediate(r));
    expect(handles()).toBeGreaterThan(before);
    await server.close();
    await server.close(); // idempotent
    const failed = await inFlight;
    expect(failed).toBeInstanceOf(Error);
    expect((failed as NodeJS.ErrnoException).code).toMatch(/ECONNRESET|socket hang up/);
    agent.destroy();
    for (let i = 0; i < 20 && handles() > before; i++) await new Promise((r) => setImmediate(r));
    expect(handles()).toBeLessThanOrEqual(before); // ≤: a socket of an earlier test may have closed meanwhile
    release?.();
  });

  it('rejects a port in use and a bad port', async () => {
    const { gateway } = echoGateway([FOUND]);
    cleanups.push(() => gateway.close());
    const first = await serveMetrics(gateway, { port: 0 });
    cleanups.push(() => first.close());
    const port = Number(new URL(first.url).port);
    await expect(serveMetrics(gateway, { port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await expect(serveMetrics(gateway, { port: 70_000 })).rejects.toThrow(RangeError);
    await expect(serveMetrics(gateway, { port: 1.5 })).rejects.toThrow(/port must be an integer/);
  });
});
