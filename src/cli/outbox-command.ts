/**
 * `vn-gateway outbox list|show|retry`: what an operator sees of an outbox (SQLite or PostgreSQL).
 * Errors are thrown as {@link CliError}s (see errors.ts for the exit codes); the CLI prints them.
 */
import Table from 'cli-table3';
import type { OutboxItem, OutboxState } from '../fallback/outbox/types.js';
import { failure } from './errors.js';
import { withReader, withStore } from './outbox-open.js';
import { resolveTarget, type TargetOptions } from './outbox-target.js';

export interface OutboxCommandOptions extends TargetOptions {
  ticket?: string;
  state?: OutboxState;
  upstream?: string;
  limit?: number;
  json?: boolean;
  showInput?: boolean;
}

/** What an operator may see of an item by default: routing and state, never the personal input. */
function summary(item: OutboxItem) {
  return {
    ticket: item.id,
    state: item.state,
    upstream: item.upstream,
    operation: item.operation,
    kind: item.kind,
    dossierCode: item.context.dossierCode,
    attempts: item.attempts,
    lastError: item.lastError?.code,
    // A discarded dead letter is handled: the operator's list must tell it from one still to handle.
    discarded: item.discardedAt === undefined ? undefined : true,
    createdAt: new Date(item.createdAt).toISOString(),
    nextAttemptAt: item.state === 'pending' ? new Date(item.nextAttemptAt).toISOString() : undefined,
  };
}

/** Rows as a cli-table3 table (console.table would print to stdout regardless of `out`, with an index column). */
function table(rows: ReturnType<typeof summary>[]): string {
  const head = Object.keys(rows[0]!) as (keyof ReturnType<typeof summary>)[];
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const r of rows) t.push(head.map((k) => String(r[k] ?? '')));
  return t.toString();
}

/**
 * `vn-gateway outbox list|show|retry`. `list` and `show` open the outbox read-only and never
 * create or migrate it; `retry` refuses a database that is not an outbox.
 */
export async function runOutboxCommand(
  action: 'list' | 'show' | 'retry',
  o: OutboxCommandOptions,
  out: { write(s: string): unknown },
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const target = resolveTarget(o, env);
  const ticket = o.ticket!;
  if (action === 'retry') {
    await withStore(target, async (store, where) => {
      const item = await store.retryDeadLetter(ticket, Date.now());
      if (!item) throw failure(`No dead-lettered item ${ticket} in ${where} (see outbox list --state dead)`);
      out.write(
        `Requeued ${ticket} (${item.upstream}.${item.operation}); a running gateway on this outbox will deliver it.\n`,
      );
    });
    return;
  }
  await withReader(target, async (reader) => {
    if (action === 'list') {
      const items = await reader.list({ state: o.state, upstream: o.upstream, limit: o.limit });
      const counts = await reader.counts();
      const rows = items.map(summary);
      if (o.json) out.write(`${JSON.stringify({ counts, items: rows }, null, 2)}\n`);
      else {
        out.write(`${JSON.stringify(counts)}\n`);
        if (rows.length > 0) out.write(`${table(rows)}\n`);
      }
      return;
    }
    const item = await reader.get(ticket);
    if (!item) throw failure(`No item ${ticket} in ${reader.where}`);
    const shown = {
      ...summary(item),
      requestId: item.requestId,
      purpose: item.context.purpose,
      actor: item.context.actor,
      lastErrorMessage: item.lastError?.message,
      result: item.result,
      inputSha256: item.inputSha256,
      discardedAt: item.discardedAt === undefined ? undefined : new Date(item.discardedAt).toISOString(),
      discardReason: item.discardReason,
      ...(o.showInput ? { input: item.input } : {}),
    };
    out.write(`${JSON.stringify(shown, null, 2)}\n`);
  });
}
