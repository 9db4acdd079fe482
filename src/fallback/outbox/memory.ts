import { randomUUID } from 'node:crypto';
import { OutboxStoreError } from './errors.js';
import {
  claimArgs,
  discardReason,
  errorJson,
  listLimit,
  ms,
  newRow,
  type OutboxRow,
  resultColumns,
  rowToItem,
  toJson,
  WALL_STEP_SLACK_MS,
  zeroCounts,
} from './internal.js';
import type {
  ClaimOptions,
  NewOutboxItem,
  OutboxError,
  OutboxItem,
  OutboxListFilter,
  OutboxStore,
  PurgeCounts,
  UpstreamOutboxStats,
} from './types.js';

/**
 * An outbox kept in this process's memory: for tests and demos only, since a restart loses every
 * queued item. Items are stored as JSON text, so callers can never mutate stored state through an
 * object they passed in or got back, and values come back exactly as the SQLite store returns them.
 * All state lives inside the returned instance.
 */
export function memoryOutbox(): OutboxStore {
  const rows = new Map<string, OutboxRow>();
  let seq = 0;
  let closed = false;

  const open = (): void => {
    if (closed) throw new OutboxStoreError('CLOSED', 'memory outbox is closed');
  };
  const byAge = (a: OutboxRow, b: OutboxRow): number => a.createdAt - b.createdAt || a.seq - b.seq;
  /** The row if `owner` holds its lease (a lapsed lease still counts until someone else claims it). */
  const held = (id: string, owner: string): OutboxRow | undefined => {
    const row = rows.get(id);
    return row && row.state === 'delivering' && row.leaseOwner === owner ? row : undefined;
  };

  return {
    durable: false,
    async enqueue(item: NewOutboxItem, now: number): Promise<OutboxItem> {
      open();
      const at = ms(now, 'now');
      const row: OutboxRow = {
        ...newRow(item),
        seq: ++seq,
        id: randomUUID(),
        state: 'pending',
        attempts: 0,
        createdAt: at,
        updatedAt: at,
        nextAttemptAt: at,
        leaseOwner: null,
        leaseExpiresAt: null,
        result: null,
        deliveredAt: null,
        resultSha256: null,
        discardedAt: null,
        discardReason: null,
      };
      rows.set(row.id, row);
      return rowToItem(row);
    },

    async claim(opts: ClaimOptions): Promise<OutboxItem[]> {
      open();
      const { owner, now, leaseMs, limit, upstream } = claimArgs(opts);
      const due = [...rows.values()]
        .filter(
          (r) =>
            (upstream === undefined || r.upstream === upstream) &&
            ((r.state === 'pending' && r.nextAttemptAt <= now) ||
              (r.state === 'delivering' && (r.leaseExpiresAt ?? 0) <= now) ||
              // Changed "in the future": the wall clock stepped back; due now, lease lapsed.
              ((r.state === 'pending' || r.state === 'delivering') &&
                r.updatedAt > now + WALL_STEP_SLACK_MS)),
        )
        .sort(byAge)
        .slice(0, limit);
      for (const r of due) {
        r.state = 'delivering';
        r.leaseOwner = owner;
        r.leaseExpiresAt = now + leaseMs;
        r.attempts += 1;
        r.updatedAt = now;
      }
      return due.map(rowToItem);
    },

    async complete(id: string, owner: string, result: unknown, now: number): Promise<boolean> {
      open();
      const at = ms(now, 'now');
      const summary = resultColumns(result === undefined ? null : toJson(result, 'result'));
      const row = held(id, owner);
      if (!row) return false;
      Object.assign(row, {
        state: 'delivered',
        ...summary,
        input: 'null',
        deliveredAt: at,
        updatedAt: at,
        leaseOwner: null,
        leaseExpiresAt: null,
      } satisfies Partial<OutboxRow>);
      return true;
    },

    async release(
      id: string,
      owner: string,
      error: OutboxError,
      nextAttemptAt: number,
      now: number,
    ): Promise<boolean> {
      open();
      const at = ms(now, 'now');
      const next = ms(nextAttemptAt, 'nextAttemptAt');
      const lastError = errorJson(error);
      const row = held(id, owner);
      if (!row) return false;
      Object.assign(row, {
        state: 'pending',
        lastError,
        nextAttemptAt: next,
        updatedAt: at,
        leaseOwner: null,
        leaseExpiresAt: null,
      } satisfies Partial<OutboxRow>);
      return true;
    },

    async fail(id: string, owner: string, error: OutboxError, now: number): Promise<boolean> {
      open();
      const at = ms(now, 'now');
      const lastError = errorJson(error);
      const row = held(id, owner);
      if (!row) return false;
      Object.assign(row, {
        state: 'dead',
        lastError,
        updatedAt: at,
        leaseOwner: null,
        leaseExpiresAt: null,
      } satisfies Partial<OutboxRow>);
      return true;
    },

    async retryDeadLetter(id: string, now: number): Promise<OutboxItem | undefined> {
      open();
      const at = ms(now, 'now');
      const row = rows.get(id);
      if (row?.state !== 'dead' || row.discardedAt !== null) return undefined;
      Object.assign(row, { state: 'pending', nextAttemptAt: at, updatedAt: at } satisfies Partial<OutboxRow>);
      return rowToItem(row);
    },

    async discard(id: string, reason: string, now: number): Promise<OutboxItem | undefined> {
      open();
      const at = ms(now, 'now');
      const why = discardReason(reason);
      const row = rows.get(id);
      if (row?.state !== 'dead' || row.discardedAt !== null) return undefined;
      Object.assign(row, {
        input: 'null',
        discardedAt: at,
        discardReason: why,
        updatedAt: at,
      } satisfies Partial<OutboxRow>);
      return rowToItem(row);
    },

    async purge(before: number): Promise<PurgeCounts> {
      open();
      const cutoff = ms(before, 'before');
      const counts: PurgeCounts = { delivered: 0, discarded: 0 };
      for (const [id, r] of rows) {
        if (r.state === 'delivered' && (r.deliveredAt ?? r.updatedAt) <= cutoff) counts.delivered++;
        else if (r.state === 'dead' && r.discardedAt !== null && r.discardedAt <= cutoff) counts.discarded++;
        else continue;
        rows.delete(id);
      }
      return counts;
    },

    async get(id: string): Promise<OutboxItem | undefined> {
      open();
      const row = rows.get(id);
      return row ? rowToItem(row) : undefined;
    },

    async list(filter: OutboxListFilter = {}): Promise<OutboxItem[]> {
      open();
      const limit = listLimit(filter.limit);
      return [...rows.values()]
        .filter(
          (r) =>
            (filter.state === undefined || r.state === filter.state) &&
            (filter.upstream === undefined || r.upstream === filter.upstream),
        )
        .sort(byAge)
        .slice(0, limit)
        .map(rowToItem);
    },

    async counts() {
      open();
      const counts = zeroCounts();
      for (const r of rows.values()) if (r.discardedAt === null) counts[r.state] += 1;
      return counts;
    },

    async stats() {
      open();
      const out: Record<string, UpstreamOutboxStats> = {};
      for (const r of rows.values()) {
        if (r.state === 'delivered' || r.discardedAt !== null) continue;
        const s = out[r.upstream] ?? { pending: 0, delivering: 0, dead: 0, oldestPendingAt: undefined };
        out[r.upstream] = s;
        s[r.state] += 1;
        if (r.state !== 'dead' && (s.oldestPendingAt === undefined || r.createdAt < s.oldestPendingAt)) {
          s.oldestPendingAt = r.createdAt;
        }
      }
      return out;
    },

    async close(): Promise<void> {
      closed = true;
    },
  };
}
