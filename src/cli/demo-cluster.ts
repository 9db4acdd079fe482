/**
 * `vn-gateway demo --instances 3 --store postgres`: the ward's day through several gateway
 * processes (src/demo/instance.ts) sharing one PostgreSQL outbox, as behind a load balancer.
 * Dossiers are dealt round-robin to the instances. Mid-day (45 % of the day, during the VNeID
 * outage, when the outbox holds items) one instance is SIGKILLed and restarted at once: its
 * officers redo the dossiers it left unfinished (same dossier codes, so same idempotency keys), and
 * the leases it held lapse and are taken over by the others. The summary is checked against the
 * platforms' records exactly as in the single-process demo: 0 lost, 0 duplicates.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sleep } from '../demo/drain.js';
import { type DemoGateway, demoPolicy } from '../demo/gateway.js';
import type { InstanceConfig, ParentMessage } from '../demo/instance.js';
import { planDemoDay } from '../demo/plan.js';
import { activeIncidents, simulatedTime, startScenario } from '../demo/scenario.js';
import { DemoStats } from '../demo/stats.js';
import { type DemoSummary, type InstancesSummary, renderSummary, summarizeRun } from '../demo/summary.js';
import { COLOURS, PLAIN, progressLine, type ViewSnapshot } from '../demo/view.js';
import { postgresOutbox } from '../fallback/outbox/postgres.js';
import { type MockPlatforms, startMockPlatforms } from '../testing/server.js';
import type { DemoOutput } from './demo.js';

/** When the instance is killed, as a fraction of the day. */
export const KILL_AT = 0.45;
/** The instance killed (0-based): the second, so the first keeps a stable share. */
const VICTIM = 1;
/** A dead instance's items are taken over after this; longer than a replay's attempt timeout (3 s). */
export const CLUSTER_LEASE_MS = 10_000;
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface ClusterOptions {
  instances: number;
  databaseUrl?: string | undefined;
  dossiers: number;
  minutes: number;
  seed: number;
  dayMs: number;
  json: boolean;
  drainTimeoutMs: number;
  progressEveryMs: number;
  signal?: AbortSignal | undefined;
  colour: boolean;
}

/** The CLI entry that runs `demo-instance`: the TypeScript source under tsx, or the built bin. */
function instanceEntry(): { file: string; execArgv: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts'))
    return { file: fileURLToPath(new URL('./bin.ts', here)), execArgv: ['--import', 'tsx'] };
  // Built: every chunk sits in dist/ next to cli.js.
  return { file: fileURLToPath(new URL('./cli.js', here)), execArgv: [] };
}

interface Instance {
  index: number;
  child: ChildProcess;
  exit: Promise<void>;
  ready: Promise<void>;
  drained?: { complete: boolean; durationMs: number };
}

/** Fails fast, with the address only (never the password), when PostgreSQL cannot be reached. */
async function probe(url: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 3_000 });
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (e) {
    let where = 'the given address';
    try {
      where = new URL(url).host;
    } catch {
      // not a URL: keep the generic words
    }
    throw new Error(
      `--store postgres needs PostgreSQL at ${where} (${(e as Error).message}); give --database-url postgres://…`,
    );
  } finally {
    await pool.end();
  }
}

