/**
 * The stacks compared by `bench/instructions.mjs` and `bench/cpu.mjs`, and their loopback server.
 * Every stack makes the same call (a tax-code lookup) with a different, valid tax code per call,
 * so nothing is served from a cache. Needs `npm run build` (imports dist/).
 */
import http from 'node:http';
import { Writable } from 'node:stream';
import axios from 'axios';
import {
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleAll,
  retry,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import CircuitBreaker from 'opossum';
import pRetry from 'p-retry';
import pino from 'pino';
import { Agent, request as undiciRequest } from 'undici';
import { z } from 'zod';
import { taxRegistry } from '../dist/adapters.js';
import { createAuditTrail, createGateway } from '../dist/index.js';
import { taxCodeCheckDigit } from '../dist/identifiers.js';
import { undiciTransport } from '../dist/undici.js';

/** 4096 distinct valid 10-digit tax codes ("a different citizen per call"). */
export const TAX_CODES = (() => {
  const codes = [];
  for (let n = 1; codes.length < 4096; n++) {
    const first9 = `03${String(n).padStart(7, '0')}`;
    const check = taxCodeCheckDigit(first9);
    if (check !== undefined) codes.push(`${first9}${check}`);
  }
  return codes;
})();

const reply = (mst) =>
  JSON.stringify({
    error_code: 0,
    message: 'Thành công',
    result: {
      mst,
      tenNguoiNopThue: 'CÔNG TY CỔ PHẦN SỮA VIỆT NAM',
      trangThai: '00',
      coQuanThueQuanLy: 'Cục Thuế TP. Hồ Chí Minh',
    },
  });

/** The upstream: answers every lookup with the requested code. Run it in another process. */
export function startServer(onListening) {
  const server = http.createServer((req, res) => {
    req.resume();
    const mst = req.url.slice(req.url.lastIndexOf('/') + 1);
    res.writeHead(200, { 'content-type': 'application/json', 'x-road-id': req.headers['x-road-id'] ?? '' });
    res.end(reply(mst));
  });
  server.keepAliveTimeout = 600_000;
  server.listen(0, '127.0.0.1', () => onListening(server.address().port));
  return server;
}

const nullLogger = () => pino({ level: 'info' }, new Writable({ write: (_c, _e, done) => done() }));
const ctx = { purpose: '1.000001', actor: 'bench' };
const headers = { authorization: 'Bearer bench', 'x-road-client': 'VN/GOV/bench' };
const input = z.object({ taxCode: z.string().regex(/^\d{10}(-\d{3})?$|^\d{12}$/) });
const output = z.object({
  error_code: z.literal(0),
  result: z.object({
    mst: z.string(),
    tenNguoiNopThue: z.string(),
    trangThai: z.string(),
    coQuanThueQuanLy: z.string(),
  }),
});

function gateway(base, { transport, audit } = {}) {
  const g = createGateway({
    upstreams: {
      tax: taxRegistry({
        baseUrl: base,
        auth: { type: 'bearer', token: 'bench' },
        client: 'VN/GOV/bench',
        ...(transport ? { transport } : {}),
      }),
    },
    logger: nullLogger(),
    drainer: { autoStart: false },
    ...(audit ? { audit: createAuditTrail({ salt: 'bench-salt-0123456789', sink: { write() {} } }) } : {}),
  });
  return {
    call: (i) => g.tax.lookupTaxCode({ taxCode: TAX_CODES[i % TAX_CODES.length] }, ctx),
    close: () => g.close(),
  };
}

/** name → factory(base) returning { call(i), close() }. */
export const STACKS = {
  'raw axios': (base) => {
    const client = axios.create({
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      proxy: false,
    });
    return {
      call: async (i) =>
        (await client.get(`${base}/tax/v1/nguoi-nop-thue/${TAX_CODES[i % 4096]}`, { headers })).data,
    };
  },
  'gateway (axios)': (base) => gateway(base),
  'raw undici': (base) => {
    const dispatcher = new Agent({ connections: 64 });
    return {
      call: async (i) => {
        const res = await undiciRequest(`${base}/tax/v1/nguoi-nop-thue/${TAX_CODES[i % 4096]}`, {
          headers,
          dispatcher,
        });
        return res.body.json();
      },
      close: () => dispatcher.close(),
    };
  },
  'gateway (undici)': (base) => gateway(base, { transport: undiciTransport() }),
  // The tax lookup is not personal data, so it is not audited: this stack shows no audit cost yet;
  // measuring it needs a personal-data operation (vneid.verifyCitizen) against a matching server.
  'gateway (undici) + audit': (base) => gateway(base, { transport: undiciTransport(), audit: true }),
  'naive (axios + p-retry + opossum + zod)': (base) => {
    const client = axios.create({
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      proxy: false,
    });
    const breaker = new CircuitBreaker((url, signal) => client.get(url, { headers, signal }), {
      timeout: 10_000,
      errorThresholdPercentage: 50,
      volumeThreshold: 10,
      resetTimeout: 15_000,
    });
    return {
      call: async (i) => {
        const { taxCode } = input.parse({ taxCode: TAX_CODES[i % 4096] });
        const res = await pRetry(() => breaker.fire(`${base}/tax/v1/nguoi-nop-thue/${taxCode}`), {
          retries: 2,
          minTimeout: 200,
        });
        return output.parse(res.data);
      },
      close: () => breaker.shutdown(),
    };
  },
  'cockatiel + axios + zod': (base) => {
    const client = axios.create({
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      proxy: false,
    });
    const policy = wrap(
      retry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() }),
      circuitBreaker(handleAll, { halfOpenAfter: 15_000, breaker: new ConsecutiveBreaker(10) }),
      timeout(10_000, TimeoutStrategy.Aggressive),
    );
    return {
      call: async (i) => {
        const { taxCode } = input.parse({ taxCode: TAX_CODES[i % 4096] });
        const res = await policy.execute(({ signal }) =>
          client.get(`${base}/tax/v1/nguoi-nop-thue/${taxCode}`, { headers, signal }),
        );
        return output.parse(res.data);
      },
    };
  },
};
