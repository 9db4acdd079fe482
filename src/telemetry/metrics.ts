import type { Counter, Histogram, Registry } from 'prom-client';
import { ERROR_CODES, TRANSIENT_CODES } from '../errors.js';
import type { EventBus } from '../events.js';
import { OUTBOX_STATES, type OutboxState, type UpstreamOutboxStats } from '../fallback/outbox/types.js';
import { ConfigurationError } from '../policy.js';
import { loadPromClient } from '../util/lazy-deps.js';

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/** Latency buckets (seconds) of `vngw_request_duration_seconds`, for calls of 10 ms to 30 s. */
export const DURATION_BUCKETS: readonly number[] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];

/** Every value the `outcome` label can take; anything else is reported as `OTHER`. */
const OUTCOMES: ReadonlySet<string> = new Set<string>(['ok', 'stale', 'queued', ...ERROR_CODES]);
/** Breaker transitions that happen; their series start at 0. */
const TRANSITIONS = [
  ['closed', 'open'],
  ['open', 'half-open'],
  ['half-open', 'open'],
  ['half-open', 'closed'],
] as const;
/** Attempt outcomes whose series start at 0: success and the failures fallbacks apply to. */
const ATTEMPT_OUTCOMES_AT_ZERO: readonly string[] = ['ok', ...TRANSIENT_CODES];
/**
 * Label of the gauges read from the outbox store: every instance sharing one store reports the same
 * store-wide numbers, so aggregate them with `max`, never `sum`.
 */
export const STORE_SCOPE = { scope: 'store' } as const;
const FALLBACK_KINDS: ReadonlySet<string> = new Set<string>(['stale', 'queued', 'deferred']);

/** What {@link registerMetrics} needs to know about the gateway. */
export interface MetricsSources {
  /**
   * The operations (name → `{ kind }`) of each upstream, by upstream name: their series start at 0
   * instead of appearing at the first event.
   */
  upstreams: Readonly<Record<string, Readonly<Record<string, { kind: 'read' | 'write' }>>>>;
  /** Outbox depth by state, read at each scrape. */
  outboxCounts: () => Promise<Record<OutboxState, number>>;
  /** Per-upstream outbox depth and oldest pending item, read at each scrape (optional). */
  outboxStats?: () => Promise<Record<string, UpstreamOutboxStats>>;
  /** Each upstream's concurrency limit, attempts in flight and waiting, read at each scrape (optional). */
  concurrency?: () => Record<string, { limit: number; inFlight: number; queued: number }>;
  /** The gateway's clock (epoch ms), for ages. @default Date.now */
  now?: () => number;
}

/** The series one gateway registered; see {@link registerMetrics}. */
export interface GatewayMetrics {
  /** Removes the gateway's series from the registry (the gateway's `close()` calls it). Idempotent. */
  unregister(): void;
}

