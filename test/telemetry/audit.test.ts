import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AUDIT_GENESIS_HASH,
  type AuditEntry,
  type AuditRecord,
  type AuditSink,
  createAuditTrail,
  fileAuditSink,
  hashSubject,
  verifyAuditChain,
  verifyAuditRecords,
} from '../../src/telemetry/audit.js';

const SALT = 'test-salt-0123456789abcdef';
const PERSONAL_ID = '079203001234';
const T0 = Date.UTC(2025, 6, 1, 8, 0, 0);

let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vngw-'));
  file = path.join(dir, 'audit', 'trail.jsonl'); // nested: the sink creates the directory
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function entry(i: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    time: T0 + i * 1000,
    actor: `officer-${i % 3}`,
    purpose: '1.001234',
    upstream: 'vneid',
    operation: 'verifyCitizen',
    subject: PERSONAL_ID,
    dossierCode: `H29.123-250701-${String(i).padStart(4, '0')}`,
    outcome: i % 10 === 0 ? 'TIMEOUT' : 'ok',
    requestId: `req-${i}`,
    ...over,
  };
}

async function writeTrail(n: number, start = 1): Promise<AuditRecord[]> {
  const trail = createAuditTrail({ salt: SALT, path: file });
  const out: AuditRecord[] = [];
  for (let i = start; i < start + n; i++) out.push(trail.record(entry(i)));
  await trail.close();
  return out;
}

const readLines = () => fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
const writeLines = (lines: string[]) => fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(''));

