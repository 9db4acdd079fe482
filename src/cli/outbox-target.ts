/**
 * Which outbox an `outbox` subcommand works on: a SQLite file (`--db`) or a PostgreSQL table
 * (`--database-url`, else `$DATABASE_URL`; `--schema`, `--table`). Usage errors only: nothing is
 * opened here.
 */
import { usageError } from './errors.js';

/** The SQLite outbox file. */
export interface SqliteTarget {
  kind: 'sqlite';
  path: string;
}

/** The PostgreSQL outbox table, as `postgresOutbox({ connectionString, schema, table })` names it. */
export interface PostgresTarget {
  kind: 'postgres';
  url: string;
  /** @default 'public' (the postgres store's default) */
  schema: string;
  /** @default 'vngw_outbox' (the postgres store's default) */
  table: string;
}

export type OutboxTarget = SqliteTarget | PostgresTarget;

/** The options every `outbox` subcommand takes, as commander hands them over. */
export interface TargetOptions {
  db?: string;
  databaseUrl?: string;
  schema?: string;
  table?: string;
}

const PG_URL = /^postgres(ql)?:\/\//i;

/** The postgres store's rule for `schema` and `table` (a lower-case SQL identifier). */
export const PG_IDENTIFIER = /^[a-z_][a-z0-9_]{0,47}$/;

/**
 * `--db` wins over `$DATABASE_URL` (an operator's shell may hold it for another tool); giving
 * both `--db` and `--database-url` is refused rather than guessed.
 */
export function resolveTarget(o: TargetOptions, env: NodeJS.ProcessEnv): OutboxTarget {
  if (o.db !== undefined && o.databaseUrl !== undefined)
    throw usageError('give either --db <file> (SQLite) or --database-url <url> (PostgreSQL), not both');
  if (o.db !== undefined) {
    if (o.db === '') throw usageError('--db needs a file path');
    if (PG_URL.test(o.db))
      throw usageError(
        '--db takes a SQLite file; for PostgreSQL give --database-url <url> (or DATABASE_URL)',
      );
    if (o.schema !== undefined || o.table !== undefined)
      throw usageError('--schema and --table apply to a PostgreSQL outbox only, not to --db');
    return { kind: 'sqlite', path: o.db };
  }
  const url = o.databaseUrl ?? nonEmpty(env.DATABASE_URL);
  if (url === undefined)
    throw usageError(
      'say which outbox: --db <file> (SQLite) or --database-url <url> (PostgreSQL; default: $DATABASE_URL)',
    );
  // The URL may hold a password: messages never echo it.
  if (!PG_URL.test(url))
    throw usageError(
      `${o.databaseUrl === undefined ? 'DATABASE_URL' : '--database-url'} must be a postgres:// or postgresql:// URL`,
    );
  return { kind: 'postgres', url, schema: o.schema ?? 'public', table: o.table ?? 'vngw_outbox' };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** `host:port/database` of a PostgreSQL URL: what a message may show (no user, no password). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    const host = decodeURIComponent(u.hostname) || 'localhost';
    return `${host}:${u.port || '5432'}${decodeURIComponent(u.pathname) || '/'}`;
  } catch {
    return 'the PostgreSQL server';
  }
}

/** How messages name the outbox: the file, or the table and where it lives. */
export function describeTarget(t: OutboxTarget): string {
  return t.kind === 'sqlite' ? t.path : `table "${t.schema}"."${t.table}" at ${describeUrl(t.url)}`;
}
