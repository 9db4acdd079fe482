import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { postgresOutbox } from '../../src/fallback/outbox/index.js';
import { newItem, nextMessage, pgSchema, ROOT } from './helpers.js';

const pg = pgSchema();
afterAll(() => pg.drop());
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('postgresOutbox across processes', () => {
  it('three drainer processes on one table: each of 500 items claimed and completed exactly once', async () => {
    const store = postgresOutbox({ pool: pg.pool, schema: pg.schema, table: 'outbox' });
    const ids: string[] = [];
    const now = Date.now();
    for (let i = 0; i < 500; i++) ids.push((await store.enqueue(newItem(), now)).id);
    const workers = ['a', 'b', 'c'].map((owner) =>
      fork(
        join(ROOT, 'test/outbox/fixtures/claim-worker.ts'),
        [`pg:${pg.schema}:outbox`, `drainer-${owner}`],
        {
          cwd: ROOT,
          execArgv: ['--import', 'tsx'],
          stdio: 'inherit',
        },
      ),
    );
    children.push(...workers);
    await Promise.all(workers.map((w) => nextMessage(w, 'ready')));
    const done = workers.map((w) => nextMessage<{ claimed: string[]; lostCompletes: number }>(w, 'done'));
    for (const w of workers) w.send('go');
    const results = await Promise.all(done);
    const claimed = results.flatMap((r) => r.claimed);
    expect(claimed.sort()).toEqual([...ids].sort());
    expect(results.map((r) => r.lostCompletes)).toEqual([0, 0, 0]);
    // Every worker took part (SKIP LOCKED: none waits for another's batch).
    for (const r of results) expect(r.claimed.length).toBeGreaterThan(0);
    expect(await store.counts()).toEqual({ pending: 0, delivering: 0, delivered: 500, dead: 0 });
    await store.close();
  }, 60_000);
});
