import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError, createGateway, DURATION_BUCKETS, type OutboxState } from 'vn-national-gateway';
import { EventBus } from '../../src/events.js';
import { registerMetrics } from '../../src/telemetry/metrics.js';
import { CTX, echo } from '../helpers/echo-adapter.js';
import { reply } from '../helpers/scripted-transport.js';
import {
  BREAKER,
  BUSY,
  echoGateway,
  FOUND,
  fullRun,
  NOT_FOUND,
  PROMTOOL,
  PROMTOOL_MISSING,
  promtool,
  rejection,
  routedTransport,
  silent,
} from './helpers.js';
import { parseExposition } from './prom-text.js';

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('exposition', () => {
  it('parses strictly: types, _total suffixes, histogram buckets/_sum/_count, help on every family', async () => {
    const families = parseExposition(await fullRun());
    const types = Object.fromEntries([...families.values()].map((f) => [f.name, f.type]));
    expect(types).toEqual({
      vngw_requests_total: 'counter',
      vngw_request_duration_seconds: 'histogram',
      vngw_attempts_total: 'counter',
      vngw_attempt_outcomes_total: 'counter',
      vngw_retries_total: 'counter',
      vngw_breaker_state: 'gauge',
      vngw_breaker_transitions_total: 'counter',
      vngw_fallbacks_total: 'counter',
      vngw_contract_violations_total: 'counter',
      vngw_outbox_items: 'gauge',
      vngw_outbox_oldest_pending_age_seconds: 'gauge',
      vngw_concurrency_limit: 'gauge',
      vngw_concurrency_in_flight: 'gauge',
      vngw_concurrency_queued: 'gauge',
    });
    for (const f of families.values()) {
      expect(f.help, f.name).toMatch(/\w/);
      expect(f.samples.length, `${f.name} has samples`).toBeGreaterThan(0);
    }
    const hist = families.get('vngw_request_duration_seconds')!;
    const les = hist.samples
      .filter((s) => s.name.endsWith('_bucket') && s.labels.operation === 'lookup')
      .map((s) => s.labels.le);
    expect(les).toEqual([...DURATION_BUCKETS.map(String), '+Inf']);
    expect(DURATION_BUCKETS[0]).toBe(0.01);
    expect(DURATION_BUCKETS.at(-1)).toBe(30);
    const count = hist.samples.find((s) => s.name.endsWith('_count') && s.labels.operation === 'lookup')!;
    expect(count.value).toBe(4);

    const value = (family: string, labels: Record<string, string>) =>
      families.get(family)!.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        ?.value;
    expect(value('vngw_requests_total', { operation: 'lookup', outcome: 'ok' })).toBe(2);
    expect(value('vngw_requests_total', { operation: 'lookup', outcome: 'NOT_FOUND' })).toBe(1);
    expect(value('vngw_requests_total', { operation: 'lookup', outcome: 'CONTRACT' })).toBe(1);
    expect(value('vngw_requests_total', { operation: 'submit', outcome: 'queued' })).toBe(1);
    expect(value('vngw_retries_total', { operation: 'lookup' })).toBe(1);
    expect(value('vngw_attempts_total', { operation: 'lookup' })).toBe(5);
    expect(value('vngw_fallbacks_total', { operation: 'submit', kind: 'queued' })).toBe(1);
    expect(value('vngw_fallbacks_total', { operation: 'lookup', kind: 'stale' })).toBe(0);
    expect(value('vngw_contract_violations_total', { operation: 'lookup' })).toBe(1);
    expect(value('vngw_outbox_items', { state: 'pending' })).toBe(1);
    // closed → open → half-open → open → half-open → closed: each from → to counted.
    expect(value('vngw_breaker_transitions_total', { from: 'closed', to: 'open' })).toBe(1);
    expect(value('vngw_breaker_transitions_total', { from: 'open', to: 'half-open' })).toBe(2);
    expect(value('vngw_breaker_transitions_total', { from: 'half-open', to: 'open' })).toBe(1);
    expect(value('vngw_breaker_transitions_total', { from: 'half-open', to: 'closed' })).toBe(1);
    expect(value('vngw_breaker_state', { upstream: 'echo' })).toBe(0);
    // The adaptive concurrency limit (its initial value: far too few attempts to move it), read at the scrape.
    expect(value('vngw_concurrency_limit', { upstream: 'echo' })).toBe(64);
    expect(value('vngw_concurrency_in_flight', { upstream: 'echo' })).toBe(0);
    expect(value('vngw_concurrency_queued', { upstream: 'echo' })).toBe(0);
  });

  it.skipIf(!PROMTOOL)(
    PROMTOOL ? 'passes promtool check metrics' : `passes promtool check metrics (${PROMTOOL_MISSING})`,
    async () => {
      const text = await fullRun();
      const r = promtool(['check', 'metrics'], text);
      expect(r.out).toBe('');
      expect(r.status).toBe(0);
      // The check is not vacuous: promtool does reject a badly named counter.
      const bad = promtool(
        ['check', 'metrics'],
        '# HELP x_calls Calls.\n# TYPE x_calls counter\nx_calls 1\n',
      );
      expect(bad.status).not.toBe(0);
      expect(bad.out).toMatch(/_total/);
    },
  );

  it('the strict parser rejects what Prometheus would', () => {
    expect(() => parseExposition('# TYPE a_total counter\na_total{x="1" 1\n')).toThrow(/expected , or \}/);
    expect(() => parseExposition('# TYPE a counter\na 1\n')).toThrow(/_total/);
    expect(() => parseExposition('# TYPE h histogram\nh_bucket{le="1"} 2\nh_sum 1\nh_count 2\n')).toThrow(
      /\+Inf/,
    );
    expect(() =>
      parseExposition('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'),
    ).toThrow(/cumulative/);
    expect(() => parseExposition('# TYPE g gauge\ng 1\n# TYPE c_total counter\nc_total 1\ng 2\n')).toThrow(
      /contiguous/,
    );
  });
});

