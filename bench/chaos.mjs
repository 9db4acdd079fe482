/**
 * Chaos: the same workload through four stacks against the mock platforms while they fail. Reads
 * and writes arrive at a fixed rate (open loop, as at a counter): 70 % `tax.lookupTaxCode` over a
 * few tax codes (so answers can be cached), 30 % `land.submitRegistration` with unique dossier
 * codes. The platforms fail 30 % of requests (HTTP 503 or their busy code, half each) all along,
 * and are down for an outage window in the middle of the run.
 *
 * Stacks: raw axios; axios + p-retry + opossum composed by hand; cockatiel (retry + breaker +
 * timeout) + axios; this gateway (default policy, in-memory outbox; after the run its outbox is
 * drained, bounded in time, while the platforms keep their 30 % errors). Every stack sends the
 * contract's `Idempotency-Key` (the dossier code) on writes. The mock runs in a child process (its
 * CPU is not the client's) and is reset with the same seed before each stack, so every stack meets
 * the same fault sequence. With `--rounds n` the stacks are interleaved (A B C D, A B C D, …) and
 * the table gives medians over rounds.
 *
 * Per stack:
 * - caller success: logical calls answered ok, stale or queued, over all calls (and over the calls
 *   started in the outage);
 * - writes lost: writes that failed for the caller and whose dossier the land registry never
 *   registered (`registrations('land')`): for stacks without an outbox, every failed write; and
 *   writes queued in the gateway's outbox but still undelivered when its bounded drain ended (a
 *   write answered ok that was never registered is reported as a warning: there must be none);
 * - duplicate registrations: the registry processed one dossier more than once (and, in
 *   brackets, re-sends of an already processed write that the idempotency key absorbed);
 * - upstream calls per call in the outage: requests the mock received in the outage window
 *   (drainer replays included) ÷ logical calls started in it;
 * - p50/p99 latency of the logical calls as the caller saw them.
 *
 *   npm run bench:chaos                  (builds first; 60 s per stack, 20 s outage)
 *   node bench/chaos.mjs --quick         (20 s per stack, 10 s outage)
 *   node bench/chaos.mjs --duration-seconds 90 --outage-seconds 30 --rate 40 --rounds 3
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
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
import { landRegistry, taxRegistry } from '../dist/adapters.js';
import { createGateway } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'duration-seconds': { type: 'string' },
    'outage-seconds': { type: 'string' },
    'drain-seconds': { type: 'string' },
    rate: { type: 'string', default: '20' },
    'error-rate': { type: 'string', default: '0.3' },
    rounds: { type: 'string', default: '1' },
    seed: { type: 'string', default: '7' },
    server: { type: 'boolean', default: false },
  },
});

// ── The mock platforms, in a child process, driven over IPC ──────────────────────────────────

async function serveMock() {
  const { startMockPlatforms } = await import('../dist/testing.js');
  const mock = await startMockPlatforms({ seed: Number(values.seed) });
  mock.server.keepAliveTimeout = 60_000;
  process.on('message', (msg) => {
    if (msg.type === 'start') {
      // Same seed, fresh streams: every stack meets the same fault sequence from its first request.
      mock.reset();
      mock.setFault('land', msg.fault);
      mock.setFault('tax', msg.fault);
      process.send({ type: 'started', at: Date.now() });
    } else if (msg.type === 'collect') {
      const requests = mock
        .requests()
        .filter((r) => r.target === 'land' || r.target === 'tax')
        .map((r) => ({ time: r.time, write: r.method === 'POST', replayed: r.replayed }));
      const registrations = mock.registrations('land').map((r) => r.body.maHoSo);
      process.send({ type: 'collected', requests, registrations });
    }
  });
  process.on('disconnect', () => process.exit(0)); // the parent is gone
  process.send({ type: 'ready', url: mock.url });
}

function request(child, msg, reply) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m.type !== reply) return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
    child.send(msg);
  });
}

// ── The run ──────────────────────────────────────────────────────────────────────────────────

async function main() {
  const durationS = Number(values['duration-seconds'] ?? (values.quick ? 20 : 60));
  const outageS = Number(values['outage-seconds'] ?? (values.quick ? 10 : 20));
  const drainS = Number(values['drain-seconds'] ?? (values.quick ? 30 : 60));
  const rate = Number(values.rate);
  const errorRate = Number(values['error-rate']);
  const rounds = Number(values.rounds);
  if (!(outageS < durationS)) throw new Error('--outage-seconds must be shorter than --duration-seconds');
  const outage = { fromMs: ((durationS - outageS) / 2) * 1000, toMs: ((durationS + outageS) / 2) * 1000 };
  const fault = { errorRate, errorKind: ['http503', 'busy'], outage };

  const child = fork(new URL(import.meta.url).pathname, ['--server', '--seed', values.seed], {
    stdio: 'inherit',
  });
  const { url } = await new Promise((resolve) => child.once('message', resolve));
  const workload = makeWorkload(Math.round(durationS * rate), Number(values.seed));
  try {
    await run(child, url, { workload, fault, outage, rate, rounds, durationS, outageS, errorRate, drainS });
  } finally {
    child.kill();
  }
}

async function run(
  child,
  url,
  { workload, fault, outage, rate, rounds, durationS, outageS, errorRate, drainS },
) {
  const token = await fetchToken(url);

  const stacks = [rawAxios, naive, cockatielStack, gatewayStack];
  const results = new Map(stacks.map((s) => [s.title, []]));
  console.error(
    `chaos: ${workload.length} calls per stack at ${rate}/s over ${durationS} s, ${errorRate * 100} % errors,` +
      ` outage ${outage.fromMs / 1000}–${outage.toMs / 1000} s, ${rounds} round(s)`,
  );
  for (let round = 0; round < rounds; round++) {
    for (const makeStack of stacks) {
      const stack = makeStack(url, token);
      console.error(`  round ${round + 1}: ${stack.name}…`);
      const { at } = await request(child, { type: 'start', fault }, 'started');
      const calls = await drive(stack, workload, at, rate);
      const drain = stack.drain ? await stack.drain(drainS * 1000) : undefined;
      const { requests, registrations } = await request(child, { type: 'collect' }, 'collected');
      await stack.close();
      results.get(makeStack.title).push(measure(calls, requests, registrations, at, outage, drain));
    }
  }

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = [...results].map(([name, runs]) => {
    const m = Object.fromEntries(Object.keys(runs[0]).map((k) => [k, median(runs.map((r) => r[k]))]));
    return { name, ...m };
  });
  const raw = rows[0];
  const pct = (x) => `${(100 * x).toFixed(1)} %`;
  console.log(
    `\n${workload.length} calls per stack (70 % tax.lookupTaxCode reads, 30 % land.submitRegistration writes)` +
      ` at ${rate}/s over ${durationS} s; ${errorRate * 100} % errors (503/busy), outage ${outageS} s` +
      ` (${outage.fromMs / 1000}–${outage.toMs / 1000} s); seed ${values.seed}; ${rounds} round(s)` +
      `${rounds > 1 ? ' (medians)' : ''}; Node ${process.version}\n`,
  );
  console.log(
    '| stack | caller success | in outage | ok / stale / queued | writes lost | queued, undelivered at end | duplicate registrations (re-sends absorbed) | upstream calls per call in outage | × raw axios | p50 ms | p99 ms |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${pct(r.success)} | ${pct(r.outageSuccess)} | ${r.ok} / ${r.stale} / ${r.queued} | ` +
        `${r.writesLost} of ${r.writes} | ${r.undelivered} | ${r.duplicates} (${r.resends}) | ` +
        `${r.amplification.toFixed(2)} | ${(r.amplification / raw.amplification).toFixed(2)}× | ` +
        `${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`,
    );
  }
  for (const r of rows) {
    if (r.ackedLost > 0)
      console.log(`\nWARNING: ${r.name}: ${r.ackedLost} writes answered ok were never registered`);
  }
  const ours = rows.at(-1);
  console.log(
    `\nGateway outbox after the run: ${ours.delivered} delivered, ${ours.pending} still pending, ${ours.dead} dead;` +
      ` drained ${ours.drainSeconds.toFixed(1)} s after the last call.`,
  );
}

/** The same sequence of calls for every stack, from a seeded generator. */
function makeWorkload(n, seed) {
  const random = mulberry32(seed);
  const taxCodes = [
    '0301234562',
    '0301234562-001',
    '0312345673',
    '0315879426',
    '0308456719',
    '0310668799',
    '079085001234',
    '079175002468',
  ];
  const parcels = [
    ['27058', 12, 345],
    ['27058', 8, 112],
    ['26737', 5, 78],
    ['26743', 3, 21],
    ['27637', 22, 410],
  ];
  const people = [
    ['079203001234', 'Nguyễn Văn A'],
    ['079085001234', 'Nguyễn Văn An'],
    ['079192004567', 'Trần Thị Bích Ngọc'],
  ];
  const pick = (xs) => xs[Math.floor(random() * xs.length)];
  return Array.from({ length: n }, (_, i) => {
    if (random() < 0.7) return { kind: 'read', taxCode: pick(taxCodes) };
    const [wardCode, mapSheet, parcelNumber] = pick(parcels);
    const [personalId, fullName] = pick(people);
    return {
      kind: 'write',
      dossierCode: `000.00.29.H29-CHAOS-${String(i).padStart(6, '0')}`,
      wardCode,
      mapSheet,
      parcelNumber,
      changeType: 'CHUYEN_NHUONG',
      applicant: { personalId, fullName },
    };
  });
}

