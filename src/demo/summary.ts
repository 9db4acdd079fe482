/**
 * The end-of-day summary, computed from what actually happened: the workload's record of its
 * calls, the gateway's events and outbox, and the mock platforms' own records of the requests and
 * the writes they processed. Nothing here is assumed; `lost` and `duplicates` are checked against
 * the upstreams.
 */
import Table from 'cli-table3';
import type { OutboxItem, OutboxState } from '../fallback/outbox/types.js';
import type { RecordedRequest, Registration } from '../testing/types.js';
import { type DemoUpstream, type PolicyOverride, UPSTREAMS } from './gateway.js';
import { formatElapsed, type Paint } from './view.js';
import { type DemoStats, percentile, type UpstreamCounters } from './stats.js';

export interface UpstreamSummary
  extends Pick<UpstreamCounters, 'calls' | 'live' | 'stale' | 'queued' | 'failed' | 'retries'> {
  breakerOpened: number;
  /** Requests the mock platform received (drainer replays included). */
  upstreamRequests: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** The processes of a multi-instance demo, and the one killed mid-day. */
export interface InstancesSummary {
  count: number;
  store: 'postgres';
  /** Each SIGKILL: which instance, when on the simulated clock, what it left unfinished. */
  killed: { instance: number; at: string; unfinishedDossiers: number; restarted: boolean }[];
}

export interface DemoSummary {
  seed: number;
  dayMinutes: number;
  /** Wall-clock time of the whole run, set-up and drain included. */
  durationMs: number;
  dossiers: { planned: number; processed: number; repeatVisitors: number };
  /** Every call the workload made, by how it ended; live + stale + queued + failed = logical. */
  calls: {
    logical: number;
    live: number;
    stale: number;
    queued: number;
    failed: number;
    failedByCode: Record<string, number>;
    /** `call` events the gateway emitted: must equal `logical`. */
    gatewayCallEvents: number;
  };
  /** Calls answered `queued`, and what became of them by the end. */
  queued: {
    total: number;
    writes: number;
    deferredReads: number;
    delivered: number;
    stillPending: number;
    dead: number;
  };
  writes: {
    submitted: number;
    /** Distinct dossiers the platforms registered. */
    registeredUpstream: number;
  };
  deadLettered: number;
  /** Writes submitted that are neither registered upstream nor in the outbox. Must be 0. */
  lost: number;
  lostDossiers: string[];
  /** Extra registrations upstream for one dossier code or idempotency key. Must be 0. */
  duplicates: number;
  duplicateDossiers: string[];
  /** Write requests the platforms answered from their idempotency memory (retries, replays). */
  replaysDeduplicated: number;
  /** Requests to the platforms, token requests excluded. */
  upstreamRequests: number;
  upstreamRequestsPerCall: number;
  retries: number;
  latencyMs: { p50: number | null; p99: number | null };
  upstreams: Record<DemoUpstream, UpstreamSummary>;
  outbox: Record<OutboxState, number>;
  drain: { complete: boolean; durationMs: number };
  /** Departures from the default policy, and why. */
  overrides: PolicyOverride[];
  /** The day was cut short (Ctrl+C or the caller's signal): no drain wait. */
  interrupted: boolean;
  /** Only with `--instances`/`--store postgres`: the gateway processes that shared one outbox. */
  instances?: InstancesSummary;
}

export interface SummaryInputs {
  seed: number;
  dayMs: number;
  durationMs: number;
  planned: number;
  repeatVisitors: number;
  stats: DemoStats;
  outboxItems: readonly OutboxItem[];
  outboxCounts: Record<OutboxState, number>;
  /** The mock's request log (all targets). */
  requests: readonly RecordedRequest[];
  registrations: Record<'land' | 'tax', readonly Registration[]>;
  drain: { complete: boolean; durationMs: number };
  overrides: PolicyOverride[];
  interrupted?: boolean;
}

/** What a finished demo run (one process or a cluster) hands over for its summary. */
export interface DemoRun {
  seed: number;
  dayMs: number;
  /** `Date.now()` when the run began, set-up included. */
  runStarted: number;
  planned: number;
  plans: readonly { repeatVisitor: boolean }[];
  stats: DemoStats;
  outboxItems: readonly OutboxItem[];
  outboxCounts: Record<OutboxState, number>;
  /** The mock platforms, whose own records of requests and registrations are checked. */
  mock: {
    requests(): readonly RecordedRequest[];
    registrations(upstream: 'land' | 'tax'): readonly Registration[];
  };
  drain: { complete: boolean; durationMs: number };
  overrides: PolicyOverride[];
  interrupted: boolean;
}

/** {@link buildSummary} of a finished run, reading the mock platforms' records now. */
export function summarizeRun(r: DemoRun): DemoSummary {
  return buildSummary({
    seed: r.seed,
    dayMs: r.dayMs,
    durationMs: Date.now() - r.runStarted,
    planned: r.planned,
    repeatVisitors: r.plans.filter((p) => p.repeatVisitor).length,
    stats: r.stats,
    outboxItems: r.outboxItems,
    outboxCounts: r.outboxCounts,
    requests: r.mock.requests(),
    registrations: { land: r.mock.registrations('land'), tax: r.mock.registrations('tax') },
    drain: r.drain,
    overrides: r.overrides,
    interrupted: r.interrupted,
  });
}

const round = (v: number | null) => (v === null ? null : Math.round(v));

function dossierCodeOf(r: Registration): string | undefined {
  const code = (r.body as { maHoSo?: unknown } | null)?.maHoSo;
  return typeof code === 'string' ? code : undefined;
}

/** Σ (n − 1) over groups of more than one. */
function extras(keys: readonly (string | undefined)[]): { count: number; keys: string[] } {
  const n = new Map<string, number>();
  for (const k of keys) if (k !== undefined) n.set(k, (n.get(k) ?? 0) + 1);
  let count = 0;
  const dup: string[] = [];
  for (const [k, c] of n)
    if (c > 1) {
      count += c - 1;
      dup.push(k);
    }
  return { count, keys: dup };
}

export function buildSummary(i: SummaryInputs): DemoSummary {
  const { stats } = i;
  const calls = stats.calls;
  const count = (o: string) => calls.filter((c) => c.outcome === o).length;
  const failedByCode: Record<string, number> = {};
  for (const c of calls) if (c.outcome === 'failed') failedByCode[c.code!] = (failedByCode[c.code!] ?? 0) + 1;

  // Queued calls: what the outbox says became of each ticket the workload received.
  const byTicket = new Map(i.outboxItems.map((item) => [item.id, item]));
  const queued = { total: 0, writes: 0, deferredReads: 0, delivered: 0, stillPending: 0, dead: 0 };
  for (const [ticket, call] of stats.queuedTickets) {
    queued.total++;
    if (call.write) queued.writes++;
    else queued.deferredReads++;
    const state = byTicket.get(ticket)?.state;
    if (state === 'delivered') queued.delivered++;
    else if (state === 'dead') queued.dead++;
    else queued.stillPending++;
  }

  // Lost: submitted writes neither registered upstream nor held in the outbox (any state).
  const lost: string[] = [];
  let submitted = 0;
  let registeredUpstream = 0;
  const duplicateDossiers: string[] = [];
  let duplicates = 0;
  for (const upstream of ['land', 'tax'] as const) {
    const regs = i.registrations[upstream];
    const registered = new Set<string>();
    for (const r of regs) {
      registered.add(r.idempotencyKey);
      const code = dossierCodeOf(r);
      if (code) registered.add(code);
    }
    const held = new Set<string>();
    for (const item of i.outboxItems) {
      if (item.upstream !== upstream || item.kind !== 'write') continue;
      if (item.idempotencyKey) held.add(item.idempotencyKey);
      if (item.context.dossierCode) held.add(item.context.dossierCode);
    }
    const codes = stats.submitted.get(upstream) ?? [];
    submitted += codes.length;
    for (const code of codes) {
      if (registered.has(code)) registeredUpstream++;
      else if (!held.has(code)) lost.push(code);
    }
    // Duplicates: one dossier processed twice, by dossier code or by idempotency key.
    const byCode = extras(regs.map(dossierCodeOf));
    const byKey = extras(regs.map((r) => r.idempotencyKey));
    duplicates += Math.max(byCode.count, byKey.count);
    duplicateDossiers.push(...new Set([...byCode.keys, ...byKey.keys]));
  }

  const platformRequests = i.requests.filter((r) => r.target !== 'token');
  const upstreams = {} as Record<DemoUpstream, UpstreamSummary>;
  for (const name of UPSTREAMS) {
    const u = stats.upstreams[name];
    const durations = calls.filter((c) => c.upstream === name).map((c) => c.durationMs);
    upstreams[name] = {
      calls: u.calls,
      live: u.live,
      stale: u.stale,
      queued: u.queued,
      failed: u.failed,
      retries: u.retries,
      breakerOpened: u.opened,
      upstreamRequests: platformRequests.filter((r) => r.target === name).length,
      p50Ms: round(percentile(durations, 0.5)),
      p99Ms: round(percentile(durations, 0.99)),
    };
  }
  const durations = calls.map((c) => c.durationMs);
  const retries = UPSTREAMS.reduce((n, name) => n + stats.upstreams[name].retries, 0);
  return {
    seed: i.seed,
    dayMinutes: i.dayMs / 60_000,
    durationMs: Math.round(i.durationMs),
    dossiers: { planned: i.planned, processed: stats.dossiersDone, repeatVisitors: i.repeatVisitors },
    calls: {
      logical: calls.length,
      live: count('live'),
      stale: count('stale'),
      queued: count('queued'),
      failed: count('failed'),
      failedByCode,
      gatewayCallEvents: stats.callEvents,
    },
    queued,
    writes: { submitted, registeredUpstream },
    deadLettered: i.outboxCounts.dead,
    lost: lost.length,
    lostDossiers: lost.slice(0, 20),
    duplicates,
    duplicateDossiers: duplicateDossiers.slice(0, 20),
    replaysDeduplicated: platformRequests.filter((r) => r.replayed).length,
    upstreamRequests: platformRequests.length,
    upstreamRequestsPerCall:
      calls.length > 0 ? Math.round((platformRequests.length / calls.length) * 100) / 100 : 0,
    retries,
    latencyMs: { p50: round(percentile(durations, 0.5)), p99: round(percentile(durations, 0.99)) },
    upstreams,
    outbox: i.outboxCounts,
    drain: { complete: i.drain.complete, durationMs: Math.round(i.drain.durationMs) },
    overrides: i.overrides,
    interrupted: i.interrupted === true,
  };
}

const ms = (v: number | null) => (v === null ? '–' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v} ms`);

/** The summary as tables (cli-table3), with a verdict on `lost` and `duplicates`. */
export function renderSummary(s: DemoSummary, paint: Paint, colour: boolean): string {
  const style = colour ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] };
  const per = new Table({
    head: [
      'Upstream',
      'Calls',
      'Live',
      'Stale',
      'Queued',
      'Failed',
      'Retries',
      'Breaker opened',
      'Requests',
      'p50',
      'p99',
    ],
    colAligns: [
      'left',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
    ],
    style,
  });
  for (const name of UPSTREAMS) {
    const u = s.upstreams[name];
    per.push([
      name,
      u.calls,
      u.live,
      u.stale,
      u.queued,
      u.failed,
      u.retries,
      u.breakerOpened,
      u.upstreamRequests,
      ms(u.p50Ms),
      ms(u.p99Ms),
    ]);
  }
  per.push([
    paint.bold('all'),
    s.calls.logical,
    s.calls.live,
    s.calls.stale,
    s.calls.queued,
    s.calls.failed,
    s.retries,
    UPSTREAMS.reduce((n, u) => n + s.upstreams[u].breakerOpened, 0),
    s.upstreamRequests,
    ms(s.latencyMs.p50),
    ms(s.latencyMs.p99),
  ]);

  const ok = (v: number) => (v === 0 ? paint.green(`${v}  ✔`) : paint.red(`${v}  ✘`));
  const q = s.queued;
  const day = new Table({ style, colAligns: ['left', 'left'] });
  day.push(
    [
      'Dossiers processed',
      `${s.dossiers.processed} / ${s.dossiers.planned}  (${s.dossiers.repeatVisitors} by repeat visitors)`,
    ],
    [
      'Calls',
      `${s.calls.logical} = ${s.calls.live} live + ${s.calls.stale} stale + ${s.calls.queued} queued + ${s.calls.failed} failed`,
    ],
    [
      'Queued, then delivered',
      `${q.delivered} / ${q.total}  (${q.writes} writes, ${q.deferredReads} deferred reads; ${q.stillPending} still pending)`,
    ],
    ['Writes submitted', `${s.writes.submitted}  (${s.writes.registeredUpstream} registered upstream)`],
    ['Dead-lettered', s.deadLettered > 0 ? paint.yellow(String(s.deadLettered)) : '0'],
    ['Lost (must be 0)', ok(s.lost)],
    [
      'Duplicates upstream (must be 0)',
      `${ok(s.duplicates)}  (${s.replaysDeduplicated} ${s.replaysDeduplicated === 1 ? 'replay' : 'replays'} answered from the idempotency key)`,
    ],
    [
      'Upstream requests per call',
      `${s.upstreamRequestsPerCall.toFixed(2)}  (${s.upstreamRequests} requests, token calls excluded)`,
    ],
    ['Latency p50 / p99', `${ms(s.latencyMs.p50)} / ${ms(s.latencyMs.p99)}`],
    [
      'Outbox drained',
      `${s.drain.complete ? 'yes' : paint.red('NO')} in ${ms(s.drain.durationMs)} after closing time`,
    ],
    ...(s.instances
      ? [
          [
            'Gateway instances',
            `${s.instances.count} processes on one PostgreSQL outbox${s.instances.killed
              .map(
                (k) =>
                  `; #${k.instance} SIGKILLed at ${k.at} (${k.unfinishedDossiers} dossiers unfinished${k.restarted ? ', restarted: the officers redid them' : ''})`,
              )
              .join('')}`,
          ],
        ]
      : []),
    [
      'Run time',
      `${formatElapsed(s.durationMs)}  (${s.dayMinutes} min day, seed ${s.seed})${s.interrupted ? paint.yellow('  interrupted') : ''}`,
    ],
  );
  const notes = s.overrides.map((o) => `  ${o.setting}: ${o.default} → ${o.demo} ms (${o.why})`);
  return [
    per.toString(),
    day.toString(),
    ...(notes.length > 0
      ? [paint.dim('Policy overrides for the compressed day:'), ...notes.map(paint.dim)]
      : []),
  ].join('\n');
}