/**
 * Registers the gateway's Prometheus series in `registry` (one per gateway, or the one injected)
 * and feeds them from the gateway's events:
 *
 * | series | type | labels |
 * |---|---|---|
 * | `vngw_requests_total` | counter | upstream, operation, outcome (`ok`, `stale`, `queued` or an error code) |
 * | `vngw_request_duration_seconds` | histogram ({@link DURATION_BUCKETS}) | upstream, operation |
 * | `vngw_attempts_total` | counter | upstream, operation |
 * | `vngw_attempt_outcomes_total` | counter: every attempt (outbox replays included), also those a retry or fallback hid | upstream, operation, outcome (`ok` or an error code) |
 * | `vngw_retries_total` | counter | upstream, operation |
 * | `vngw_breaker_state` | gauge: 0 closed, 1 half-open, 2 open | upstream |
 * | `vngw_breaker_transitions_total` | counter | upstream, from, to (`closed`, `open`, `half-open`) |
 * | `vngw_fallbacks_total` | counter | upstream, operation, kind (`stale`, `queued`, `deferred`) |
 * | `vngw_outbox_items` | gauge, read from the store at each scrape | scope (`store`), state |
 * | `vngw_outbox_oldest_pending_age_seconds` | gauge: age of the oldest item not delivered or dead, read at each scrape | scope (`store`), upstream |
 * | `vngw_contract_violations_total` | counter: calls and outbox replays that ended in `CONTRACT` | upstream, operation |
 * | `vngw_concurrency_limit` | gauge: attempts allowed in flight now (adaptive or fixed), read at each scrape | upstream |
 * | `vngw_concurrency_in_flight` | gauge: attempts in flight now, read at each scrape | upstream |
 * | `vngw_concurrency_queued` | gauge: attempts waiting for a slot now, read at each scrape | upstream |
 *
 * Labels have bounded values taken from the configuration and fixed vocabularies: never a
 * personal value, a dossier code or a request id (an unknown outcome is reported as `OTHER`).
 * Every series but `vngw_requests_total` and the histogram starts at 0 for each configured
 * upstream and operation (fallback kinds: `stale`/`deferred` for reads, `queued` for writes), so
 * `increase()` and alerts see the first event (attempt outcomes: `ok` and the transient codes).
 * Series with `scope="store"` describe the whole outbox store, not this instance: instances
 * sharing a store all report the same value, so aggregate them with `max`, and use `sum` only for
 * the per-instance counters. The duration covers the whole logical call (all attempts and
 * backoff) of every call, fast failures (`VALIDATION`, `CIRCUIT_OPEN`) included.
 *
 * @throws ConfigurationError when the registry already holds these series (another live gateway
 *   on the same registry): give each gateway its own registry.
 */
