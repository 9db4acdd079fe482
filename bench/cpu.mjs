/**
 * Interleaved CPU cost per call of every stack in `bench/stacks.mjs` (A B C …, A B C …, so the
 * shared machine's drift hits every stack alike): median and range over the rounds, and the ratio
 * to raw axios per round. Then the open-breaker fast path: rejections per CPU second of this
 * gateway's open breaker against opossum's `fire()` on an open breaker.
 *
 *   npm run bench:cpu            (builds first)
 *   node --expose-gc bench/cpu.mjs --calls 1000 --rounds 7
 */
import { fork } from 'node:child_process';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import CircuitBreaker from 'opossum';
import pino from 'pino';
import { taxRegistry } from '../dist/adapters.js';
import { createGateway } from '../dist/index.js';
import { STACKS, startServer, TAX_CODES } from './stacks.mjs';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '7' },
    concurrency: { type: 'string', default: '8' },
    server: { type: 'boolean', default: false },
  },
});

if (values.server) startServer((port) => process.send({ port }));
else await main();

async function main() {
  const server = fork(new URL(import.meta.url).pathname, ['--server'], { stdio: 'inherit' });
  const { port } = await new Promise((resolve) => server.once('message', resolve));
  const base = `http://127.0.0.1:${port}`;
  const calls = Number(values.calls);
  const rounds = Math.max(7, Number(values.rounds));
  const stacks = Object.entries(STACKS).map(([name, make]) => ({ name, ...make(base) }));
  for (const s of stacks) await run(s.call, 2500); // warm-up: JIT and sockets for everyone
  const cpu = Object.fromEntries(stacks.map((s) => [s.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const s of stacks) {
      globalThis.gc?.();
      cpu[s.name].push(await run(s.call, calls));
    }
  }
  const rawRounds = cpu['raw axios'];
  console.log(
    `\n${calls} calls × ${rounds} interleaved rounds, concurrency ${values.concurrency}, Node ${process.version}\n`,
  );
  console.log('| stack | CPU µs/call (median) | range | × raw axios (median) | range |');
  console.log('|---|---:|---:|---:|---:|');
  for (const s of stacks) {
    const xs = cpu[s.name];
    const ratios = xs.map((x, i) => x / rawRounds[i]);
    console.log(
      `| ${s.name} | ${median(xs).toFixed(1)} | ${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} | ${median(ratios).toFixed(2)}× | ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}× |`,
    );
  }
  for (const s of stacks) await s.close?.();
  server.kill();
  const fast = await openBreaker(rounds);
  console.log(
    `\nOpen breaker, rejections per CPU second (median of ${rounds}): gateway ${fmt(fast.gateway)}, opossum ${fmt(fast.opossum)} (${(fast.gateway / fast.opossum).toFixed(2)}×)`,
  );
}

function median(xs) {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}
function fmt(x) {
  return `${Math.round(x).toLocaleString('en-US')}/s`;
}

/** CPU µs per call, `concurrency` callers in parallel. */
async function run(call, n) {
  let next = 0;
  const c0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: Number(values.concurrency) }, async () => {
      while (next < n) await call(next++);
    }),
  );
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

/** Both breakers opened against a refused port, then timed rejecting. */
async function openBreaker(rounds) {
  const n = 20_000;
  const gateway = createGateway({
    upstreams: {
      tax: taxRegistry({
        baseUrl: 'http://127.0.0.1:1',
        auth: { type: 'bearer', token: 'bench' },
        policy: {
          retry: { maxAttempts: 1 },
          breaker: { minimumCalls: 5, resetTimeoutMs: 600_000, maxOpenMs: 600_000 },
        },
      }),
    },
    logger: pino({ level: 'info' }, new Writable({ write: (_c, _e, done) => done() })),
    drainer: { autoStart: false },
  });
  const ctx = { purpose: '1.000001', actor: 'bench' };
  const gw = (i) => gateway.tax.lookupTaxCode({ taxCode: TAX_CODES[i % 4096] }, ctx).catch((e) => e.code);
  let code;
  for (let i = 0; i < 200 && code !== 'CIRCUIT_OPEN'; i++) code = await gw(i);
  if (code !== 'CIRCUIT_OPEN') throw new Error(`the gateway's breaker did not open (${code})`);
  const breaker = new CircuitBreaker(async () => {}, { resetTimeout: 600_000 });
  breaker.open();
  const op = () => breaker.fire().catch((e) => e.code);
  if ((await op()) !== 'EOPENBREAKER') throw new Error('opossum did not reject');
  const rate = async (f) => {
    let i = 0;
    const c0 = process.cpuUsage();
    for (; i < n; i++) await f(i);
    const c = process.cpuUsage(c0);
    return n / ((c.user + c.system) / 1e6);
  };
  await rate(gw);
  await rate(op); // warm-up
  const g = [];
  const o = [];
  for (let r = 0; r < rounds; r++) {
    globalThis.gc?.();
    g.push(await rate(gw));
    globalThis.gc?.();
    o.push(await rate(op));
  }
  breaker.shutdown();
  await gateway.close();
  return { gateway: median(g), opossum: median(o) };
}
