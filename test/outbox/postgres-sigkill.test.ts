/**
 * Three drainer processes on one PostgreSQL outbox, one of them SIGKILLed at random points in
 * several rounds (and restarted each time): 500 queued land registrations must each be delivered
 * once. The platform's idempotency is NOT trusted to hide duplicates: every raw request reaching the
 * mock is counted per `Idempotency-Key`, attributed to the process that sent it
 * (`x-test-drainer`), and checked against the store's completion records.
 *
 * The one re-send at-least-once delivery cannot avoid is an item a killed process had sent but
 * not yet recorded as delivered: it is sent again once its lease lapses. The test allows exactly
 * that (at most one send by each killed process, at most one by all surviving ones) and nothing
 * else.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, postgresOutbox } from 'vn-national-gateway';
import { landRegistry } from 'vn-national-gateway/adapters';
import { MOCK_CREDENTIALS, type MockPlatforms, startMockPlatforms } from 'vn-national-gateway/testing';
import { mulberry32 } from '../../src/testing/prng.js';
import { landRegistration } from '../helpers/land-registration.js';
import { requirePostgres } from '../helpers/services.js';
import { pgSchema } from './helpers.js';

const WORKER = path.join(import.meta.dirname, 'fixtures/pg-drain-worker.ts');
const N = 500;
const DRAINERS = 3;
const ROUNDS = 4;
/** The worker's `batch`: the most items one process can have in flight when it dies. */
const BATCH = 10;

const postgres = await requirePostgres({ suite: 'PostgreSQL outbox under SIGKILL' });

interface Incarnation {
  id: string;
  child: ChildProcess;
  lines: Record<string, unknown>[];
  exit: Promise<number | null>;
  killed: boolean;
}

