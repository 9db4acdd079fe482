/**
 * The Fastify plugin through `app.inject` (no socket): telemetry routes and their status codes,
 * the route prefix, the request id as correlation id, decorators visible to the whole app, the
 * gateway closed with the app, and bad options refused.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallEvent } from 'vn-national-gateway';
import { fastifyGateway } from 'vn-national-gateway/fastify';
import { echoGateway } from '../helpers/echo-gateway.js';
import { reply, scriptedTransport } from '../helpers/scripted-transport.js';

declare module 'vn-national-gateway/fastify' {
  interface FastifyGatewayTypes {
    gateway: ReturnType<typeof echoGateway>;
  }
}

const ok = reply(200, { ok: true, code: 'OK', data: { n: 1 } });

function setup() {
  const gateway = echoGateway(scriptedTransport(ok), { drainer: { autoStart: false } });
  const calls: CallEvent[] = [];
  gateway.on('call', (e) => calls.push(e));
  return { gateway, calls };
}

let apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.map((a) => a.close()));
  apps = [];
});
function app(options: FastifyServerOptions = {}) {
  const a = Fastify({ logger: false, ...options });
  apps.push(a);
  return a;
}

describe('telemetry routes', () => {
  it('serve /metrics with the Prometheus content type, /livez, /readyz, /status and /health', async () => {
    const { gateway } = setup();
    const a = app();
    await a.register(fastifyGateway, { gateway });

    const metrics = await a.inject('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toBe(gateway.registry.contentType);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toContain('vngw_');
    expect(metrics.headers['cache-control']).toBe('no-store');

    const livez = await a.inject('/livez');
    expect(livez.statusCode).toBe(200);
    expect(livez.json()).toMatchObject({ status: 'ok' });
    const readyz = await a.inject('/readyz');
    expect(readyz.statusCode).toBe(200);
    expect(readyz.json()).toMatchObject({ status: 'ready' });
    const status = await a.inject('/status');
    expect(status.statusCode).toBe(200);
    expect(JSON.stringify(status.json())).toContain('echo');
    expect((await a.inject('/health')).statusCode).toBe(200);

    const head = await a.inject({ method: 'HEAD', url: '/livez' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
  });

  it('answers /readyz 503 when the gateway is not ready', async () => {
    const { gateway } = setup();
    const a = app();
    await a.register(fastifyGateway, { gateway, closeGateway: false });
    await gateway.close();
    const readyz = await a.inject('/readyz');
    expect(readyz.statusCode).toBe(503);
    expect(readyz.json().status).not.toBe('ready');
  });

  it('serves under routePrefix, and only the routes asked for', async () => {
    const { gateway } = setup();
    const a = app();
    await a.register(fastifyGateway, { gateway, routePrefix: '/ops', routes: { metrics: false } });
    expect((await a.inject('/ops/livez')).statusCode).toBe(200);
    // Fastify's own prefix option means the same (it would not apply it to a plugin it does not encapsulate).
    const { gateway: third } = setup();
    const c = app();
    await c.register(fastifyGateway, { gateway: third, prefix: '/x' } as never);
    expect((await c.inject('/x/metrics')).statusCode).toBe(200);
    expect((await a.inject('/ops/readyz')).statusCode).toBe(200);
    expect((await a.inject('/ops/metrics')).statusCode).toBe(404);
    expect((await a.inject('/livez')).statusCode).toBe(404);

    const { gateway: other } = setup();
    const b = app();
    await b.register(fastifyGateway, { gateway: other, routes: false });
    expect((await b.inject('/livez')).statusCode).toBe(404);
    expect(b.gateway).toBe(other);
  });
});

describe('decorators and the request id', () => {
  it('request.gateway carries request.id as correlationId; a context with its own keeps it', async () => {
    const { gateway, calls } = setup();
    let n = 0;
    const a = app({ genReqId: () => `req-${++n}` });
    await a.register(fastifyGateway, { gateway });
    a.get('/ping', async (request) => {
      const r = await request.gateway.echo.ping({ n: 1 });
      return r.status;
    });
    a.get('/ping-own', async (request) => {
      const r = await request.gateway.echo.ping({ n: 1 }, { correlationId: 'from-the-city-system' });
      return r.status;
    });
    expect((await a.inject('/ping')).body).toBe('ok');
    expect((await a.inject('/ping')).body).toBe('ok');
    expect((await a.inject('/ping-own')).body).toBe('ok');
    expect(calls.map((c) => c.correlationId)).toEqual(['req-1', 'req-2', 'from-the-city-system']);
  });

  it('decorates the app that registers it (not encapsulated), so sibling plugins see app.gateway', async () => {
    const { gateway } = setup();
    const a = app();
    await a.register(fastifyGateway, { gateway });
    let seen: unknown;
    await a.register(async (child) => {
      seen = child.gateway;
    });
    expect(a.hasDecorator('gateway')).toBe(true);
    expect(a.hasRequestDecorator('gateway')).toBe(true);
    expect(a.gateway).toBe(gateway);
    expect(seen).toBe(gateway);
    // The request view still reaches the gateway's own members.
    a.get('/own', async (request) => request.gateway.livez());
    expect((await a.inject('/own')).json()).toMatchObject({ status: 'ok' });
  });
});

describe('life and options', () => {
  it('closes the gateway when the app closes', async () => {
    const { gateway } = setup();
    const a = Fastify({ logger: false });
    await a.register(fastifyGateway, { gateway });
    await a.ready();
    expect((await gateway.readyz()).status).toBe('ready');
    await a.close();
    expect((await gateway.readyz()).status).not.toBe('ready');
    await expect(gateway.echo.ping({ n: 1 })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('refuses bad options with a ConfigurationError before the app starts', async () => {
    const { gateway } = setup();
    const cases: [object, RegExp][] = [
      [{}, /options\.gateway must be a gateway/],
      [{ gateway, routPrefix: '/ops' }, /unknown option routPrefix/],
      [{ gateway, routePrefix: 'ops/' }, /routePrefix must start with '\/'/],
      [{ gateway, routes: { metric: false } }, /unknown route metric/],
    ];
    for (const [options, message] of cases) {
      const a = app();
      await expect(a.register(fastifyGateway, options as never).ready()).rejects.toMatchObject({
        name: 'ConfigurationError',
        message: expect.stringMatching(message),
      });
    }
    await gateway.close();
  });
});
