/**
 * Per-platform deduplication of writes by `Idempotency-Key`: the first successful answer is kept
 * and returned for every later request with the same key, as CONTRACT.md requires.
 */

import type { MockResponse, MockUpstream, Registration } from '../types.js';

/** One platform's idempotency memory and its log of processed writes. */
export interface IdempotencyStore {
  /** The first answer for `key`, if the write was processed. */
  get(key: string): MockResponse | undefined;
  /** Keeps the answer and records the registration once. */
  remember(key: string, response: MockResponse, registration: Omit<Registration, 'upstream'>): void;
  /** Distinct processed writes, oldest first. */
  registrations(): readonly Registration[];
  /** Finds a processed write by its receipt id. */
  byReceipt(receiptId: string): Registration | undefined;
  clear(): void;
}

/** Creates an empty store for `upstream`. */
export function createIdempotencyStore(upstream: MockUpstream): IdempotencyStore {
  const answers = new Map<string, MockResponse>();
  const log: Registration[] = [];

  return {
    get: (key) => answers.get(key),
    remember(key, response, registration) {
      if (answers.has(key)) return;
      answers.set(key, response);
      log.push({ upstream, ...registration });
    },
    registrations: () => structuredClone(log),
    byReceipt: (receiptId) => log.find((r) => r.receiptId === receiptId),
    clear() {
      answers.clear();
      log.length = 0;
    },
  };
}
