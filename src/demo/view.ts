/**
 * The live view: a frame redrawn in place on a terminal (log-update), or one progress line every
 * few seconds when stdout is not a terminal (CI logs). Pure rendering; the caller gathers a
 * {@link ViewSnapshot} and decides when to draw.
 */
import type { BreakerState } from '../pipeline/breaker.js';
import { type DemoUpstream, UPSTREAMS } from './gateway.js';
import type { UpstreamCounters } from './stats.js';

export interface ViewSnapshot {
  phase: 'day' | 'draining' | 'done';
  elapsedMs: number;
  dayMs: number;
  /** `HH:MM` on the simulated clock. */
  clock: string;
  incidents: string[];
  dossiers: { total: number; started: number; done: number };
  upstreams: Record<DemoUpstream, UpstreamCounters>;
  /** Stale answers and queued calls over the run, from the gateway's `fallback` events. */
  fallbacks: { stale: number; queued: number; deferred: number };
  outbox: { pending: number; delivering: number; delivered: number; dead: number };
}

/** ANSI styling, or none. */
export interface Paint {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
export const COLOURS: Paint = {
  red: ansi(31, 39),
  green: ansi(32, 39),
  yellow: ansi(33, 39),
  dim: ansi(2, 22),
  bold: ansi(1, 22),
};
export const PLAIN: Paint = {
  red: (s) => s,
  green: (s) => s,
  yellow: (s) => s,
  dim: (s) => s,
  bold: (s) => s,
};

/** `m:ss`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function breakerBadge(state: BreakerState, paint: Paint): string {
  switch (state) {
    case 'closed':
      return paint.green('● closed   ');
    case 'half-open':
      return paint.yellow('◐ half-open');
    case 'open':
      return paint.red('○ open     ');
  }
}

function bar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * width);
  return `${'█'.repeat(full)}${'░'.repeat(width - full)}`;
}

const pad = (v: number | string, w: number) => String(v).padStart(w);

/** The terminal frame. */
export function renderFrame(s: ViewSnapshot, paint: Paint): string {
  const fraction = Math.min(1, s.elapsedMs / s.dayMs);
  const phase =
    s.phase === 'day'
      ? `day ${s.clock}`
      : s.phase === 'draining'
        ? paint.yellow('closing time: draining the outbox')
        : paint.green('done');
  const incidents = s.incidents.length > 0 ? paint.red(s.incidents.join(' · ')) : paint.dim('none');
  const lines = [
    paint.bold("vn-national-gateway demo: a day at Phường Cầu Kiệu's public-service centre"),
    `${bar(fraction, 30)} ${pad(Math.round(fraction * 100), 3)}%  ${phase}   elapsed ${formatElapsed(s.elapsedMs)} / ${formatElapsed(s.dayMs)}`,
    `Dossiers   ${s.dossiers.done}/${s.dossiers.total} processed  (${s.dossiers.started - s.dossiers.done} at the counters)`,
    `Incidents  ${incidents}`,
    '',
    paint.dim('Upstream  Breaker         Calls   Live  Stale Queued Failed Retries Opened'),
  ];
  for (const name of UPSTREAMS) {
    const u = s.upstreams[name];
    lines.push(
      `${name.padEnd(9)} ${breakerBadge(u.breaker, paint)} ${pad(u.calls, 7)} ${pad(u.live, 6)} ${pad(u.stale, 6)} ${pad(u.queued, 6)} ${pad(u.failed, 6)} ${pad(u.retries, 7)} ${pad(u.opened, 6)}`,
    );
  }
  const o = s.outbox;
  lines.push(
    '',
    `Fallbacks  ${s.fallbacks.stale} stale answers served · ${s.fallbacks.queued} writes queued · ${s.fallbacks.deferred} reads deferred`,
    `Outbox     pending ${o.pending + o.delivering} · delivered ${o.delivered} · dead ${o.dead > 0 ? paint.red(String(o.dead)) : '0'}`,
  );
  return lines.join('\n');
}

/** One line for a log that is not a terminal. */
export function progressLine(s: ViewSnapshot): string {
  const breakers = UPSTREAMS.map((n) => `${n} ${s.upstreams[n].breaker}`).join(', ');
  let live = 0;
  let stale = 0;
  let queued = 0;
  let failed = 0;
  let retries = 0;
  for (const n of UPSTREAMS) {
    const u = s.upstreams[n];
    live += u.live;
    stale += u.stale;
    queued += u.queued;
    failed += u.failed;
    retries += u.retries;
  }
  const where = s.phase === 'day' ? `day ${s.clock}` : s.phase === 'draining' ? 'draining' : 'done';
  const o = s.outbox;
  return (
    `[${formatElapsed(s.elapsedMs)}] ${where} | dossiers ${s.dossiers.done}/${s.dossiers.total}` +
    ` | breakers ${breakers}` +
    ` | calls live ${live}, stale ${stale}, queued ${queued}, failed ${failed}, retries ${retries}` +
    ` | outbox pending ${o.pending + o.delivering}, delivered ${o.delivered}, dead ${o.dead}` +
    (s.incidents.length > 0 ? ` | ${s.incidents.join(', ')}` : '')
  );
}