describe.skipIf(!postgres.available)('PostgreSQL outbox: three drainer processes, SIGKILL rounds', () => {
  const pg = pgSchema();
  let platforms: MockPlatforms;
  const all: Incarnation[] = [];

  beforeAll(async () => {
    platforms = await startMockPlatforms({ port: 0 });
  });
  afterAll(async () => {
    for (const w of all) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await platforms.close();
    await pg.drop();
  });

  function start(slot: number, round: number): Incarnation {
    const id = `d${slot}-r${round}`;
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, platforms.url, pg.schema, id], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, DATABASE_URL: postgres.url },
    });
    const lines: Record<string, unknown>[] = [];
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        lines.push(JSON.parse(buffer.slice(0, i)));
        buffer = buffer.slice(i + 1);
      }
    });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const w = { id, child, lines, exit, killed: false };
    all.push(w);
    return w;
  }

  const writes = () =>
    platforms.requests('land').filter((r) => r.method === 'POST' && r.path === '/land/v1/dang-ky-bien-dong');

  /** Polls the mock (no fixed sleep): resolves once `predicate` holds. */
  async function until(predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > end) throw new Error('condition not reached in time');
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  it('delivers each of 500 writes exactly once, with 0 pending at the end', async () => {
    const seed = Number(process.env.VNGW_TEST_SEED ?? Date.now() % 1_000_000);
    const random = mulberry32(seed);
    const why = `seed ${seed} (VNGW_TEST_SEED to replay)`;

    // 500 writes queued while nobody drains (the city system's instances accepted them earlier).
    const outbox = postgresOutbox({ pool: pg.pool, schema: pg.schema, table: 'outbox' });
    const gateway = createGateway({
      upstreams: {
        land: landRegistry({
          baseUrl: platforms.url,
          auth: { type: 'oauth2', tokenUrl: platforms.urls.token, ...MOCK_CREDENTIALS },
        }),
      },
      logger: pino({ level: 'silent' }),
      outbox,
      drainer: { autoStart: false },
    });
    const keys: string[] = [];
    const tickets = new Map<string, string>();
    for (let i = 0; i < N; i++) {
      const dossierCode = `HS-PGKILL-${String(i).padStart(4, '0')}`;
      const item = await gateway.outbox.enqueue('land.submitRegistration', landRegistration(dossierCode), {
        purpose: '1.004227',
        actor: 'officer-17',
      });
      keys.push(dossierCode);
      tickets.set(item.id, dossierCode);
    }
    // A little latency upstream, so a kill often lands between a delivery and its completion record.
    platforms.setFault('land', { latencyMs: { distribution: 'uniform', min: 2, max: 15 } });

    const slots: Incarnation[] = Array.from({ length: DRAINERS }, (_, s) => start(s, 0));
    // Kill points: raw deliveries seen upstream, drawn at random in [30, 400), so that work is left
    // for every round even when a restarted process is slow to start.
    const killAt = Array.from({ length: ROUNDS }, () => Math.floor(30 + random() * (N - 130))).sort(
      (a, b) => a - b,
    );
    const kills: { at: number; id: string; sentByIt: number }[] = [];
    for (const [round, at] of killAt.entries()) {
      // A victim that is draining (it has sent writes), not one still starting up.
      const sentBy = (w: Incarnation) => writes().some((r) => r.headers['x-test-drainer'] === w.id);
      const live = () =>
        slots.map((w, s) => [w, s] as const).filter(([w]) => w.child.exitCode === null && sentBy(w));
      await until(() => writes().length >= at && live().length > 0);
      const candidates = live();
      const [victim, slot] = candidates[Math.floor(random() * candidates.length)]!;
      victim.killed = true;
      victim.child.kill('SIGKILL');
      await victim.exit;
      kills.push({
        at: writes().length,
        id: victim.id,
        sentByIt: writes().filter((r) => r.headers['x-test-drainer'] === victim.id).length,
      });
      slots[slot] = start(slot, round + 1); // restarted at once, like a supervisor would
    }
    expect(kills.length, `${why}: every round killed a live drainer`).toBe(ROUNDS);
    for (const w of slots) expect(await w.exit, `${why}: ${w.id} ended on its own`).toBe(0);

    // 1. The store: every item delivered, nothing pending, delivering or dead.
    expect(await gateway.outbox.counts()).toEqual({ pending: 0, delivering: 0, delivered: N, dead: 0 });
    const items = await gateway.outbox.list();
    expect(items).toHaveLength(N);

    // 2. Raw deliveries per key, by sender.
    const raw = new Map<string, string[]>();
    for (const r of writes()) {
      const key = r.headers['idempotency-key'];
      expect(key, 'every write carries its Idempotency-Key').toBeDefined();
      raw.set(key!, [...(raw.get(key!) ?? []), r.headers['x-test-drainer'] ?? '?']);
    }
    expect([...raw.keys()].sort()).toEqual(keys); // none missing, none unknown
    const killed = new Set(all.filter((w) => w.killed).map((w) => w.id));
    // Sends a process itself saw fail (timeout, reset, 5xx) and will have sent again.
    const unanswered = new Map<string, number>();
    for (const w of all)
      for (const l of w.lines)
        if ('unanswered' in l)
          unanswered.set(`${w.id} ${l.unanswered}`, (unanswered.get(`${w.id} ${l.unanswered}`) ?? 0) + 1);
    const resent: string[] = [];
    let afterKill = 0;
    let afterFailure = 0;
    for (const [key, senders] of raw) {
      // Every send but the last needs a reason: its process was killed before recording the
      // delivery, or saw the send fail. Anything else is a duplicate the platform would have hidden.
      for (const sender of senders.slice(0, -1)) {
        const failed = unanswered.get(`${sender} ${key}`) ?? 0;
        if (failed > 0) {
          unanswered.set(`${sender} ${key}`, failed - 1);
          afterFailure++;
        } else {
          expect(killed.has(sender), `${why}: ${key} sent by ${senders.join(', ')}`).toBe(true);
          afterKill++;
        }
      }
      if (senders.length > 1) resent.push(key);
    }
    // Re-sends after a kill are bounded by what the killed processes could have had in flight.
    expect(afterKill).toBeLessThanOrEqual(ROUNDS * BATCH);

    // 3. Completion records: one per item, the result is the platform's receipt for that key.
    const receipts = new Map(platforms.registrations('land').map((r) => [r.idempotencyKey, r.receiptId]));
    expect(receipts.size).toBe(N);
    expect(platforms.registrations('land')).toHaveLength(N);
    for (const item of items) {
      const key = tickets.get(item.id)!;
      expect(item).toMatchObject({ state: 'delivered', idempotencyKey: key });
      expect((item.result as { receiptId: string }).receiptId).toBe(receipts.get(key));
      // A re-send implies a re-claim: the store counted at least as many attempts as sends.
      expect(item.attempts).toBeGreaterThanOrEqual(raw.get(key)!.length);
    }
    const reported = all.flatMap((w) => w.lines.filter((l) => 'delivered' in l).map((l) => l.delivered));
    expect(new Set(reported).size, 'no completion reported twice').toBe(reported.length);
    for (const t of reported) expect(tickets.has(t as string)).toBe(true);
    // The survivors' reports are complete: what they say they delivered, the store says too.
    const survivorsReported = all
      .filter((w) => !w.killed)
      .reduce((n, w) => n + Number(w.lines.at(-1)?.done), 0);
    expect(survivorsReported).toBeGreaterThan(0);

    const replays = writes().filter((r) => r.replayed).length;
    console.info(
      `[pg-sigkill] ${why}: kills at ${kills.map((k) => `${k.at} (${k.id}, ${k.sentByIt} sent)`).join(', ')}; ` +
        `raw writes ${writes().length} for ${N} items; re-sent after a kill ${afterKill}, after a failed send ${afterFailure} (${resent.length} keys); ` +
        `answered from idempotency ${replays}; incarnations ${all.length}`,
    );
    expect(writes().length).toBe(N + afterKill + afterFailure);
    await gateway.close();
  }, 120_000);
});