/** Starts call i at `start + i / rate` whatever happened to the others; waits for all of them. */
async function drive(stack, workload, start, rate) {
  const calls = [];
  const pending = [];
  for (let i = 0; i < workload.length; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const call = workload[i];
    const record = {
      kind: call.kind,
      dossierCode: call.dossierCode,
      at: Date.now(),
      outcome: 'error',
      ms: 0,
    };
    calls.push(record);
    const t0 = performance.now();
    pending.push(
      (call.kind === 'read' ? stack.read(call) : stack.write(call)).then(
        (status) => {
          record.outcome = status;
          record.ms = performance.now() - t0;
        },
        () => {
          record.outcome = 'error';
          record.ms = performance.now() - t0;
        },
      ),
    );
  }
  await Promise.all(pending);
  return calls;
}

function measure(calls, requests, registrations, at, outage, drain) {
  const from = at + outage.fromMs;
  const to = at + outage.toMs;
  const answered = (c) => c.outcome !== 'error';
  const inOutage = calls.filter((c) => c.at >= from && c.at < to);
  const writes = calls.filter((c) => c.kind === 'write');
  const registered = new Set(registrations);
  const ms = calls.map((c) => c.ms).sort((a, b) => a - b);
  const count = (outcome) => calls.filter((c) => c.outcome === outcome).length;
  return {
    success: calls.filter(answered).length / calls.length,
    outageSuccess: inOutage.filter(answered).length / inOutage.length,
    ok: count('ok'),
    stale: count('stale'),
    queued: count('queued'),
    writes: writes.length,
    // Failed for the caller and never registered: nothing will bring these dossiers back.
    writesLost: writes.filter((c) => c.outcome === 'error' && !registered.has(c.dossierCode)).length,
    // Queued but not delivered when the (bounded) drain ended: still in the outbox.
    undelivered: writes.filter((c) => c.outcome === 'queued' && !registered.has(c.dossierCode)).length,
    // Told ok, yet never registered: must be 0 for every stack.
    ackedLost: writes.filter((c) => c.outcome === 'ok' && !registered.has(c.dossierCode)).length,
    duplicates: registrations.length - registered.size,
    resends: requests.filter((r) => r.write && r.replayed).length,
    amplification: requests.filter((r) => r.time >= from && r.time < to).length / inOutage.length,
    p50: ms[Math.floor(ms.length * 0.5)],
    p99: ms[Math.floor(ms.length * 0.99)],
    delivered: drain?.delivered ?? 0,
    pending: drain?.pending ?? 0,
    dead: drain?.dead ?? 0,
    drainSeconds: drain?.seconds ?? 0,
  };
}