describe('breaker series', () => {
  it('vngw_breaker_state goes 0 → 2 (open) → 1 (half-open) → 0 (closed), counting transitions by from → to', async () => {
    const { gateway } = echoGateway(
      [BUSY, BUSY, BUSY, BUSY, reply(200, { ok: true, code: 'OK', data: { n: 1 } })],
      {
        policy: { ...BREAKER, cache: false },
      },
    );
    const state = async () => {
      const f = parseExposition(await gateway.metrics()).get('vngw_breaker_state')!;
      return f.samples.find((s) => s.labels.upstream === 'echo')!.value;
    };
    const transitions = async () => {
      const f = parseExposition(await gateway.metrics()).get('vngw_breaker_transitions_total')!;
      return Object.fromEntries(f.samples.map((s) => [`${s.labels.from}>${s.labels.to}`, s.value]));
    };
    const zero = { 'closed>open': 0, 'open>half-open': 0, 'half-open>open': 0, 'half-open>closed': 0 };
    expect(await state()).toBe(0);
    expect(await transitions()).toEqual(zero);
    for (let i = 0; i < 4; i++) await rejection(gateway.echo.ping({ n: i }));
    expect(await state()).toBe(2);
    expect(await transitions()).toEqual({ ...zero, 'closed>open': 1 });
    await vi.advanceTimersByTimeAsync(5000);
    expect(await state()).toBe(1);
    expect(await transitions()).toEqual({ ...zero, 'closed>open': 1, 'open>half-open': 1 });
    await gateway.echo.ping({ n: 1 });
    expect(await state()).toBe(0);
    expect(await transitions()).toEqual({
      ...zero,
      'closed>open': 1,
      'open>half-open': 1,
      'half-open>closed': 1,
    });
    await gateway.close();
  });
});

describe('labels', () => {
  it('carry no personal ID, name, date of birth, dossier code, request id or token after a varied run', async () => {
    const people = [
      { personalId: '079203001234', fullName: 'Nguyễn Văn A' },
      { personalId: '001099012345', fullName: 'Trần Thị Bích' },
      { personalId: '048188000777', fullName: 'Lê Hoàng Long' },
    ];
    const dossiers = ['HS-2025-000123', 'G01.079.26734-250701-0042'];
    const requestIds: string[] = [];
    const transport = routedTransport({
      '/echo/lookup': [
        FOUND,
        NOT_FOUND,
        reply(200, { ok: true, code: 'OK', data: { exists: true, status: 'SUSPENDED-079203001234' } }),
        reply(200, { ok: false, code: 'DENIED', data: { reason: 'Nguyễn Văn A' } }),
        BUSY,
      ],
      '/echo/submit': [reply(200, { ok: true, code: 'OK', data: { receiptId: 'HS-2025-000123-R' } }), BUSY],
    });
    const { gateway } = echoGateway(transport, { policy: { retry: { maxAttempts: 1 } } });
    gateway.on('call', (e) => requestIds.push(e.requestId));
    for (const person of people) {
      for (let i = 0; i < 5; i++) {
        const r = await gateway.echo.lookup(person, { ...CTX, dossierCode: dossiers[i % 2] }).catch((e) => e);
        expect(r).toBeDefined();
      }
    }
    await rejection(gateway.echo.lookup({ personalId: '07920300123', fullName: 'Nguyễn Văn A' }, CTX));
    for (const dossierCode of dossiers) await gateway.echo.submit({ dossierCode, value: 1 }).catch((e) => e);

    const text = await gateway.metrics();
    const health = JSON.stringify(await gateway.health());
    await gateway.close();
    expect(requestIds.length).toBeGreaterThan(10);
    const secrets = [
      ...people.flatMap((p) => [
        p.personalId,
        p.fullName,
        ...p.fullName.split(' ').filter((w) => w.length > 3),
      ]),
      '07920300123',
      ...dossiers,
      'HS-2025',
      'SUSPENDED',
      'test-token',
      ...requestIds,
    ];
    for (const secret of secrets) {
      expect(text, `exposition contains ${secret}`).not.toContain(secret);
      expect(health, `health contains ${secret}`).not.toContain(secret);
    }
    // And no 9+ digit run anywhere (a personal ID, a tax code), nor non-ASCII text (a name).
    expect(text).not.toMatch(/\d{9,}/);
    expect(text).not.toMatch(/[\u0080-\uffff]/);
    const labels = new Set<string>();
    for (const f of parseExposition(text).values())
      for (const s of f.samples) for (const k of Object.keys(s.labels)) labels.add(k);
    expect([...labels].sort()).toEqual([
      'from',
      'kind',
      'le',
      'operation',
      'outcome',
      'scope',
      'state',
      'to',
      'upstream',
    ]);
  });

  it('reports the age of the oldest pending outbox item per upstream, 0 when none', async () => {
    const registry = new Registry();
    const events = new EventBus(() => {});
    const counts = { pending: 0, delivering: 0, delivered: 0, dead: 0 };
    registerMetrics(registry, events, {
      upstreams: { echo: {}, land: {} },
      outboxCounts: async () => counts,
      outboxStats: async () => ({ echo: { pending: 2, delivering: 0, dead: 0, oldestPendingAt: 1_000 } }),
      now: () => 91_500,
    });
    const text = await registry.metrics();
    expect(text).toContain('vngw_outbox_oldest_pending_age_seconds{scope="store",upstream="echo"} 90.5');
    expect(text).toContain('vngw_outbox_oldest_pending_age_seconds{scope="store",upstream="land"} 0');
  });

  it('an outcome or fallback kind outside the fixed vocabularies is reported as OTHER / other', async () => {
    const registry = new Registry();
    const events = new EventBus(() => {});
    const counts = { pending: 0, delivering: 0, delivered: 0, dead: 0 };
    registerMetrics(registry, events, { upstreams: { echo: {} }, outboxCounts: async () => counts });
    const base = { upstream: 'echo', operation: 'lookup', requestId: 'r', attempts: 1, durationMs: 5 };
    events.emit('call', { ...base, outcome: '079203001234' as never });
    events.emit('call', { ...base, outcome: 'TIMEOUT' });
    events.emit('fallback', { ...base, kind: 'Nguyễn' as never, code: 'TIMEOUT' });
    const text = await registry.metrics();
    expect(text).not.toContain('079203001234');
    expect(text).not.toContain('Nguyễn');
    expect(text).toContain('outcome="OTHER"');
    expect(text).toContain('outcome="TIMEOUT"');
    expect(text).toContain('kind="other"');
  });
});

