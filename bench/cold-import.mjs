/**
 * Cold import: how long a fresh Node process takes to `import()` the main entry, against axios,
 * pino and a bare node in the same run. Each sample is a new process (`node -e "await import(x)"`,
 * wall time measured around the spawn, so process start-up counts for all alike); rounds are
 * interleaved (bare, axios, pino, gateway, bare, …) so the machine's drift hits every target.
 * Prints the median and range per target and the gateway's margin over axios; exits 1 when the
 * median exceeds axios + the budget (60 ms, `--budget`).
 *
 *   npm run bench:import           (builds first)
 *   node bench/cold-import.mjs --runs 11 --budget 60
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    budget: { type: 'string', default: '60' },
    json: { type: 'boolean', default: false },
  },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(values.runs);
const budget = Number(values.budget);

/** Resolved from the repository, as a consumer's `import('vn-national-gateway')` resolves its exports. */
const TARGETS = [
  { name: 'bare node', code: '' },
  { name: 'axios', code: "await import('axios')" },
  { name: 'pino', code: "await import('pino')" },
  { name: 'vn-national-gateway', code: "await import('vn-national-gateway')" },
  // Not in the budget: what a service pays before its first call (axios, prom-client, pino and the
  // adapters' schemas load here, at createGateway, rather than at import).
  {
    name: '… + adapters + createGateway()',
    code: `const { createGateway } = await import('vn-national-gateway');
const { taxRegistry } = await import('vn-national-gateway/adapters');
const pino = (await import('pino')).default;
const tax = taxRegistry({ baseUrl: 'http://127.0.0.1:9', auth: { type: 'bearer', token: 't' }, client: 'VN/GOV/bench' });
await createGateway({ upstreams: { tax }, logger: pino({ level: 'silent' }), drainer: { autoStart: false } }).close();`,
  },
];

function sample(code) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, stdio: 'pipe' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${code}: exit ${r.status}\n${r.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

// One warm-up round: the first spawn pays for the file system cache, not for the module.
for (const t of TARGETS) sample(t.code);
const times = new Map(TARGETS.map((t) => [t.name, []]));
for (let i = 0; i < runs; i++) for (const t of TARGETS) times.get(t.name).push(sample(t.code));

const rows = TARGETS.map((t) => {
  const xs = times.get(t.name);
  return { target: t.name, medianMs: median(xs), minMs: Math.min(...xs), maxMs: Math.max(...xs) };
});
const axios = rows.find((r) => r.target === 'axios').medianMs;
const gateway = rows.find((r) => r.target === 'vn-national-gateway').medianMs;
const margin = gateway - axios;
if (values.json) console.log(JSON.stringify({ runs, budget, rows, marginMs: margin }));
else {
  console.log(`cold import, ${runs} fresh processes per target (Node ${process.version}), interleaved`);
  for (const r of rows) {
    console.log(
      `${r.target.padEnd(32)} median ${r.medianMs.toFixed(0).padStart(4)} ms  range ${r.minMs.toFixed(0)}–${r.maxMs.toFixed(0)} ms`,
    );
  }
  console.log(
    `vn-national-gateway − axios: ${margin.toFixed(0)} ms (budget ${budget} ms): ${margin <= budget ? 'within' : 'OVER'}`,
  );
}
process.exitCode = margin <= budget ? 0 : 1;
