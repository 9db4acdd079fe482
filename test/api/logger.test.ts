import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, type GatewayLogger } from 'vn-national-gateway';
import { BASE, echo, ok } from '../helpers/echo-adapter.js';

afterEach(() => nock.cleanAll());

/** A logger that is not pino: it records (bindings, obj, msg) per line. */
function recordingLogger(lines: unknown[][], bindings: Record<string, unknown> = {}): GatewayLogger {
  const at = (level: string) => (obj: object | string, msg?: string) =>
    lines.push([level, bindings, obj, msg]);
  return {
    level: 'info',
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: (b) => recordingLogger(lines, { ...bindings, ...b }),
  };
}

describe('a non-pino logger', () => {
  it('receives the call line through its per-upstream child', async () => {
    nock(BASE)
      .get('/echo/ping')
      .query({ n: 1 })
      .reply(200, ok({ n: 1 }));
    const lines: unknown[][] = [];
    const g = createGateway({
      upstreams: { echo: echo({ baseUrl: BASE, auth: { type: 'bearer', token: 't' } }) },
      client: 'VN/GOV/test',
      logger: recordingLogger(lines),
      drainer: { autoStart: false },
    });
    await g.echo.ping({ n: 1 });
    await g.close();
    const call = lines.find((l) => l[3] === 'call');
    expect(call?.[0]).toBe('info');
    expect(call?.[1]).toEqual({ upstream: 'echo' });
    expect(call?.[2]).toMatchObject({ operation: 'ping', outcome: 'ok' });
  });
});
