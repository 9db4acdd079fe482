import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteOutbox } from 'vn-national-gateway';
import { runCli as run, spawnCli } from './helpers.js';

/** The CLI in this process (no DATABASE_URL). */
const cli = (...args: string[]) => run(args);
/** The real binary, in a child process (slow: used once, end to end). */
const spawned = (...args: string[]) => spawnCli(args);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PERSONAL_ID = '079203001234';

let tmp: string;
let db: string;
const t: Record<'oldDone' | 'newDone' | 'pending' | 'dead' | 'keptDead', string> = {
  oldDone: '',
  newDone: '',
  pending: '',
  dead: '',
  keptDead: '',
};

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'vngw-cli-retention-'));
  db = path.join(tmp, 'outbox.db');
  const store = sqliteOutbox({ path: db });
  const now = Date.now();
  const at = now - 5 * DAY;
  const item = (code: string) => ({
    upstream: 'land',
    operation: 'submitRegistration',
    kind: 'write' as const,
    input: { dossierCode: code, applicant: { personalId: PERSONAL_ID, fullName: 'Nguyễn Văn A' } },
    idempotencyKey: code,
    requestId: `9b0a3c1e-1111-4b5b-9c9c-${code.padStart(12, '0')}`,
    context: { purpose: '1.004227', actor: 'officer-17', dossierCode: code },
  });
  for (const [i, key] of (['oldDone', 'newDone', 'pending', 'dead', 'keptDead'] as const).entries()) {
    t[key] = (await store.enqueue(item(`HS-${i}`), at)).id;
  }
  await store.claim({ owner: 'test', now: at, leaseMs: 1000, limit: 5 });
  await store.complete(t.oldDone, 'test', { receiptId: 'R-1' }, now - 4 * DAY);
  await store.complete(t.newDone, 'test', { receiptId: 'R-2' }, now - HOUR);
  await store.release(t.pending, 'test', { code: 'TIMEOUT', message: 'x' }, now + DAY, at);
  for (const id of [t.dead, t.keptDead])
    await store.fail(id, 'test', { code: 'REJECTED', message: 'The upstream answered REJECTED' }, at);
  await store.close();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const counts = async () => JSON.parse((await cli('outbox', 'list', '--db', db, '--json')).stdout).counts;

describe('vn-gateway outbox purge and discard', () => {
  it('a missing --db is a usage error (exit 2); a missing outbox file is exit 1; nothing is created', async () => {
    for (const args of [['purge'], ['discard', 'T-1', '--reason', 'x']]) {
      const r = await cli('outbox', ...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(
        'vn-gateway: say which outbox: --db <file> (SQLite) or --database-url <url>',
      );
    }
    const missing = path.join(tmp, 'typo.db');
    for (const args of [['purge'], ['discard', 'T-1', '--reason', 'x']]) {
      const r = await cli('outbox', ...args, '--db', missing);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`No outbox file at ${missing}`);
    }
    expect(existsSync(missing)).toBe(false);
  });

  it('a bad --older-than is a usage error (exit 2)', async () => {
    const r = await cli('outbox', 'purge', '--db', db, '--older-than', 'three days');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--older-than must be a whole number with a unit');
  });

  it('purge keeps 3 days by default: only the item delivered 4 days ago goes (the real binary)', {
    timeout: 60_000,
  }, async () => {
    const r = spawned('outbox', 'purge', '--db', db);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Purged 1 delivered and 0 discarded item(s)');
    expect(await counts()).toEqual({ pending: 1, delivering: 0, delivered: 1, dead: 2 });
    expect((await cli('outbox', 'show', t.oldDone, '--db', db)).status).toBe(1);
  });

  it('discard needs a reason without personal data and a dead letter; then purge removes it', async () => {
    // A missing or unfit reason is a usage error (exit 2), refused before the file is opened.
    const noReason = await cli('outbox', 'discard', t.dead, '--db', db);
    expect(noReason.status).toBe(2);
    expect(noReason.stderr).toContain('--reason <text> is required');
    const personal = await cli(
      'outbox',
      'discard',
      t.dead,
      '--db',
      db,
      '--reason',
      `citizen ${PERSONAL_ID} called`,
    );
    expect(personal.status).toBe(2);
    expect(personal.stderr).toContain('9+ digits');
    expect(personal.stderr).not.toContain(PERSONAL_ID);
    const notDead = await cli('outbox', 'discard', t.pending, '--db', db, '--reason', 'duplicate');
    expect(notDead.status).toBe(1);
    expect(notDead.stderr).toContain(`No undiscarded dead letter ${t.pending}`);

    const ok = await cli('outbox', 'discard', t.dead, '--db', db, '--reason', 'filed again on paper');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(`Discarded ${t.dead} (land.submitRegistration)`);
    const shown = await cli('outbox', 'show', t.dead, '--db', db, '--show-input');
    expect(JSON.parse(shown.stdout)).toMatchObject({
      state: 'dead',
      discardReason: 'filed again on paper',
      input: null,
      inputSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(shown.stdout).not.toContain(PERSONAL_ID);
    const listed = JSON.parse((await cli('outbox', 'list', '--db', db, '--state', 'dead', '--json')).stdout);
    expect(listed.items.map((i: { ticket: string; discarded?: boolean }) => [i.ticket, i.discarded])).toEqual(
      [
        [t.dead, true],
        [t.keptDead, undefined],
      ],
    );
    expect((await cli('outbox', 'discard', t.dead, '--db', db, '--reason', 'again')).status).toBe(1);

    const purged = await cli('outbox', 'purge', '--db', db, '--older-than', '0s', '--json');
    expect(purged.status).toBe(0);
    expect(JSON.parse(purged.stdout)).toMatchObject({ delivered: 1, discarded: 1 });
    // The pending item and the dead letter nobody handled stay.
    expect(await counts()).toEqual({ pending: 1, delivering: 0, delivered: 0, dead: 1 });
    expect((await cli('outbox', 'show', t.keptDead, '--db', db, '--show-input')).stdout).toContain(
      PERSONAL_ID,
    );
  });
});
