/**
 * A small test platform, defined with the public API only, so the core is tested without the
 * national adapters. Envelope: { ok, code, data }; code 'BUSY' is transient.
 */
import { z } from 'zod';
import { defineAdapter, defineOperation, defineProfile } from 'vn-national-gateway';

const operations = {
  lookup: defineOperation({
    kind: 'read',
    personalData: true,
    input: z.object({
      personalId: z.string().regex(/^\d{12}$/, 'must be 12 digits'),
      fullName: z.string().min(1),
    }),
    output: z.object({ found: z.boolean(), status: z.string() }),
    subject: (i) => i.personalId,
  }),
  ping: defineOperation({
    kind: 'read',
    input: z.object({ n: z.number().int() }),
    output: z.object({ n: z.number() }),
  }),
  submit: defineOperation({
    kind: 'write',
    input: z.object({ dossierCode: z.string().min(3), value: z.number() }),
    output: z.object({ receiptId: z.string() }),
    dossierCode: (i) => i.dossierCode,
  }),
  note: defineOperation({
    kind: 'write',
    input: z.object({ text: z.string() }),
    output: z.object({ ok: z.boolean() }),
  }),
};

const envelope = z.object({ ok: z.boolean(), code: z.string(), data: z.unknown() });
const CODES: Record<string, 'NOT_FOUND' | 'REJECTED' | 'UPSTREAM_UNAVAILABLE' | 'VALIDATION'> = {
  NOT_FOUND: 'NOT_FOUND',
  DENIED: 'REJECTED',
  BUSY: 'UPSTREAM_UNAVAILABLE',
};

export const echoProfile = defineProfile(operations, {
  name: 'echo-json',
  envelope(reply) {
    const e = envelope.parse(reply.body);
    if (e.ok) return { ok: true, data: e.data };
    return { ok: false, code: CODES[e.code] ?? 'REJECTED', upstreamCode: e.code };
  },
  operations: {
    lookup: {
      request: (i, info) => ({
        method: 'POST',
        path: '/echo/lookup',
        body: { id: i.personalId, name: i.fullName, purpose: info.context.purpose },
      }),
      data: z.object({ exists: z.boolean(), status: z.string() }),
      identity: { none: 'the test platform answers two facts about the person, not who it is' },
      decode: (d: { exists: boolean; status: string }, info) => {
        if (!['ACTIVE', 'CLOSED'].includes(d.status)) info.unknownValue('status', d.status);
        return { found: d.exists, status: d.status };
      },
    },
    ping: {
      request: (i) => ({ method: 'GET', path: '/echo/ping', query: { n: i.n } }),
      data: z.object({ n: z.number() }),
      // Tests answer any ping with any n: the reply identity is tested in test/core/reply-identity.test.ts.
      identity: { none: 'a test reply whose number is whatever the script says' },
      decode: (d: { n: number }) => d,
    },
    submit: {
      request: (i) => ({ method: 'POST', path: '/echo/submit', body: i }),
      data: z.object({ receiptId: z.string() }),
      identity: { none: 'a receipt names nothing asked' },
      decode: (d: { receiptId: string }) => d,
    },
    note: {
      request: (i) => ({ method: 'POST', path: '/echo/note', body: i }),
      data: z.object({ ok: z.boolean() }),
      identity: { none: 'the reply is one boolean' },
      decode: (d: { ok: boolean }) => d,
    },
  },
});

export const echo = defineAdapter({ name: 'echo', operations, profile: echoProfile });

export const BASE = 'http://echo.test';
export const ok = (data: unknown) => ({ ok: true, code: 'OK', data });
export const CTX = { purpose: '1.001234', actor: 'officer-17' };
export const PERSON = { personalId: '079203001234', fullName: 'Nguyễn Văn A' };