export function registerMetrics(
  registry: Registry,
  events: EventBus,
  sources: MetricsSources,
): GatewayMetrics {
  if (registry.getSingleMetric('vngw_requests_total')) {
    throw new ConfigurationError(
      'Invalid gateway configuration: the metrics registry already holds the vngw_* series of another ' +
        'gateway; give each gateway its own Registry (or close the other gateway first)',
    );
  }
  const { Counter, Gauge, Histogram } = loadPromClient();
  const registers = [registry];
  // The series fed on every call, summed in plain numbers until a scrape reads them (below).
  const hot = new HotSeries();
  const requests = new Counter({
    name: 'vngw_requests_total',
    help: 'Logical calls by outcome: ok, stale, queued, or an error code.',
    labelNames: ['upstream', 'operation', 'outcome'],
    registers,
    collect() {
      hot.requests.flush(this);
    },
  });
  const duration = new Histogram({
    name: 'vngw_request_duration_seconds',
    help: 'Duration of logical calls in seconds, all attempts and backoff included.',
    labelNames: ['upstream', 'operation'],
    buckets: [...DURATION_BUCKETS],
    registers,
    collect() {
      hot.flushDurations(this);
    },
  });
  const attempts = new Counter({
    name: 'vngw_attempts_total',
    help: 'Attempts made by logical calls, the first included.',
    labelNames: ['upstream', 'operation'],
    registers,
    collect() {
      hot.attempts.flush(this);
    },
  });
  const attemptOutcomes = new Counter({
    name: 'vngw_attempt_outcomes_total',
    help: 'Attempts (of calls and outbox replays) by outcome: ok or an error code, also when a retry or fallback hid it.',
    labelNames: ['upstream', 'operation', 'outcome'],
    registers,
    collect() {
      hot.attemptOutcomes.flush(this);
    },
  });
  // A reset (registry.resetMetrics()) also drops what was summed and not yet flushed.
  onReset(requests, () => hot.requests.clear());
  onReset(attempts, () => hot.attempts.clear());
  onReset(attemptOutcomes, () => hot.attemptOutcomes.clear());
  onReset(duration, () => hot.clearDurations());
  const retries = new Counter({
    name: 'vngw_retries_total',
    help: 'Retries scheduled after a failed attempt.',
    labelNames: ['upstream', 'operation'],
    registers,
  });
  const breakerState = new Gauge({
    name: 'vngw_breaker_state',
    help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open.',
    labelNames: ['upstream'],
    registers,
  });
  const transitions = new Counter({
    name: 'vngw_breaker_transitions_total',
    help: 'Circuit breaker transitions by previous and new state.',
    labelNames: ['upstream', 'from', 'to'],
    registers,
  });
  const fallbacks = new Counter({
    name: 'vngw_fallbacks_total',
    help: 'Fallbacks served: stale reads, queued writes, deferred reads.',
    labelNames: ['upstream', 'operation', 'kind'],
    registers,
  });
  const contract = new Counter({
    name: 'vngw_contract_violations_total',
    help: 'Responses that did not match the platform contract.',
    labelNames: ['upstream', 'operation'],
    registers,
  });
  const outbox = new Gauge({
    name: 'vngw_outbox_items',
    help: 'Outbox items by state, store-wide (the same on every instance sharing the store: aggregate with max).',
    labelNames: ['scope', 'state'],
    registers,
    async collect() {
      try {
        const counts = await sources.outboxCounts();
        for (const state of OUTBOX_STATES) this.set({ ...STORE_SCOPE, state }, counts[state] ?? 0);
      } catch {
        // A store that cannot count must not fail the whole scrape: its series disappear instead
        // (alert on absent(vngw_outbox_items)), rather than showing stale numbers.
        this.reset();
      }
    },
  });

  const oldestAge = new Gauge({
    name: 'vngw_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest outbox item not yet delivered or dead, by upstream (0 when none), store-wide.',
    labelNames: ['scope', 'upstream'],
    registers,
    async collect() {
      if (!sources.outboxStats) return;
      try {
        const stats = await sources.outboxStats();
        const now = (sources.now ?? Date.now)();
        for (const upstream of Object.keys(sources.upstreams)) {
          const at = stats[upstream]?.oldestPendingAt;
          this.set({ ...STORE_SCOPE, upstream }, at === undefined ? 0 : Math.max(0, (now - at) / 1000));
        }
      } catch {
        this.reset(); // as for vngw_outbox_items: absent rather than stale
      }
    },
  });

  const concurrencyGauge = (name: string, help: string, field: 'limit' | 'inFlight' | 'queued') =>
    new Gauge({
      name,
      help,
      labelNames: ['upstream'],
      registers,
      collect() {
        const now = sources.concurrency?.();
        if (!now) return;
        for (const [upstream, c] of Object.entries(now)) this.set({ upstream }, c[field]);
      },
    });
  const concurrency = [
    concurrencyGauge(
      'vngw_concurrency_limit',
      'Attempts allowed in flight to the upstream now (the adaptive or fixed concurrency limit).',
      'limit',
    ),
    concurrencyGauge('vngw_concurrency_in_flight', 'Attempts in flight to the upstream now.', 'inFlight'),
    concurrencyGauge('vngw_concurrency_queued', 'Attempts waiting for a concurrency slot now.', 'queued'),
  ];

  for (const [upstream, operations] of Object.entries(sources.upstreams)) {
    breakerState.set({ upstream }, BREAKER_VALUE.closed);
    for (const [from, to] of TRANSITIONS) transitions.inc({ upstream, from, to }, 0);
    for (const [operation, { kind }] of Object.entries(operations)) {
      const labels = { upstream, operation };
      attempts.inc(labels, 0);
      for (const outcome of ATTEMPT_OUTCOMES_AT_ZERO) attemptOutcomes.inc({ ...labels, outcome }, 0);
      retries.inc(labels, 0);
      contract.inc(labels, 0);
      for (const fallback of kind === 'read' ? ['stale', 'deferred'] : ['queued']) {
        fallbacks.inc({ ...labels, kind: fallback }, 0);
      }
    }
  }

  // The per-call series are summed here in plain numbers and flushed into prom-client when a
  // scrape reads them (their `collect` hooks): prom-client hashes and validates the labels on every
  // `inc`/`observe`, which cost more than the rest of a call's telemetry. Flushing keeps the series
  // prom-client would have made, in the order of their first event, with the same values.
  events.on('call', (e) => {
    const s = hot.series(e.upstream, e.operation);
    hot.requests.cell(s, OUTCOMES.has(e.outcome) ? e.outcome : 'OTHER').n++;
    hot.observe(s, Math.max(0, e.durationMs) / 1000);
    if (e.attempts > 0) {
      if (!Number.isFinite(e.attempts)) throw new TypeError(`Value is not a valid number: ${e.attempts}`);
      hot.attempts.cell(s, '').n += e.attempts;
    }
    if (e.outcome === 'CONTRACT') contract.inc({ upstream: e.upstream, operation: e.operation });
  });
  events.on('attempt', (e) => {
    const s = hot.series(e.upstream, e.operation);
    hot.attemptOutcomes.cell(s, OUTCOMES.has(e.outcome) ? e.outcome : 'OTHER').n++;
  });
  events.on('retry', (e) => retries.inc({ upstream: e.upstream, operation: e.operation }));
  // The previous state of each breaker, for the `from` label (events carry only the new one).
  const last = new Map<string, keyof typeof BREAKER_VALUE>();
  const onBreaker = (to: keyof typeof BREAKER_VALUE) => (e: { upstream: string }) => {
    const from = last.get(e.upstream) ?? 'closed';
    last.set(e.upstream, to);
    breakerState.set({ upstream: e.upstream }, BREAKER_VALUE[to]);
    transitions.inc({ upstream: e.upstream, from, to });
  };
  events.on('breaker:open', onBreaker('open'));
  events.on('breaker:half-open', onBreaker('half-open'));
  events.on('breaker:close', onBreaker('closed'));
  events.on('fallback', (e) =>
    fallbacks.inc({
      upstream: e.upstream,
      operation: e.operation,
      kind: FALLBACK_KINDS.has(e.kind) ? e.kind : 'other',
    }),
  );
  // Counted from outcomes, one per call or outbox replay that ended in CONTRACT (never retried).
  // The 'contract:violation' event is not used: nothing emits it yet, and listening to both would
  // count a violation twice once something does.
  events.on('outbox:dead', (e) => {
    if (e.code === 'CONTRACT') contract.inc({ upstream: e.upstream, operation: e.operation });
  });

  const mine = [
    requests,
    duration,
    attempts,
    attemptOutcomes,
    retries,
    breakerState,
    transitions,
    fallbacks,
    contract,
    outbox,
    oldestAge,
    ...concurrency,
  ];
  return {
    unregister() {
      for (const metric of mine) {
        const name = (metric as unknown as { name: string }).name;
        // Only our own series: a later gateway may have registered the same name since.
        if (registry.getSingleMetric(name) === metric) registry.removeSingleMetric(name);
      }
    },
  };
}

