/**
 * The stacks compared by `bench/instructions.mjs`, `bench/cpu.mjs` and `bench/overhead.mjs`, and
 * their loopback server. Every stack makes the same call (a tax-code lookup) with a different,
 * valid tax code per call, so nothing is served from a cache; except the two `gateway vneid` stacks,
 * which verify a different valid citizen per call (`vneid.verifyCitizen`, personal data, hence
 * audited when the gateway has an audit trail): their difference is the audit's cost per call.
 * Needs `npm run build` (imports dist/).
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
import { taxRegistry, vneid } from '../dist/adapters.js';
import { createAuditTrail, createGateway } from '../dist/index.js';
import { listBirthProvinces, taxCodeCheckDigit } from '../dist/identifiers.js';
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

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Ngọc', 'Quốc', 'Đức', 'Thanh', 'Hữu'];
const GIVEN = [
  'An',
  'Bích',
  'Khoa',
  'Lan',
  'Bảo',
  'Hân',
  'Huy',
  'Phúc',
  'Thảo',
  'Tùng',
  'Vy',
  'Dũng',
  'Hương',
];

/**
 * Citizen n (n < 10⁶), valid for `vneid.verifyCitizen`: personal ID = a birth-registration province
 * code (cycling through all 63) + gender/century digit (0/1: born 19yy, 2/3: born 20yy, never in the
 * future) + yy + n as the six-digit serial (so every ID differs), a Vietnamese name and a date of
 * birth in the year the ID encodes.
 */
function citizen(n, provinces) {
  const g = n % 4;
  const year = g < 2 ? 1940 + ((n >> 2) % 60) : 2000 + ((n >> 2) % 25);
  const personalId = `${provinces[n % provinces.length]}${g}${String(year % 100).padStart(2, '0')}${String(n).padStart(6, '0')}`;
  const month = String(1 + (n % 12)).padStart(2, '0');
  const day = String(1 + (n % 28)).padStart(2, '0');
  return {
    personalId,
    fullName: `${FAMILY[n % FAMILY.length]} ${MIDDLE[n % MIDDLE.length]} ${GIVEN[n % GIVEN.length]}`,
    dateOfBirth: `${year}-${month}-${day}`,
  };
}

let citizenPool;
/**
 * 32,768 distinct citizens, built on first use (only by the vneid stacks): more than any run makes
 * calls (instructions.mjs: 3,700 per process; cpu.mjs: 2,500 + rounds × calls).
 */
export function citizens() {
  if (!citizenPool) {
    const provinces = listBirthProvinces().map((p) => p.code);
    citizenPool = Array.from({ length: 32_768 }, (_, n) => citizen(n, provinces));
  }
  return citizenPool;
}

const VNEID_PATH = '/c06/v1/xac-thuc-cong-dan';
const VERIFIED = JSON.stringify({
  MaKetQua: '00',
  MoTa: 'Thành công',
  DuLieu: { TonTai: true, KhopHoVaTen: true, KhopNgaySinh: true },
});

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

/**
 * The upstream: answers every tax lookup with the requested code, and every VNeID verification
 * (`POST /c06/v1/xac-thuc-cong-dan`) with a match. Run it in another process.
 */
export function startServer(onListening) {
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.url === VNEID_PATH) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-road-id': req.headers['x-road-id'] ?? '' });
      res.end(VERIFIED);
      return;
    }
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
const discard = { write() {} };
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

function gateway(base, { transport, audit, platform = 'tax' } = {}) {
  const options = {
    baseUrl: base,
    auth: { type: 'bearer', token: 'bench' },
    client: 'VN/GOV/bench',
    ...(transport ? { transport } : {}),
  };
  const g = createGateway({
    upstreams: platform === 'vneid' ? { vneid: vneid(options) } : { tax: taxRegistry(options) },
    logger: nullLogger(),
    drainer: { autoStart: false },
    // A sink that discards: the audit's own work (checks, subject HMAC, chain hash), not the disk.
    ...(audit ? { audit: createAuditTrail({ salt: 'bench-salt-0123456789', sink: discard }) } : {}),
  });
  if (platform === 'vneid') {
    const people = citizens();
    return {
      call: (i) => g.vneid.verifyCitizen(people[i % people.length], ctx),
      close: () => g.close(),
    };
  }
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
  // vneid.verifyCitizen is personal data: the second stack audits every call, the first does not.
  'gateway vneid (axios)': (base) => gateway(base, { platform: 'vneid' }),
  'gateway vneid (axios) + audit': (base) => gateway(base, { platform: 'vneid', audit: true }),
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
