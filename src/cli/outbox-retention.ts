/**
 * `vn-gateway outbox purge|discard`: retention and the end of a dead letter, for operators.
 * Errors are thrown with a clear message; the CLI prints them and exits 1.
 */
import { existsSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { DEFAULT_DRAINER_OPTIONS } from '../fallback/drainer.js';
import { sqliteOutbox } from '../fallback/outbox/sqlite.js';
import type { OutboxStore } from '../fallback/outbox/types.js';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `3d`, `12h`, `30m`, `90s`, `500ms` → milliseconds (commander argument parser). */
export function parseDuration(value: string): number {
  const m = /^(\d{1,9})(ms|s|m|h|d)$/.exec(value.trim());
  if (!m)
    throw new InvalidArgumentError(
      '--older-than must be a whole number with a unit: 3d, 12h, 30m, 90s or 500ms',
    );
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** The store on an existing file: a typo in --db must not create an empty outbox. */
async function withStore<T>(db: string | undefined, fn: (store: OutboxStore) => Promise<T>): Promise<T> {
  if (db === undefined || db === '') throw new Error('--db <path> is required: the SQLite outbox file');
  if (!existsSync(db)) throw new Error(`No outbox file at ${db} (check --db)`);
  const store = sqliteOutbox({ path: db });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export interface PurgeCommandOptions {
  db?: string;
  /** @default 3 days, the drainer's `retentionMs` */
  olderThan?: number;
  json?: boolean;
}

/** Deletes delivered and discarded items older than `--older-than`; never pending or dead ones. */
export async function runOutboxPurge(
  o: PurgeCommandOptions,
  out: { write(s: string): unknown },
  now = Date.now(),
): Promise<void> {
  await withStore(o.db, async (store) => {
    const olderThan = o.olderThan ?? DEFAULT_DRAINER_OPTIONS.retentionMs;
    const before = now - olderThan;
    const counts = await store.purge(before);
    if (o.json) {
      out.write(`${JSON.stringify({ ...counts, before: new Date(before).toISOString() })}\n`);
      return;
    }
    out.write(
      `Purged ${counts.delivered} delivered and ${counts.discarded} discarded item(s) finished before ${new Date(before).toISOString()}; pending items and dead letters are kept.\n`,
    );
  });
}

export interface DiscardCommandOptions {
  db?: string;
  ticket: string;
  reason?: string;
}

/** Gives up on one dead letter: its input is erased, the reason kept. */
export async function runOutboxDiscard(
  o: DiscardCommandOptions,
  out: { write(s: string): unknown },
  now = Date.now(),
): Promise<void> {
  if (o.reason === undefined || o.reason.trim() === '')
    throw new Error('--reason <text> is required: say why this dead letter is given up (kept for audit)');
  await withStore(o.db, async (store) => {
    let item: Awaited<ReturnType<OutboxStore['discard']>>;
    try {
      item = await store.discard(o.ticket, o.reason!, now);
    } catch (err) {
      // The store's message names the rule, never the reason itself.
      if (err instanceof TypeError) throw new Error(`--reason: ${err.message.replace(/^outbox: /, '')}`);
      throw err;
    }
    if (!item)
      throw new Error(`No undiscarded dead letter ${o.ticket} in ${o.db} (see outbox list --state dead)`);
    out.write(
      `Discarded ${o.ticket} (${item.upstream}.${item.operation}); its input is erased and it will be purged after the retention.\n`,
    );
  });
}
