/**
 * Issue 11: a platform that puts personal data in odd places (code fields, message fields, enum
 * fields, headers, keys, error pages) and floods unknown enum values. Each case asserts the typed
 * error or answer, and that the value reaches no log line, event or error (scanned at the end);
 * the flood asserts a bounded number of log lines and bytes for one reply of 50,000 values.
 */
import { describe, expect, it } from 'vitest';
import { createGateway, defineAdapter, defineOperation, defineProfile } from 'vn-national-gateway';
import { z } from 'zod';
import { ok } from '../helpers/echo-adapter.js';
import { CTX, DOB, FAST, useHostileHarness, json, NAME, OLD_ID, PERSON, PERSONAL_ID } from './harness.js';

const h = useHostileHarness();

const WIRE_DOB = DOB.replaceAll('-', '');
const EMAIL = 'binh.nguyen85@example.vn';
const PHONE = '0912345678';
/** Values a drifting platform may echo; some are short and code-like on purpose (a DOB, a phone). */
const PERSONAL = [PERSONAL_ID, OLD_ID, NAME, WIRE_DOB, DOB, EMAIL, PHONE];
for (const v of PERSONAL) h.sensitive(v);

async function call<T>(
  serve: Parameters<typeof h.serve>[0],
  run: (g: ReturnType<typeof h.gateway>) => Promise<T>,
) {
  h.serve(serve);
  const g = h.gateway();
  return h.expectError(
    () => run(g),
    () => g.close(),
  );
}

