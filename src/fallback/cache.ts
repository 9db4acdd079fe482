import crypto from 'node:crypto';
import type { LRUCache } from 'lru-cache';
import { withDefaults } from '../util/defaults.js';
import { loadLruCache } from '../util/lazy-deps.js';

/** Defaults of the stale-if-error cache. */
export const DEFAULT_CACHE_OPTIONS = Object.freeze({
  /** Memory bound of cached answers (their JSON length, all upstreams together). @default 64 MiB */
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
  storedAt: number;
}

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
      sizeCalculation: (e) => Math.max(1, e.json.length),
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

  set(key: string, data: unknown, now: number): void {
    this.lru.set(key, { json: JSON.stringify(data) ?? 'null', storedAt: now });
  }

  /** A copy of the cached answer and its age, if not older than `maxStaleMs`. */
  get(key: string, now: number, maxStaleMs: number): { data: unknown; ageMs: number } | undefined {
    const e = this.lru.get(key);
    if (!e) return undefined;
    const ageMs = now - e.storedAt;
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
