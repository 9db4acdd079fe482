/**
 * Transactional enqueue: a city system records its own dossier row and the national write in ONE
 * PostgreSQL transaction, so it never has a dossier without its queued write (or the reverse).
 * A rolled-back transaction leaves no outbox item; a committed one is delivered by the drainer
 * (here against the mock platforms on 127.0.0.1).
 *
 *   node --import tsx examples/transactional-enqueue.ts
 *
 * Needs PostgreSQL: `DATABASE_URL`, else postgres://postgres@127.0.0.1:5432/test. It works in a
 * schema of its own (random name, dropped at the end), so it leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { createGateway, postgresOutbox } from 'vn-national-gateway';
import { landRegistry } from 'vn-national-gateway/adapters';
import { fixtures, MOCK_CREDENTIALS, startMockPlatforms } from 'vn-national-gateway/testing';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pool = new pg.Pool({ connectionString: url, max: 3, connectionTimeoutMillis: 3_000 });
pool.on('error', () => {}); // an idle connection dying is not this example's concern
try {
  await pool.query('SELECT 1');
} catch (e) {
  const where = new URL(url).host;
  console.error(`this example needs PostgreSQL at ${where} (${(e as Error).message}); set DATABASE_URL`);
  await pool.end();
  process.exit(2);
}

const schema = `vngw_example_${randomBytes(4).toString('hex')}`;
const mock = await startMockPlatforms();
const gateway = createGateway({
  client: 'VN/GOV/000.00.00.H29/hcmc-tthc',
  upstreams: {
    land: landRegistry({
      baseUrl: mock.url,
      auth: { type: 'oauth2', tokenUrl: mock.urls.token, ...MOCK_CREDENTIALS },
    }),
  },
  // The pool is the city system's own: the outbox shares it (and its transactions).
  outbox: postgresOutbox({ pool, schema }),
  drainer: { autoStart: false }, // drained below, to show each step; in production it runs by itself
  logger: pino({ level: 'error' }),
});

const citizen = fixtures.citizens[0]!;
const parcel = fixtures.parcels[0]!;
const ctx = { purpose: '1.004227', actor: 'officer-17' };
const registration = (dossierCode: string) => ({
  dossierCode,
  wardCode: parcel.wardCode,
  mapSheet: parcel.mapSheet,
  parcelNumber: parcel.parcelNumber,
  changeType: 'CHUYEN_NHUONG',
  applicant: { personalId: citizen.personalId, fullName: citizen.fullName },
});

/** The city system's own write and the national one, in one transaction; `commit` decides. */
async function acceptDossier(code: string, commit: boolean): Promise<string> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`INSERT INTO "${schema}".dossiers (code, status) VALUES ($1, 'accepted')`, [code]);
    const { id: ticket } = await gateway.outbox.enqueue('land.submitRegistration', registration(code), ctx, {
      client,
    });
    await client.query(commit ? 'COMMIT' : 'ROLLBACK');
    return ticket;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

const dossierRows = async (code: string) =>
  (await pool.query(`SELECT 1 FROM "${schema}".dossiers WHERE code = $1`, [code])).rowCount;

try {
  await gateway.outbox.counts(); // creates the outbox table (and the schema) on first use
  await pool.query(`CREATE TABLE "${schema}".dossiers (code TEXT PRIMARY KEY, status TEXT NOT NULL)`);

  // 1. Something fails after the enqueue (say, a fee check): the transaction rolls back.
  const lost = await acceptDossier('000.00.29.H29-250701-0001', false);
  const gone = (await gateway.outbox.get(lost)) === undefined;
  console.log(
    `rolled back: dossier rows ${await dossierRows('000.00.29.H29-250701-0001')}, outbox item ${gone ? 'none' : 'STILL THERE'}`,
  );

  // 2. Committed: the dossier row and the queued write exist together.
  const ticket = await acceptDossier('000.00.29.H29-250701-0002', true);
  const queued = await gateway.outbox.get(ticket);
  console.log(
    `committed: dossier rows ${await dossierRows('000.00.29.H29-250701-0002')}, outbox item ${queued?.state}`,
  );

  // 3. The drainer (any instance sharing the table) delivers it with the dossier code as idempotency key.
  const report = await gateway.outbox.drain();
  const done = await gateway.outbox.get(ticket);
  const receipt = (done?.result as { receiptId?: string } | undefined)?.receiptId;
  console.log(`drained: ${report.delivered} delivered, item ${done?.state}, receipt ${receipt}`);
  console.log(
    `land registry registrations: ${mock
      .registrations('land')
      .map((r) => r.idempotencyKey)
      .join(', ')}`,
  );
} finally {
  await gateway.close();
  await mock.close();
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await pool.end();
}