export async function runClusterDemo(o: ClusterOptions, out: DemoOutput): Promise<DemoSummary> {
  const runStarted = Date.now();
  const url = o.databaseUrl ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  await probe(url);
  const paint = o.colour ? COLOURS : PLAIN;
  const { fixtures, plans } = planDemoDay(o.seed, o.dossiers);
  const { overrides } = demoPolicy(o.dayMs);
  const schema = `vngw_demo_${randomBytes(5).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  pool.on('error', () => {});
  const store = postgresOutbox({ pool, schema, table: 'outbox' });
  const stats = new DemoStats();
  // The instances' events, replayed into one DemoStats as if from one gateway.
  const listeners = new Map<string, ((e: unknown) => void)[]>();
  const bus = {
    on(name: string, fn: (e: unknown) => void) {
      listeners.set(name, [...(listeners.get(name) ?? []), fn]);
      return () => {};
    },
  };
  stats.attach(bus as unknown as DemoGateway);
  const submitted = new Set<string>();
  const shares = Array.from({ length: o.instances }, (_, i) =>
    plans.filter((_, k) => k % o.instances === i).map((p) => p.seq),
  );
  const done = new Set<number>();
  const bySeq = new Map(plans.map((p) => [p.seq, p]));
  const instances: Instance[] = [];
  const killed: InstancesSummary['killed'] = [];
  const say = (line: string) => {
    if (!o.json) out.write(`${line}\n`);
  };
  let mock: MockPlatforms | undefined;
  let scenario: ReturnType<typeof startScenario> | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let startedAt = 0;
  let config: Omit<InstanceConfig, 'incarnation' | 'seqs'> | undefined;

  const spawnInstance = (index: number): Instance => {
    const { file, execArgv } = instanceEntry();
    const child = fork(file, ['demo-instance'], { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let onReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      onReady = resolve;
    });
    const inst: Instance = {
      index,
      child,
      ready,
      exit: new Promise<void>((resolve) => child.once('exit', () => resolve())),
    };
    child.on('message', (raw) => {
      const m = raw as { t: string; [k: string]: unknown };
      if (m.t === 'ready') onReady();
      else if (m.t === 'done') done.add(m.seq as number);
      else if (m.t === 'drained') inst.drained = m.drain as Instance['drained'];
      else if (m.t === 'ev') for (const fn of listeners.get(m.name as string) ?? []) fn(m.e);
      else if (m.t === 'stat') {
        const a = m.a as unknown[];
        // A dossier redone after a kill submits its write again: count the write once.
        if (m.m === 'writeSubmitted') {
          const key = `${a[0]} ${a[1]}`;
          if (submitted.has(key)) return;
          submitted.add(key);
        }
        (stats as unknown as Record<string, (...x: unknown[]) => void>)[m.m as string]!(...a);
      }
    });
    child.on('error', () => {});
    return inst;
  };
  const start = (inst: Instance) => {
    if (!config) return;
    const seqs = shares[inst.index]!.filter((s) => !done.has(s));
    const msg: ParentMessage = {
      t: 'start',
      config: { ...config, incarnation: `${inst.index}-${inst.child.pid}`, seqs },
    };
    inst.child.send(msg);
  };

  try {
    await store.counts(); // migrates once, before the instances start
    mock = await startMockPlatforms({ fixtures, seed: o.seed });
    say(
      `vn-gateway demo: ${o.dossiers} dossiers over a ${o.minutes}-minute day (07:30–17:00), seed ${o.seed}; ` +
        `${o.instances} gateway instances on one PostgreSQL outbox (schema ${schema}); mock platforms at ${mock.url}`,
    );
    for (let i = 0; i < o.instances; i++) instances.push(spawnInstance(i));
    await Promise.race([
      Promise.all(instances.map((i) => i.ready)),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('demo instances did not start within 120 s')), 120_000).unref(),
      ),
    ]);
    startedAt = Date.now();
    config = {
      seed: o.seed,
      dossiers: o.dossiers,
      dayMs: o.dayMs,
      startedAt,
      mockUrl: mock.url,
      tokenUrl: mock.urls.token,
      databaseUrl: url,
      schema,
      leaseMs: CLUSTER_LEASE_MS,
    };
    for (const inst of instances) start(inst);
    scenario = startScenario(mock, o.dayMs, startedAt);

    let phase: ViewSnapshot['phase'] = 'day';
    let counts = { pending: 0, delivering: 0, delivered: 0, dead: 0 };
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
        upstreams: stats.upstreams,
        fallbacks: stats.fallbackEvents,
        outbox: counts,
      };
    };
    if (!o.json)
      ticker = setInterval(() => {
        void store.counts().then(
          (c) => {
            counts = c;
            say(progressLine(snapshot()));
          },
          () => {},
        );
      }, o.progressEveryMs);

    // Mid-day: one instance dies without a chance to clean up, and is restarted at once.
    const wait = (until: number) => sleep(until - Date.now(), o.signal);
    if (o.instances >= 2) {
      await wait(startedAt + KILL_AT * o.dayMs);
      const victim = instances[VICTIM]!;
      if (!o.signal?.aborted && victim.child.exitCode === null) {
        const pid = victim.child.pid;
        victim.child.kill('SIGKILL');
        await victim.exit;
        const unfinished = shares[VICTIM]!.filter((s) => !done.has(s));
        // Arrived before the kill but not finished: the officers at that counter redo them.
        const interrupted = unfinished.filter((s) => (bySeq.get(s)?.at ?? 1) <= KILL_AT).length;
        const at = simulatedTime(KILL_AT);
        const restarted = spawnInstance(VICTIM);
        instances[VICTIM] = restarted;
        killed.push({ instance: VICTIM + 1, at, unfinishedDossiers: interrupted, restarted: true });
        say(
          `[${at}] instance #${VICTIM + 1} (pid ${pid}) SIGKILLed with ${interrupted} dossiers in progress; ` +
            `restarted as pid ${restarted.child.pid}, which redoes them and takes the rest of its share`,
        );
        await restarted.ready;
        start(restarted);
      }
    }

    // Closing time: platforms healthy, every instance finishes its dossiers and drains the outbox.
    await wait(startedAt + o.dayMs);
    scenario.finish();
    phase = 'draining';
    const closedAt = Date.now();
    for (const inst of instances) {
      if (inst.child.connected)
        inst.child.send({ t: 'close', drainTimeoutMs: o.drainTimeoutMs } satisfies ParentMessage);
    }
    await Promise.race([
      Promise.all(instances.map((i) => i.exit)),
      new Promise<void>((resolve) => setTimeout(resolve, o.drainTimeoutMs + 60_000).unref()),
    ]);
    phase = 'done';
    if (ticker) clearInterval(ticker);

    const [outboxItems, outboxCounts] = await Promise.all([store.list(), store.counts()]);
    const complete =
      instances.every((i) => i.drained?.complete === true) &&
      outboxCounts.pending + outboxCounts.delivering === 0;
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
      drain: { complete, durationMs: Date.now() - closedAt },
      overrides: [
        ...overrides,
        {
          setting: 'drainer.leaseMs',
          default: 60_000,
          demo: CLUSTER_LEASE_MS,
          why: "a killed instance's items are taken over within the day",
        },
      ],
      interrupted: o.signal?.aborted === true,
    });
    summary.instances = { count: o.instances, store: 'postgres', killed };
    if (o.json) out.write(`${JSON.stringify(summary, null, 2)}\n`);
    else out.write(`\n${renderSummary(summary, paint, o.colour)}\n`);
    return summary;
  } finally {
    if (ticker) clearInterval(ticker);
    scenario?.stop();
    for (const inst of instances) if (inst.child.exitCode === null) inst.child.kill('SIGKILL');
    await mock?.close().catch(() => {});
    await store.close().catch(() => {});
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await pool.end().catch(() => {});
  }
}
