/**
 * What the run observed, from two sides: the workload's own record of every call it made (the
 * ground truth for live / stale / queued / failed), and the gateway's events (retries, breaker
 * transitions, fallbacks, outbox deliveries). The view and the summary read from here.
 */
import type { BreakerState } from '../pipeline/breaker.js';
import type { DemoGateway, DemoUpstream } from './gateway.js';
import { UPSTREAMS } from './gateway.js';
import { percentile as nearestRank } from '../telemetry/health.js';

export type CallOutcomeKind = 'live' | 'stale' | 'queued' | 'failed';

export interface CallRecord {
  upstream: string;
  operation: string;
  write: boolean;
  outcome: CallOutcomeKind;
  /** The error code of a failed call. */
  code?: string;
  /** The outbox ticket of a queued call. */
  ticket?: string;
  durationMs: number;
  dossierCode: string;
}

export interface UpstreamCounters {
  calls: number;
  live: number;
  stale: number;
  queued: number;
  failed: number;
  retries: number;
  /** Times the breaker opened. */
  opened: number;
  breaker: BreakerState;
  delivered: number;
  dead: number;
}

const zero = (): UpstreamCounters => ({
  calls: 0,
  live: 0,
  stale: 0,
  queued: 0,
  failed: 0,
  retries: 0,
  opened: 0,
  breaker: 'closed',
  delivered: 0,
  dead: 0,
});

export class DemoStats {
  readonly calls: CallRecord[] = [];
  /** Dossier codes of the writes the workload submitted, per upstream. */
  readonly submitted = new Map<string, string[]>();
  readonly upstreams: Record<DemoUpstream, UpstreamCounters> = {
    vneid: zero(),
    land: zero(),
    tax: zero(),
  };
  /** Tickets the workload received, and those the gateway reported delivered or dead. */
  readonly queuedTickets = new Map<string, CallRecord>();
  readonly deliveredTickets = new Set<string>();
  readonly deadTickets = new Set<string>();
  /** `call` events the gateway emitted (a cross-check of the workload's own count). */
  callEvents = 0;
  fallbackEvents = { stale: 0, queued: 0, deferred: 0 };
  dossiersStarted = 0;
  dossiersDone = 0;

  /** Subscribes to the gateway's events; returns the function that unsubscribes. */
  attach(gateway: DemoGateway): () => void {
    const counters = (name: string) => this.upstreams[name as DemoUpstream];
    const offs = [
      gateway.on('call', () => {
        this.callEvents++;
      }),
      gateway.on('retry', (e) => {
        const u = counters(e.upstream);
        if (u) u.retries++;
      }),
      gateway.on('fallback', (e) => {
        this.fallbackEvents[e.kind]++;
      }),
      gateway.on('outbox:delivered', (e) => {
        this.deliveredTickets.add(e.ticket);
        const u = counters(e.upstream);
        if (u) u.delivered++;
      }),
      gateway.on('outbox:dead', (e) => {
        this.deadTickets.add(e.ticket);
        const u = counters(e.upstream);
        if (u) u.dead++;
      }),
      ...(['breaker:open', 'breaker:half-open', 'breaker:close'] as const).map((name) =>
        gateway.on(name, (e) => {
          const u = counters(e.upstream);
          if (!u) return;
          u.breaker = e.state;
          if (e.state === 'open') u.opened++;
        }),
      ),
    ];
    return () => {
      for (const off of offs) off();
    };
  }

  dossierStarted(): void {
    this.dossiersStarted++;
  }

  dossierDone(): void {
    this.dossiersDone++;
  }

  writeSubmitted(upstream: string, dossierCode: string): void {
    const list = this.submitted.get(upstream) ?? [];
    list.push(dossierCode);
    this.submitted.set(upstream, list);
  }

  callFinished(record: CallRecord): void {
    this.calls.push(record);
    const u = this.upstreams[record.upstream as DemoUpstream];
    if (u) {
      u.calls++;
      u[record.outcome]++;
    }
    if (record.ticket) this.queuedTickets.set(record.ticket, record);
  }

  /** Totals over the upstreams. */
  totals(): Omit<UpstreamCounters, 'breaker'> {
    const t = zero();
    for (const name of UPSTREAMS) {
      const u = this.upstreams[name];
      for (const k of Object.keys(t) as (keyof UpstreamCounters)[]) {
        if (k !== 'breaker') (t[k] as number) += u[k] as number;
      }
    }
    const { breaker: _, ...rest } = t;
    return rest;
  }
}

/** Nearest-rank percentile of unsorted values (the health snapshot's rule); `null` without values. */
export function percentile(values: readonly number[], q: number): number | null {
  return nearestRank(
    [...values].sort((a, b) => a - b),
    q,
  );
}
