/**
 * Crash safety with real processes and a real SQLite file: writes queued while the land registry
 * is down survive a SIGKILL mid-drain, and a fresh process finishes the job. The mock platform
 * deduplicates by idempotency key, so "exactly once" is checked where it matters: upstream.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, isOutboxStoreError, sqliteOutbox } from 'vn-national-gateway';
import { landRegistry } from 'vn-national-gateway/adapters';
import { type MockPlatforms, startMockPlatforms } from 'vn-national-gateway/testing';

const WORKER = path.join(import.meta.dirname, 'fixtures/crash-worker.ts');
const N = 200;
let platforms: MockPlatforms;
let tmp: string;

beforeAll(async () => {
  platforms = await startMockPlatforms({ port: 0 });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'vngw-crash-'));
});
afterAll(async () => {
  await platforms.close();
  rmSync(tmp, { recursive: true, force: true });
});

interface Worker {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  exit: Promise<number | null>;
}

function worker(...args: string[]): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let i = buffer.indexOf('\n');
    while (i >= 0) {
      lines.push(JSON.parse(buffer.slice(0, i)));
      buffer = buffer.slice(i + 1);
      i = buffer.indexOf('\n');
    }
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exit };
}

/** Polls the mock (not a sleep on a fixed time): resolves once `predicate` holds. */
async function until(predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

function landWrites() {
  return platforms.requests('land').filter((r) => r.method === 'POST');
}

async function queueWhileDown(db: string): Promise<void> {
  platforms.reset();
  platforms.setFault('land', { down: true });
  const q = worker('queue', db, platforms.url, String(N));
  expect(await q.exit).toBe(0);
  expect(q.lines.at(-1)).toEqual({ queued: N });
  expect(platforms.registrations('land')).toHaveLength(0);
  platforms.setFault('land', undefined);
}

function expectExactlyOnce(): void {
  const registrations = platforms.registrations('land');
  const keys = registrations.map((r) => r.idempotencyKey);
  expect(new Set(keys).size).toBe(N); // none missing
  expect(keys).toHaveLength(N); // none processed twice
  const expected = Array.from({ length: N }, (_, i) => `HS-CRASH-${String(i).padStart(4, '0')}`);
  expect([...keys].sort()).toEqual(expected);
}

async function outboxCounts(db: string) {
  const store = sqliteOutbox({ path: db });
  try {
    return await store.counts();
  } finally {
    await store.close();
  }
}

describe('SQLite outbox under SIGKILL', () => {
  for (const killAt of [1, 60, 150, 185]) {
    it(`loses nothing and duplicates nothing when the drainer is killed after ${killAt} deliveries`, async () => {
      const db = path.join(tmp, `kill-${killAt}.db`);
      await queueWhileDown(db);

      const first = worker('drain', db, platforms.url);
      await until(() => platforms.registrations('land').length >= killAt || first.child.exitCode !== null);
      first.child.kill('SIGKILL');
      await first.exit;
      const afterKill = platforms.registrations('land').length;
      expect(afterKill).toBeLessThan(N); // it really died mid-drain

      const second = worker('drain', db, platforms.url);
      expect(await second.exit).toBe(0);
      expectExactlyOnce();
      expect(await outboxCounts(db)).toEqual({ pending: 0, delivering: 0, delivered: N, dead: 0 });
      // Replays of items in flight at the kill met the platform's idempotency: answered, not processed again.
      const processed = landWrites().filter((r) => !r.replayed && r.status === 200);
      expect(processed).toHaveLength(N);
    }, 90_000);
  }

  it('two drainer processes on one file deliver each item once', async () => {
    const db = path.join(tmp, 'two.db');
    await queueWhileDown(db);
    const a = worker('drain', db, platforms.url);
    const b = worker('drain', db, platforms.url);
    expect(await a.exit).toBe(0);
    expect(await b.exit).toBe(0);
    expectExactlyOnce();
    expect(landWrites().filter((r) => r.status === 200)).toHaveLength(N); // no item sent twice at all
    const deliveredByEach = [a, b].map((w) => (w.lines.at(-1) as { delivered: number }).delivered);
    expect(deliveredByEach[0]! + deliveredByEach[1]!).toBe(N);
    expect(await outboxCounts(db)).toMatchObject({ delivered: N, pending: 0 });
  }, 90_000);

  it('a corrupt outbox file fails createGateway with a clear error, not silent loss', () => {
    const db = path.join(tmp, 'corrupt.db');
    writeFileSync(db, 'this is not a database, it is a dossier list'.repeat(200));
    let error: unknown;
    try {
      createGateway({
        upstreams: { land: landRegistry({ baseUrl: platforms.url, auth: { type: 'none' } }) },
        outbox: sqliteOutbox({ path: db }),
      });
    } catch (e) {
      error = e;
    }
    expect(isOutboxStoreError(error, 'CORRUPT')).toBe(true);
    expect((error as Error).message).toContain(db);
  });

  it('an unwritable outbox path fails at start', () => {
    expect(() => sqliteOutbox({ path: path.join(tmp, 'no-such-dir', 'outbox.db') })).toThrow(
      /UNWRITABLE|directory|not writable/i,
    );
  });
});
