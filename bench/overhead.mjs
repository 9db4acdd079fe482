/**
 * Happy-path overhead: client CPU per call and latency of four stacks calling one loopback server
 * (a child process, so its CPU is not counted): raw axios; axios + p-retry + opossum + zod composed
 * naively; cockatiel + axios + zod; and this gateway (all steps on, a log line per call to a null
 * sink). Rounds are interleaved (A B C D, A B C D, …) so the machine's drift hits every stack
 * alike; the table gives medians over rounds and ratios to raw axios.
 *
 *   npm run bench            (builds first)
 *   node bench/overhead.mjs --calls 2000 --rounds 7
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
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
import { z } from 'zod';
import { createGateway } from '../dist/index.js';
import { taxRegistry } from '../dist/adapters.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '7' },
    concurrency: { type: 'string', default: '8' },
    server: { type: 'boolean', default: false },
  },
});

const TAX_CODE = '0300588569';
const BODY = JSON.stringify({
  error_code: 0,
  message: 'Thành công',
  result: {
    mst: TAX_CODE,
    tenNguoiNopThue: 'CÔNG TY CỔ PHẦN SỮA VIỆT NAM',
    trangThai: '00',
    coQuanThueQuanLy: 'Cục Thuế TP. Hồ Chí Minh',
  },
});

if (values.server) {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'x-road-id': req.headers['x-road-id'] ?? '' });
    res.end(BODY);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
} else {
  await main();
}

async function main() {
  const child = fork(new URL(import.meta.url).pathname, ['--server'], { stdio: 'inherit' });
  const { port } = await new Promise((resolve) => child.once('message', resolve));
  const base = `http://127.0.0.1:${port}`;
  const calls = Number(values.calls);
  const concurrency = Number(values.concurrency);
  const stacks = makeStacks(base);

  // Warm-up: JIT and sockets for everyone.
  for (const s of stacks) await runStack(s.call, 300, concurrency);

  const results = Object.fromEntries(stacks.map((s) => [s.name, []]));
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const s of stacks) {
      globalThis.gc?.();
      results[s.name].push(await runStack(s.call, calls, concurrency));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = stacks.map((s) => {
    const r = results[s.name];
    return {
      name: s.name,
      cpuUs: median(r.map((x) => x.cpuUsPerCall)),
      p50: median(r.map((x) => x.p50)),
      p99: median(r.map((x) => x.p99)),
    };
  });
  const raw = rows[0];
  console.log(
    `\n${calls} calls × ${values.rounds} interleaved rounds, concurrency ${concurrency}, Node ${process.version}\n`,
  );
  console.log('| stack | client CPU µs/call | × raw axios | p50 ms | p99 ms |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.cpuUs.toFixed(1)} | ${(r.cpuUs / raw.cpuUs).toFixed(2)}× | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`,
    );
  }
  // The gateway's own work, without sockets: CPU-bound, so far less exposed to the machine's I/O
  // noise than the end-to-end figures above.
  const logic = await gatewayLogicCost(calls, Number(values.rounds));
  console.log(
    `\nGateway logic alone (in-memory transport, same steps and log line): ${logic.toFixed(1)} µs/call`,
  );
  for (const s of stacks) await s.close?.();
  child.kill();
}

async function runStack(call, n, concurrency) {
  const latencies = new Array(n);
  let next = 0;
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        await call(i);
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  return {
    cpuUsPerCall: (cpu.user + cpu.system) / n,
    p50: latencies[Math.floor(n * 0.5)],
    p99: latencies[Math.floor(n * 0.99)],
  };
}

function makeStacks(base) {
  const agent = () => new http.Agent({ keepAlive: true, maxSockets: 64 });
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
  const headers = { authorization: 'Bearer bench', 'x-road-client': 'VN/GOV/bench' };

  const rawClient = axios.create({ httpAgent: agent(), proxy: false });
  const raw = {
    name: 'raw axios',
    call: async () => (await rawClient.get(`${base}/tax/v1/nguoi-nop-thue/${TAX_CODE}`, { headers })).data,
  };

  const naiveClient = axios.create({ httpAgent: agent(), proxy: false });
  const breaker = new CircuitBreaker((url, signal) => naiveClient.get(url, { headers, signal }), {
    timeout: 10_000,
    errorThresholdPercentage: 50,
    volumeThreshold: 10,
    resetTimeout: 15_000,
  });
  const naive = {
    name: 'axios + p-retry + opossum + zod',
    call: async () => {
      const { taxCode } = input.parse({ taxCode: TAX_CODE });
      const res = await pRetry(() => breaker.fire(`${base}/tax/v1/nguoi-nop-thue/${taxCode}`), {
        retries: 2,
        minTimeout: 200,
      });
      return output.parse(res.data);
    },
    close: () => breaker.shutdown(),
  };

  const cockatielClient = axios.create({ httpAgent: agent(), proxy: false });
  const policy = wrap(
    retry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() }),
    circuitBreaker(handleAll, { halfOpenAfter: 15_000, breaker: new ConsecutiveBreaker(10) }),
    timeout(10_000, TimeoutStrategy.Aggressive),
  );
  const cockatiel = {
    name: 'cockatiel + axios + zod',
    call: async () => {
      const { taxCode } = input.parse({ taxCode: TAX_CODE });
      const res = await policy.execute(({ signal }) =>
        cockatielClient.get(`${base}/tax/v1/nguoi-nop-thue/${taxCode}`, { headers, signal }),
      );
      return output.parse(res.data);
    },
  };

  const gateway = createGateway({
    upstreams: {
      tax: taxRegistry({ baseUrl: base, auth: { type: 'bearer', token: 'bench' }, client: 'VN/GOV/bench' }),
    },
    logger: pino({ level: 'info' }, new Writable({ write: (_chunk, _enc, done) => done() })),
    drainer: { autoStart: false },
  });
  const ours = {
    name: 'vn-national-gateway',
    call: () => gateway.tax.lookupTaxCode({ taxCode: TAX_CODE }, { purpose: '1.000001', actor: 'bench' }),
    close: () => gateway.close(),
  };
  return [raw, naive, cockatiel, ours];
}

async function gatewayLogicCost(n, rounds) {
  const body = JSON.parse(BODY);
  const transport = { request: async () => ({ status: 200, headers: {}, body: structuredClone(body) }) };
  const gateway = createGateway({
    upstreams: {
      tax: taxRegistry({
        baseUrl: 'http://bench.invalid',
        auth: { type: 'bearer', token: 'bench' },
        transport,
      }),
    },
    logger: pino({ level: 'info' }, new Writable({ write: (_chunk, _enc, done) => done() })),
    drainer: { autoStart: false },
  });
  const ctx = { purpose: '1.000001', actor: 'bench' };
  const samples = [];
  for (let r = 0; r <= rounds; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await gateway.tax.lookupTaxCode({ taxCode: TAX_CODE }, ctx);
    const c = process.cpuUsage(c0);
    if (r > 0) samples.push((c.user + c.system) / n); // round 0 warms up
  }
  await gateway.close();
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}
