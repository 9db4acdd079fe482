/**
 * What the city reported, replayed on the compressed day through the mock's fault API:
 * VNeID interrupted for a stretch, the land registry slow, tax registration flapping, and a little
 * background flakiness everywhere. Times are fractions of the day; windows set with the fault
 * (`outage`, `flapping`) run on the mock's clock from the moment the fault is set.
 */
import type { Fault } from '../testing/faults.js';
import type { MockUpstream } from '../testing/types.js';

/** The opening and closing time of the public-service centre, for the simulated clock. */
export const DAY_OPENS = { hour: 7, minute: 30 };
export const DAY_HOURS = 9.5;

/** When the city's incidents happen, as fractions of the day. */
export const INCIDENTS = {
  vneidOutage: { from: 0.3, to: 0.5, label: 'VNeID interrupted' },
  landSlow: { from: 0.2, to: 0.65, label: 'land registry slow' },
  taxFlapping: { from: 0.55, to: 0.85, label: 'tax registration flapping' },
} as const;

/** Background flakiness: 2 % of requests fail, in each platform's usual ways. */
const flaky = (errorKind: Fault['errorKind']): Fault => ({ errorRate: 0.02, errorKind });

const NORMAL: Record<MockUpstream, Fault> = {
  vneid: {
    ...flaky(['http503', 'busy']),
    latencyMs: { distribution: 'normal', mean: 80, stdDev: 30, min: 20 },
  },
  land: {
    ...flaky(['http503', 'reset']),
    latencyMs: { distribution: 'normal', mean: 150, stdDev: 50, min: 40 },
  },
  tax: {
    ...flaky(['busy', 'http503']),
    latencyMs: { distribution: 'normal', mean: 120, stdDev: 40, min: 30 },
  },
};

/** A fault change at a point of the day; `fault: undefined` clears it (healthy). */
export interface ScenarioChange {
  at: number;
  target: MockUpstream;
  fault: Fault | undefined;
  note: string;
}

/** The timeline of a day of `dayMs` real milliseconds. */
export function scenarioTimeline(dayMs: number): ScenarioChange[] {
  const { vneidOutage, landSlow, taxFlapping } = INCIDENTS;
  return [
    {
      at: 0,
      target: 'vneid',
      // The outage window is relative to when this fault is set: the start of the day.
      fault: { ...NORMAL.vneid, outage: { fromMs: vneidOutage.from * dayMs, toMs: vneidOutage.to * dayMs } },
      note: 'background flakiness; outage window armed',
    },
    { at: 0, target: 'land', fault: NORMAL.land, note: 'background flakiness' },
    { at: 0, target: 'tax', fault: NORMAL.tax, note: 'background flakiness' },
    {
      at: landSlow.from,
      target: 'land',
      // Mean 0.9 s with a long tail: about 4 % of attempts exceed the 3 s attempt timeout.
      fault: { ...NORMAL.land, latencyMs: { distribution: 'exponential', mean: 900, min: 150, max: 8_000 } },
      note: landSlow.label,
    },
    { at: landSlow.to, target: 'land', fault: NORMAL.land, note: 'land registry back to normal' },
    {
      at: taxFlapping.from,
      target: 'tax',
      fault: {
        ...NORMAL.tax,
        flapping: { upMs: Math.max(1_000, 0.05 * dayMs), downMs: Math.max(1_500, 0.04 * dayMs) },
      },
      note: taxFlapping.label,
    },
    { at: taxFlapping.to, target: 'tax', fault: NORMAL.tax, note: 'tax registration stable' },
    // Closing time: every platform healthy, so the outbox can drain.
    { at: 1, target: 'vneid', fault: undefined, note: 'healthy' },
    { at: 1, target: 'land', fault: undefined, note: 'healthy' },
    { at: 1, target: 'tax', fault: undefined, note: 'healthy' },
  ];
}

/** The incidents under way at `fraction` of the day (labels for the view). */
export function activeIncidents(fraction: number): string[] {
  return Object.values(INCIDENTS)
    .filter((i) => fraction >= i.from && fraction < i.to)
    .map((i) => i.label);
}

/** `HH:MM` of the simulated clock at `fraction` of the day. */
export function simulatedTime(fraction: number): string {
  const minutes =
    DAY_OPENS.hour * 60 + DAY_OPENS.minute + Math.min(1, Math.max(0, fraction)) * DAY_HOURS * 60;
  const h = Math.floor(minutes / 60);
  const m = Math.floor(minutes % 60);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** Anything with the mock's `setFault`. */
export interface FaultTarget {
  setFault(target: MockUpstream, fault: Fault | undefined): void;
}

/**
 * Applies the timeline to the mock: changes at 0 now, the others on timers from `startedAt`.
 * Returns `stop()` (clears pending timers) and `finish()` (applies every change not yet applied,
 * so the platforms are healthy whatever happened).
 */
export function startScenario(mock: FaultTarget, dayMs: number, startedAt: number) {
  const timers = new Set<NodeJS.Timeout>();
  const pending = new Set(scenarioTimeline(dayMs));
  const apply = (c: ScenarioChange) => {
    if (!pending.delete(c)) return;
    mock.setFault(c.target, c.fault);
  };
  for (const c of pending) {
    const delay = startedAt + c.at * dayMs - Date.now();
    if (delay <= 0) apply(c);
    else {
      const t = setTimeout(() => {
        timers.delete(t);
        apply(c);
      }, delay);
      timers.add(t);
    }
  }
  const stop = () => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
  return {
    stop,
    finish() {
      stop();
      for (const c of [...pending].sort((a, b) => a.at - b.at)) apply(c);
    },
  };
}
