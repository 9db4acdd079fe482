import { existsSync } from 'node:fs';
import Table from 'cli-table3';
import { sqliteOutbox } from '../fallback/outbox/sqlite.js';
import type { OutboxItem, OutboxState } from '../fallback/outbox/types.js';

export interface OutboxCommandOptions {
  db: string;
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

/** `vn-gateway outbox list|show|retry --db <path>`. Throws with a clear message; the CLI prints it. */
export async function runOutboxCommand(
  action: 'list' | 'show' | 'retry',
  o: OutboxCommandOptions,
  out: { write(s: string): unknown },
): Promise<void> {
  // Opening a path that does not exist would create an empty outbox and report "nothing queued":
  // an operator with a typo in --db must see an error instead.
  if (!existsSync(o.db)) throw new Error(`No outbox file at ${o.db} (check --db)`);
  const store = sqliteOutbox({ path: o.db });
  try {
    if (action === 'list') {
      const items = await store.list({ state: o.state, upstream: o.upstream, limit: o.limit });
      const rows = items.map(summary);
      if (o.json) out.write(`${JSON.stringify({ counts: await store.counts(), items: rows }, null, 2)}\n`);
      else {
        out.write(`${JSON.stringify(await store.counts())}\n`);
        if (rows.length > 0) out.write(`${table(rows)}\n`);
      }
      return;
    }
    const ticket = o.ticket!;
    if (action === 'retry') {
      const item = await store.retryDeadLetter(ticket, Date.now());
      if (!item) throw new Error(`No dead-lettered item ${ticket} in ${o.db}`);
      out.write(
        `Requeued ${ticket} (${item.upstream}.${item.operation}); a running gateway on this file will deliver it.\n`,
      );
      return;
    }
    const item = await store.get(ticket);
    if (!item) throw new Error(`No item ${ticket} in ${o.db}`);
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
  } finally {
    await store.close();
  }
}
