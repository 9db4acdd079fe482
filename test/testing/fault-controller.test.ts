import { describe, expect, it } from 'vitest';
import { createFaultController, type FaultDecision } from '../../src/testing/faults.js';
import { sampleLatency } from '../../src/testing/latency.js';
import { mulberry32 } from '../../src/testing/prng.js';
import { manualClock } from './helpers.js';

const kinds = (decisions: FaultDecision[]) => decisions.map((d) => (d.action === 'fail' ? d.kind : d.action));

describe('fault controller', () => {
  it('is deterministic under a seed and independent per instance', () => {
    const run = (seed: number) => {
      const c = createFaultController({ seed });
      c.set('land', { errorRate: 0.3, errorKind: ['busy', 'http503'] });
      return kinds(Array.from({ length: 1000 }, () => c.decide('land')));
    };
    const a = run(3);
    expect(run(3)).toEqual(a);
    expect(run(4)).not.toEqual(a);
    const failures = a.filter((k) => k !== 'pass').length;
    expect(failures).toBeGreaterThan(250);
    expect(failures).toBeLessThan(350);
  });

  it('keeps the error sequence when latency is added (separate random streams)', () => {
    const run = (latency: boolean) => {
      const c = createFaultController({ seed: 11 });
      c.set('tax', {
        errorRate: 0.5,
        ...(latency ? { latencyMs: { distribution: 'exponential', mean: 20 } } : {}),
      });
      return kinds(Array.from({ length: 200 }, () => c.decide('tax')));
    };
    expect(run(true)).toEqual(run(false));
  });

  it('a platform without a fault passes; get() returns a copy', () => {
    const c = createFaultController();
    expect(c.decide('vneid')).toEqual({ action: 'pass', delayMs: 0, drift: false });
    c.set('vneid', { drift: true, latencyMs: 5 });
    expect(c.decide('vneid')).toEqual({ action: 'pass', delayMs: 5, drift: true });
    const copy = c.get('vneid')!;
    copy.drift = false;
    expect(c.get('vneid')!.drift).toBe(true);
  });

  it('windows count from when the fault was set, on the injected clock', () => {
    const clock = manualClock();
    const c = createFaultController({ now: clock.now });
    clock.advance(10_000);
    c.set('land', { flapping: { upMs: 2, downMs: 1 } });
    const seen = Array.from({ length: 6 }, () => {
      const d = c.decide('land').action;
      clock.advance(1);
      return d;
    });
    expect(seen).toEqual(['pass', 'pass', 'fail', 'pass', 'pass', 'fail']);
  });

  it('hang and reset win over everything else', () => {
    const c = createFaultController();
    c.set('tax', { hang: true, errorRate: 1 });
    expect(c.decide('tax')).toEqual({ action: 'hang' });
    c.set('tax', { reset: true, latencyMs: 3 });
    expect(c.decide('tax')).toEqual({ action: 'reset', delayMs: 3 });
    c.set('tax', { down: true, errorKind: 'reset' });
    expect(c.decide('tax').action).toBe('reset');
  });
});

describe('latency distributions', () => {
  const draw = (latency: Parameters<typeof sampleLatency>[0], n = 2000) => {
    const r = mulberry32(1);
    return Array.from({ length: n }, () => sampleLatency(latency, r));
  };
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it('uniform stays within [min, max]', () => {
    const xs = draw({ distribution: 'uniform', min: 10, max: 30 });
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...xs)).toBeLessThanOrEqual(30);
    expect(mean(xs)).toBeCloseTo(20, 0);
  });

  it('normal centres on its mean and is clamped', () => {
    const xs = draw({ distribution: 'normal', mean: 100, stdDev: 20, min: 50, max: 150 });
    expect(Math.abs(mean(xs) - 100)).toBeLessThan(3);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...xs)).toBeLessThanOrEqual(150);
  });

  it('exponential has its mean and a long tail', () => {
    const xs = draw({ distribution: 'exponential', mean: 40 });
    expect(Math.abs(mean(xs) - 40)).toBeLessThan(4);
    expect(Math.max(...xs)).toBeGreaterThan(150);
  });

  it('constant and none', () => {
    expect(draw(25, 3)).toEqual([25, 25, 25]);
    expect(draw(undefined, 1)).toEqual([0]);
  });
});