describe('personal data in odd fields', { timeout: 15_000 }, () => {
  it.each(PERSONAL)(
    'in the envelope code field (%#): the error keeps a placeholder, not the value',
    async (value) => {
      const e = await call(
        (_q, res) => json(res, 200, { ok: false, code: value, data: null }),
        (g) => g.echo.lookup(PERSON, CTX),
      );
      expect(e.code).toBe('REJECTED');
      expect(e.upstreamCode).toBe('(not a code)');
    },
  );

  it('in message fields of a refusal: only the code-shaped code is kept', async () => {
    const e = await call(
      (_q, res) =>
        json(res, 400, {
          ok: false,
          code: 'DENIED',
          data: null,
          message: `Công dân ${NAME} (${PERSONAL_ID}, sinh ${DOB}) không đủ điều kiện`,
          MoTa: `${NAME} ${EMAIL} ${PHONE}`,
          error_description: PERSONAL_ID,
        }),
      (g) => g.echo.lookup(PERSON, CTX),
    );
    expect([e.code, e.upstreamCode]).toEqual(['REJECTED', 'DENIED']);
  });

  it('in an unknown enum value: the answer passes, the log and event carry a placeholder', async () => {
    const unknown: string[] = [];
    const g = h.gateway();
    g.on('contract:unknown-value', (e) => void unknown.push(e.value));
    for (const value of PERSONAL) {
      h.serve((_q, res) => json(res, 200, ok({ exists: true, status: value })));
      const r = await g.echo.lookup(PERSON, CTX);
      expect(r.status === 'ok' && r.data.status).toBe(value); // the caller's own data, untouched
    }
    await g.close();
    // One placeholder event: every personal value looks alike once replaced (dedup per window).
    expect(unknown).toEqual(['(not a code)']);
  });

  it('in a field of the wrong type: CONTRACT naming the field, not the value', async () => {
    const e = await call(
      (_q, res) => json(res, 200, ok({ exists: PERSONAL_ID, status: NAME })),
      (g) => g.echo.lookup(PERSON, CTX),
    );
    expect(e.code).toBe('CONTRACT');
    expect(e.issues?.map((i) => i.path)).toEqual(['exists']);
  });

  it('in an error page and a Retry-After: UPSTREAM_UNAVAILABLE without them', async () => {
    const e = await call(
      (_q, res) => {
        // A header carries Latin-1 only: the name as a Vietnamese system would fold it.
        res.writeHead(503, { 'content-type': 'text/html', 'retry-after': `Nguyen Van Binh ${PERSONAL_ID}` });
        res.end(`<html><body>${NAME} ${PERSONAL_ID} ${DOB}</body></html>`);
      },
      (g) => g.echo.lookup(PERSON, CTX),
    );
    expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('in the echoed X-Road-Id and a redirect Location: CONTRACT without them', async () => {
    const e = await call(
      (_q, res) => json(res, 200, ok({ receiptId: 'R-1' }), { 'x-road-id': PERSONAL_ID }),
      (g) => g.echo.submit({ dossierCode: 'HS-1', value: 1 }, CTX),
    );
    expect(e.code).toBe('CONTRACT');
    const r = await call(
      (_q, res) =>
        json(res, 307, ok({ receiptId: 'R-1' }), {
          location: `/cong-dan/${PERSONAL_ID}?ten=${encodeURIComponent(NAME)}`,
        }),
      (g) => g.echo.submit({ dossierCode: 'HS-1', value: 1 }, CTX),
    );
    expect([r.code, r.status]).toEqual(['CONTRACT', 307]);
  });
});

/** A platform whose data is checked strictly and whose decode reports every code it does not know. */
const driftingOps = {
  strict: defineOperation({ kind: 'read', input: z.object({}), output: z.object({ n: z.number() }) }),
  keyed: defineOperation({ kind: 'read', input: z.object({}), output: z.object({}) }),
  codes: defineOperation({ kind: 'read', input: z.object({}), output: z.object({ count: z.number() }) }),
};
const drifting = defineAdapter({
  name: 'drifting',
  operations: driftingOps,
  profile: defineProfile(driftingOps, {
    name: 'drifting-json',
    envelope: (reply) => ({ ok: true, data: (reply.body as { data: unknown }).data }),
    operations: {
      strict: {
        request: () => ({ method: 'GET', path: '/strict' }),
        data: z.strictObject({ n: z.number() }),
        identity: { none: 'a test reply without identity' },
        decode: (d: { n: number }) => d,
      },
      keyed: {
        request: () => ({ method: 'GET', path: '/keyed' }),
        // A record keyed by personal ID: its keys are data.
        data: z.record(z.string(), z.object({ n: z.number() })),
        identity: { none: 'a test reply without identity' },
        decode: () => ({}),
      },
      codes: {
        request: () => ({ method: 'GET', path: '/codes' }),
        data: z.object({ codes: z.array(z.string()) }),
        identity: { none: 'a test reply without identity' },
        decode: (d: { codes: string[] }, info) => {
          for (const c of d.codes) if (c !== 'KNOWN') info.unknownValue('codes', c);
          return { count: d.codes.length };
        },
      },
    },
  }),
});

function driftingGateway(policy = FAST) {
  const g = createGateway({
    upstreams: {
      drifting: drifting({ baseUrl: h.base, auth: { type: 'none' }, client: 'VN/GOV/test', policy }),
    },
    logger: h.logger,
    drainer: { autoStart: false },
  });
  h.watch(g);
  return g;
}

describe('personal data as a key, and floods', { timeout: 15_000 }, () => {
  it('a personal value as an unexpected key of a strict reply: CONTRACT without the key', async () => {
    h.serve((_q, res) => json(res, 200, { data: { n: 1, [NAME]: PERSONAL_ID, [PERSONAL_ID]: DOB } }));
    const g = driftingGateway();
    const e = await h.expectError(
      () => g.drifting.strict({}),
      () => g.close(),
    );
    expect(e.code).toBe('CONTRACT');
    expect(e.issues?.map((i) => i.message)).toEqual(['Unrecognized keys: (not a code), (not a code)']);
  });

  it('a record keyed by personal ID with a bad entry: CONTRACT whose path hides the key', async () => {
    h.serve((_q, res) => json(res, 200, { data: { [PERSONAL_ID]: { n: NAME } } }));
    const g = driftingGateway();
    const e = await h.expectError(
      () => g.drifting.keyed({}),
      () => g.close(),
    );
    expect(e.code).toBe('CONTRACT');
    expect(e.issues?.map((i) => i.path)).toEqual(['(not a code).n']);
  });

  it('one reply with 50,000 unknown values writes at most 11 log lines and 10 events, in bounded time', async () => {
    // Distinct codes, personal-looking values and names: the worst mix for dedup and for leaks.
    const codes = Array.from({ length: 50_000 }, (_, i) =>
      i % 3 === 0
        ? `NEW-${i}`
        : i % 3 === 1
          ? `${PERSONAL_ID.slice(0, 6)}${String(i).padStart(6, '0')}`
          : `${NAME} ${i}`,
    );
    h.serve((_q, res) => json(res, 200, { data: { codes } }));
    // Time enough to move 1.7 MB on a busy machine: the bound under test is the log, not the socket.
    const g = driftingGateway({ ...FAST, attemptTimeoutMs: 6000, deadlineMs: 8000 });
    const events: unknown[] = [];
    g.on('contract:unknown-value', (e) => void events.push(e));
    const before = h.lines.length;
    const bytesBefore = h.lines.reduce((n, l) => n + l.length, 0);
    const heapBefore = process.memoryUsage().heapUsed;
    const started = Date.now();
    const r = await g.drifting.codes({});
    const elapsed = Date.now() - started;
    await g.close();
    expect(r.status === 'ok' && r.data.count).toBe(50_000);
    const added = h.lines.slice(before);
    const unknownLines = added.filter((l) => l.includes('unknown value'));
    expect(unknownLines.length).toBeLessThanOrEqual(11);
    expect(events.length).toBeLessThanOrEqual(10);
    expect(h.lines.reduce((n, l) => n + l.length, 0) - bytesBefore).toBeLessThan(16 * 1024);
    expect(elapsed).toBeLessThan(8000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    expect(added.some((l) => l.includes('"suppressed":49990'))).toBe(true);
  });

  it('the same unknown value over 200 calls is logged once (one line per value per minute)', async () => {
    const before = h.lines.length;
    h.serve((_q, res) => json(res, 200, ok({ exists: true, status: 'NEW-1' })));
    const g = h.gateway();
    for (let i = 0; i < 200; i++) await g.echo.lookup(PERSON, CTX);
    await g.close();
    const unknownLines = h.lines.slice(before).filter((l) => l.includes('unknown value passed through'));
    expect(unknownLines).toHaveLength(1);
  });
});