describe('registry', () => {
  const adapter = () =>
    echo({
      baseUrl: 'http://echo.test',
      auth: { type: 'bearer', token: 't' },
      transport: { request: async () => FOUND },
    });

  it('an injected registry keeps other series; close() removes the gateway series, so a new gateway can use it', async () => {
    const registry = new Registry();
    const { Counter } = await import('prom-client');
    new Counter({ name: 'app_jobs_total', help: 'The app.', registers: [registry] }).inc();
    const first = createGateway({
      upstreams: { echo: adapter() },
      logger: silent,
      metrics: registry,
      drainer: { autoStart: false },
    });
    expect(await registry.metrics()).toContain('vngw_requests_total');
    expect(first.registry).toBe(registry);
    await first.close();
    const after = await registry.metrics();
    expect(after).not.toContain('vngw_');
    expect(after).toContain('app_jobs_total 1');
    const second = createGateway({
      upstreams: { echo: adapter() },
      logger: silent,
      metrics: registry,
      drainer: { autoStart: false },
    });
    await second.echo.ping({ n: 1 }).catch(() => {});
    expect(await registry.metrics()).toContain('vngw_breaker_state{upstream="echo"} 0');
    await second.close();
  });

  it('two live gateways on one registry: a ConfigurationError, and the refused gateway leaves no timer behind', async () => {
    const registry = new Registry();
    const first = createGateway({
      upstreams: { echo: adapter() },
      logger: silent,
      metrics: registry,
      drainer: { autoStart: false },
    });
    const timers = vi.getTimerCount();
    expect(() =>
      createGateway({ upstreams: { a: adapter(), b: adapter() }, logger: silent, metrics: registry }),
    ).toThrow(ConfigurationError);
    expect(() =>
      createGateway({ upstreams: { a: adapter(), b: adapter() }, logger: silent, metrics: registry }),
    ).toThrow(/own Registry/);
    expect(vi.getTimerCount()).toBe(timers);
    await first.close();
  });

  it('a failing outbox store does not fail the scrape: its series disappear, the rest is served', async () => {
    const registry = new Registry();
    const events = new EventBus(() => {});
    let fail = false;
    registerMetrics(registry, events, {
      upstreams: { echo: { lookup: { kind: 'read' } } },
      outboxCounts: async () => {
        if (fail) throw new Error('SQLITE_BUSY');
        return { pending: 2, delivering: 0, delivered: 5, dead: 1 } satisfies Record<OutboxState, number>;
      },
    });
    expect(await registry.metrics()).toContain('vngw_outbox_items{scope="store",state="pending"} 2');
    fail = true;
    const text = await registry.metrics();
    expect(text).not.toMatch(/vngw_outbox_items\{/);
    expect(text).toContain('vngw_breaker_state{upstream="echo"} 0');
  });
});
