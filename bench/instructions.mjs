/**
 * Instructions per call (callgrind) and allocations per call, stack by stack: deterministic
 * figures, unlike CPU time on a shared machine. For each stack, its client runs under
 *   valgrind --tool=callgrind node --expose-gc --single-threaded-gc --no-concurrent-recompilation
 * (GC and the optimising compiler on the main thread, so they are counted and can be identified),
 * the server in another process; the client warms up (2,500 calls), runs gc(), the counters are
 * zeroed (callgrind_control -z), 600 calls run, then the counters are dumped (callgrind_control -d)
 * and the main thread's inclusive instructions are read with callgrind_annotate. Allocations come
 * from a second run without valgrind: V8's sampling heap profiler at a 1-byte interval (every
 * object), and heap used after gc() for the bytes that survive.
 *
 *   npm run bench                                   (builds first; ~2-4 min per stack)
 *   node bench/instructions.mjs --only "raw axios"  (one stack)
 */
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { STACKS, startServer } from './stacks.mjs';

const { values } = parseArgs({
  options: {
    warmup: { type: 'string', default: '2500' },
    calls: { type: 'string', default: '600' },
    only: { type: 'string', multiple: true },
    server: { type: 'boolean', default: false },
    client: { type: 'string' },
    alloc: { type: 'boolean', default: false },
    // Allocations only (seconds instead of minutes per stack).
    'skip-callgrind': { type: 'boolean', default: false },
    port: { type: 'string' },
    // Allocations are counted without valgrind, so they can afford the full workload.
    'alloc-warmup': { type: 'string', default: '2500' },
    'alloc-calls': { type: 'string', default: '600' },
  },
});
const WARMUP = Number(values.warmup);
const CALLS = Number(values.calls);
const self = new URL(import.meta.url).pathname;

if (values.server) startServer((port) => process.send({ port }));
else if (values.client) await client(values.client, Number(values.port), values.alloc);
else await main();

/** Runs in the measured process; talks to the orchestrator line by line on stdin/stdout. */
async function client(name, port, alloc) {
  const stack = STACKS[name](`http://127.0.0.1:${port}`);
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  let i = 0;
  for (; i < WARMUP; i++) await stack.call(i);
  globalThis.gc();
  if (alloc) {
    // Survived bytes first, without the profiler (it holds memory of its own).
    const heap0 = process.memoryUsage().heapUsed;
    for (let n = 0; n < CALLS; n++, i++) await stack.call(i);
    globalThis.gc();
    const survived = process.memoryUsage().heapUsed - heap0;
    const session = new Session();
    session.connect();
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 1,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    for (let n = 0; n < CALLS; n++, i++) await stack.call(i);
    const { profile } = await session.post('HeapProfiler.stopSampling');
    const bytes = profile.samples.reduce((s, x) => s + x.size, 0);
    process.stdout.write(
      `${JSON.stringify({ objects: profile.samples.length / CALLS, bytes: bytes / CALLS, survived: survived / CALLS })}\n`,
    );
  } else {
    process.stdout.write('WARM\n');
    await lines.next(); // counters zeroed
    for (let n = 0; n < CALLS; n++, i++) await stack.call(i);
    process.stdout.write('DONE\n');
    await lines.next(); // counters dumped
  }
  await stack.close?.();
  process.exit(0);
}

async function main() {
  const server = fork(self, ['--server'], { stdio: 'inherit' });
  const { port } = await new Promise((resolve) => server.once('message', resolve));
  const names = values.only ?? Object.keys(STACKS);
  const rows = [];
  for (const name of names) {
    const instr = values['skip-callgrind']
      ? { total: Number.NaN, gc: Number.NaN, opt: Number.NaN, net: Number.NaN }
      : await instructions(name, port);
    const alloc = await allocations(name, port);
    rows.push({ name, ...instr, ...alloc });
    console.error(`[bench] ${name}: ${JSON.stringify(rows.at(-1))}`);
  }
  server.kill();
  const raw = rows.find((r) => r.name === 'raw axios') ?? rows[0];
  console.log(
    `\n${CALLS} calls after ${WARMUP} warm-up calls under callgrind (main thread); allocations: ${values['alloc-calls']} calls after ${values['alloc-warmup']}; Node ${process.version}\n`,
  );
  console.log(
    '| stack | instr/call | × raw axios | GC instr/call | TurboFan instr/call | net instr/call | net × raw axios | objects/call | bytes/call | survived bytes/call |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const k = (x) => `${(x / 1000).toFixed(0)}k`;
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${k(r.total)} | ${(r.total / raw.total).toFixed(2)}× | ${k(r.gc)} | ${k(r.opt)} | ${k(r.net)} | ${(r.net / raw.net).toFixed(2)}× | ${r.objects.toFixed(0)} | ${r.bytes.toFixed(0)} | ${r.survived.toFixed(0)} |`,
    );
  }
}

async function instructions(name, port) {
  const dir = mkdtempSync(join(tmpdir(), 'vngw-callgrind-'));
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--separate-threads=yes',
      `--callgrind-out-file=${join(dir, 'cg.out')}`,
      process.execPath,
      '--expose-gc',
      '--single-threaded-gc',
      '--no-concurrent-recompilation',
      self,
      '--client',
      name,
      '--port',
      String(port),
      '--warmup',
      String(WARMUP),
      '--calls',
      String(CALLS),
    ],
    { stdio: ['pipe', 'pipe', 'ignore'] },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const expect = async (word) => {
    const { value } = await lines.next();
    if (value !== word) throw new Error(`${name}: expected ${word}, got ${value}`);
  };
  await expect('WARM');
  execFileSync('callgrind_control', ['-z', String(child.pid)], { stdio: 'ignore' });
  child.stdin.write('go\n');
  await expect('DONE');
  execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
  child.stdin.write('exit\n');
  await new Promise((r) => child.once('exit', r));
  // The dump of part 1, thread 1 (the main thread): cg.out.<pid>.1-01 or cg.out.1-01.
  const file = readdirSync(dir)
    .filter((f) => /\.1-01$/.test(f))
    .map((f) => join(dir, f))[0];
  if (!file) throw new Error(`${name}: no main-thread dump in ${dir}: ${readdirSync(dir).join(', ')}`);
  const text = execFileSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', file], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const total = Number(
    /([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS/.exec(text)?.[1]?.replaceAll(',', '') ?? Number.NaN,
  );
  const inclusive = (pattern) => {
    let best = 0;
    for (const line of text.split('\n')) {
      if (!pattern.test(line)) continue;
      const n = Number(/^\s*([\d,]+)/.exec(line)?.[1]?.replaceAll(',', '') ?? 0);
      best = Math.max(best, n); // the outermost frame includes the nested ones
    }
    return best;
  };
  rmSync(dir, { recursive: true, force: true });
  const gc = inclusive(/v8::internal::Heap::CollectGarbage\(/);
  const opt = inclusive(/v8::internal::(Runtime_CompileOptimized|Compiler::CompileOptimized)\(/);
  return { total: total / CALLS, gc: gc / CALLS, opt: opt / CALLS, net: (total - gc - opt) / CALLS };
}

async function allocations(name, port) {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      self,
      '--client',
      name,
      '--port',
      String(port),
      '--alloc',
      '--warmup',
      values['alloc-warmup'],
      '--calls',
      values['alloc-calls'],
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const { value } = await lines.next();
  await new Promise((r) => child.once('exit', r));
  return JSON.parse(value);
}
