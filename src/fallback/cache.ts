import crypto from 'node:crypto';
import type { LRUCache } from 'lru-cache';
import { withDefaults } from '../util/defaults.js';
import { loadLruCache } from '../util/lazy-deps.js';

/** Defaults of the stale-if-error cache. */
export const DEFAULT_CACHE_OPTIONS = Object.freeze({
  /**
   * Memory bound of the cache, all upstreams together: the V8 heap its entries hold (answer and
   * key as the engine stores them, plus each entry's bookkeeping), not the answers' JSON length.
   * @default 64 MiB
   */
  maxBytes: 64 * 1024 * 1024,
});

/** Options of the stale-if-error cache (`GatewayOptions.cache`). */
export interface CacheOptions {
  /** Memory bound of cached answers (their JSON length, all upstreams together). @default 64 MiB */
  maxBytes?: number | undefined;
}

interface Entry {
  /** The answer as JSON: its length is its size, and every hit parses a fresh copy a caller cannot use to alter the cache. */
  json: string;
  /** When it was stored, on the monotonic clock: its age is never negative nor stretched by a wall step. */
  storedAt: number;
}

/**
 * Heap bytes of one flat V8 string: a 16-byte header (map, hash, length), then one byte per
 * character when every character is Latin-1 (V8 then stores it one-byte) or two bytes otherwise
 * (a Vietnamese name makes the whole answer two-byte), rounded up to V8's 8-byte alignment.
 */
export function stringHeapBytes(s: string): number {
  const perChar = TWO_BYTE.test(s) ? 2 : 1;
  return (16 + perChar * s.length + 7) & ~7;
}

/** Any character past Latin-1 (U+0100 and up), which makes V8 store the string two bytes per character. */
const TWO_BYTE = /[\u0100-\uffff]/;

/**
 * Heap bytes one cache entry holds besides its two strings, measured at saturation on Node 20
 * (x64): the entry object and its time (a heap number), the `Map` slot of lru-cache's key index
 * (with the deleted slots a churning `Map` keeps until it rehashes) and one slot in each of
 * lru-cache's five growing arrays (keys, values, next, prev, sizes) with their growth slack: about
 * 260 bytes in all. The test measuring heap growth at saturation (test/fallback/cache-heap.test.ts)
 * fails if this drifts too low.
 */
export const ENTRY_OVERHEAD_BYTES = 264;

/**
 * The last good answer of each read, for stale-if-error. Keyed by a SHA-256 of upstream, operation
 * and input, so no personal value sits in a key; bounded by bytes (lru-cache, least recently used
 * out first).
 */
export class StaleCache {
  private readonly lru: LRUCache<string, Entry>;

  constructor(options: CacheOptions = {}) {
    const o = withDefaults(DEFAULT_CACHE_OPTIONS, options);
    const LRU = loadLruCache();
    this.lru = new LRU<string, Entry>({
      maxSize: o.maxBytes,
      // What the entry really holds on the heap (see ENTRY_OVERHEAD_BYTES), so that maxBytes is memory.
      sizeCalculation: (e, key) => stringHeapBytes(key) + stringHeapBytes(e.json) + ENTRY_OVERHEAD_BYTES,
    });
  }

  /**
   * The key of a validated input. Inputs come out of their zod schema with keys in the schema's
   * order, so plain JSON is canonical here.
   */
  static key(upstream: string, operation: string, input: unknown): string {
    const text = `${upstream}\u0000${operation}\u0000${JSON.stringify(input)}`;
    // crypto.hash (Node ≥ 20.12) is the one-shot form: the same digest with less work per call.
    // The key is the digest's 32 bytes as a latin1 ('binary') string: no base64 encoding (it is never shown).
    return crypto.hash
      ? crypto.hash('sha256', text, 'binary')
      : crypto.createHash('sha256').update(text).digest('binary');
  }

  /** Stores an answer; `now` is the monotonic clock's reading (`Clock.monotonic()`), never wall time. */
  set(key: string, data: unknown, now: number): void {
    this.lru.set(key, { json: JSON.stringify(data) ?? 'null', storedAt: now });
  }

  /**
   * A copy of the cached answer and its age, if not older than `maxStaleMs`; `now` is on the same
   * monotonic clock as {@link set}'s.
   */
  get(key: string, now: number, maxStaleMs: number): { data: unknown; ageMs: number } | undefined {
    const e = this.lru.get(key);
    if (!e) return undefined;
    // Clamped: an injected clock that is not truly monotonic must still not report a negative age.
    const ageMs = Math.max(0, now - e.storedAt);
    if (ageMs > maxStaleMs) return undefined;
    return { data: JSON.parse(e.json), ageMs };
  }

  get size(): number {
    return this.lru.size;
  }

  clear(): void {
    this.lru.clear();
  }
}
