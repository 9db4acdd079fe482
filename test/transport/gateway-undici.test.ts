/**
 * A gateway on the undici transport against the mock platforms over loopback: reads, a
 * deduplicated write, OAuth2 tokens and typed errors, directly and through a proxy.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, isGatewayError } from 'vn-national-gateway';
import { landRegistry, taxRegistry, vneid } from 'vn-national-gateway/adapters';
import {
  fixtures,
  MOCK_CREDENTIALS,
  type MockPlatforms,
  startMockPlatforms,
} from 'vn-national-gateway/testing';
import { type UndiciTransportOptions, undiciTransport } from 'vn-national-gateway/undici';
import { submitRegistrationTwice } from '../helpers/land-registration.js';
import { type TestProxy, startProxy } from './helpers.js';

const ctx = { purpose: '1.001234', actor: 'officer-17' };

function gatewayOn(base: string, options: UndiciTransportOptions = {}) {
  const auth = {
    type: 'oauth2' as const,
    tokenUrl: `${base}/token`,
    clientId: MOCK_CREDENTIALS.clientId,
    clientSecret: MOCK_CREDENTIALS.clientSecret,
  };
  // One transport, so the three platforms share its pools (one per origin).
  const transport = undiciTransport(options);
  return createGateway({
    client: 'VN/GOV/000.00.00.H29/hcmc-tthc',
    upstreams: {
      vneid: vneid({ baseUrl: base, auth, transport }),
      land: landRegistry({ baseUrl: base, auth, transport }),
      tax: taxRegistry({ baseUrl: base, auth, transport }),
    },
    logger: pino({ level: 'silent' }),
    drainer: { autoStart: false },
    policy: { retry: { baseDelayMs: 1, maxDelayMs: 2 } },
  });
}

let mock: MockPlatforms;
let proxy: TestProxy;
beforeAll(async () => {
  mock = await startMockPlatforms();
  proxy = await startProxy();
});
afterAll(async () => {
  await mock.close();
  await proxy.close();
});

describe('gateway on the undici transport × mock platforms', () => {
  it('answers reads, deduplicates a write and types a NOT_FOUND', async () => {
    const gateway = gatewayOn(mock.url);
    try {
      for (const c of fixtures.verifyCases) {
        const r = await gateway.vneid.verifyCitizen(c.input, ctx).catch((e: unknown) => e);
        if (c.expected === 'not-found') expect(isGatewayError(r, 'NOT_FOUND'), c.description).toBe(true);
        else expect(r, c.description).toMatchObject({ status: 'ok', data: c.expected });
      }
      for (const t of fixtures.enterprises) {
        const r = await gateway.tax.lookupTaxCode({ taxCode: t.taxCode }, ctx);
        expect(r.status === 'ok' && r.data).toMatchObject({ taxCode: t.taxCode, name: t.name });
      }
      await submitRegistrationTwice(gateway, '000.00.29.H29-250701-0042', ctx);
      expect(mock.registrations('land').filter((r) => JSON.stringify(r).includes('0042'))).toHaveLength(1);
      const e = await gateway.tax.lookupTaxCode({ taxCode: fixtures.unknown.taxCode }, ctx).catch((x) => x);
      expect(isGatewayError(e, 'NOT_FOUND')).toBe(true);
    } finally {
      await gateway.close();
    }
  });

  it('goes through a proxy when given one', async () => {
    const gateway = gatewayOn(mock.url, { proxy: proxy.url });
    const seen = proxy.seen.length;
    try {
      const t = fixtures.enterprises[0]!;
      const r = await gateway.tax.lookupTaxCode({ taxCode: t.taxCode }, ctx);
      expect(r.status).toBe('ok');
      expect(proxy.seen.slice(seen)).toContain(`CONNECT ${new URL(mock.url).host}`);
    } finally {
      await gateway.close();
    }
  });
});
