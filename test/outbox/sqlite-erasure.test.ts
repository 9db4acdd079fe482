/**
 * Erasure on disk: once delivered, an item's personal data must not be readable from the SQLite
 * files (database, -wal, -shm), neither while the store is open nor after it is closed. The rows
 * alone are not enough: without secure_delete the old cells stay in free space, and the WAL keeps
 * every page image written since the last checkpoint.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteOutbox } from '../../src/fallback/outbox/index.js';
import { newItem, tempDir } from './helpers.js';

const T0 = 1_750_000_000_000;
const citizens = Array.from({ length: 10 }, (_, i) => ({
  personalId: `0792030${String(41_000 + i).padStart(5, '0')}`,
  fullName: `Trần Thị Hồng Nhung ${String.fromCharCode(65 + i)}`,
}));

/** Every personal value found in the three files, by file. */
function leaks(file: string): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (!existsSync(f)) continue;
    const bytes = readFileSync(f);
    const hits = citizens
      .flatMap((c) => [c.personalId, c.fullName])
      .filter((v) => bytes.includes(Buffer.from(v, 'utf8')));
    if (hits.length > 0) found[f.slice(file.length) || 'db'] = hits;
  }
  return found;
}

describe('sqliteOutbox: a delivered item leaves no personal data on disk', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  const queue = async (file: string) => {
    const store = sqliteOutbox({ path: file });
    for (const c of citizens) await store.enqueue(newItem({ input: { ...c, ward: 'Phường Bến Nghé' } }), T0);
    // The scan sees the data while items are pending: the test can find what it looks for.
    expect(Object.keys(leaks(file)).length).toBeGreaterThan(0);
    return store;
  };

  it('after a delivery batch, while open and after close (db, -wal, -shm)', async () => {
    const file = join(tmp.dir, 'outbox.db');
    const store = await queue(file);
    const items = await store.claim({ owner: 'd', now: T0, leaseMs: 30_000, limit: 10 });
    expect(items).toHaveLength(10);
    for (const item of items)
      expect(await store.complete(item.id, 'd', { receiptNo: 'R-1' }, T0 + 1)).toBe(true);
    expect(leaks(file)).toEqual({});
    await store.close();
    expect(leaks(file)).toEqual({});
  });

  it('after a purge and after a discard', async () => {
    const file = join(tmp.dir, 'outbox.db');
    const store = await queue(file);
    const items = await store.claim({ owner: 'd', now: T0, leaseMs: 30_000, limit: 10 });
    // Half delivered then purged; half dead-lettered then discarded by an operator.
    for (const item of items.slice(0, 5)) await store.complete(item.id, 'd', undefined, T0 + 1);
    for (const item of items.slice(5))
      await store.fail(item.id, 'd', { code: 'REJECTED', message: 'no' }, T0 + 1);
    expect(Object.keys(leaks(file)).length).toBeGreaterThan(0); // dead letters keep their input
    for (const item of items.slice(5)) await store.discard(item.id, 'handled on paper', T0 + 2);
    expect(await store.purge(T0 + 10)).toEqual({ delivered: 5, discarded: 5 });
    expect(leaks(file)).toEqual({});
    await store.close();
    expect(leaks(file)).toEqual({});
  });
});
