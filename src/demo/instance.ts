/**
 * One gateway instance of a multi-instance demo (`vn-gateway demo --instances 3 --store postgres`),
 * run as a child process by the parent (src/cli/demo-cluster.ts) through the hidden
 * `vn-gateway demo-instance` command. It plays its share of the day's dossiers through its own
 * gateway on the shared PostgreSQL outbox and reports everything it observes over IPC, as it
 * happens, so that what a SIGKILLed instance saw before dying is not lost from the summary.
 *
 * Protocol: child → `ready`; parent → `start` (config); child → `stat`, `ev`, `done` (per
 * dossier) messages; parent → `close` at closing time; child → `drained`, then exits.
 */
import pino from 'pino';
import type { GatewayEvents } from '../events.js';
import { postgresOutbox } from '../fallback/outbox/postgres.js';
import { streamRandom } from '../testing/prng.js';
import { drainOutbox } from './drain.js';
import { createDemoGateway } from './gateway.js';
import { planDemoDay } from './plan.js';
import type { DemoStats } from './stats.js';
import { runWorkload } from './workload.js';

/** What the parent tells an instance. */
export interface InstanceConfig {
  /** Which share of the dossiers (and a name in the parent's messages). */
  incarnation: string;
  seed: number;
  dossiers: number;
  dayMs: number;
  /** Epoch ms of the day's opening, common to every instance. */
  startedAt: number;
  mockUrl: string;
  tokenUrl: string;
  databaseUrl: string;
  schema: string;
  /** The dossiers (plan `seq`) this instance plays; past arrivals start at once. */
  seqs: number[];
  leaseMs: number;
}

export type ParentMessage = { t: 'start'; config: InstanceConfig } | { t: 'close'; drainTimeoutMs: number };

/** The `DemoStats` methods the workload calls, forwarded to the parent. */
export const FORWARDED_STATS = ['dossierStarted', 'dossierDone', 'writeSubmitted', 'callFinished'] as const;

/** The gateway events the parent's `DemoStats` listens to. */
export const FORWARDED_EVENTS = [
  'call',
  'retry',
  'fallback',
  'outbox:delivered',
  'outbox:dead',
  'breaker:open',
  'breaker:half-open',
  'breaker:close',
] as const satisfies readonly (keyof GatewayEvents)[];

export async function runDemoInstance(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('demo-instance runs only as a child of `vn-gateway demo --instances`');
  const next = () =>
    new Promise<ParentMessage>((resolve) => process.once('message', (m) => resolve(m as ParentMessage)));
  send({ t: 'ready' });
  const first = await next();
  if (first.t !== 'start') throw new Error('demo-instance: expected the start message');
  const c = first.config;

  const { plans } = planDemoDay(c.seed, c.dossiers);
  const mine = new Set(c.seqs);
  const gateway = createDemoGateway({
    baseUrl: c.mockUrl,
    tokenUrl: c.tokenUrl,
    outbox: postgresOutbox({ connectionString: c.databaseUrl, schema: c.schema, table: 'outbox' }),
    drainer: { leaseMs: c.leaseMs },
    dayMs: c.dayMs,
    logger: pino({ level: 'silent' }),
    random: streamRandom(c.seed, `demo:jitter:${c.incarnation}`),
  });
  for (const name of FORWARDED_EVENTS) {
    gateway.on(name, (e: object) => {
      // The delivered result is the platform's domain answer: the parent does not need it.
      const { result: _, ...rest } = e as { result?: unknown };
      send({ t: 'ev', name, e: rest });
    });
  }
  const stats = Object.fromEntries(
    FORWARDED_STATS.map((m) => [m, (...a: unknown[]) => send({ t: 'stat', m, a })]),
  ) as unknown as DemoStats;

  const o = { dayMs: c.dayMs, startedAt: c.startedAt, stats };
  const work = Promise.all(
    plans
      .filter((p) => mine.has(p.seq))
      .map((plan) => runWorkload(gateway, [plan], o).then(() => send({ t: 'done', seq: plan.seq }))),
  );
  const close = await next();
  await work;
  const drain = await drainOutbox(gateway, close.t === 'close' ? close.drainTimeoutMs : 0);
  await gateway.close();
  await new Promise<void>((resolve) => send({ t: 'drained', drain }, () => resolve()));
  process.disconnect();
}
