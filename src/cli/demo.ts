/**
 * `vn-gateway demo`: replays a compressed day of a ward's public-service centre against the mock
 * platforms on loopback, through a gateway configured as a city system would (SQLite outbox,
 * OAuth2, default policy but for the time settings listed in `demoPolicy`), while the scenario
 * injects the incidents the city reported. Shows a live view, waits for the outbox to drain at
 * closing time, and prints a summary checked against the platforms' own records.
 *
 * The modules live in `src/demo/`: population (who comes), workload (the seeded plan and the
 * flows), scenario (the incidents), gateway (configuration), stats, view, summary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogUpdate } from 'log-update';
import pino, { type Logger } from 'pino';
import { createDemoGateway, type DemoGateway, demoPolicy, UPSTREAMS } from '../demo/gateway.js';
import { drainOutbox, sleep } from '../demo/drain.js';
import { planDemoDay } from '../demo/plan.js';
import { activeIncidents, simulatedTime, startScenario } from '../demo/scenario.js';
import { DemoStats } from '../demo/stats.js';
import { type DemoSummary, renderSummary, summarizeRun } from '../demo/summary.js';
import { COLOURS, PLAIN, progressLine, renderFrame, type ViewSnapshot } from '../demo/view.js';
import { runWorkload } from '../demo/workload.js';
import type { HealthSnapshot } from '../telemetry/health.js';
import { streamRandom } from '../testing/prng.js';
import { type MockPlatforms, startMockPlatforms } from '../testing/server.js';

export type { DemoSummary } from '../demo/summary.js';

/** Options of {@link runDemo} (the CLI flags, plus a few for tests and embedding). */
export interface DemoOptions {
  /** Dossiers over the day. @default 400 */
  dossiers?: number;
  /** Length of the compressed day (07:30–17:00) in real minutes. @default 2 */
  minutes?: number;
  /** Seed of the workload, the population and the mock's fault draws. @default 7 */
  seed?: number;
  /** Print the summary as JSON, and nothing else. */
  json?: boolean;
  /** Write the gateway's pino log (info) to this file. @default no log */
  log?: string;
  /** Longest wait for the outbox to drain after closing time. @default 60000 */
  drainTimeoutMs?: number;
  /** Redraw a live frame (log-update) instead of printing progress lines. @default out.isTTY */
  interactive?: boolean;
  /** Interval of progress lines when not interactive. @default 5000 */
  progressEveryMs?: number;
  /** Stops the day early (no new dossiers, no drain wait); the summary is still printed. */
  signal?: AbortSignal;
  /**
   * Gateway processes sharing the outbox; above 1 needs `store: 'postgres'`. One of them is
   * SIGKILLed mid-day and restarted (src/cli/demo-cluster.ts). @default 1
   */
  instances?: number;
  /** `sqlite`: an embedded file in a temp dir. `postgres`: a schema of its own, dropped at the end. @default 'sqlite' */
  store?: 'sqlite' | 'postgres';
  /** PostgreSQL for `store: 'postgres'`. @default process.env.DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test */
  databaseUrl?: string;
}

/** Where the demo writes: a stream such as `process.stdout`. */
export interface DemoOutput {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

const DEFAULTS = { dossiers: 400, minutes: 2, seed: 7, drainTimeoutMs: 60_000, progressEveryMs: 5_000 };
const FRAME_MS = 200;

function resolve(o: DemoOptions) {
  const dossiers = o.dossiers ?? DEFAULTS.dossiers;
  const minutes = o.minutes ?? DEFAULTS.minutes;
  const seed = o.seed ?? DEFAULTS.seed;
  if (!Number.isInteger(dossiers) || dossiers < 1 || dossiers > 100_000)
    throw new RangeError('--dossiers must be a whole number from 1 to 100000');
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60)
    throw new RangeError('--minutes must be a number above 0 and at most 1440');
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError('--seed must be a whole number from 0');
  const instances = o.instances ?? 1;
  const store = o.store ?? 'sqlite';
  if (!Number.isInteger(instances) || instances < 1 || instances > 8)
    throw new RangeError('--instances must be a whole number from 1 to 8');
  if (store !== 'sqlite' && store !== 'postgres')
    throw new RangeError("--store must be 'sqlite' or 'postgres'");
  if (instances > 1 && store !== 'postgres')
    throw new RangeError('--instances above 1 needs --store postgres (one outbox shared by every instance)');
  return {
    instances,
    store,
    dossiers,
    minutes,
    seed,
    dayMs: minutes * 60_000,
    json: o.json === true,
    drainTimeoutMs: o.drainTimeoutMs ?? DEFAULTS.drainTimeoutMs,
    progressEveryMs: o.progressEveryMs ?? DEFAULTS.progressEveryMs,
  };
}

/** The workload's counters, with each breaker's state from `gateway.health()` when there is one. */
function withBreakers(stats: DemoStats, health: HealthSnapshot | undefined): ViewSnapshot['upstreams'] {
  const out = { ...stats.upstreams };
  for (const name of UPSTREAMS) {
    const state = health?.upstreams[name]?.breaker.state;
    if (state) out[name] = { ...out[name], breaker: state };
  }
  return out;
}

/**
 * Runs the demo and resolves with its summary. Writes a live view (or progress lines) and the
 * summary table to `out`, or only the summary as JSON with `json`. Cleans up the mock platforms,
 * the gateway and the temporary outbox file, even on failure.
 */
