/**
 * The outbox: where a write (or a read that cannot wait) goes when its upstream is failing, so that
 * no dossier is lost. A drainer later claims items, replays them with the same idempotency key and
 * request id, and records the outcome. Nothing is deleted silently: {@link OutboxStore.purge} removes
 * only delivered and discarded items past their retention; a dead letter stays until an operator
 * retries or discards it. The input (personal data) is kept only while a replay may need it.
 */

/**
 * Where an item is in its life:
 * `pending` (waiting for `nextAttemptAt`) → `delivering` (leased by one drainer) →
 * `delivered` (with the upstream's result) or `dead` (dead letter, with the error), and back to
 * `pending` after a transient failure or a manual {@link OutboxStore.retryDeadLetter}.
 */
export type OutboxState = 'pending' | 'delivering' | 'delivered' | 'dead';

/** All states, in life order; handy for iterating {@link OutboxStore.counts}. */
export const OUTBOX_STATES: readonly OutboxState[] = ['pending', 'delivering', 'delivered', 'dead'];

/** `write`: store and forward. `deferred-read`: a read queued because no cached answer exists. */
export type OutboxKind = 'write' | 'deferred-read';

/** A failure as stored with an item: only a stable code and a message (no stack, no cause). */
export interface OutboxError {
  /** Stable code, e.g. a `GatewayError` code such as `UPSTREAM_UNAVAILABLE`. */
  code: string;
  /** Human text. Must not contain personal data: it is shown in dashboards and logs. */
  message: string;
}

/** Who and why, kept with an item for audit and for the city system's events. */
export interface OutboxContext {
  purpose?: string | undefined;
  actor?: string | undefined;
  dossierCode?: string | undefined;
}

/** What the gateway hands to {@link OutboxStore.enqueue}. */
export interface NewOutboxItem {
  /** Upstream name, e.g. `vneid`. */
  upstream: string;
  /** Operation name within the upstream, e.g. `registerResidence`. */
  operation: string;
  kind: OutboxKind;
  /**
   * The validated input, JSON-serialisable (it is stored as JSON: `undefined` becomes `null`,
   * `Date` becomes an ISO string). May hold personal data: never logged, never in error messages.
   */
  input: unknown;
  /** Required for `write` (replays reuse it so the upstream deduplicates); optional for reads. */
  idempotencyKey?: string | undefined;
  /** The original X-Road-Id, reused on replay so the upstream's logs tie the attempts together. */
  requestId: string;
  /**
   * Audit context. Only `purpose`, `actor` and `dossierCode` are kept; any other key is dropped,
   * so secrets or signals cannot slip into durable storage.
   */
  context: OutboxContext;
  /** Why it was queued. */
  lastError?: OutboxError | undefined;
}

/** A stored item, as returned by every {@link OutboxStore} method (always a fresh copy). */
export interface OutboxItem extends NewOutboxItem {
  /** The ticket handed to the caller: a random UUID (`crypto.randomUUID`). */
  id: string;
  state: OutboxState;
  /**
   * Delivery attempts started. Counted when an item is claimed (not when the attempt ends), so a
   * drainer that crashed mid-delivery still counts and an item that keeps crashing its drainer
   * cannot loop for ever unnoticed. Kept across {@link OutboxStore.retryDeadLetter}.
   */
  attempts: number;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms of the last state change. */
  updatedAt: number;
  /** Epoch ms before which a `pending` item is not claimed. */
  nextAttemptAt: number;
  /** The drainer holding the item; set only while `delivering`. */
  leaseOwner?: string | undefined;
  /** Epoch ms after which another drainer may take the item over; set only while `delivering`. */
  leaseExpiresAt?: number | undefined;
  /**
   * A summary of the upstream's domain result, once `delivered`: its top-level booleans, numbers,
   * `null`s and code-shaped strings (e.g. `verified: false`, `receiptNo: 'R-1'`); names, dates,
   * personal IDs and nested objects are left out. The full result goes to the `outbox:delivered`
   * event only. A scalar result is kept if it passes the same rule.
   */
  result?: unknown;
  /** sha256 (hex) of the canonical JSON of the full result, once `delivered` with a result. */
  resultSha256?: string | undefined;
  /** Epoch ms, once `delivered`. */
  deliveredAt?: number | undefined;
  /**
   * sha256 (hex) of the canonical JSON (keys sorted) of `input`, computed at enqueue. Once the item
   * is `delivered` or discarded, `input` is replaced by `null` and this hash is all that remains:
   * enough to prove what was sent, without keeping the personal data.
   */
  inputSha256?: string | undefined;
  /** Epoch ms when an operator discarded this dead letter ({@link OutboxStore.discard}). */
  discardedAt?: number | undefined;
  /** The operator's reason for discarding it. */
  discardReason?: string | undefined;
}