/** Runs `then` after each `reset()` of `metric` (registry.resetMetrics() resets every metric). */
function onReset(metric: { reset(): void }, then: () => void): void {
  const reset = metric.reset.bind(metric);
  metric.reset = () => {
    reset();
    then();
  };
}

type Labels = Record<string, string>;

/** One series of a counter: what was counted since the last flush. */
interface CounterCell {
  readonly labels: Labels;
  n: number;
}

/** One series of the duration histogram, cumulative (as prom-client keeps it). */
interface DurationCell {
  readonly labels: Labels;
  /** Observations per bucket of {@link DURATION_BUCKETS} (not cumulative; above the last: none). */
  readonly buckets: number[];
  sum: number;
  count: number;
  /** Changed since the last flush. */
  dirty: boolean;
  /** prom-client's value of this series, once created. */
  entry?: HistogramEntry | undefined;
}

/** The value prom-client 15 keeps per histogram series (`hashMap` entries, `createBaseValues`). */
interface HistogramEntry {
  labels: Labels;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

/** The hot series of one upstream operation. */
interface OperationSeries {
  readonly upstream: string;
  readonly operation: string;
  /** Cells by the metric's third label (outcome), or under '' for the counters without one. */
  readonly cells: [Map<string, CounterCell>, Map<string, CounterCell>, Map<string, CounterCell>];
  duration?: DurationCell | undefined;
}

/**
 * A counter's series, counted in plain numbers and added to prom-client's counter at each scrape
 * (`flush`, from the counter's `collect` hook) in the order of their first event, as prom-client
 * would have created them.
 */
class HotCounter {
  private order: CounterCell[] = [];

