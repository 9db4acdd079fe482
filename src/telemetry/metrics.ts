import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EventBus } from '../events.js';
import type { OutboxState } from '../fallback/outbox/types.js';

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/** Latency buckets (seconds) for calls of 10 ms to 30 s. */
export const DURATION_BUCKETS: readonly number[] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];

/**
 * The gateway's Prometheus series, in its own registry (one per gateway, or the one injected).
 * Labels are upstream, operation, outcome, kind, state: never a personal value or a dossier code.
 */
export function registerMetrics(
  registry: Registry,
  events: EventBus,
  outboxCounts: () => Promise<Record<OutboxState, number>>,
): void {
  const requests = new Counter({
    name: 'vngw_requests_total',
    help: 'Logical calls by outcome (ok, stale, queued or an error code).',
    labelNames: ['upstream', 'operation', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'vngw_request_duration_seconds',
    help: 'Duration of logical calls, all attempts and backoff included.',
    labelNames: ['upstream', 'operation'],
    buckets: [...DURATION_BUCKETS],
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'vngw_attempts_total',
    help: 'Attempts sent (or tried) to upstreams.',
    labelNames: ['upstream', 'operation'],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'vngw_retries_total',
    help: 'Retries scheduled after a failed attempt.',
    labelNames: ['upstream', 'operation'],
    registers: [registry],
  });
  const breakerState = new Gauge({
    name: 'vngw_breaker_state',
    help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open.',
    labelNames: ['upstream'],
    registers: [registry],
  });
  const transitions = new Counter({
    name: 'vngw_breaker_transitions_total',
    help: 'Circuit breaker transitions by target state.',
    labelNames: ['upstream', 'to'],
    registers: [registry],
  });
  const fallbacks = new Counter({
    name: 'vngw_fallbacks_total',
    help: 'Fallbacks served: stale reads, queued writes, deferred reads.',
    labelNames: ['upstream', 'operation', 'kind'],
    registers: [registry],
  });
  const contract = new Counter({
    name: 'vngw_contract_violations_total',
    help: 'Responses that did not match the platform contract.',
    labelNames: ['upstream', 'operation'],
    registers: [registry],
  });
  new Gauge({
    name: 'vngw_outbox_items',
    help: 'Outbox items by state.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await outboxCounts();
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });

  events.on('call', (e) => {
    requests.inc({ upstream: e.upstream, operation: e.operation, outcome: e.outcome });
    duration.observe({ upstream: e.upstream, operation: e.operation }, e.durationMs / 1000);
    if (e.attempts > 0) attempts.inc({ upstream: e.upstream, operation: e.operation }, e.attempts);
  });
  events.on('retry', (e) => retries.inc({ upstream: e.upstream, operation: e.operation }));
  const onBreaker = (to: keyof typeof BREAKER_VALUE) => (e: { upstream: string }) => {
    breakerState.set({ upstream: e.upstream }, BREAKER_VALUE[to]);
    transitions.inc({ upstream: e.upstream, to });
  };
  events.on('breaker:open', onBreaker('open'));
  events.on('breaker:half-open', onBreaker('half-open'));
  events.on('breaker:close', onBreaker('closed'));
  events.on('fallback', (e) => fallbacks.inc({ upstream: e.upstream, operation: e.operation, kind: e.kind }));
  events.on('contract:violation', (e) => contract.inc({ upstream: e.upstream, operation: e.operation }));
}

/** Starts each upstream's breaker gauge at closed, so the series exists before the first transition. */
export function initBreakerGauge(registry: Registry, upstreams: string[]): void {
  const gauge = registry.getSingleMetric('vngw_breaker_state') as Gauge | undefined;
  for (const upstream of upstreams) gauge?.set({ upstream }, 0);
}