/** What {@link OutboxStore.purge} removed. */
export interface PurgeCounts {
  /** Delivered items removed. */
  delivered: number;
  /** Discarded dead letters removed. */
  discarded: number;
}

/** One upstream's share of an outbox, as returned by {@link OutboxStore.stats}. */
export interface UpstreamOutboxStats {
  /** Items waiting for a replay (due or not). */
  pending: number;
  /** Items leased by a drainer right now. */
  delivering: number;
  /** Dead letters not discarded: each is a dossier still to handle by an operator. */
  dead: number;
  /** Enqueue time (epoch ms) of the oldest item not yet delivered or dead. */
  oldestPendingAt: number | undefined;
}

/** Options of {@link OutboxStore.claim}. */
export interface ClaimOptions {
  /**
   * Identifies the drainer. Must be unique per drainer instance (e.g. host, pid and a random
   * UUID): holding a lease is checked by this string alone.
   */
  owner: string;
  /** Epoch ms. */
  now: number;
  /** How long the drainer may hold the items before another may take them over. Must be > 0. */
  leaseMs: number;
  /** Most items to lease in this call. `0` leases nothing. */
  limit: number;
  /** Only items of this upstream (a drainer per upstream follows that upstream's breaker). */
  upstream?: string | undefined;
}

/** Filter of {@link OutboxStore.list}. */
export interface OutboxListFilter {
  state?: OutboxState | undefined;
  upstream?: string | undefined;
  /** Most items to return; default: all. */
  limit?: number | undefined;
}

/**
 * Durable queue of items waiting for an upstream. All methods take the clock (`now`, epoch ms) as
 * an argument so that policies stay in the drainer and tests need no fake timers. A closed store
 * rejects every call with `OutboxStoreError` (`CLOSED`).
 */
