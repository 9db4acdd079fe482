import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteOutbox } from '../../src/fallback/outbox/index.js';
import { newItem, nextMessage, ROOT, tempDir } from './helpers.js';

const fixture = (name: string) => join(ROOT, 'test/outbox/fixtures', name);

/** A TypeScript worker in its own Node process (tsx as the loader). */
function worker(name: string, args: string[]): ChildProcess {
  return fork(fixture(name), args, { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: 'inherit' });
}

interface Done {
  claimed: string[];
  lostCompletes: number;
  emptyPolls: number;
  ms: number;
}

let dir: string;
let cleanup: () => void;
const children: ChildProcess[] = [];
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  cleanup();
});

describe('sqliteOutbox across processes', () => {
  it('two drainer processes on one file: each of 500 items claimed and completed exactly once', async () => {
    const file = join(dir, 'outbox.db');
    const store = sqliteOutbox({ path: file });
    const ids: string[] = [];
    const now = Date.now();
    for (let i = 0; i < 500; i++) ids.push((await store.enqueue(newItem(), now)).id);

    const workers = ['drainer-a', 'drainer-b'].map((owner) => worker('claim-worker.ts', [file, owner]));
    children.push(...workers);
    // Start both together, once both have opened the file, so they really compete.
    await Promise.all(workers.map((w) => nextMessage(w, 'ready')));
    const started = performance.now();
    const done = workers.map((w) => nextMessage<Done>(w, 'done'));
    for (const w of workers) w.send('go');
    const [a, b] = await Promise.all(done);
    const wall = performance.now() - started;

    const all = [...a!.claimed, ...b!.claimed];
    expect(new Set(all).size).toBe(all.length); // no item handed to both
    expect(new Set(all)).toEqual(new Set(ids)); // none missing
    expect(a!.claimed.length).toBeGreaterThan(0);
    expect(b!.claimed.length).toBeGreaterThan(0);
    expect(a!.lostCompletes + b!.lostCompletes).toBe(0);
    expect(await store.counts()).toEqual({ pending: 0, delivering: 0, delivered: 500, dead: 0 });
    // attempts are counted at claim, so 1 everywhere means nobody claimed an item twice.
    const items = await store.list();
    expect(items.every((i) => i.attempts === 1)).toBe(true);
    const byOwner = new Map(items.map((i) => [i.id, (i.result as { by: string }).by]));
    for (const id of a!.claimed) expect(byOwner.get(id)).toBe('drainer-a');
    await store.close();

    console.info(
      `two-process drain of 500 items: ${wall.toFixed(0)} ms wall; ` +
        `a ${a!.claimed.length} items in ${a!.ms.toFixed(0)} ms (${a!.emptyPolls} empty polls), ` +
        `b ${b!.claimed.length} items in ${b!.ms.toFixed(0)} ms (${b!.emptyPolls} empty polls)`,
    );
  });

  it('an item acknowledged by enqueue survives the process being killed (SIGKILL) right after', async () => {
    const file = join(dir, 'outbox.db');
    const child = worker('enqueue-worker.ts', [file]);
    children.push(child);
    const acked: string[] = [];
    await new Promise<void>((resolve, reject) => {
      child.on('message', (m: { id: string }) => {
        acked.push(m.id);
        if (acked.length === 50) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', (code) =>
        acked.length < 50 ? reject(new Error(`worker exited (${code})`)) : undefined,
      );
    });
    await new Promise((r) => child.once('exit', r));

    const store = sqliteOutbox({ path: file }); // runs quick_check: the file is intact too
    for (const id of acked) expect(await store.get(id)).toMatchObject({ id, state: 'pending' });
    expect((await store.counts()).pending).toBeGreaterThanOrEqual(acked.length);
    await store.close();
  });
});
