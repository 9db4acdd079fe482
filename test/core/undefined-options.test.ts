/**
 * An option given as `undefined` is an option left out (`exactOptionalPropertyTypes` consumers
 * write `{ retentionMs: config.retentionMs }`): it keeps its default instead of overwriting it.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DRAINER_OPTIONS, DEFAULT_TRANSPORT_OPTIONS, type Transport } from 'vn-national-gateway';
import { withDefaults } from '../../src/util/defaults.js';
import { echoGateway } from '../helpers/echo-gateway.js';

const transport: Transport = {
  request: async () => ({ status: 200, headers: {}, body: { ok: true, code: 'OK', data: { n: 1 } } }),
};

describe('options given as undefined', () => {
  it('withDefaults keeps the default where the option is undefined, and copies the rest', () => {
    const o = withDefaults(DEFAULT_TRANSPORT_OPTIONS, {
      maxSockets: undefined,
      maxRedirects: 2,
      ca: undefined,
    });
    expect(o).toEqual({ ...DEFAULT_TRANSPORT_OPTIONS, maxRedirects: 2 });
    expect(Object.isFrozen(DEFAULT_TRANSPORT_OPTIONS)).toBe(true);
  });

  it('a drainer, cache and policy given undefined options run on their defaults', async () => {
    // A spread ({ ...defaults, ...options }) made retentionMs undefined: "drainer: retentionMs must be a finite number".
    const undefinedDrainer = Object.fromEntries(
      Object.keys(DEFAULT_DRAINER_OPTIONS).map((k) => [k, undefined]),
    );
    const gateway = echoGateway(transport, {
      drainer: { ...undefinedDrainer, autoStart: false },
      cache: { maxBytes: undefined },
      policy: { retry: { maxAttempts: undefined }, breaker: undefined },
      client: undefined,
      outbox: undefined,
      quota: undefined,
      tracing: undefined,
    });
    try {
      const r = await gateway.echo.ping({ n: 1 });
      expect(r).toMatchObject({ status: 'ok', data: { n: 1 } });
      // The purge's default age is the drainer's retentionMs: 3 days, not undefined.
      await expect(gateway.outbox.purge()).resolves.toMatchObject({ delivered: 0 });
    } finally {
      await gateway.close();
    }
  });
});
