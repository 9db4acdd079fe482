/**
 * Erasure on PostgreSQL: a delivered item's input is overwritten at delivery (the old row version
 * becomes a dead tuple) and a purge deletes the row; `vacuumAfterPurge` makes that space
 * reusable at once instead of at the next autovacuum.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { postgresOutbox } from '../../src/fallback/outbox/index.js';
import { requirePostgres } from '../helpers/services.js';
import { newItem, pgSchema } from './helpers.js';

const service = await requirePostgres({ suite: 'postgres outbox erasure' });

describe.skipIf(!service.available)('postgresOutbox erasure', () => {
  const pg = pgSchema();
  afterAll(() => pg.drop());

  const lastVacuum = async (table: string) => {
    await pg.pool.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await pg.pool.query(
      'SELECT last_vacuum FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2',
      [pg.schema, table],
    );
    return (rows[0] as { last_vacuum: Date | null } | undefined)?.last_vacuum ?? null;
  };

  it.each([
    [true, 'vacuums the table'],
    [false, 'leaves it to autovacuum'],
  ])('vacuumAfterPurge: %s %s after a purge that deleted rows', async (vacuumAfterPurge) => {
    const table = `e_${vacuumAfterPurge}`;
    const store = postgresOutbox({ pool: pg.pool, schema: pg.schema, table, vacuumAfterPurge });
    const item = await store.enqueue(newItem(), Date.now());
    await store.claim({ owner: 'd', now: Date.now(), leaseMs: 60_000, limit: 1 });
    await store.complete(item.id, 'd', { ok: true }, Date.now());
    const { rows } = await pg.pool.query(`SELECT input FROM "${pg.schema}"."${table}" WHERE id = $1`, [
      item.id,
    ]);
    expect(rows[0]).toEqual({ input: 'null' });
    expect(await store.purge(Date.now() + 60_000)).toEqual({ delivered: 1, discarded: 0 });
    expect((await lastVacuum(table)) !== null).toBe(vacuumAfterPurge);
    await store.close();
  });
});