export interface OutboxStore {
  /** False for a store that does not survive a restart (memory); the gateway warns and shows it in health. @default true */
  readonly durable?: boolean | undefined;
  /**
   * Stores a new `pending` item due at `now` and resolves only once it is durable (for SQLite:
   * committed and fsync'd). Rejects if it cannot; the caller must then not report `queued`.
   * Throws `TypeError` for an item that breaks the rules above (e.g. a `write` without
   * `idempotencyKey`, or an input that is not JSON-serialisable).
   */
  enqueue(item: NewOutboxItem, now: number): Promise<OutboxItem>;
  /**
   * Atomically leases up to `limit` items due for delivery: `pending` with `nextAttemptAt <= now`,
   * or `delivering` whose lease expired (`leaseExpiresAt <= now`: a crashed drainer). A store on
   * the caller's wall clock (SQLite, memory) also takes an item last changed in the future
   * (`updatedAt` more than a few seconds after `now`): the wall clock stepped back (an NTP
   * correction, a host booting on local time), and waiting for the old due time or lease expiry
   * would stall the item for the size of the step. They become
   * `delivering` with `leaseOwner = owner`, `leaseExpiresAt = now + leaseMs`, `attempts + 1`.
   * Oldest first (`createdAt`, then enqueue order). Two drainers (even in two processes on one
   * SQLite file) never hold the same item at once.
   */
  claim(opts: ClaimOptions): Promise<OutboxItem[]>;
  /**
   * `delivering` → `delivered` with a summary of `result` (see {@link OutboxItem.result}), if
   * `owner` still holds the item; `false` otherwise. The stored input is replaced by `null` (its
   * hash stays in {@link OutboxItem.inputSha256}): a delivered item is never replayed.
   * A lease that lapsed but was not taken over still counts as held: the delivery happened, and
   * recording it beats a redundant replay.
   */
  complete(id: string, owner: string, result: unknown, now: number): Promise<boolean>;
  /**
   * `delivering` → `pending` after a transient failure: records `error`, sets `nextAttemptAt`,
   * clears the lease. Only if `owner` holds the item; `false` otherwise.
   */
  release(
    id: string,
    owner: string,
    error: OutboxError,
    nextAttemptAt: number,
    now: number,
  ): Promise<boolean>;
  /**
   * `delivering` → `dead` (dead letter) with `error`. Only if `owner` holds the item; `false`
   * otherwise. The input is kept: an operator may retry it.
   */
  fail(id: string, owner: string, error: OutboxError, now: number): Promise<boolean>;
  /**
   * `dead` → `pending`, due at `now`, keeping `attempts` and `lastError` as history. Resolves to the
   * item, or `undefined` if it is not found, not `dead`, or discarded (its input is gone).
   */
  retryDeadLetter(id: string, now: number): Promise<OutboxItem | undefined>;
  /**
   * An operator gives up on a dead letter: it stays `dead`, gets `discardedAt` and `discardReason`,
   * its input is replaced by `null` (hash kept), and it no longer counts as a dead letter in
   * {@link OutboxStore.counts} and {@link OutboxStore.stats}. Resolves to the item, or `undefined`
   * if it is not found, not `dead`, or already discarded. Throws `TypeError` for a `reason` that
   * is not 1–500 characters or holds a run of 9+ digits (a personal ID has no place in it).
   */
  discard(id: string, reason: string, now: number): Promise<OutboxItem | undefined>;
  /**
   * Deletes `delivered` items delivered at or before `before` (epoch ms) and discarded dead letters
   * discarded at or before it; never a `pending`, `delivering` or undiscarded `dead` item.
   * With `now` (the caller's clock when it computed `before`), a store on a shared clock
   * (PostgreSQL) applies the retention `now - before` on its own clock instead.
   */
  purge(before: number, now?: number): Promise<PurgeCounts>;
  /** The item with this ticket, or `undefined`. */
  get(id: string): Promise<OutboxItem | undefined>;
  /** Items matching `filter`, oldest first (`createdAt`, then enqueue order). */
  list(filter?: OutboxListFilter): Promise<OutboxItem[]>;
  /** Number of items in each state (every state present, zeros included); `dead` leaves discarded items out. */
  counts(): Promise<Record<OutboxState, number>>;
  /**
   * Per-upstream depth and age, keyed by upstream name: only upstreams with at least one item
   * `pending`, `delivering` or `dead` appear. Store-wide: every instance sharing the store sees the
   * same numbers (report them with a `store` label, and aggregate with `max`, not `sum`).
   */
  stats(): Promise<Record<string, UpstreamOutboxStats>>;
  /**
   * Optional: subscribes to "work may have arrived" from any instance sharing the store (e.g.
   * PostgreSQL `LISTEN`), so a drainer starts a pass at once instead of at its next poll.
   * Returns the unsubscribe function. Stores without cross-instance signals leave it undefined.
   */
  watch?: ((onChange: () => void) => () => void) | undefined;
  /**
   * Optional: broadcasts "work may be due" to every {@link OutboxStore.watch} subscriber on every
   * instance (e.g. PostgreSQL `NOTIFY`); the drainer calls it when an upstream's breaker closes.
   */
  wake?: (() => Promise<void>) | undefined;
  /**
   * Optional: resolves once the store has accepted a write (a transaction rolled back, or a
   * heartbeat), rejects if it cannot take one (read-only file or replica, full disk, lock held).
   * `gateway.readyz()` uses it; stores without it are checked with {@link OutboxStore.counts}.
   */
  checkWritable?: (() => Promise<void>) | undefined;
  /** Releases the store's resources. Idempotent. */
  close(): Promise<void>;
}
