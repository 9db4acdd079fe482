/**
 * Opening the outbox an `outbox` subcommand names: read-only for `list`/`show`; for
 * `retry`/`discard`/`purge`, the store itself, once a read-only look has shown the database is an
 * outbox (a store opened on anything else would create one in it).
 */
import { postgresOutbox } from '../fallback/outbox/postgres.js';
import { sqliteOutbox } from '../fallback/outbox/sqlite.js';
import type { OutboxStore } from '../fallback/outbox/types.js';
import type { OutboxReader } from './outbox-reader.js';
import { describeTarget, type OutboxTarget } from './outbox-target.js';
import { openPostgresReader } from './postgres-reader.js';
import { openSqliteReader } from './sqlite-reader.js';

/** A read-only view; refuses (exit 1) a database that is not an outbox this version reads. */
export function openReader(target: OutboxTarget): Promise<OutboxReader> {
  return target.kind === 'sqlite'
    ? Promise.resolve(openSqliteReader(target.path))
    : openPostgresReader(target);
}

/** Runs `fn` on a read-only view and closes it. */
export async function withReader<T>(target: OutboxTarget, fn: (r: OutboxReader) => Promise<T>): Promise<T> {
  const reader = await openReader(target);
  try {
    return await fn(reader);
  } finally {
    await reader.close();
  }
}

/**
 * Runs `fn` on the store, opened only after a read-only check that the database is an outbox
 * (an older schema is then migrated, as a gateway starting on it would).
 */
export async function withStore<T>(
  target: OutboxTarget,
  fn: (store: OutboxStore, where: string) => Promise<T>,
): Promise<T> {
  await (await openReader(target)).close();
  const store =
    target.kind === 'sqlite'
      ? sqliteOutbox({ path: target.path })
      : postgresOutbox({ connectionString: target.url, schema: target.schema, table: target.table });
  try {
    return await fn(store, describeTarget(target));
  } finally {
    await store.close();
  }
}
