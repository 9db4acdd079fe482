import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuditRecord,
  type CallEvent,
  createAuditTrail,
  hashSubject,
  verifyAuditChain,
} from 'vn-national-gateway';
import { CTX, PERSON } from '../helpers/echo-adapter.js';
import { BUSY, echoGateway, FOUND, manualClock, NOT_FOUND, PONG, rejection } from './helpers.js';

const SALT = 'test-salt-0123456789abcdef-not-a-real-secret';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vngw-audit-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const readRecords = (path: string): AuditRecord[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);

describe('audit trail through the gateway', () => {
  it('one chained record per citizen-data call, whatever the outcome; hashed subject, never the raw ID', async () => {
    const path = join(dir, 'audit', 'trail.jsonl');
    const audit = createAuditTrail({ path, salt: SALT });
    const clock = manualClock(Date.UTC(2025, 6, 1, 1, 30, 0));
    const policy = {
      retry: { maxAttempts: 1 },
      breaker: { minimumCalls: 4, errorRatio: 0.4, resetTimeoutMs: 60_000 },
      cache: false as const,
    };
    const other = { personalId: '001099012345', fullName: 'Trần Thị Bích' };
    const { gateway } = echoGateway([FOUND, NOT_FOUND, BUSY, BUSY], { audit, clock, policy });
    const calls: CallEvent[] = [];
    gateway.on('call', (e) => calls.push(e));
    const step = () => clock.advance(1000);

    await gateway.echo.lookup(PERSON, { ...CTX, dossierCode: 'HS-2025-000123' }); // ok
    step();
    await rejection(gateway.echo.lookup(other, { purpose: '1.004227', actor: 'officer-03' })); // NOT_FOUND
    step();
    await rejection(gateway.echo.lookup(PERSON, CTX)); // UPSTREAM_UNAVAILABLE
    step();
    await rejection(gateway.echo.lookup(PERSON, CTX)); // UPSTREAM_UNAVAILABLE: the breaker opens
    step();
    expect((await rejection(gateway.echo.lookup(PERSON, CTX))).code).toBe('CIRCUIT_OPEN');
    step();
    // VALIDATION with who and why given: audited, without a subject (the input never validated).
    expect(
      (await rejection(gateway.echo.lookup({ personalId: '0792030012', fullName: 'X' }, CTX))).code,
    ).toBe('VALIDATION');
    step();
    // VALIDATION for a missing purpose: audited with purpose '(none)', the attempt an auditor looks for.
    // @ts-expect-error the types require purpose and actor too: this checks the run-time refusal
    expect((await rejection(gateway.echo.lookup(PERSON, { actor: 'officer-17' }))).code).toBe('VALIDATION');
    // Not citizen data: not audited.
    await gateway.echo.ping({ n: 1 }).catch(() => {});
    await gateway.close();
    await audit.close();

    const verification = await verifyAuditChain(path);
    expect(verification).toMatchObject({ ok: true, records: 7 });
    const records = readRecords(path);
    const lookupCalls = calls.filter((c) => c.operation === 'lookup');
    expect(records.map((r) => [r.seq, r.outcome, r.requestId])).toEqual(
      lookupCalls.map((c, i) => [i + 1, c.outcome, c.requestId]),
    );
    expect(records.map((r) => r.outcome)).toEqual([
      'ok',
      'NOT_FOUND',
      'UPSTREAM_UNAVAILABLE',
      'UPSTREAM_UNAVAILABLE',
      'CIRCUIT_OPEN',
      'VALIDATION',
      'VALIDATION',
    ]);
    const start = Date.UTC(2025, 6, 1, 1, 30, 0);
    expect(records.map((r) => r.time)).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((s) => new Date(start + s * 1000).toISOString()),
    );
    expect(records[6]).toMatchObject({ actor: 'officer-17', purpose: '(none)', outcome: 'VALIDATION' });
    expect(records[0]).toMatchObject({
      actor: 'officer-17',
      purpose: '1.001234',
      upstream: 'echo',
      operation: 'lookup',
      dossierCode: 'HS-2025-000123',
      subjectHash: hashSubject(SALT, PERSON.personalId),
    });
    expect(records[1]).toMatchObject({
      actor: 'officer-03',
      purpose: '1.004227',
      subjectHash: hashSubject(SALT, other.personalId),
    });
    expect(records[4]!.subjectHash).toBe(hashSubject(SALT, PERSON.personalId)); // CIRCUIT_OPEN: nothing sent, still recorded
    expect(records[5]!.subjectHash).toBeUndefined();
    const text = readFileSync(path, 'utf8');
    for (const secret of [
      PERSON.personalId,
      other.personalId,
      '0792030012',
      'Nguyễn',
      'Trần',
      SALT,
      'test-token',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('editing or deleting one line of the trail is detected', async () => {
    const path = join(dir, 'trail.jsonl');
    const audit = createAuditTrail({ path, salt: SALT });
    const { gateway } = echoGateway([FOUND, NOT_FOUND, FOUND, PONG], { audit });
    await gateway.echo.lookup(PERSON, CTX);
    await rejection(gateway.echo.lookup(PERSON, CTX));
    await gateway.echo.lookup(PERSON, CTX);
    await gateway.close();
    await audit.close();
    expect(await verifyAuditChain(path)).toMatchObject({ ok: true, records: 3 });
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);

    const edited = join(dir, 'edited.jsonl');
    writeFileSync(edited, `${[lines[0], lines[1]!.replace('"NOT_FOUND"', '"ok"'), lines[2]].join('\n')}\n`);
    expect(await verifyAuditChain(edited)).toMatchObject({
      ok: false,
      line: 2,
      reason: expect.stringMatching(/altered/),
    });

    const actor = join(dir, 'actor.jsonl');
    writeFileSync(
      actor,
      `${[lines[0]!.replace('officer-17', 'officer-99'), lines[1], lines[2]].join('\n')}\n`,
    );
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: false, line: 1 });

    const deleted = join(dir, 'deleted.jsonl');
    writeFileSync(deleted, `${[lines[0], lines[2]].join('\n')}\n`);
    expect(await verifyAuditChain(deleted)).toMatchObject({
      ok: false,
      line: 2,
      reason: expect.stringMatching(/deleted/),
    });
  });
});
