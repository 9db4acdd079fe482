/**
 * `cache.maxBytes` bounds real memory: a stale cache filled far past its bound holds at most
 * 1.25 × maxBytes of V8 heap, for small answers (a 76-character verification, where per-entry
 * bookkeeping dominates) and for large two-byte ones (a 20 kB parcel in Vietnamese, where the
 * characters' two bytes do). Measured in a child process with `--expose-gc`, after collecting
 * garbage, against the empty baseline.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ENTRY_OVERHEAD_BYTES, StaleCache, stringHeapBytes } from '../../src/fallback/cache.js';

const WORKER = path.join(import.meta.dirname, 'fixtures/cache-heap-worker.ts');
const MiB = 1024 * 1024;

interface Measure {
  entries: number;
  growth: number;
  answerChars: number;
}

async function measure(kind: 'small' | 'large', calls: number): Promise<Measure> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', WORKER, String(MiB), kind, String(calls)],
    { timeout: 60_000 },
  );
  return JSON.parse(stdout) as Measure;
}

describe('stale cache size', () => {
  it('holds at most 1.25 × maxBytes of heap with 16,000 distinct small answers', async () => {
    const m = await measure('small', 16_000);
    expect(m.answerChars).toBe(76);
    expect(m.entries).toBeLessThan(16_000); // saturated: the bound, not the calls, decided
    expect(m.growth).toBeLessThanOrEqual(1.25 * MiB);
    // …and the bound is used, not left mostly empty by an overcautious estimate.
    expect(m.growth).toBeGreaterThan(0.6 * MiB);
  });

  it('holds at most 1.25 × maxBytes of heap with large two-byte answers', async () => {
    const m = await measure('large', 400);
    expect(m.answerChars).toBeGreaterThan(19_000);
    expect(m.entries).toBeLessThan(400);
    expect(m.growth).toBeLessThanOrEqual(1.25 * MiB);
    expect(m.growth).toBeGreaterThan(0.6 * MiB);
  });
});

describe('stringHeapBytes', () => {
  it('counts one byte per Latin-1 character and two for any other, with the header, 8-aligned', () => {
    expect(stringHeapBytes('')).toBe(16);
    expect(stringHeapBytes('a'.repeat(76))).toBe(16 + 80);
    expect(stringHeapBytes('Phường')).toBe(16 + 16); // 6 two-byte characters = 12, aligned to 16
    expect(stringHeapBytes('café')).toBe(24); // é is Latin-1: still one byte each
  });

  it('is what an entry is charged with, key and answer together', () => {
    const cache = new StaleCache({ maxBytes: 3 * (48 + 96 + ENTRY_OVERHEAD_BYTES) });
    const answer = { exists: true, nameMatches: true, dateOfBirthMatches: true, verified: true };
    for (let i = 0; i < 4; i++) cache.set(StaleCache.key('vneid', 'verifyCitizen', { i }), answer, 0);
    // Each entry: a 32-byte key (48), the 76-character answer (96) and the overhead: three fit.
    expect(cache.size).toBe(3);
  });
});
