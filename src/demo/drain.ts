/** The closing-time drain, shared by the single-process demo and each instance of a multi-instance one. */
import type { OutboxState } from '../fallback/outbox/types.js';
import type { DrainReport } from '../fallback/drainer.js';

/** What the drain needs of a gateway. */
export interface Drainable {
  outbox: { drain(): Promise<DrainReport>; counts(): Promise<Record<OutboxState, number>> };
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((done) => {
    if (signal?.aborted || ms <= 0) return done();
    const t = setTimeout(finish, ms);
    function finish() {
      clearTimeout(t);
      signal?.removeEventListener('abort', finish);
      done();
    }
    signal?.addEventListener('abort', finish, { once: true });
  });

/**
 * Replays outbox passes until nothing is pending or delivering (store-wide: on a shared store this
 * includes other instances' items, e.g. a killed instance's leases once they lapse) or `timeoutMs`.
 */
export async function drainOutbox(gateway: Drainable, timeoutMs: number, signal?: AbortSignal) {
  // Monotonic: a wall step during the drain must not end it early nor keep it going for hours.
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  for (;;) {
    await gateway.outbox.drain().catch(() => {}); // a store hiccup: the next pass retries
    const c = await gateway.outbox.counts().catch(() => undefined);
    if (c && c.pending + c.delivering === 0) return { complete: true, durationMs: elapsed() };
    if (signal?.aborted || elapsed() >= timeoutMs) return { complete: false, durationMs: elapsed() };
    // Items wait out their backoff, an open breaker its reset timeout, a dead instance's lease its end.
    await sleep(100, signal);
  }
}