export async function runDemo(
  options: DemoOptions = {},
  out: DemoOutput = process.stdout,
): Promise<DemoSummary> {
  const o = resolve(options ?? {});
  const runStarted = Date.now();
  const interactive = !o.json && (options.interactive ?? out.isTTY === true);
  const colour = interactive && !process.env.NO_COLOR;
  const paint = colour ? COLOURS : PLAIN;
  if (o.store === 'postgres') {
    const { runClusterDemo } = await import('./demo-cluster.js');
    // Ctrl+C ends the day early; the schema is still dropped and the summary printed.
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    const own = options.signal === undefined && out === process.stdout;
    if (own) process.once('SIGINT', onSigint);
    try {
      const signal = options.signal ?? controller.signal;
      return await runClusterDemo({ ...o, databaseUrl: options.databaseUrl, signal, colour }, out);
    } finally {
      if (own) process.off('SIGINT', onSigint);
    }
  }

  // The day's plan: everything random is drawn here, from the seed.
  const { fixtures, plans } = planDemoDay(o.seed, o.dossiers);
  const { overrides } = demoPolicy(o.dayMs);

  const logger: Logger = options.log
    ? pino({ level: 'info' }, pino.destination({ dest: options.log, sync: true }))
    : pino({ level: 'silent' });
  const dir = mkdtempSync(join(tmpdir(), 'vngw-demo-'));

  // Ctrl+C from the CLI ends the day early but still cleans up and reports.
  const controller = new AbortController();
  const signal = options.signal ?? controller.signal;
  const onSigint = () => controller.abort();
  const ownSignals = options.signal === undefined && out === process.stdout;
  if (ownSignals) process.once('SIGINT', onSigint);
  let mock: MockPlatforms | undefined;
  let gateway: DemoGateway | undefined;
  let detach: (() => void) | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let scenario: ReturnType<typeof startScenario> | undefined;
  const log = interactive ? createLogUpdate(out as NodeJS.WritableStream) : undefined;
  let logDone = false;

  try {
    mock = await startMockPlatforms({ fixtures, seed: o.seed });
    gateway = createDemoGateway({
      baseUrl: mock.url,
      tokenUrl: mock.urls.token,
      outboxPath: join(dir, 'outbox.sqlite'),
      dayMs: o.dayMs,
      logger,
      random: streamRandom(o.seed, 'demo:jitter'),
    });
    const gw = gateway;
    const stats = new DemoStats();
    detach = stats.attach(gw);

    const startedAt = Date.now();
    let phase: ViewSnapshot['phase'] = 'day';
    // The last health snapshot: breaker states and outbox depth as the gateway reports them.
    let health: HealthSnapshot | undefined;
    const snapshot = (): ViewSnapshot => {
      const elapsedMs = Date.now() - startedAt;
      const fraction = Math.min(1, elapsedMs / o.dayMs);
      return {
        phase,
        elapsedMs,
        dayMs: o.dayMs,
        clock: simulatedTime(fraction),
        incidents: phase === 'day' ? activeIncidents(fraction) : [],
        dossiers: { total: o.dossiers, started: stats.dossiersStarted, done: stats.dossiersDone },
        upstreams: withBreakers(stats, health),
        fallbacks: stats.fallbackEvents,
        outbox: {
          pending: health?.outbox.pending ?? 0,
          delivering: health?.outbox.delivering ?? 0,
          delivered: health?.outbox.delivered ?? 0,
          dead: health?.outbox.dead ?? 0,
        },
      };
    };
    let drawing = false;
    const draw = async () => {
      if (drawing) return;
      drawing = true;
      try {
        health = await gw.health();
        if (log) log(renderFrame(snapshot(), paint));
        else if (!o.json) out.write(`${progressLine(snapshot())}\n`);
      } catch {
        // the store is closing at the end of the run
      } finally {
        drawing = false;
      }
    };
    if (!o.json && !interactive) {
      out.write(
        `vn-gateway demo: ${o.dossiers} dossiers over a ${o.minutes}-minute day (07:30–17:00), seed ${o.seed}; mock platforms at ${mock.url}\n`,
      );
    }
    if (!o.json) ticker = setInterval(() => void draw(), interactive ? FRAME_MS : o.progressEveryMs);

    scenario = startScenario(mock, o.dayMs, startedAt);
    await runWorkload(gw, plans, { dayMs: o.dayMs, startedAt, stats, signal });
    // Closing time: the platforms are healthy again; then the outbox is drained.
    await sleep(startedAt + o.dayMs - Date.now(), signal);
    scenario.finish();
    phase = 'draining';
    if (!o.json && !interactive) out.write(`${progressLine(snapshot())}\n`);
    const drain = await drainOutbox(gw, signal.aborted ? 0 : o.drainTimeoutMs, signal);
    phase = 'done';
    if (ticker) clearInterval(ticker);
    while (drawing) await sleep(10);
    await draw();
    log?.done();
    logDone = true;

    const [outboxItems, outboxCounts] = await Promise.all([gw.outbox.list(), gw.outbox.counts()]);
    if (signal.aborted && ownSignals) process.exitCode = 130;
    const summary = summarizeRun({
      seed: o.seed,
      dayMs: o.dayMs,
      runStarted,
      planned: o.dossiers,
      plans,
      stats,
      outboxItems,
      outboxCounts,
      mock,
      drain,
      overrides,
      interrupted: signal.aborted,
    });
    if (o.json) out.write(`${JSON.stringify(summary, null, 2)}\n`);
    else out.write(`\n${renderSummary(summary, paint, colour)}\n`);
    return summary;
  } finally {
    if (ticker) clearInterval(ticker);
    if (log && !logDone) log.done(); // restores the cursor
    scenario?.stop();
    detach?.();
    if (ownSignals) process.off('SIGINT', onSigint);
    await gateway?.close().catch(() => {});
    await mock?.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}
