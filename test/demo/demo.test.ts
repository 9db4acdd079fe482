/**
 * `vn-gateway demo` end to end on loopback: a short compressed day through `runDemo`, with the
 * summary checked for what the city cares about (nothing lost, nothing registered twice) and for
 * internal consistency; plus the non-TTY progress output.
 */
import { describe, expect, it } from 'vitest';
import { type DemoSummary, runDemo } from '../../src/cli/demo.js';
import { sink } from '../helpers/sink.js';

describe('demo: a short day with the reported incidents', () => {
  it('loses nothing, duplicates nothing, and its numbers add up (JSON)', { timeout: 45_000 }, async () => {
    const out = sink();
    const summary = await runDemo({ dossiers: 60, minutes: 0.2, seed: 7, json: true }, out);

    // --json prints the summary and nothing else.
    const printed = JSON.parse(out.text()) as DemoSummary;
    expect(printed).toEqual(summary);

    // What must hold for the city.
    expect(summary.lost).toBe(0);
    expect(summary.lostDossiers).toEqual([]);
    expect(summary.duplicates).toBe(0);
    expect(summary.dossiers.processed).toBe(60);

    // The scenario really caused outages: stale answers and queued calls.
    expect(summary.calls.stale).toBeGreaterThan(0);
    expect(summary.calls.queued).toBeGreaterThan(0);
    expect(summary.queued.deferredReads).toBeGreaterThan(0);
    expect(summary.upstreams.vneid.breakerOpened).toBeGreaterThan(0);

    // Every queued call (writes and deferred reads) was delivered at the end of the day.
    expect(summary.drain.complete).toBe(true);
    expect(summary.queued.total).toBe(summary.calls.queued);
    expect(summary.queued.writes + summary.queued.deferredReads).toBe(summary.queued.total);
    expect(summary.queued.delivered).toBe(summary.queued.total);
    expect(summary.queued.stillPending).toBe(0);
    expect(summary.deadLettered).toBe(0);
    expect(summary.outbox.pending + summary.outbox.delivering).toBe(0);
    expect(summary.outbox.delivered).toBe(summary.queued.total);
    expect(summary.writes.submitted).toBeGreaterThan(0);
    expect(summary.writes.registeredUpstream).toBe(summary.writes.submitted);

    // Consistency: live + stale + queued = logical calls (no call failed), the gateway saw the
    // same calls, and the per-upstream rows add up to the totals.
    const c = summary.calls;
    expect(c.failed).toBe(0);
    expect(c.live + c.stale + c.queued).toBe(c.logical);
    expect(c.gatewayCallEvents).toBe(c.logical);
    const rows = Object.values(summary.upstreams);
    expect(rows.reduce((n, u) => n + u.calls, 0)).toBe(c.logical);
    expect(rows.reduce((n, u) => n + u.live, 0)).toBe(c.live);
    expect(rows.reduce((n, u) => n + u.stale, 0)).toBe(c.stale);
    expect(rows.reduce((n, u) => n + u.queued, 0)).toBe(c.queued);
    expect(rows.reduce((n, u) => n + u.upstreamRequests, 0)).toBe(summary.upstreamRequests);
    expect(summary.upstreamRequestsPerCall).toBeCloseTo(summary.upstreamRequests / c.logical, 2);
    expect(summary.retries).toBe(rows.reduce((n, u) => n + u.retries, 0));
    expect(summary.latencyMs.p50).not.toBeNull();
    expect(summary.latencyMs.p99!).toBeGreaterThanOrEqual(summary.latencyMs.p50!);
  });

  it('prints progress lines and the summary table when stdout is not a terminal', {
    timeout: 30_000,
  }, async () => {
    const out = sink();
    const summary = await runDemo({ dossiers: 12, minutes: 0.05, seed: 3, progressEveryMs: 500 }, out);
    const text = out.text();
    expect(text).toMatch(/^vn-gateway demo: 12 dossiers over a 0\.05-minute day/);
    const progress = text.split('\n').filter((l) => /^\[\d+:\d{2}\] /.test(l));
    const during = progress.filter((l) =>
      /^\[\d+:\d{2}\] day \d{2}:\d{2} \| dossiers \d+\/12 \| breakers vneid /.test(l),
    );
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(progress.some((l) => l.includes('] draining |'))).toBe(true);
    expect(progress.at(-1)).toMatch(/\] done \| dossiers 12\/12 /);
    expect(text).toContain('Lost (must be 0)');
    expect(text).toContain('Duplicates upstream (must be 0)');
    // No live-view escape codes, no colours, in a log.
    expect(text).not.toContain('\u001b[');
    expect(summary.lost).toBe(0);
    expect(summary.duplicates).toBe(0);
  });

  it('rejects options out of range before starting anything', async () => {
    await expect(runDemo({ minutes: 0, json: true }, sink())).rejects.toThrow(/--minutes/);
    await expect(runDemo({ dossiers: 0, json: true }, sink())).rejects.toThrow(/--dossiers/);
  });
});
