import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { build } from 'tsup';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isOutboxStoreError,
  type OutboxStoreError,
  type OutboxStoreErrorReason,
  SQLITE_OUTBOX_SCHEMA_VERSION,
  sqliteOutbox,
} from '../../src/fallback/outbox/index.js';
import { newItem, ROOT, TIMEOUT, tempDir } from './helpers.js';

const T0 = 1_750_000_000_000;

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

/** The error `fn` throws, checked to be an OutboxStoreError with `reason` naming `file`. */
function storeErrorOf(fn: () => unknown, reason: OutboxStoreErrorReason, file: string): OutboxStoreError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(isOutboxStoreError(caught)).toBe(true);
  const err = caught as OutboxStoreError;
  expect({ reason: err.reason, name: err.name }).toEqual({ reason, name: 'OutboxStoreError' });
  expect(err.message).toContain(file);
  return err;
}

describe('sqliteOutbox', () => {
  it('keeps items and their states across close and reopen', async () => {
    const file = join(dir, 'outbox.db');
    let store = sqliteOutbox({ path: file });
    const a = await store.enqueue(newItem(), T0);
    const b = await store.enqueue(newItem(), T0 + 1);
    const c = await store.enqueue(newItem(), T0 + 2);
    const d = await store.enqueue(newItem({ kind: 'deferred-read', idempotencyKey: undefined }), T0 + 3);
    await store.claim({ owner: 'd1', now: T0 + 10, leaseMs: 1000, limit: 3 });
    await store.complete(a.id, 'd1', { receiptNo: 'R-1' }, T0 + 11);
    await store.fail(b.id, 'd1', TIMEOUT, T0 + 11);
    const before = await store.list();
    await store.close();

    store = sqliteOutbox({ path: file });
    expect(await store.list()).toStrictEqual(before);
    expect(await store.counts()).toEqual({ pending: 1, delivering: 1, delivered: 1, dead: 1 });
    expect(await store.get(a.id)).toMatchObject({ state: 'delivered', result: { receiptNo: 'R-1' } });
    expect(await store.get(c.id)).toMatchObject({ state: 'delivering', leaseOwner: 'd1' });
    expect(await store.get(d.id)).toMatchObject({ state: 'pending', kind: 'deferred-read' });
    // The crashed drainer's lease still expires after the restart.
    const [taken] = await store.claim({ owner: 'd2', now: T0 + 1010, leaseMs: 1000, limit: 1 });
    expect(taken?.id).toBe(c.id);
    await store.close();
  });

  it('puts the file in WAL mode at the current schema version', async () => {
    const file = join(dir, 'outbox.db');
    await sqliteOutbox({ path: file }).close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_OUTBOX_SCHEMA_VERSION);
      const indexes = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        .all();
      expect(indexes).toEqual(expect.arrayContaining([{ name: 'outbox_items_due' }]));
      // The due query for claim uses the (state, next_attempt_at) index, not a table scan.
      const plan = db
        .prepare(
          "EXPLAIN QUERY PLAN SELECT seq FROM outbox_items WHERE state = 'pending' AND next_attempt_at <= 1",
        )
        .all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING (COVERING )?INDEX outbox_items_due/);
    } finally {
      db.close();
    }
  });

  it('lets two stores on one file in one process share it without double claims', async () => {
    const file = join(dir, 'outbox.db');
    const one = sqliteOutbox({ path: file });
    const two = sqliteOutbox({ path: file });
    for (let i = 0; i < 10; i++) await one.enqueue(newItem(), T0 + i);
    const a = await one.claim({ owner: 'a', now: T0 + 100, leaseMs: 1000, limit: 4 });
    const b = await two.claim({ owner: 'b', now: T0 + 100, leaseMs: 1000, limit: 10 });
    expect(a).toHaveLength(4);
    expect(b).toHaveLength(6);
    expect(new Set([...a, ...b].map((i) => i.id)).size).toBe(10);
    await one.close();
    await two.close();
  });

  describe('refuses to open', () => {
    it('a file of garbage bytes: CORRUPT, and leaves it untouched', () => {
      const file = join(dir, 'garbage.db');
      const bytes = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 251));
      writeFileSync(file, bytes);
      storeErrorOf(() => sqliteOutbox({ path: file }), 'CORRUPT', file);
      expect(readFileSync(file).equals(bytes)).toBe(true);
    });

    it('a SQLite file with damaged pages: CORRUPT', async () => {
      const file = join(dir, 'damaged.db');
      const store = sqliteOutbox({ path: file });
      for (let i = 0; i < 300; i++) await store.enqueue(newItem(), T0 + i);
      await store.close(); // the last connection: checkpoints the WAL into the file
      const bytes = readFileSync(file);
      expect(bytes.length).toBeGreaterThan(8 * 4096);
      bytes.fill(0xa5, 2 * 4096, bytes.length - 4096); // keep the header page, wreck the rest
      writeFileSync(file, bytes);
      storeErrorOf(() => sqliteOutbox({ path: file }), 'CORRUPT', file);
    });

    // Tests run as root, which ignores chmod: the unwritable cases are a missing directory and a
    // path that is a directory.
    it('a path in a directory that does not exist: UNWRITABLE, and creates nothing', () => {
      const file = join(dir, 'missing', 'outbox.db');
      storeErrorOf(() => sqliteOutbox({ path: file }), 'UNWRITABLE', file);
      expect(() => readFileSync(join(dir, 'missing'))).toThrow(/ENOENT/);
    });

    it('a path that is a directory: UNWRITABLE', () => {
      const file = join(dir, 'outbox.db');
      mkdirSync(file);
      storeErrorOf(() => sqliteOutbox({ path: file }), 'UNWRITABLE', file);
    });

    it('a file from a newer schema: SCHEMA_TOO_NEW, and leaves it untouched', async () => {
      const file = join(dir, 'outbox.db');
      await sqliteOutbox({ path: file }).close();
      const db = new Database(file);
      db.pragma(`user_version = ${SQLITE_OUTBOX_SCHEMA_VERSION + 1}`);
      db.close();
      const err = storeErrorOf(() => sqliteOutbox({ path: file }), 'SCHEMA_TOO_NEW', file);
      expect(err.message).toContain(`schema version ${SQLITE_OUTBOX_SCHEMA_VERSION + 1}`);
      const check = new Database(file, { readonly: true });
      expect(check.pragma('user_version', { simple: true })).toBe(SQLITE_OUTBOX_SCHEMA_VERSION + 1);
      check.close();
    });

    it('bad options: TypeError', () => {
      expect(() => sqliteOutbox({ path: '' })).toThrow(TypeError);
      expect(() => sqliteOutbox({ path: join(dir, 'x.db'), busyTimeoutMs: -1 })).toThrow(TypeError);
    });
  });

  it('fails with BUSY when another process holds the write lock past busyTimeoutMs', async () => {
    const file = join(dir, 'outbox.db');
    const store = sqliteOutbox({ path: file, busyTimeoutMs: 50 });
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      const started = performance.now();
      const err = await store.enqueue(newItem(), T0).catch((e: unknown) => e);
      expect(isOutboxStoreError(err, 'BUSY')).toBe(true);
      expect(performance.now() - started).toBeGreaterThanOrEqual(40);
      // Reads are not blocked by a writer in WAL mode.
      expect(await store.counts()).toMatchObject({ pending: 0 });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await store.enqueue(newItem(), T0);
    expect(await store.counts()).toMatchObject({ pending: 1 });
    await store.close();
  });
});