/** An in-memory sink, optionally async with random delays, that checks writes never overlap. */
function memorySink(opts: { async?: boolean; failAt?: number } = {}) {
  const records: AuditRecord[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const sink: AuditSink = {
    write(record) {
      if (!opts.async) {
        records.push(record);
        return;
      }
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<void>((resolve, reject) =>
        setTimeout(() => {
          inFlight--;
          if (record.seq === opts.failAt) return reject(new Error('disk full'));
          records.push(record);
          resolve();
        }, Math.random() * 3),
      );
    },
  };
  return { sink, records, maxInFlight: () => maxInFlight };
}

describe('file trail', () => {
  it('writes 100 chained records that verify, and never stores the raw personal ID', async () => {
    const written = await writeTrail(100);
    const result = await verifyAuditChain(file);
    expect(result).toEqual({ ok: true, records: 100, lastHash: written[99]!.hash });

    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(PERSONAL_ID);
    expect(JSON.stringify(written)).not.toContain(PERSONAL_ID);

    const first = JSON.parse(readLines()[0]!) as AuditRecord;
    expect(first.seq).toBe(1);
    expect(first.prevHash).toBe(AUDIT_GENESIS_HASH);
    expect(first.time).toBe(new Date(T0 + 1000).toISOString());
    expect(first.subjectHash).toBe(hashSubject(SALT, PERSONAL_ID));
    expect(first.dossierCode).toBe('H29.123-250701-0001');
    // Canonical key order on disk, hash last.
    expect(Object.keys(first)).toEqual([
      'seq',
      'time',
      'actor',
      'purpose',
      'upstream',
      'operation',
      'subjectHash',
      'dossierCode',
      'outcome',
      'requestId',
      'prevHash',
      'hash',
    ]);
    // The documented formula, recomputed independently.
    const { hash, ...rest } = first;
    expect(hash).toBe(
      createHash('sha256')
        .update(first.prevHash + JSON.stringify(rest))
        .digest('hex'),
    );
  });

  it('has each line in the file as soon as record() returns (sync destination)', () => {
    const trail = createAuditTrail({ salt: SALT, path: file });
    trail.record(entry(1));
    expect(readLines()).toHaveLength(1);
    trail.record(entry(2));
    expect(readLines()).toHaveLength(2);
    return trail.close();
  });

  it('omits optional fields when absent, and the chain still verifies', async () => {
    const trail = createAuditTrail({ salt: SALT, path: file });
    const r = trail.record(entry(1, { subject: undefined, dossierCode: undefined }));
    await trail.close();
    expect(r).not.toHaveProperty('subjectHash');
    expect(r).not.toHaveProperty('dossierCode');
    expect(await verifyAuditChain(file)).toMatchObject({ ok: true, records: 1 });
  });

  it('returns frozen records', async () => {
    const trail = createAuditTrail({ salt: SALT, path: file });
    const r = trail.record(entry(1));
    await trail.close();
    expect(Object.isFrozen(r)).toBe(true);
  });

  it('appends to an existing file rather than truncating it', async () => {
    await writeTrail(3);
    const before = fs.readFileSync(file, 'utf8');
    const sink = fileAuditSink(file);
    await sink.close?.();
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  it('treats an empty file as a new chain', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
    expect(await verifyAuditChain(file)).toEqual({ ok: true, records: 0, lastHash: AUDIT_GENESIS_HASH });
    const written = await writeTrail(2);
    expect(written[0]!.seq).toBe(1);
    expect(await verifyAuditChain(file)).toMatchObject({ ok: true, records: 2 });
  });

  it('record() after close() throws; close() is idempotent', async () => {
    const trail = createAuditTrail({ salt: SALT, path: file });
    trail.record(entry(1));
    await trail.close();
    await trail.close();
    expect(() => trail.record(entry(2))).toThrow(/closed/);
  });
});

describe('tamper detection', () => {
  it('detects an edited field at that line', async () => {
    await writeTrail(100);
    const lines = readLines();
    const rec = JSON.parse(lines[41]!);
    rec.outcome = rec.outcome === 'ok' ? 'TIMEOUT' : 'ok';
    lines[41] = JSON.stringify(rec);
    writeLines(lines);
    const result = await verifyAuditChain(file);
    expect(result).toMatchObject({ ok: false, line: 42, records: 41 });
    expect(result.ok === false && result.reason).toMatch(/altered/);
  });

  it('detects an edit whose hash was recomputed, at the next line', async () => {
    await writeTrail(10);
    const lines = readLines();
    const { hash: _old, ...rec } = JSON.parse(lines[4]!);
    rec.actor = 'someone-else';
    const hash = createHash('sha256')
      .update(rec.prevHash + JSON.stringify(rec))
      .digest('hex');
    lines[4] = JSON.stringify({ ...rec, hash });
    writeLines(lines);
    const result = await verifyAuditChain(file);
    expect(result).toMatchObject({ ok: false, line: 6 });
    expect(result.ok === false && result.reason).toMatch(/prevHash/);
  });

  it('detects a deleted middle line', async () => {
    await writeTrail(100);
    const lines = readLines();
    lines.splice(49, 1);
    writeLines(lines);
    const result = await verifyAuditChain(file);
    expect(result).toMatchObject({ ok: false, line: 50, records: 49 });
    expect(result.ok === false && result.reason).toMatch(/seq is 51, expected 50/);
  });

  it('detects two reordered lines', async () => {
    await writeTrail(100);
    const lines = readLines();
    [lines[19], lines[20]] = [lines[20]!, lines[19]!];
    writeLines(lines);
    expect(await verifyAuditChain(file)).toMatchObject({ ok: false, line: 20 });
  });

  it('detects a truncated (partially written) last line', async () => {
    await writeTrail(100);
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, text.length - 40));
    const result = await verifyAuditChain(file);
    expect(result).toMatchObject({ ok: false, line: 100, records: 99 });
    expect(result.ok === false && result.reason).toMatch(/incomplete last line/);
  });

  it('detects a last line that lost only its newline', async () => {
    await writeTrail(5);
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, -1));
    expect(await verifyAuditChain(file)).toMatchObject({ ok: false, line: 5 });
  });

  it('cannot detect a deleted LAST line by itself, but lastHash lets an external anchor catch it', async () => {
    await writeTrail(100);
    const anchored = await verifyAuditChain(file); // an operator stores lastHash elsewhere
    expect(anchored.ok).toBe(true);
    const lines = readLines();
    const ninetyNine = JSON.parse(lines[98]!) as AuditRecord;
    writeLines(lines.slice(0, 99));
    const result = await verifyAuditChain(file);
    // The shorter chain is internally valid…
    expect(result).toEqual({ ok: true, records: 99, lastHash: ninetyNine.hash });
    // …only the comparison with the anchored value reveals the deletion.
    expect(anchored.ok && result.ok && result.lastHash !== anchored.lastHash).toBe(true);
  });

  it('detects an added field, an empty line and a non-JSON line', async () => {
    await writeTrail(5);
    const lines = readLines();

    writeLines(lines.map((l, i) => (i === 2 ? JSON.stringify({ ...JSON.parse(l), note: 'x' }) : l)));
    expect(await verifyAuditChain(file)).toMatchObject({
      ok: false,
      line: 3,
      reason: 'unexpected field "note"',
    });

    writeLines([...lines.slice(0, 2), '', ...lines.slice(2)]);
    expect(await verifyAuditChain(file)).toMatchObject({ ok: false, line: 3, reason: 'empty line' });

    writeLines([...lines.slice(0, 3), '{"seq":4,', ...lines.slice(4)]);
    expect(await verifyAuditChain(file)).toMatchObject({ ok: false, line: 4 });
  });

  it('rejects a chain that does not start at genesis unless anchored', async () => {
    const all = await writeTrail(6);
    writeLines(readLines().slice(3));
    expect(await verifyAuditChain(file)).toMatchObject({ ok: false, line: 1 });
    const after = { seq: all[2]!.seq, hash: all[2]!.hash };
    expect(await verifyAuditChain(file, { after })).toEqual({ ok: true, records: 3, lastHash: all[5]!.hash });
  });

  it('throws (not "tampered") when the file does not exist', async () => {
    await expect(verifyAuditChain(path.join(dir, 'missing.jsonl'))).rejects.toThrow(/ENOENT/);
  });
});

