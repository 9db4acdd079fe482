/**
 * The structural types that stand in for the optional peers in the published declarations
 * (src/util/peer-types.ts) must accept the real thing: a `pg.Pool`, `pg.PoolClient`, `pg.Client`
 * and an ioredis `Redis`. Checked by `tsc` (`npm run typecheck`); this file runs no code.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { describe, expectTypeOf, it } from 'vitest';
import type {
  PgQueryable,
  PostgresAuditOptions,
  PostgresOutboxOptions,
  RedisQuotaOptions,
} from '../../src/index.js';
import type { PgModule, PgPool, PgPoolClient, RedisClient } from '../../src/util/peer-types.js';

describe('peer types accept the real clients', () => {
  it('pg', () => {
    expectTypeOf<pg.Pool>().toExtend<PgPool>();
    expectTypeOf<pg.PoolClient>().toExtend<PgPoolClient>();
    expectTypeOf<pg.Client>().toExtend<PgQueryable>();
    expectTypeOf<pg.PoolClient>().toExtend<PgQueryable>();
    expectTypeOf<typeof pg>().toExtend<PgModule>();
    expectTypeOf<{ pool: pg.Pool }>().toExtend<PostgresOutboxOptions>();
    expectTypeOf<{ pool: pg.Pool }>().toExtend<PostgresAuditOptions>();
  });

  it('ioredis', () => {
    expectTypeOf<Redis>().toExtend<RedisClient>();
    expectTypeOf<{ client: Redis }>().toExtend<RedisQuotaOptions>();
  });

  it('refuses what is not a client', () => {
    expectTypeOf<{ query(): void }>().not.toExtend<PgPool>();
    expectTypeOf<{ status: string }>().not.toExtend<RedisClient>();
  });
});