describe('sqliteOutbox as published (tsup bundles, better-sqlite3 external)', () => {
  const script = (file: string) => `
    const s = sqliteOutbox({ path: ${JSON.stringify(file)} });
    const item = await s.enqueue({ upstream: 'u', operation: 'o', kind: 'write', input: 1,
      idempotencyKey: 'k', requestId: 'r', context: {} }, Date.now());
    console.log(JSON.stringify({ ok: (await s.get(item.id)).id === item.id }));
    await s.close();`;
  const guarded = (body: string) =>
    `try { ${body} } catch (e) { console.log(JSON.stringify({ reason: e.reason, message: e.message })); }`;

  it.each(['esm', 'cjs'] as const)('%s: loads the driver lazily, or says DRIVER_MISSING', async (format) => {
    const outDir = join(dir, 'dist');
    await build({
      entry: { outbox: join(ROOT, 'src/fallback/outbox/index.ts') },
      format: [format],
      outDir,
      target: 'node20',
      platform: 'node',
      external: ['better-sqlite3'],
      config: false,
      silent: true,
      dts: false,
      outExtension: () => ({ js: format === 'esm' ? '.mjs' : '.cjs' }),
    });
    const bundle = join(outDir, format === 'esm' ? 'outbox.mjs' : 'outbox.cjs');
    const file = join(dir, `${format}.db`);
    const code =
      format === 'esm'
        ? `import { sqliteOutbox } from ${JSON.stringify(bundle)}; ${guarded(script(file))}`
        : `const { sqliteOutbox } = require(${JSON.stringify(bundle)}); (async () => { ${guarded(script(file))} })();`;
    const run = (nodePath: string | undefined) => {
      const env = { ...process.env, NODE_PATH: nodePath };
      if (nodePath === undefined) delete env.NODE_PATH;
      // cwd outside the repository, so only NODE_PATH can lead to node_modules.
      const args = format === 'esm' ? ['--input-type=module', '-e', code] : ['-e', code];
      const out = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8' });
      expect(out.stderr).toBe('');
      return JSON.parse(out.stdout.trim());
    };
    expect(run(join(ROOT, 'node_modules'))).toEqual({ ok: true });
    expect(run(undefined)).toEqual({
      reason: 'DRIVER_MISSING',
      message: 'sqliteOutbox needs the optional dependency better-sqlite3 (npm install better-sqlite3@12)',
    });
  });
});
