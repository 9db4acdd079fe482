// Outbox store benchmark (not a test): enqueue latency p50/p99 and drain throughput with 1 and 3
// concurrent drainers, PostgreSQL against SQLite on the same machine. Drainers here are claim loops
// in one process (each its own owner and, for PostgreSQL, its own pooled connection); the upstream
// call is left out so the figures are the store's own cost.
// Usage: npm run bench:outbox [-- N]   (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresOutbox, sqliteOutbox } from '../dist/index.js';

const N = Number(process.argv[2] ?? 2000);
const URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const item = (i) => ({
  upstream: 'land',
  operation: 'registerTransfer',
  kind: 'write',
  input: { parcel: `P-${i}`, buyer: { personalId: '079203001234', fullName: 'Nguyễn Văn A' } },
  idempotencyKey: `bench-${i}`,
  requestId: `req-${i}`,
  context: { purpose: '1.001234', actor: 'bench' },
});
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

async function run(name, make) {
  const out = {};
  for (const drainers of [1, 3]) {
    const { store, done } = await make();
    const lat = [];
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      await store.enqueue(item(i), Date.now());
      lat.push(performance.now() - t);
    }
    lat.sort((a, b) => a - b);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: drainers }, async (_, d) => {
        for (;;) {
          const items = await store.claim({ owner: `d${d}`, now: Date.now(), leaseMs: 60_000, limit: 20 });
          if (items.length === 0) return;
          for (const it of items) await store.complete(it.id, `d${d}`, { ok: true }, Date.now());
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    const counts = await store.counts();
    if (counts.delivered !== N) throw new Error(`${name}: ${counts.delivered} delivered of ${N}`);
    out[drainers] = { p50: pct(lat, 50), p99: pct(lat, 99), perSec: N / secs };
    await done();
  }
  for (const d of [1, 3])
    console.log(
      `${name.padEnd(8)} enqueue p50 ${out[d].p50.toFixed(2)} ms  p99 ${out[d].p99.toFixed(2)} ms  | drain, ${d} drainer(s): ${Math.round(out[d].perSec)} items/s`,
    );
}

console.log(`outbox bench: ${N} items per run, node ${process.version}`);
await run('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vngw-bench-'));
  const store = sqliteOutbox({ path: join(dir, 'outbox.db') });
  const done = async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { store, done };
});
await run('postgres', async () => {
  const schema = `vngw_bench_${process.pid}_${Date.now()}`;
  const pool = new pg.Pool({ connectionString: URL, max: 6 });
  const store = postgresOutbox({ pool, schema });
  return {
    store,
    done: async () => {
      await store.close();
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      await pool.end();
    },
  };
});
