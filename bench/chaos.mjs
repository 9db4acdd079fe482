/**
 * The honest chaos benchmark (issue 10). Open loop (calls start on schedule whatever happened to
 * the others), 40 calls/s, a different citizen on every call (`vneid.verifyCitizen` with a fresh
 * valid personal ID each time, so no cache can answer), against a scripted upstream. Every stack
 * gets its own mock server (one child process holds them all, so the mocks' CPU is not the
 * clients'), all set to the same fault schedule and seed at the same instant; the stacks run
 * concurrently in this process.
 *
 * Stacks: raw axios; naive opossum (axios in `new CircuitBreaker(fn)` with opossum's defaults);
 * cockatiel (its README setup: retry ×3 exponential ∘ breaker ConsecutiveBreaker(5), half-open after
 * 10 s); p-retry alone (`retries: 2`: its default of 10 retries with a doubling 1 s delay holds a
 * call for ~17 min in an outage); the gateway with its defaults; and the gateway with
 * `defer: true` sending writes (`land.submitRegistration`, a fresh dossier and applicant per call),
 * whose queued items the outbox drainer delivers after the run.
 *
 * Columns (per stack; median and min–max range over `--runs`):
 * - live / stale / queued / failed: share of logical calls answered live by the platform, from a
 *   stale cache, queued in the outbox, or failed for the caller;
 * - lost: queued calls never delivered once the drain ended, plus writes that failed and that the
 *   platform never registered (only the writing stack can lose anything);
 * - req/call: requests the mock received ÷ logical calls (drainer replays included); "in outage":
 *   requests received while the platform was down ÷ calls started while it was down;
 * - open after: outage start → the stack's breaker opened (stacks with a breaker); "false opens"
 *   counts breaker opens while the platform was up;
 * - first live after: the platform's return → the first live answer;
 * - p50 / p99: latency of the logical calls as the caller saw them.
 *
 *   npm run bench:chaos                                   (builds first; every scenario, 5 runs)
 *   node bench/chaos.mjs --scenario day30 --runs 3        (one scenario)
 *   node bench/chaos.mjs --seconds 30 --runs 1            (a quick check: the schedule scaled to 30 s)
 *   node bench/chaos.mjs --scenario slow,overload --runs 3 (30 s each unless --seconds says otherwise)
 *   node bench/chaos.mjs --json > chaos.json
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import axios from 'axios';
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleAll, retry, wrap } from 'cockatiel';
import CircuitBreaker from 'opossum';
import pRetry from 'p-retry';
import pino from 'pino';
import { landRegistry, vneid } from '../dist/adapters.js';
import { createGateway } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string' },
    json: { type: 'boolean', default: false },
    seed: { type: 'string', default: '7' },
    stacks: { type: 'string', default: 'all' },
    server: { type: 'boolean', default: false },
    servers: { type: 'string', default: '0' },
  },
});

const RATE = 40;

/**
 * The scripted schedules, for a 60 s run; `--seconds` scales every window (not the flapping
 * period, the latency or the rates). `down` lists the windows in which the platform is down.
 */
const SCENARIOS = {
  day30: { title: '30 % 503s, down 20–40 s', errorRate: 0.3, outage: [20, 40] },
  'day30-long': { title: '30 % 503s, down 20–42.5 s', errorRate: 0.3, outage: [20, 42.5] },
  day5: { title: '5 % 503s, down 20–40 s', errorRate: 0.05, outage: [20, 40] },
  flapping: { title: '30 % 503s, flapping 5 s up / 5 s down', errorRate: 0.3, flapping: [5, 5] },
  // Exponential latency of mean 1737 ms: p99 = mean × ln 100 ≈ 8 s.
  slow: { title: '30 % 503s, latency p99 8 s', errorRate: 0.3, latencyMeanMs: 1737, seconds: 30 },
  // One call every 6 s in real time: 10 calls per 60 s run, 3–4 of them in the outage.
  low: { title: '30 % 503s, down 20–40 s, one call per 6 s', errorRate: 0.3, outage: [20, 40], rate: 1 / 6 },
  // A 30 s day (the windows are given for 60 s and scaled): down 10–22.5 s.
  'day30-30s': {
    title: '30 % 503s, a 30 s day down 10–22.5 s',
    errorRate: 0.3,
    outage: [20, 45],
    seconds: 30,
  },
  /**
   * A platform with a capacity: up to 64 requests in flight it answers in 2 s (normal, sd 0.4 s);
   * past it, that latency is multiplied by in-flight ÷ 64 (requests queue inside it), and past
   * 3 × 64 in flight it answers 503 at once. At 40 calls/s it is offered 80 in flight (1.25 × its
   * capacity) and can serve 32 calls/s: every stack fails some calls; the question is what the
   * platform is made to hold (the "platform max in flight" line) and who still gets answers.
   */
  overload: {
    title: 'capacity 64 in flight, 2 s latency × in-flight/64 past it, 503 past 192',
    errorRate: 0,
    capacity: { inFlight: 64, latencyMs: 2000, sdMs: 400 },
    seconds: 30,
  },
};