// ── The stacks ───────────────────────────────────────────────────────────────────────────────

const agent = () => new http.Agent({ keepAlive: true, maxSockets: 64 });
/** Stacks without fallbacks answer live or not at all. */
const ok = (promise) => promise.then(() => 'ok');

/** The wire calls as a team writes them by hand from CONTRACT.md, envelope checks included. */
function wire(url, token) {
  const client = axios.create({ httpAgent: agent(), proxy: false, timeout: 10_000 });
  const headers = (extra = {}) => ({
    authorization: `Bearer ${token}`,
    'x-road-client': 'VN/GOV/000.00.00.H29/hcmc-tthc',
    'x-road-id': randomUUID(),
    'x-road-userid': 'VNbench',
    ...extra,
  });
  return {
    client,
    async read({ taxCode }, signal) {
      const mst = /^\d{13}$/.test(taxCode) ? `${taxCode.slice(0, 10)}-${taxCode.slice(10)}` : taxCode;
      const res = await client.get(`${url}/tax/v1/nguoi-nop-thue/${mst}`, { headers: headers(), signal });
      if (res.data?.error_code !== 0) throw new Error(`tax error_code ${res.data?.error_code}`);
      return res.data.result;
    },
    async write(w, signal) {
      const body = {
        maHoSo: w.dossierCode,
        maXa: w.wardCode,
        soTo: w.mapSheet,
        soThua: w.parcelNumber,
        loaiBienDong: w.changeType,
        nguoiNop: { soDinhDanh: w.applicant.personalId, hoTen: w.applicant.fullName },
      };
      const res = await client.post(`${url}/land/v1/dang-ky-bien-dong`, body, {
        headers: headers({ 'idempotency-key': w.dossierCode, 'x-road-issue': w.dossierCode }),
        signal,
      });
      if (res.data?.status !== 'SUCCESS') throw new Error(`land errorCode ${res.data?.errorCode}`);
      return res.data.data;
    },
  };
}

