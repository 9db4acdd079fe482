/**
 * `vn-gateway outbox purge|discard`: retention and the end of a dead letter, for operators, on a
 * SQLite or PostgreSQL outbox. Errors are thrown as {@link CliError}s; the CLI prints them.
 */
import { InvalidArgumentError } from 'commander';
import { DEFAULT_DRAINER_OPTIONS } from '../fallback/drainer.js';
import { discardReason } from '../fallback/outbox/internal.js';
import type { OutboxStore } from '../fallback/outbox/types.js';
import { failure, usageError } from './errors.js';
import { withStore } from './outbox-open.js';
import { resolveTarget, type TargetOptions } from './outbox-target.js';

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

export interface PurgeCommandOptions extends TargetOptions {
  /** @default 3 days, the drainer's `retentionMs` */
  olderThan?: number;
  json?: boolean;
}

/** Deletes delivered and discarded items older than `--older-than`; never pending or dead ones. */
export async function runOutboxPurge(
  o: PurgeCommandOptions,
  out: { write(s: string): unknown },
  now = Date.now(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const target = resolveTarget(o, env);
  await withStore(target, async (store) => {
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

export interface DiscardCommandOptions extends TargetOptions {
  ticket: string;
  reason?: string;
}

/** Gives up on one dead letter: its input is erased, the reason kept. */
export async function runOutboxDiscard(
  o: DiscardCommandOptions,
  out: { write(s: string): unknown },
  now = Date.now(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const target = resolveTarget(o, env);
  if (o.reason === undefined || o.reason.trim() === '')
    throw usageError('--reason <text> is required: say why this dead letter is given up (kept for audit)');
  // The store's rule, checked before anything is opened; its message never echoes the reason.
  let reason: string;
  try {
    reason = discardReason(o.reason);
  } catch (err) {
    throw usageError(`--reason: ${(err as Error).message.replace(/^outbox: /, '')}`);
  }
  await withStore(target, async (store, where) => {
    const item: Awaited<ReturnType<OutboxStore['discard']>> = await store.discard(o.ticket, reason, now);
    if (!item)
      throw failure(`No undiscarded dead letter ${o.ticket} in ${where} (see outbox list --state dead)`);
    out.write(
      `Discarded ${o.ticket} (${item.upstream}.${item.operation}); its input is erased and it will be purged after the retention.\n`,
    );
  });
}