  constructor(
    private readonly slot: 0 | 1 | 2,
    private readonly third: string | undefined,
    private readonly all: () => Iterable<OperationSeries>,
  ) {}

  cell(s: OperationSeries, value: string): CounterCell {
    const cells = s.cells[this.slot];
    let c = cells.get(value);
    if (c === undefined) {
      const labels: Labels = { upstream: s.upstream, operation: s.operation };
      if (this.third !== undefined) labels[this.third] = value;
      c = { labels, n: 0 };
      cells.set(value, c);
      this.order.push(c);
    }
    return c;
  }

  flush(counter: Counter<string>): void {
    for (const c of this.order) {
      if (c.n === 0) continue;
      const n = c.n;
      c.n = 0;
      counter.inc(c.labels, n);
    }
  }

  clear(): void {
    this.order = [];
    for (const s of this.all()) s.cells[this.slot].clear();
  }
}

/** The per-call series of one gateway: requests, attempts, attempt outcomes and durations. */
class HotSeries {
  private readonly byUpstream = new Map<string, Map<string, OperationSeries>>();
  private durations: DurationCell[] = [];
  readonly requests = new HotCounter(0, 'outcome', () => this.each());
  readonly attempts = new HotCounter(1, undefined, () => this.each());
  readonly attemptOutcomes = new HotCounter(2, 'outcome', () => this.each());

  series(upstream: string, operation: string): OperationSeries {
    let ops = this.byUpstream.get(upstream);
    if (ops === undefined) {
      ops = new Map();
      this.byUpstream.set(upstream, ops);
    }
    let s = ops.get(operation);
    if (s === undefined) {
      s = { upstream, operation, cells: [new Map(), new Map(), new Map()] };
      ops.set(operation, s);
    }
    return s;
  }

  /** As prom-client's `observe`, which refuses a value that is not a finite number. */
  observe(s: OperationSeries, seconds: number): void {
    if (!Number.isFinite(seconds)) throw new TypeError(`Value is not a valid number: ${seconds}`);
    let d = s.duration;
    if (d === undefined) {
      d = {
        labels: { upstream: s.upstream, operation: s.operation },
        buckets: DURATION_BUCKETS.map(() => 0),
        sum: 0,
        count: 0,
        dirty: true,
      };
      s.duration = d;
      this.durations.push(d);
    }
    // The first bucket whose upper bound holds the value (prom-client's `findBound`).
    for (let i = 0; i < DURATION_BUCKETS.length; i++) {
      if (seconds <= DURATION_BUCKETS[i]!) {
        d.buckets[i]!++;
        break;
      }
    }
    d.sum += seconds;
    d.count++;
    d.dirty = true;
  }

  /**
   * Writes the changed series into prom-client's histogram. prom-client has no public way to add
   * many observations at once, so this writes its per-series values (bucket counts, sum, count):
   * each series is created by the public `zero(labels)`, then found by its labels object.
   */
  flushDurations(histogram: Histogram<string>): void {
    for (const d of this.durations) {
      if (!d.dirty) continue;
      d.dirty = false;
      if (d.entry === undefined) {
        histogram.zero(d.labels);
        const map = (histogram as unknown as { hashMap?: Record<string, HistogramEntry> }).hashMap;
        d.entry = map ? Object.values(map).find((e) => e.labels === d.labels) : undefined;
        if (d.entry === undefined || typeof d.entry.bucketValues !== 'object') {
          d.entry = undefined;
          throw new Error('vngw_request_duration_seconds: unexpected prom-client histogram internals');
        }
      }
      const e = d.entry;
      for (let i = 0; i < DURATION_BUCKETS.length; i++) e.bucketValues[DURATION_BUCKETS[i]!] = d.buckets[i]!;
      e.sum = d.sum;
      e.count = d.count;
    }
  }

  clearDurations(): void {
    this.durations = [];
    for (const s of this.each()) s.duration = undefined;
  }

  private *each(): Iterable<OperationSeries> {
    for (const ops of this.byUpstream.values()) yield* ops.values();
  }
}
