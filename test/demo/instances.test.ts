/**
 * `vn-gateway demo --instances 3 --store postgres` in a reduced form (a 15-second day): three
 * gateway processes on one PostgreSQL outbox, one SIGKILLed mid-day and restarted; the summary,
 * checked against the platforms' own records, must still say 0 lost and 0 duplicates.
 */
import { describe, expect, it } from 'vitest';
import { type DemoSummary, runDemo } from '../../src/cli/demo.js';
import { requirePostgres } from '../helpers/services.js';
import { sink } from '../helpers/sink.js';

const postgres = await requirePostgres({ suite: 'demo --instances 3 --store postgres' });

describe('demo: several instances on one PostgreSQL outbox', () => {
  it('refuses --instances above 1 without --store postgres, before starting anything', async () => {
    await expect(runDemo({ instances: 3, json: true }, sink())).rejects.toThrow(/--store postgres/);
    await expect(runDemo({ instances: 9, store: 'postgres', json: true }, sink())).rejects.toThrow(
      /--instances/,
    );
  });

  it('fails with a clear message when PostgreSQL cannot be reached', async () => {
    const e = await runDemo(
      {
        instances: 2,
        store: 'postgres',
        databaseUrl: 'postgres://postgres:secret@127.0.0.1:1/test',
        json: true,
      },
      sink(),
    ).catch((x: unknown) => x);
    expect(String(e)).toMatch(/--store postgres needs PostgreSQL at 127\.0\.0\.1:1/);
    expect(String(e)).not.toContain('secret');
  });

  it.skipIf(!postgres.available)(
    'three processes, one SIGKILLed mid-day and restarted: 0 lost, 0 duplicates, outbox drained',
    { timeout: 180_000 },
    async () => {
      const out = sink();
      const summary = await runDemo(
        {
          instances: 3,
          store: 'postgres',
          databaseUrl: postgres.url,
          dossiers: 60,
          minutes: 0.25,
          seed: 7,
          json: true,
        },
        out,
      );
      expect(JSON.parse(out.text()) as DemoSummary).toEqual(summary);
      expect(summary.instances).toMatchObject({ count: 3, store: 'postgres' });
      expect(summary.instances?.killed).toHaveLength(1);
      expect(summary.instances?.killed[0]).toMatchObject({ instance: 2, restarted: true });

      expect(summary.lost).toBe(0);
      expect(summary.lostDossiers).toEqual([]);
      expect(summary.duplicates).toBe(0);
      expect(summary.dossiers.processed).toBe(60);
      expect(summary.writes.submitted).toBeGreaterThan(0);
      expect(summary.writes.registeredUpstream).toBe(summary.writes.submitted);
      expect(summary.drain.complete).toBe(true);
      expect(summary.outbox.pending + summary.outbox.delivering).toBe(0);
      expect(summary.deadLettered).toBe(0);
      // Every ticket an officer received was delivered (the killed instance may also have queued
      // items whose answer it never gave: those are delivered too, hence >=).
      expect(summary.queued.delivered).toBe(summary.queued.total);
      expect(summary.outbox.delivered).toBeGreaterThanOrEqual(summary.queued.total);
    },
  );
});
