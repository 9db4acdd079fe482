/**
 * The parts of the optional peers (pg, ioredis) that the public types name, written out here so
 * that no published `.d.ts` imports a package the consumer may not have installed (a consumer
 * without `@types/pg` would otherwise get TS2307, or silent `any`s with `skipLibCheck`).
 * Each is a subset of the real class: `test/types/peer-types.test.ts` checks that a real
 * `pg.Pool`, `pg.PoolClient`, `pg.Client` and ioredis `Redis` are assignable to them.
 */

/** What node-postgres's `query` resolves to, as far as the gateway reads it. */
export interface PgQueryResult<Row = Record<string, unknown>> {
  rows: Row[];
  rowCount: number | null;
}

/** A `pg.PoolClient`: one checked-out connection (the part the gateway uses). */
export interface PgPoolClient {
  query<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<PgQueryResult<Row>>;
  /** Returns the connection to its pool; `true` (or an error) destroys it instead. */
  release(destroy?: boolean | Error): void;
  on(
    event: 'notification',
    listener: (message: { channel: string; payload?: string | undefined }) => void,
  ): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** A `pg.Pool` (node-postgres 8), as far as the gateway uses it. */
export interface PgPool {
  query<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<PgQueryResult<Row>>;
  connect(): Promise<PgPoolClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

/** The node-postgres module (`import pg from 'pg'`), as far as the gateway loads it. */
export interface PgModule {
  Pool: new (config: {
    connectionString?: string | undefined;
    max?: number | undefined;
    connectionTimeoutMillis?: number | undefined;
    keepAlive?: boolean | undefined;
  }) => PgPool;
}

/** An ioredis `Redis` client (ioredis 6), as far as the gateway uses it. */
export interface RedisClient {
  /** `'ready'` once connected. */
  readonly status: string;
  on(event: 'error', listener: (error: Error) => void): unknown;
  once(event: 'ready', listener: () => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
  /** Used by rate-limiter-flexible to register its Lua script. */
  defineCommand(name: string, definition: { numberOfKeys?: number | undefined; lua: string }): void;
}

/** ioredis' constructor (`new Redis(url, options)`), as far as the gateway calls it. */
export type RedisClientConstructor = new (
  url: string,
  options: { enableOfflineQueue: boolean; maxRetriesPerRequest: number },
) => RedisClient;
