/**
 * The per-call series (requests, durations, attempts, attempt outcomes) are summed in plain numbers
 * and flushed into prom-client at scrape time. Their exposition must be byte for byte what feeding
 * prom-client on every event gave: the same series, in the same order, with the same values
 * (floating-point sums included), across scrapes and resets.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DURATION_BUCKETS, ERROR_CODES, TRANSIENT_CODES } from 'vn-national-gateway';
import type { AttemptEvent, CallEvent } from '../../src/events.js';
import { EventBus } from '../../src/events.js';
import { registerMetrics } from '../../src/telemetry/metrics.js';
import { mulberry32 } from '../../src/testing/prng.js';

const HOT = [
  'vngw_requests_total',
  'vngw_request_duration_seconds',
  'vngw_attempts_total',
  'vngw_attempt_outcomes_total',
] as const;
const OUTCOMES: ReadonlySet<string> = new Set<string>(['ok', 'stale', 'queued', ...ERROR_CODES]);
const TRANSIENT = [...TRANSIENT_CODES];

/** What the gateway did before: prom-client fed on every event. */
function reference(registry: Registry, upstreams: Record<string, string[]>) {
  const registers = [registry];
  const requests = new Counter({
    name: HOT[0],
    help: 'Logical calls by outcome: ok, stale, queued, or an error code.',
    labelNames: ['upstream', 'operation', 'outcome'],
    registers,
  });
  const duration = new Histogram({
    name: HOT[1],
    help: 'Duration of logical calls in seconds, all attempts and backoff included.',
    labelNames: ['upstream', 'operation'],
    buckets: [...DURATION_BUCKETS],
    registers,
  });
  const attempts = new Counter({
    name: HOT[2],
    help: 'Attempts made by logical calls, the first included.',
    labelNames: ['upstream', 'operation'],
    registers,
  });
  const attemptOutcomes = new Counter({
    name: HOT[3],
    help: 'Attempts (of calls and outbox replays) by outcome: ok or an error code, also when a retry or fallback hid it.',
    labelNames: ['upstream', 'operation', 'outcome'],
    registers,
  });
  for (const [upstream, operations] of Object.entries(upstreams)) {
    for (const operation of operations) {
      const labels = { upstream, operation };
      attempts.inc(labels, 0);
      for (const outcome of ['ok', ...TRANSIENT]) attemptOutcomes.inc({ ...labels, outcome }, 0);
    }
  }
  return {
    call(e: CallEvent) {
      const labels = { upstream: e.upstream, operation: e.operation };
      requests.inc({ ...labels, outcome: OUTCOMES.has(e.outcome) ? e.outcome : 'OTHER' });
      duration.observe(labels, Math.max(0, e.durationMs) / 1000);
      if (e.attempts > 0) attempts.inc(labels, e.attempts);
    },
    attempt(e: AttemptEvent) {
      attemptOutcomes.inc({
        upstream: e.upstream,
        operation: e.operation,
        outcome: OUTCOMES.has(e.outcome) ? e.outcome : 'OTHER',
      });
    },
  };
}

const hotText = async (registry: Registry) =>
  (await Promise.all(HOT.map((name) => registry.getSingleMetricAsString(name)))).join('\n');

describe('per-call series flushed at scrape', () => {
  for (const seed of [1, 2, 3, 42]) {
    it(`expose exactly what per-event prom-client calls gave (seed ${seed}), across scrapes and resets`, async () => {
      const random = mulberry32(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
      const configured = { tax: ['lookup', 'register'], vneid: ['verify'] };
      const ours = new Registry();
      const events = new EventBus((_event, error) => {
        throw error;
      });
      registerMetrics(ours, events, {
        upstreams: {
          tax: { lookup: { kind: 'read' }, register: { kind: 'write' } },
          vneid: { verify: { kind: 'read' } },
        },
        outboxCounts: async () => ({ pending: 0, delivering: 0, delivered: 0, dead: 0 }),
      });
      const theirs = new Registry();
      const ref = reference(theirs, configured);
      const upstreams = ['tax', 'vneid', 'land'];
      const operations = ['lookup', 'register', 'verify', 'other'];
      const outcomes = ['ok', 'ok', 'ok', 'TIMEOUT', 'NOT_FOUND', 'stale', 'CONTRACT', '079203001234'];
      let scrapes = 0;
      for (let i = 0; i < 3000; i++) {
        const upstream = pick(upstreams);
        const operation = pick(operations);
        const r = random();
        if (r < 0.45) {
          const e = {
            upstream,
            operation,
            requestId: `r${i}`,
            outcome: pick(outcomes) as CallEvent['outcome'],
            attempts: Math.floor(random() * 4),
            // Durations below, inside and above the buckets, with fractional milliseconds.
            durationMs: pick([0, -1, 3, 10, 49.9, 250, 1000.1, 29_999, 30_000, 45_000]) + random() * 7,
          };
          events.emit('call', e);
          ref.call(e);
        } else if (r < 0.9) {
          const e = {
            upstream,
            operation,
            requestId: `r${i}`,
            attempt: 1,
            outcome: pick(outcomes) as AttemptEvent['outcome'],
          };
          events.emit('attempt', e);
          ref.attempt(e);
        } else if (r < 0.98) {
          scrapes++;
          expect(await hotText(ours)).toBe(await hotText(theirs));
        } else {
          ours.resetMetrics();
          theirs.resetMetrics();
        }
      }
      expect(scrapes).toBeGreaterThan(10);
      const text = await hotText(ours);
      expect(text).toBe(await hotText(theirs));
      expect(text).toContain('vngw_request_duration_seconds_sum{');
      expect(await ours.getMetricsAsJSON()).toBeDefined();
      // JSON (cluster aggregation) reads the same values.
      const json = (await ours.getMetricsAsJSON()).filter((m) => (HOT as readonly string[]).includes(m.name));
      const refJson = (await theirs.getMetricsAsJSON()).filter((m) =>
        (HOT as readonly string[]).includes(m.name),
      );
      expect(json).toEqual(refJson);
    });
  }

  it('a duration that is not a finite number is refused as prom-client refused it: the request counted, nothing else', async () => {
    const registry = new Registry();
    const errors: unknown[] = [];
    const events = new EventBus((_event, error) => errors.push(error));
    registerMetrics(registry, events, {
      upstreams: { tax: { lookup: { kind: 'read' } } },
      outboxCounts: async () => ({ pending: 0, delivering: 0, delivered: 0, dead: 0 }),
    });
    const base = { upstream: 'tax', operation: 'lookup', requestId: 'r', outcome: 'ok' as const };
    events.emit('call', { ...base, attempts: 1, durationMs: Number.NaN });
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/TypeError: Value is not a valid number: NaN/);
    const text = await registry.metrics();
    expect(text).toContain('vngw_requests_total{upstream="tax",operation="lookup",outcome="ok"} 1');
    expect(text).toContain('vngw_attempts_total{upstream="tax",operation="lookup"} 0');
    expect(text).not.toContain('vngw_request_duration_seconds_count');
  });
});