function rawAxios(url, token) {
  const w = wire(url, token);
  return {
    name: 'raw axios',
    read: (call) => ok(w.read(call)),
    write: (call) => ok(w.write(call)),
    close: async () => {},
  };
}
rawAxios.title = 'raw axios';

/** As in bench/overhead.mjs: one opossum breaker per platform inside p-retry (2 retries). */
function naive(url, token) {
  const w = wire(url, token);
  const options = {
    timeout: 10_000,
    errorThresholdPercentage: 50,
    volumeThreshold: 10,
    resetTimeout: 15_000,
  };
  const taxBreaker = new CircuitBreaker((call) => w.read(call), options);
  const landBreaker = new CircuitBreaker((call) => w.write(call), options);
  const retried = (fn) => pRetry(fn, { retries: 2, minTimeout: 200 });
  return {
    name: 'axios + p-retry + opossum',
    read: (call) => ok(retried(() => taxBreaker.fire(call))),
    write: (call) => ok(retried(() => landBreaker.fire(call))),
    close: async () => {
      taxBreaker.shutdown();
      landBreaker.shutdown();
    },
  };
}
naive.title = 'axios + p-retry + opossum';

/** As in bench/overhead.mjs: retry(2) ∘ breaker(10 consecutive) ∘ timeout(10 s), one per platform. */
function cockatielStack(url, token) {
  const w = wire(url, token);
  const policy = () =>
    wrap(
      retry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() }),
      circuitBreaker(handleAll, { halfOpenAfter: 15_000, breaker: new ConsecutiveBreaker(10) }),
      timeout(10_000, TimeoutStrategy.Aggressive),
    );
  const tax = policy();
  const land = policy();
  return {
    name: 'cockatiel + axios',
    read: (call) => ok(tax.execute(({ signal }) => w.read(call, signal))),
    write: (call) => ok(land.execute(({ signal }) => w.write(call, signal))),
    close: async () => {},
  };
}
cockatielStack.title = 'cockatiel + axios';

/** The gateway with its documented defaults; a log line per call to a null sink, as in overhead.mjs. */
function gatewayStack(url) {
  const auth = {
    type: 'oauth2',
    tokenUrl: `${url}/token`,
    clientId: 'hcmc-tthc',
    clientSecret: 'mock-secret',
  };
  const gateway = createGateway({
    client: 'VN/GOV/000.00.00.H29/hcmc-tthc',
    upstreams: { tax: taxRegistry({ baseUrl: url, auth }), land: landRegistry({ baseUrl: url, auth }) },
    logger: pino({ level: 'info' }, new Writable({ write: (_chunk, _enc, done) => done() })),
  });
  let delivered = 0;
  let dead = 0;
  gateway.on('outbox:delivered', () => delivered++);
  gateway.on('outbox:dead', () => dead++);
  const ctx = { purpose: '1.004227', actor: 'bench' };
  return {
    name: 'vn-national-gateway',
    read: async ({ taxCode }) => (await gateway.tax.lookupTaxCode({ taxCode }, ctx)).status,
    write: async ({ kind: _, ...input }) => (await gateway.land.submitRegistration(input, ctx)).status,
    /** The platforms are back (with their 30 % errors): wait, bounded, until the outbox is empty. */
    async drain(boundMs) {
      const t0 = Date.now();
      let counts = await gateway.outbox.counts();
      while (counts.pending + counts.delivering > 0 && Date.now() - t0 < boundMs) {
        await gateway.outbox.drain();
        await new Promise((resolve) => setTimeout(resolve, 200));
        counts = await gateway.outbox.counts();
      }
      return {
        delivered,
        dead,
        pending: counts.pending + counts.delivering,
        seconds: (Date.now() - t0) / 1000,
      };
    },
    close: () => gateway.close(),
  };
}
gatewayStack.title = 'vn-national-gateway';

// ── Helpers ──────────────────────────────────────────────────────────────────────────────────

async function fetchToken(url) {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: 'hcmc-tthc',
    client_secret: 'mock-secret',
  });
  const res = await axios.post(`${url}/token`, form.toString(), {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    proxy: false,
  });
  return res.data.access_token;
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Last, so every const above is initialised before either role runs.
if (values.server) {
  await serveMock();
} else {
  await main();
}
