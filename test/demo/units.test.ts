/**
 * The demo's parts without sockets: the seeded plan (deterministic, valid inputs, no
 * Math.random), the summary's lost / duplicate accounting on hand-made records, the scenario's
 * timeline and the policy overrides.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  getCitizenProfileInput,
  getParcelInput,
  lookupTaxCodeInput,
  registerTaxpayerInput,
  submitRegistrationInput,
  verifyCertificateInput,
  verifyCitizenInput,
} from '../../adapters/index.js';
import { demoPolicy } from '../../src/demo/gateway.js';
import { demoFixtures, generateCitizens } from '../../src/demo/population.js';
import { Rng } from '../../src/demo/random.js';
import { activeIncidents, scenarioTimeline, simulatedTime, startScenario } from '../../src/demo/scenario.js';
import { DemoStats } from '../../src/demo/stats.js';
import { buildSummary, type SummaryInputs } from '../../src/demo/summary.js';
import { planDay } from '../../src/demo/workload.js';
import { DEFAULT_POLICY } from '../../src/policy.js';
import type { OutboxItem } from '../../src/fallback/outbox/types.js';
import { fixtures } from '../../src/testing/fixtures.js';
import type { Registration } from '../../src/testing/types.js';

function plan(seed: number, dossiers: number) {
  const crowd = generateCitizens(
    new Rng(seed, 'population'),
    dossiers,
    fixtures.wards.map((w) => w.code),
  );
  const fx = demoFixtures(crowd);
  return { fx, plans: planDay(seed, dossiers, [...fixtures.citizens, ...crowd], fx) };
}

const SCHEMAS = {
  'vneid.verifyCitizen': verifyCitizenInput,
  'vneid.getCitizenProfile': getCitizenProfileInput,
  'land.getParcel': getParcelInput,
  'land.verifyCertificate': verifyCertificateInput,
  'land.submitRegistration': submitRegistrationInput,
  'tax.lookupTaxCode': lookupTaxCodeInput,
  'tax.registerTaxpayer': registerTaxpayerInput,
} as const;

afterEach(() => {
  vi.useRealTimers();
});

describe('the seeded plan', () => {
  it('is the same for the same seed, different for another, and never uses Math.random', () => {
    const spy = vi.spyOn(Math, 'random');
    const a = plan(7, 200).plans;
    expect(spy).not.toHaveBeenCalled();
    expect(plan(7, 200).plans).toEqual(a);
    expect(plan(8, 200).plans).not.toEqual(a);
  });

  it('has unique dossier codes, arrivals in order within the day, and valid inputs for every call', () => {
    const { plans, fx } = plan(7, 400);
    expect(new Set(plans.map((p) => p.code)).size).toBe(400);
    expect(plans[122]!.code).toBe('HS-27058-000123');
    for (let i = 1; i < plans.length; i++) expect(plans[i]!.at).toBeGreaterThanOrEqual(plans[i - 1]!.at);
    expect(plans.at(-1)!.at).toBeLessThan(1);
    for (const p of plans) {
      expect(p.steps[0]!.call).toBe('vneid.verifyCitizen');
      for (const step of p.steps) {
        const parsed = SCHEMAS[step.call].safeParse(step.input);
        expect(parsed.success, `${p.code} ${step.call}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      }
      // Each dossier writes at most once, with its own code.
      const writes = p.steps.filter(
        (s) => s.call === 'land.submitRegistration' || s.call === 'tax.registerTaxpayer',
      );
      expect(writes.length).toBeLessThanOrEqual(1);
      for (const w of writes) expect((w.input as { dossierCode: string }).dossierCode).toBe(p.code);
    }
    // The crowd is known to the mock VNeID, so verifications match.
    const known = new Map(fx.citizens.map((c) => [c.personalId, c]));
    for (const p of plans) {
      const v = p.steps[0]!.input as { personalId: string; fullName: string; dateOfBirth: string };
      expect(known.get(v.personalId)?.fullName).toBe(v.fullName);
      expect(known.get(v.personalId)?.dateOfBirth).toBe(v.dateOfBirth);
    }
    // Both first-time and repeat visitors come.
    const repeat = plans.filter((p) => p.repeatVisitor).length;
    expect(repeat).toBeGreaterThan(50);
    expect(repeat).toBeLessThan(250);
  });
});

describe('the summary', () => {
  const reg = (upstream: 'land' | 'tax', key: string, code = key): Registration => ({
    upstream,
    idempotencyKey: key,
    receiptId: `R-${key}`,
    body: { maHoSo: code },
    time: 0,
  });
  const item = (code: string, state: OutboxItem['state']): OutboxItem =>
    ({
      id: `t-${code}`,
      upstream: 'land',
      operation: 'submitRegistration',
      kind: 'write',
      input: {},
      idempotencyKey: code,
      requestId: 'r',
      context: { dossierCode: code },
      state,
      attempts: 1,
      createdAt: 0,
      updatedAt: 0,
      nextAttemptAt: 0,
    }) as OutboxItem;

  function inputs(stats: DemoStats, over: Partial<SummaryInputs>): SummaryInputs {
    return {
      seed: 1,
      dayMs: 60_000,
      durationMs: 1,
      planned: 4,
      repeatVisitors: 0,
      stats,
      outboxItems: [],
      outboxCounts: { pending: 0, delivering: 0, delivered: 0, dead: 0 },
      requests: [],
      registrations: { land: [], tax: [] },
      drain: { complete: true, durationMs: 0 },
      overrides: [],
      ...over,
    };
  }

  it('counts as lost a write that is neither registered upstream nor in the outbox', () => {
    const stats = new DemoStats();
    for (const code of ['HS-1', 'HS-2', 'HS-3', 'HS-4']) stats.writeSubmitted('land', code);
    const s = buildSummary(
      inputs(stats, {
        registrations: { land: [reg('land', 'HS-1')], tax: [] },
        outboxItems: [item('HS-2', 'pending'), item('HS-3', 'dead')],
      }),
    );
    expect(s.lost).toBe(1);
    expect(s.lostDossiers).toEqual(['HS-4']);
    expect(s.writes).toEqual({ submitted: 4, registeredUpstream: 1 });
  });

  it('counts as duplicates a dossier registered twice, by key or by dossier code', () => {
    const stats = new DemoStats();
    stats.writeSubmitted('land', 'HS-1');
    stats.writeSubmitted('tax', 'HS-2');
    const s = buildSummary(
      inputs(stats, {
        registrations: {
          land: [reg('land', 'HS-1'), reg('land', 'other-key', 'HS-1')],
          tax: [reg('tax', 'HS-2'), reg('tax', 'HS-2'), reg('tax', 'HS-2')],
        },
      }),
    );
    expect(s.lost).toBe(0);
    expect(s.duplicates).toBe(3);
    expect(s.duplicateDossiers.sort()).toEqual(['HS-1', 'HS-2']);
  });

  it('adds up calls by outcome and follows each queued ticket into the outbox', () => {
    const stats = new DemoStats();
    const base = { operation: 'op', durationMs: 10, dossierCode: 'HS-1' };
    stats.callFinished({ ...base, upstream: 'vneid', write: false, outcome: 'live' });
    stats.callFinished({ ...base, upstream: 'vneid', write: false, outcome: 'stale', durationMs: 30 });
    stats.callFinished({ ...base, upstream: 'land', write: true, outcome: 'queued', ticket: 't-HS-1' });
    stats.callFinished({ ...base, upstream: 'tax', write: false, outcome: 'failed', code: 'NOT_FOUND' });
    const s = buildSummary(inputs(stats, { outboxItems: [item('HS-1', 'delivered')] }));
    expect(s.calls).toMatchObject({
      logical: 4,
      live: 1,
      stale: 1,
      queued: 1,
      failed: 1,
      failedByCode: { NOT_FOUND: 1 },
    });
    expect(s.queued).toEqual({
      total: 1,
      writes: 1,
      deferredReads: 0,
      delivered: 1,
      stillPending: 0,
      dead: 0,
    });
    expect(s.latencyMs).toEqual({ p50: 10, p99: 30 });
    expect(s.upstreams.vneid).toMatchObject({ calls: 2, live: 1, stale: 1 });
  });
});

describe('the scenario and the policy', () => {
  it('times the incidents on the day and ends with every platform healthy', () => {
    const timeline = scenarioTimeline(120_000);
    const vneid = timeline.find((c) => c.target === 'vneid' && c.at === 0)!;
    expect(vneid.fault?.outage).toEqual({ fromMs: 36_000, toMs: 60_000 });
    const last = timeline.filter((c) => c.at === 1);
    expect(last.map((c) => c.target).sort()).toEqual(['land', 'tax', 'vneid']);
    expect(last.every((c) => c.fault === undefined)).toBe(true);
    expect(activeIncidents(0.4)).toEqual(['VNeID interrupted', 'land registry slow']);
    expect(activeIncidents(0.95)).toEqual([]);
    expect(simulatedTime(0)).toBe('07:30');
    expect(simulatedTime(1)).toBe('17:00');
  });

  it('applies the changes on time and finish() leaves the platforms healthy', () => {
    vi.useFakeTimers({ now: 0 });
    const set: [string, unknown][] = [];
    const s = startScenario({ setFault: (t, f) => set.push([t, f]) }, 10_000, Date.now());
    expect(set.map(([t]) => t)).toEqual(['vneid', 'land', 'tax']);
    vi.advanceTimersByTime(2_000);
    expect(set).toHaveLength(4); // land slow at 20 %
    s.finish();
    expect(set.slice(-3).map(([, f]) => f)).toEqual([undefined, undefined, undefined]);
    const n = set.length;
    vi.advanceTimersByTime(20_000);
    expect(set).toHaveLength(n);
  });

  it('keeps the defaults it can and says why it changes the others', () => {
    const day = demoPolicy(120_000);
    expect(day.overrides.map((o) => o.setting)).toEqual(['policy.attemptTimeoutMs', 'drainer.maxDelayMs']);
    expect(day.policy.breaker).toEqual({
      resetTimeoutMs: DEFAULT_POLICY.breaker.resetTimeoutMs,
      windowMs: DEFAULT_POLICY.breaker.windowMs,
    });
    const short = demoPolicy(6_000);
    expect(short.policy.breaker?.resetTimeoutMs).toBe(750);
    for (const o of short.overrides) expect(o.why.length).toBeGreaterThan(10);
  });
});