// ── Workload: a different citizen on every call ─────────────────────────────────────────────

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Võ', 'Đặng'];
const GIVEN = ['Văn An', 'Thị Bích', 'Minh Khoa', 'Thị Lan', 'Quốc Bảo', 'Ngọc Hân', 'Đức Huy'];

/**
 * Citizen i: personal ID 079 (Hồ Chí Minh City) + gender/century digit (0/1: born 1900–1999) +
 * two-digit birth year + a six-digit serial, so every ID is valid and distinct.
 */
function citizen(i, run) {
  const female = i % 2;
  const yy = 50 + (i % 50);
  const serial = String(100_000 * (run % 9) + i).padStart(6, '0');
  const personalId = `079${female}${yy}${serial}`;
  return {
    personalId,
    fullName: `${FAMILY[i % FAMILY.length]} ${GIVEN[i % GIVEN.length]}`,
    dateOfBirth: `19${yy}-0${1 + (i % 9)}-15`,
    gender: female ? 'female' : 'male',
  };
}

function population(n, run) {
  return Array.from({ length: n }, (_, i) => citizen(i, run));
}

// ── The mock platforms, one server per stack, in a child process ────────────────────────────

/**
 * The `overload` platform: a proxy in front of a healthy mock that holds each platform request for
 * its latency (2 s-ish × in-flight ÷ capacity past the capacity) before passing it on, answers 503
 * at once past 3 × capacity, and records the most requests it ever held at once. Token requests
 * pass straight through. A request the client gives up on stops counting when its socket closes.
 */
