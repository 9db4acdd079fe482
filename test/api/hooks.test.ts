import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  createGateway,
  type GatewayError,
  type GatewayHooks,
  type HookRequest,
  type TransportRequest,
} from 'vn-national-gateway';
import { CTX, echo, ok, PERSON } from '../helpers/echo-adapter.js';

function setup(hooks: { gateway?: GatewayHooks; adapter?: GatewayHooks }, status = 200) {
  const sent: TransportRequest[] = [];
  const gateway = createGateway({
    upstreams: {
      echo: echo({
        baseUrl: 'http://echo.test',
        auth: { type: 'bearer', token: 'secret-token' },
        transport: {
          request: async (req) => {
            sent.push(req);
            return { status, headers: { 'x-sig': 'ok' }, body: ok({ n: 1, exists: true, status: 'ACTIVE' }) };
          },
        },
        ...(hooks.adapter ? { hooks: hooks.adapter } : {}),
      }),
    },
    client: 'VN/GOV/test',
    logger: pino({ level: 'silent' }),
    drainer: { autoStart: false },
    ...(hooks.gateway ? { hooks: hooks.gateway } : {}),
  });
  return { gateway, sent };
}

async function rejection(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (e) {
    return e as GatewayError;
  }
  throw new Error('expected a rejection');
}

describe('hooks', () => {
  it('beforeRequest adds headers (gateway hook first, then the adapter hook) and never sees the token', async () => {
    const seen: HookRequest[] = [];
    const { gateway, sent } = setup({
      gateway: {
        beforeRequest(req) {
          seen.push({ ...req, headers: { ...req.headers } });
          req.headers['x-city-exchange'] = 'hcmc-1';
        },
      },
      adapter: {
        async beforeRequest(req) {
          req.headers['x-signature'] = `sig:${req.headers['x-city-exchange']}:${req.requestId}`;
        },
      },
    });
    const r = await gateway.echo.ping({ n: 1 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers['x-city-exchange']).toBe('hcmc-1');
    expect(sent[0]!.headers['x-signature']).toBe(`sig:hcmc-1:${r.meta.requestId}`);
    expect(sent[0]!.headers.authorization).toBe('Bearer secret-token');
    expect(seen[0]).toMatchObject({ upstream: 'echo', method: 'GET', requestId: r.meta.requestId });
    expect(seen[0]!.headers.authorization).toBeUndefined();
    await gateway.close();
  });

  it('a beforeRequest hook that throws fails the call with VALIDATION and sends nothing', async () => {
    const { gateway, sent } = setup({
      gateway: {
        beforeRequest() {
          throw new TypeError('no key');
        },
      },
    });
    const e = await rejection(gateway.echo.lookup(PERSON, CTX));
    expect(e.code).toBe('VALIDATION');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('beforeRequest hook of echo threw (TypeError); nothing was sent');
    expect(sent).toHaveLength(0);
    await gateway.close();
  });

  it.each([
    [
      'an unsafe value',
      (r: HookRequest) => {
        r.headers['x-sig'] = 'a\r\nx-evil: 1';
      },
    ],
    [
      'a changed core header',
      (r: HookRequest) => {
        r.headers['x-road-id'] = 'other';
      },
    ],
    [
      'a removed core header',
      (r: HookRequest) => {
        delete r.headers['x-road-client'];
      },
    ],
    [
      'an authorization header',
      (r: HookRequest) => {
        r.headers.Authorization = 'Basic x';
      },
    ],
    [
      'a bad header name',
      (r: HookRequest) => {
        r.headers['x sig'] = '1';
      },
    ],
  ])('refuses %s with VALIDATION, nothing sent', async (_, beforeRequest) => {
    const { gateway, sent } = setup({ adapter: { beforeRequest } });
    const e = await rejection(gateway.echo.ping({ n: 1 }));
    expect(e.code).toBe('VALIDATION');
    expect(sent).toHaveLength(0);
    await gateway.close();
  });

  it('afterResponse sees each reply; a throw is a non-retryable CONTRACT error', async () => {
    const statuses: number[] = [];
    const { gateway } = setup({
      adapter: {
        afterResponse(res) {
          statuses.push(res.status);
          if (res.headers['x-sig'] !== 'bad') return;
        },
      },
    });
    await gateway.echo.ping({ n: 1 });
    expect(statuses).toEqual([200]);
    await gateway.close();

    const failing = setup({
      gateway: {
        afterResponse() {
          throw new Error('signature mismatch');
        },
      },
    });
    const e = await rejection(failing.gateway.echo.ping({ n: 1 }));
    expect(e.code).toBe('CONTRACT');
    expect(e.retryable).toBe(false);
    expect(failing.sent).toHaveLength(1); // not retried
    await failing.gateway.close();
  });
});