describe('restart', () => {
  it('continues seq and chain across close and reopen', async () => {
    const first = await writeTrail(10);
    const second = await writeTrail(10, 11);
    expect(second[0]!.seq).toBe(11);
    expect(second[0]!.prevHash).toBe(first[9]!.hash);
    const result = await verifyAuditChain(file);
    expect(result).toEqual({ ok: true, records: 20, lastHash: second[9]!.hash });
    expect(readLines().map((l) => JSON.parse(l).seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('reads a last line longer than one tail chunk', async () => {
    const trail = createAuditTrail({ salt: SALT, path: file });
    trail.record(entry(1));
    const long = 'x'.repeat(1000);
    trail.record(
      entry(2, { actor: long, purpose: long, requestId: long, dossierCode: long, operation: long }),
    );
    await trail.close();
    const next = await writeTrail(1, 3);
    expect(next[0]!.seq).toBe(3);
    expect(await verifyAuditChain(file)).toMatchObject({ ok: true, records: 3 });
  });

  it('refuses to continue a file whose last line is corrupt, incomplete or altered', async () => {
    await writeTrail(3);
    const good = fs.readFileSync(file, 'utf8');

    fs.writeFileSync(file, good.slice(0, -10)); // partial last line, no newline
    expect(() => createAuditTrail({ salt: SALT, path: file })).toThrow(/no trailing newline/);

    fs.writeFileSync(file, `${good}{"seq":4,"ti\n`);
    expect(() => createAuditTrail({ salt: SALT, path: file })).toThrow(/not valid JSON/);

    fs.writeFileSync(file, `${good}\n`);
    expect(() => createAuditTrail({ salt: SALT, path: file })).toThrow(/empty/);

    const lines = good.split('\n').slice(0, -1);
    writeLines([...lines.slice(0, 2), lines[2]!.replace('"outcome":"ok"', '"outcome":"REJECTED"')]);
    expect(() => createAuditTrail({ salt: SALT, path: file })).toThrow(/altered/);
  });

  it('refuses continueFrom when the file already has records', async () => {
    await writeTrail(1);
    expect(() =>
      createAuditTrail({ salt: SALT, path: file, continueFrom: { seq: 1, hash: 'a'.repeat(64) } }),
    ).toThrow(/continueFrom/);
  });
});

describe('ordering and sinks', () => {
  it('keeps seq order on an async sink for many synchronous record() calls, one write at a time', async () => {
    const mem = memorySink({ async: true });
    const trail = createAuditTrail({ salt: SALT, sink: mem.sink });
    const returned = Array.from({ length: 50 }, (_, i) => trail.record(entry(i + 1)));
    await trail.flush();
    expect(mem.records.map((r) => r.seq)).toEqual(returned.map((r) => r.seq));
    expect(mem.maxInFlight()).toBe(1);
    expect(verifyAuditRecords(mem.records)).toEqual({ ok: true, records: 50, lastHash: returned[49]!.hash });
    await trail.close();
  });

  it('fails loudly after a sink write fails and never writes past the gap', async () => {
    const mem = memorySink({ async: true, failAt: 3 });
    const trail = createAuditTrail({ salt: SALT, sink: mem.sink });
    for (let i = 1; i <= 6; i++) trail.record(entry(i));
    await expect(trail.flush()).rejects.toThrow(/sink write failed/);
    expect(mem.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(() => trail.record(entry(7))).toThrow(/sink write failed/);
    await expect(trail.close()).rejects.toThrow(/sink write failed/);
  });

  it('surfaces a synchronous sink error from record()', () => {
    const trail = createAuditTrail({
      salt: SALT,
      sink: {
        write() {
          throw new Error('EIO');
        },
      },
    });
    expect(() => trail.record(entry(1))).toThrow(/sink write failed/);
    expect(() => trail.record(entry(2))).toThrow(/sink write failed/);
  });

  it('continues a custom sink chain with continueFrom', async () => {
    const mem = memorySink();
    const a = createAuditTrail({ salt: SALT, sink: mem.sink });
    for (let i = 1; i <= 3; i++) a.record(entry(i));
    await a.close();
    const last = mem.records.at(-1)!;
    const b = createAuditTrail({
      salt: SALT,
      sink: mem.sink,
      continueFrom: { seq: last.seq, hash: last.hash },
    });
    for (let i = 4; i <= 6; i++) b.record(entry(i));
    await b.close();
    expect(verifyAuditRecords(mem.records)).toMatchObject({ ok: true, records: 6 });
    expect(verifyAuditRecords(mem.records.slice(3), { after: last })).toMatchObject({ ok: true, records: 3 });
  });

  it('verifyAuditRecords detects tampering in memory', () => {
    const mem = memorySink();
    const trail = createAuditTrail({ salt: SALT, sink: mem.sink });
    for (let i = 1; i <= 5; i++) trail.record(entry(i));
    const edited = mem.records.map((r, i) => (i === 2 ? { ...r, purpose: '9.999' } : r));
    expect(verifyAuditRecords(edited)).toMatchObject({ ok: false, line: 3, records: 2 });
    const swapped = [mem.records[0]!, mem.records[2]!, mem.records[1]!];
    expect(verifyAuditRecords(swapped)).toMatchObject({ ok: false, line: 2 });
    expect(verifyAuditRecords([])).toEqual({ ok: true, records: 0, lastHash: AUDIT_GENESIS_HASH });
  });
});

describe('validation', () => {
  it('requires a salt of at least 16 bytes and a path or a sink', () => {
    expect(() => createAuditTrail({ salt: 'short', path: file })).toThrow(/at least 16 bytes \(got 5\)/);
    expect(() => createAuditTrail({ salt: Buffer.alloc(8), path: file })).toThrow(/at least 16 bytes/);
    expect(() => createAuditTrail({ salt: SALT })).toThrow(/path or a sink/);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('rejects entries with missing who/why fields, naming the field only', () => {
    const trail = createAuditTrail({ salt: SALT, sink: memorySink().sink });
    expect(() => trail.record(entry(1, { actor: '' }))).toThrow(/actor/);
    expect(() => trail.record(entry(1, { purpose: undefined as unknown as string }))).toThrow(/purpose/);
    expect(() => trail.record(entry(1, { time: Number.NaN }))).toThrow(/time/);
  });

  it('refuses an entry that carries the raw personal ID in another field, without echoing it', () => {
    const trail = createAuditTrail({ salt: SALT, sink: memorySink().sink });
    let message = '';
    try {
      trail.record(entry(1, { requestId: `req-${PERSONAL_ID}` }));
    } catch (e) {
      message = String(e);
    }
    expect(message).toMatch(/requestId contains the subject/);
    expect(message).not.toContain(PERSONAL_ID);
    // The refused entry did not consume a seq.
    expect(trail.record(entry(2)).seq).toBe(1);
  });
});

describe('hashSubject', () => {
  it('is a stable HMAC-SHA256 hex for the same salt and ID', () => {
    const h = hashSubject(SALT, PERSONAL_ID);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSubject(SALT, PERSONAL_ID)).toBe(h);
    expect(hashSubject(Buffer.from(SALT), PERSONAL_ID)).toBe(h);
    expect(h).toBe(createHmac('sha256', SALT).update(PERSONAL_ID).digest('hex'));
  });

  it('differs for a different salt or ID', () => {
    const h = hashSubject(SALT, PERSONAL_ID);
    expect(hashSubject('another-salt-0123456789', PERSONAL_ID)).not.toBe(h);
    expect(hashSubject(SALT, '079203001235')).not.toBe(h);
  });

  it('rejects a short salt without echoing it, and an empty ID', () => {
    expect(() => hashSubject('fifteen-bytes!!', PERSONAL_ID)).toThrow(/at least 16 bytes \(got 15\)/);
    expect(() => hashSubject('fifteen-bytes!!', PERSONAL_ID)).not.toThrow(/fifteen/);
    expect(() => hashSubject('sixteen-bytes!!!', PERSONAL_ID)).not.toThrow();
    expect(() => hashSubject(SALT, '')).toThrow(/personalId/);
  });
});

/** The documented formulas, recomputed from scratch: what a verifier outside this library does. */
function expectDocumentedRecord(r: AuditRecord, e: AuditEntry, salt: string | Buffer): void {
  expect(r.time).toBe(new Date(e.time).toISOString());
  if (e.subject === undefined) expect(r).not.toHaveProperty('subjectHash');
  else expect(r.subjectHash).toBe(createHmac('sha256', salt).update(e.subject, 'utf8').digest('hex'));
  const { hash, ...rest } = r;
  const canonical: Record<string, unknown> = {};
  for (const key of [
    'seq',
    'time',
    'actor',
    'purpose',
    'upstream',
    'operation',
    'subjectHash',
    'dossierCode',
    'correlationId',
    'outcome',
    'requestId',
    'prevHash',
  ] as const) {
    if (rest[key] !== undefined) canonical[key] = rest[key];
  }
  expect(hash).toBe(
    createHash('sha256')
      .update(r.prevHash + JSON.stringify(canonical))
      .digest('hex'),
  );
}

describe('records match the documented formulas for any input (the fast paths change no byte)', () => {
  it('any text (quotes, backslashes, control characters, surrogates, non-ASCII) and any valid time', () => {
    const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
    const odd = fc.constantFrom(
      '"',
      '\\',
      '\n',
      '\u0000',
      '\u001f',
      '\u2028',
      '\ud83d',
      '\ude00',
      '😀',
      'Nguyễn Văn Ánh',
    );
    const field = fc.oneof(
      text,
      fc.tuple(text, odd, text).map(([a, b, c]) => a + b + c),
    );
    const time = fc.oneof(
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.integer({ min: T0 - 2 * 86_400_000, max: T0 + 2 * 86_400_000 }),
      fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true }),
      fc.constantFrom(0, -1, 8.64e15, -8.64e15, Date.UTC(10000, 0, 1), Date.UTC(-1, 0, 1), T0 + 0.5),
    );
    const salt = fc.oneof(
      fc.string({ minLength: 16, maxLength: 100 }),
      fc.uint8Array({ minLength: 16, maxLength: 130 }).map((b) => Buffer.from(b)),
    );
    fc.assert(
      fc.property(
        salt,
        fc.array(
          fc.record(
            {
              time,
              actor: field,
              purpose: field,
              upstream: field,
              operation: field,
              subject: fc.oneof(
                fc.constant(undefined),
                fc.string({ unit: 'binary', minLength: 1, maxLength: 1024 }),
              ),
              dossierCode: fc.oneof(fc.constant(undefined), field),
              correlationId: fc.oneof(fc.constant(undefined), field),
              outcome: field,
              requestId: field,
            },
            { requiredKeys: ['time', 'actor', 'purpose', 'upstream', 'operation', 'outcome', 'requestId'] },
          ),
          { minLength: 1, maxLength: 8 },
        ),
        (key, entries) => {
          const mem = memorySink();
          const trail = createAuditTrail({ salt: key, sink: mem.sink });
          for (const e of entries) {
            let r: AuditRecord;
            try {
              r = trail.record(e);
            } catch {
              continue; // a field that contains the subject is refused (tested above)
            }
            expectDocumentedRecord(r, e, key);
          }
          expect(verifyAuditRecords(mem.records)).toMatchObject({ ok: true, records: mem.records.length });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('times across midnight, in order and not, each written as toISOString writes it', () => {
    const trail = createAuditTrail({ salt: SALT, sink: memorySink().sink });
    const midnight = Date.UTC(2026, 0, 1);
    const times = [midnight - 1, midnight, midnight + 1, midnight - 86_400_000, midnight + 86_399_999];
    times.push(midnight + 86_400_000, midnight - 1, midnight + 3_723_004, 1.9, -1.9, -86_400_001);
    for (const [i, time] of times.entries()) {
      expect(trail.record(entry(i, { time })).time).toBe(new Date(time).toISOString());
    }
  });

  it('refuses exactly the times Date refuses', () => {
    const trail = createAuditTrail({ salt: SALT, sink: memorySink().sink });
    for (const time of [Number.NaN, Infinity, -Infinity, 8.64e15 + 1, -8.64e15 - 1]) {
      expect(() => trail.record(entry(1, { time }))).toThrow(/time must be epoch milliseconds/);
    }
    expect(() => trail.record(entry(1, { time: '1' as unknown as number }))).toThrow(/time/);
    expect(trail.record(entry(1, { time: 8.64e15 })).seq).toBe(1);
  });
});