function capacityProxy(target, capacity, seed) {
  let state = seed >>> 0 || 1;
  const random = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const stats = { inFlight: 0, maxInFlight: 0 };
  const forward = (req, res) => {
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
        agent,
      },
      (up) => {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };
  const server = http.createServer((req, res) => {
    if (req.url === '/token' || req.url.startsWith('/__')) return forward(req, res);
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let done = false;
    const leave = () => {
      if (done) return;
      done = true;
      stats.inFlight--;
    };
    res.on('close', leave);
    if (stats.inFlight > 3 * capacity.inFlight) {
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('overloaded');
      return;
    }
    const base = Math.max(100, capacity.latencyMs + capacity.sdMs * normal());
    const delay = base * Math.max(1, stats.inFlight / capacity.inFlight);
    const timer = setTimeout(() => {
      if (!done) forward(req, res);
    }, delay);
    res.on('close', () => clearTimeout(timer));
  });
  server.keepAliveTimeout = 120_000;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        stats,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

async function serveMocks() {
  const { startMockPlatforms, fixtures } = await import('../dist/testing.js');
  const count = Number(values.servers);
  let mocks = [];
  let proxies = [];
  process.on('message', async (msg) => {
    if (msg.type === 'start') {
      await Promise.all([...mocks, ...proxies].map((m) => m.close()));
      proxies = [];
      const citizens = msg.citizens.map((c) => ({
        ...c,
        nationality: 'VN',
        consentCode: '123456',
        permanentAddress: { provinceCode: '79', wardCode: '26734', detail: 'Bench' },
      }));
      const data = { ...fixtures, citizens: [...fixtures.citizens, ...citizens] };
      mocks = await Promise.all(
        Array.from({ length: count }, () => startMockPlatforms({ seed: msg.seed, fixtures: data })),
      );
      for (const m of mocks) m.server.keepAliveTimeout = 120_000;
      if (msg.capacity) {
        proxies = await Promise.all(
          mocks.map((m, k) => capacityProxy(m.url, msg.capacity, msg.seed * 31 + k)),
        );
      }
      const urls = (proxies.length ? proxies : mocks).map((m) => m.url);
      process.send({ type: 'ready', urls });
    } else if (msg.type === 'go') {
      // One instant for every server: the fault clocks (outage, flapping) start together.
      for (const m of mocks) {
        m.setFault('vneid', msg.fault);
        m.setFault('land', msg.fault);
      }
      process.send({ type: 'going', at: Date.now() });
    } else if (msg.type === 'collect') {
      const out = mocks.map((m) => ({
        requests: m
          .requests()
          .filter((r) => r.target === 'vneid' || r.target === 'land')
          .map((r) => r.time),
        registrations: m.registrations('land').map((r) => r.body.maHoSo),
      }));
      for (const [k, p] of proxies.entries()) out[k].maxInFlight = p.stats.maxInFlight;
      process.send({ type: 'collected', out });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'up' });
}

function ask(child, msg, reply) {
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

// ── The stacks ───────────────────────────────────────────────────────────────────────────────

const CONTEXT = { purpose: '1.001234', actor: 'bench' };
const agent = () => new http.Agent({ keepAlive: true, maxSockets: 256 });

/** `verifyCitizen` on the wire as a team writes it by hand from CONTRACT.md, envelope check included. */
function wire(url, token) {
  const client = axios.create({ httpAgent: agent(), proxy: false });
  return async (c, signal) => {
    const requestId = randomUUID();
    const res = await client.post(
      `${url}/c06/v1/xac-thuc-cong-dan`,
      {
        MaYeuCau: requestId,
        MaDVC: CONTEXT.purpose,
        MaCanBo: CONTEXT.actor,
        SoDinhDanh: c.personalId,
        HoVaTen: c.fullName,
        NgayThangNamSinh: c.dateOfBirth.replaceAll('-', ''),
      },
      {
        headers: {
          authorization: `Bearer ${token}`,
          'x-road-client': 'VN/GOV/000.00.00.H29/hcmc-tthc',
          'x-road-id': requestId,
          'x-road-userid': `VN${CONTEXT.actor}`,
        },
        signal,
      },
    );
    if (res.data?.MaKetQua !== '00') throw new Error(`vneid MaKetQua ${res.data?.MaKetQua}`);
    return res.data.DuLieu;
  };
}

const live = (promise) => promise.then(() => 'ok');

const ALL_STACKS = [
  {
    name: 'raw axios',
    make(url, token) {
      const call = wire(url, token);
      return { call: (c) => live(call(c)), close: async () => {} };
    },
  },
  {
    name: 'naive opossum',
    make(url, token, marks) {
      const breaker = new CircuitBreaker(wire(url, token)); // opossum's defaults
      breaker.on('open', () => marks.opens.push(Date.now()));
      return { call: (c) => live(breaker.fire(c)), close: async () => breaker.shutdown() };
    },
  },
  {
    name: 'cockatiel',
    make(url, token, marks) {
      const call = wire(url, token);
      // The README's setup: retry with exponential backoff around a consecutive breaker.
      const breaker = circuitBreaker(handleAll, {
        halfOpenAfter: 10_000,
        breaker: new ConsecutiveBreaker(5),
      });
      breaker.onBreak(() => marks.opens.push(Date.now()));
      const policy = wrap(retry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() }), breaker);
      return { call: (c) => live(policy.execute(({ signal }) => call(c, signal))), close: async () => {} };
    },
  },
  {
    name: 'p-retry',
    make(url, token) {
      const call = wire(url, token);
      return { call: (c) => live(pRetry(() => call(c), { retries: 2 })), close: async () => {} };
    },
  },
  {
    name: 'gateway (defaults)',
    make(url, _token, marks) {
      const gateway = makeGateway(url, marks);
      return {
        call: async (c) => (await gateway.vneid.verifyCitizen(c, CONTEXT)).status,
        close: () => gateway.close(),
      };
    },
  },
  {
    name: 'gateway, defer: true (writes)',
    writes: true,
    make(url, _token, marks) {
      const gateway = makeGateway(url, marks, { defer: true });
      gateway.on('outbox:delivered', () => marks.deliveries.push(Date.now()));
      let i = 0;
      const run = randomUUID().slice(0, 6).toUpperCase();
      return {
        call: async (c) => {
          const dossierCode = `000.00.29.H29-${run}-${String(i++).padStart(5, '0')}`;
          c.dossierCode = dossierCode;
          const input = {
            dossierCode,
            wardCode: '27058',
            mapSheet: 12,
            parcelNumber: 345,
            changeType: 'CHUYEN_NHUONG',
            applicant: { personalId: c.personalId, fullName: c.fullName },
          };
          return (await gateway.land.submitRegistration(input, CONTEXT)).status;
        },
        pending: async () => {
          const n = await gateway.outbox.counts();
          return n.pending + n.delivering;
        },
        close: () => gateway.close(),
      };
    },
  },
];

/** `--stacks 0,4`: a subset by index, for quick checks. */
const STACKS =
  values.stacks === 'all' ? ALL_STACKS : values.stacks.split(',').map((k) => ALL_STACKS[Number(k)]);

function makeGateway(url, marks, policy) {
  const auth = {
    type: 'oauth2',
    tokenUrl: `${url}/token`,
    clientId: 'hcmc-tthc',
    clientSecret: 'mock-secret',
  };
  const gateway = createGateway({
    client: 'VN/GOV/000.00.00.H29/hcmc-tthc',
    upstreams: { vneid: vneid({ baseUrl: url, auth }), land: landRegistry({ baseUrl: url, auth }) },
    ...(policy ? { policy } : {}),
    // A log line per call, to a null sink: the cost of logging is part of the gateway.
    logger: pino({ level: 'info' }, new Writable({ write: (_c, _e, done) => done() })),
  });
  gateway.on('breaker:open', () => marks.opens.push(Date.now()));
  return gateway;
}

// ── One run of one scenario: every stack at once ─────────────────────────────────────────────

function schedule(scenario, seconds) {
  const scale = seconds / 60;
  const durationMs = seconds * 1000;
  const fault = { errorRate: scenario.errorRate, errorKind: 'http503' };
  let down = [];
  if (scenario.outage) {
    const [from, to] = scenario.outage.map((s) => s * 1000 * scale);
    fault.outage = { fromMs: from, toMs: to };
    down = [[from, to]];
  }
  if (scenario.flapping) {
    const [up, dn] = scenario.flapping.map((s) => s * 1000);
    fault.flapping = { upMs: up, downMs: dn };
    for (let t = up; t < durationMs; t += up + dn) down.push([t, Math.min(t + dn, durationMs)]);
  }
  if (scenario.latencyMeanMs) {
    fault.latencyMs = { distribution: 'exponential', mean: scenario.latencyMeanMs, max: 20_000 };
  }
  const rate = scenario.rate ?? RATE;
  return { fault, down, durationMs, calls: Math.max(1, Math.round(seconds * rate)), rate };
}

async function runOnce(child, scenario, seconds, run) {
  const plan = schedule(scenario, seconds);
  const citizens = population(plan.calls, run);
  const { urls } = await ask(
    child,
    { type: 'start', seed: Number(values.seed) + run, citizens, capacity: scenario.capacity },
    'ready',
  );
  const tokens = await Promise.all(urls.map(fetchToken));
  const stacks = STACKS.map((s, k) => {
    const marks = { opens: [], deliveries: [] };
    return { spec: s, marks, impl: s.make(urls[k], tokens[k], marks), calls: [] };
  });
  const { at } = await ask(child, { type: 'go', fault: plan.fault }, 'going');
  // The machine may be shared: the client's event-loop delay says how much latency is our own CPU starvation.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();

  // Open loop: call i of every stack starts at at + i / rate.
  const pending = [];
  for (let i = 0; i < plan.calls; i++) {
    const wait = at + (i * 1000) / plan.rate - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (const s of stacks) {
      const c = { ...citizens[i] };
      const rec = { c, start: Date.now(), end: 0, outcome: 'failed' };
      s.calls.push(rec);
      pending.push(
        s.impl.call(c).then(
          (status) => {
            rec.outcome = status;
            rec.end = Date.now();
          },
          () => {
            rec.end = Date.now();
          },
        ),
      );
    }
  }
  await Promise.all(pending);
  lag.disable();
  const lagP99Ms = lag.percentile(99) / 1e6;

  // The outbox drains in the background: wait until it is empty, at most 60 s past the platform's
  // last return (or past the last call when it never went down).
  const lastReturn = plan.down.length ? at + plan.down.at(-1)[1] : at + plan.durationMs;
  const drainBound = Math.max(lastReturn, Date.now()) + 60_000;
  for (const s of stacks) {
    if (!s.impl.pending) continue;
    while ((await s.impl.pending()) > 0 && Date.now() < drainBound)
      await new Promise((r) => setTimeout(r, 100));
    s.undelivered = await s.impl.pending();
  }
  const { out } = await ask(child, { type: 'collect' }, 'collected');
  await Promise.all(stacks.map((s) => s.impl.close()));
  return stacks.map((s, k) => ({ ...measure(s, out[k], at, plan), lagP99Ms }));
}

function measure(stack, mock, at, plan) {
  const { calls, marks } = stack;
  const n = calls.length;
  const down = plan.down.map(([a, b]) => [at + a, at + b]);
  const isDown = (t) => down.some(([a, b]) => t >= a && t < b);
  const share = (o) => calls.filter((c) => c.outcome === o).length / n;
  const ms = calls.map((c) => c.end - c.start).sort((a, b) => a - b);
  const callsInOutage = calls.filter((c) => isDown(c.start)).length;
  const requestsInOutage = mock.requests.filter(isDown).length;

  const first = down[0];
  let openAfter = null;
  let firstLiveAfter = null;
  let lastDeliveryAfter = null;
  if (first) {
    const open = marks.opens.find((t) => t >= first[0] - 50 && t < first[1]);
    if (stack.spec.name !== 'raw axios' && stack.spec.name !== 'p-retry')
      openAfter = open ? open - first[0] : Infinity;
    const liveAfter = calls.filter((c) => c.outcome === 'ok' && c.end >= first[1]).map((c) => c.end);
    firstLiveAfter = liveAfter.length ? Math.min(...liveAfter) - first[1] : Infinity;
  }
  const falseOpens = marks.opens.filter(
    (t) => !isDown(t) && !down.some(([a]) => Math.abs(t - a) < 50),
  ).length;

  let lost = 0;
  let duplicates = 0;
  let delivered = null;
  if (stack.spec.writes) {
    const registered = new Set(mock.registrations);
    duplicates = mock.registrations.length - registered.size;
    lost = calls.filter((c) => c.outcome !== 'ok' && !registered.has(c.c.dossierCode)).length;
    const queued = calls.filter((c) => c.outcome === 'queued').length;
    delivered = { queuedItems: queued, delivered: marks.deliveries.length, undelivered: stack.undelivered };
    const lastReturn = plan.down.length ? at + plan.down.at(-1)[1] : null;
    if (lastReturn !== null && marks.deliveries.length)
      lastDeliveryAfter = Math.max(...marks.deliveries) - lastReturn;
  }
  // Live share of the calls started before the first outage and after the last return.
  const liveOf = (cs) => (cs.length ? cs.filter((c) => c.outcome === 'ok').length / cs.length : null);
  const livePhases = down.length
    ? {
        liveBefore: liveOf(calls.filter((c) => c.start < down[0][0])),
        liveAfter: liveOf(calls.filter((c) => c.start >= down.at(-1)[1])),
      }
    : {};
  return {
    stack: stack.spec.name,
    live: share('ok'),
    ...livePhases,
    stale: share('stale'),
    queued: share('queued'),
    failed: share('failed'),
    lost,
    duplicates,
    reqPerCall: mock.requests.length / n,
    reqPerCallOutage: callsInOutage ? requestsInOutage / callsInOutage : null,
    openAfterMs: openAfter,
    falseOpens,
    firstLiveAfterMs: firstLiveAfter,
    platformMaxInFlight: mock.maxInFlight ?? null,
    p50: ms[Math.floor(n * 0.5)],
    p99: ms[Math.min(n - 1, Math.floor(n * 0.99))],
    ...(delivered ? { ...delivered, lastDeliveryAfterMs: lastDeliveryAfter } : {}),
  };
}

// ── Aggregation and output ──────────────────────────────────────────────────────────────────

function aggregate(runs) {
  const keys = Object.keys(runs[0]).filter((k) => k !== 'stack');
  const out = { stack: runs[0].stack };
  for (const k of keys) {
    const xs = runs.map((r) => r[k]).filter((x) => x !== null && x !== undefined);
    if (!xs.length) {
      out[k] = null;
      continue;
    }
    const sorted = [...xs].sort((a, b) => a - b);
    // Median: the middle one (odd) or the mean of the two middle ones (even).
    const mid = sorted.length / 2;
    const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
    out[k] = { median, min: sorted[0], max: sorted.at(-1) };
  }
  return out;
}

const fmt = {
  pct: (x) => (100 * x).toFixed(1),
  num: (x) => (Number.isFinite(x) ? x.toFixed(2) : '∞'),
  int: (x) => String(Math.round(x)),
  s: (x) => (Number.isFinite(x) ? (x / 1000).toFixed(2) : 'never'),
  ms: (x) => String(Math.round(x)),
};

function cell(v, f) {
  if (v === null || v === undefined) return '–';
  if (v.min === v.max) return f(v.median);
  return `${f(v.median)} (${f(v.min)}–${f(v.max)})`;
}

function table(rows) {
  const lines = [
    '| stack | live % | stale % | queued % | failed % | lost | req/call | req/call in outage | breaker open after s (false opens) | first live after return s | p50 ms | p99 ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.stack} | ${cell(r.live, fmt.pct)} | ${cell(r.stale, fmt.pct)} | ${cell(r.queued, fmt.pct)} | ` +
        `${cell(r.failed, fmt.pct)} | ${cell(r.lost, fmt.int)} | ${cell(r.reqPerCall, fmt.num)} | ` +
        `${cell(r.reqPerCallOutage, fmt.num)} | ${r.openAfterMs ? cell(r.openAfterMs, fmt.s) : '–'}` +
        `${r.openAfterMs || r.falseOpens?.max ? ` (${cell(r.falseOpens, fmt.int)})` : ''} | ` +
        `${cell(r.firstLiveAfterMs, fmt.s)} | ${cell(r.p50, fmt.ms)} | ${cell(r.p99, fmt.ms)} |`,
    );
  }
  lines.push('', `Client event-loop delay p99: ${cell(rows[0].lagP99Ms, fmt.ms)} ms.`);
  if (rows.some((r) => r.platformMaxInFlight)) {
    lines.push(
      '',
      `Platform max in flight: ${rows.map((r) => `${r.stack} ${cell(r.platformMaxInFlight, fmt.int)}`).join('; ')}.`,
    );
  }
  const d = rows.find((r) => r.delivered);
  if (d) {
    lines.push(
      '',
      `${d.stack}: ${cell(d.queuedItems, fmt.int)} queued, ${cell(d.delivered, fmt.int)} delivered, ` +
        `${cell(d.undelivered, fmt.int)} undelivered, ${cell(d.duplicates, fmt.int)} duplicate registrations; ` +
        `last delivery ${cell(d.lastDeliveryAfterMs, fmt.s)} s after the platform's return.`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const runs = Number(values.runs);
  const secondsOf = (name) => Number(values.seconds ?? SCENARIOS[name].seconds ?? 60);
  const names = values.scenario === 'all' ? Object.keys(SCENARIOS) : values.scenario.split(',');
  for (const name of names) {
    if (!SCENARIOS[name])
      throw new Error(`Unknown scenario ${name}; one of ${Object.keys(SCENARIOS).join(', ')}`);
  }
  if (!(runs >= 1 && names.every((n) => secondsOf(n) >= 6)))
    throw new Error('--runs must be ≥ 1 and --seconds ≥ 6');

  const child = fork(new URL(import.meta.url).pathname, ['--server', '--servers', String(STACKS.length)], {
    stdio: 'inherit',
  });
  await new Promise((resolve) => child.once('message', resolve));
  const t0 = Date.now();
  const results = {};
  try {
    for (const name of names) {
      const perStack = STACKS.map(() => []);
      for (let run = 0; run < runs; run++) {
        console.error(
          `chaos: ${name}, run ${run + 1}/${runs} (${((Date.now() - t0) / 1000).toFixed(0)} s so far)`,
        );
        const rows = await runOnce(child, SCENARIOS[name], secondsOf(name), run);
        for (const [k, r] of rows.entries()) perStack[k].push(r);
      }
      results[name] = {
        title: SCENARIOS[name].title,
        seconds: secondsOf(name),
        runs: perStack,
        summary: perStack.map(aggregate),
      };
      // Each scenario's table as soon as it is done, so a long run that is cut short still reports.
      console.error(`### ${name}: ${results[name].title}\n\n${table(results[name].summary)}\n`);
    }
  } finally {
    child.kill();
  }
  const elapsed = (Date.now() - t0) / 1000;
  if (values.json) {
    console.log(JSON.stringify({ runs, node: process.version, elapsedSeconds: elapsed, results }, null, 2));
    return;
  }
  console.log(
    `\nChaos benchmark: ${values.seconds ?? "each scenario's"} s per run (60 unless said), open loop at ${RATE} calls/s (low: one per 6 s), a different` +
      ` citizen per call; ${runs} run(s) per scenario, figures are medians (min–max); Node ${process.version};` +
      ` took ${elapsed.toFixed(0)} s.\n`,
  );
  for (const [name, r] of Object.entries(results)) {
    console.log(`### ${name}: ${r.title}\n\n${table(r.summary)}\n`);
  }
}

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

// Last, so every const above is initialised before either role runs.
if (values.server) {
  await serveMocks();
} else {
  await main();
}
