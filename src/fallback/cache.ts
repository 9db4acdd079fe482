import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** Defaults of the stale-if-error cache. */
export const DEFAULT_CACHE_OPTIONS = Object.freeze({
  /** Entries kept per gateway, all upstreams together. @default 10000 */
  maxEntries: 10_000,
  /** Approximate memory bound of cached answers. @default 64 MiB */
  maxBytes: 64 * 1024 * 1024,
});

export type CacheOptions = Partial<typeof DEFAULT_CACHE_OPTIONS>;

interface Entry {
  data: unknown;
  storedAt: number;
}

/**
 * The last good answer of each read, for stale-if-error. Keyed by a SHA-256 of upstream, operation
 * and canonical input, so no personal value sits in a key; bounded by count and bytes (lru-cache).
 */
export class StaleCache {
  private readonly lru: LRUCache<string, Entry>;

  constructor(options: CacheOptions = {}) {
    const o = { ...DEFAULT_CACHE_OPTIONS, ...options };
    this.lru = new LRUCache<string, Entry>({
      max: o.maxEntries,
      maxSize: o.maxBytes,
      sizeCalculation: (e) => Math.max(1, JSON.stringify(e.data)?.length ?? 1),
    });
  }

  static key(upstream: string, operation: string, input: unknown): string {
    return createHash('sha256')
      .update(`${upstream}\u0000${operation}\u0000${canonicalJson(input)}`)
      .digest('base64url');
  }

  set(key: string, data: unknown, now: number): void {
    this.lru.set(key, { data, storedAt: now });
  }

  /** The cached answer and its age, if not older than `maxStaleMs`. */
  get(key: string, now: number, maxStaleMs: number): { data: unknown; ageMs: number } | undefined {
    const e = this.lru.get(key);
    if (!e) return undefined;
    const ageMs = now - e.storedAt;
    if (ageMs > maxStaleMs) return undefined;
    return { data: e.data, ageMs };
  }

  get size(): number {
    return this.lru.size;
  }

  clear(): void {
    this.lru.clear();
  }
}

/** JSON with object keys sorted, so equal inputs hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
