/**
 * Happy-path latency and client CPU per call of every stack in `bench/stacks.mjs` against its
 * loopback server (a child process, so its CPU is not counted). Rounds are interleaved (A B C …,
 * A B C …) so the machine's drift hits every stack alike; the table gives medians over rounds, the
 * ratio to raw axios, and p50/p99 latency. Then the gateway's own work without sockets (an
 * in-memory transport). For instructions per call see `bench/instructions.mjs`; for CPU ratios with
 * their range, `bench/cpu.mjs`.
 *
 *   npm run bench:overhead   (builds first)
 *   node --expose-gc bench/overhead.mjs --calls 2000 --rounds 7
 */
import { fork } from 'node:child_process';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { taxRegistry } from '../dist/adapters.js';
import { createGateway } from '../dist/index.js';
import { STACKS, startServer, TAX_CODES } from './stacks.mjs';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '7' },
    concurrency: { type: 'string', default: '8' },
    server: { type: 'boolean', default: false },
  },
});

if (values.server) startServer((port) => process.send({ port }));
else await main();

async function main() {
  const child = fork(new URL(import.meta.url).pathname, ['--server'], { stdio: 'inherit' });
  const { port } = await new Promise((resolve) => child.once('message', resolve));
  const base = `http://127.0.0.1:${port}`;
  const calls = Number(values.calls);
  const concurrency = Number(values.concurrency);
  const stacks = Object.entries(STACKS).map(([name, make]) => ({ name, ...make(base) }));

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
  const raw = rows.find((r) => r.name === 'raw axios') ?? rows[0];
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

async function gatewayLogicCost(n, rounds) {
  const body = {
    error_code: 0,
    message: 'Thành công',
    result: {
      mst: TAX_CODES[0],
      tenNguoiNopThue: 'CÔNG TY CỔ PHẦN SỮA VIỆT NAM',
      trangThai: '00',
      coQuanThueQuanLy: 'Cục Thuế TP. Hồ Chí Minh',
    },
  };
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
    for (let i = 0; i < n; i++) await gateway.tax.lookupTaxCode({ taxCode: TAX_CODES[0] }, ctx);
    const c = process.cpuUsage(c0);
    if (r > 0) samples.push((c.user + c.system) / n); // round 0 warms up
  }
  await gateway.close();
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}
