/**
 * A profile with a body codec: the request leaves as the codec's text with its content type, and
 * a server error the codec says it reads (SOAP 1.1 Faults come with HTTP 500) reaches the profile
 * instead of being decided by the status alone.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createGateway,
  defineAdapter,
  defineOperation,
  defineProfile,
  type Gateway,
} from 'vn-national-gateway';
import {
  faultToCode,
  readSoapReply,
  SOAP11_CONTENT_TYPE,
  SOAP11_ENVELOPE_NS,
  soapEnvelope,
} from '../../src/codec/soap.js';
import { rejection } from '../helpers/rejection.js';
import { reply, scriptedTransport } from '../helpers/scripted-transport.js';

const NS = 'urn:test:soap';
const operations = {
  check: defineOperation({
    kind: 'read',
    input: z.object({ code: z.string().regex(/^\d{4}$/) }),
    output: z.object({ exists: z.boolean() }),
    policy: { cache: false },
  }),
};

const profile = defineProfile(operations, {
  name: 'test-soap',
  codec: {
    contentType: SOAP11_CONTENT_TYPE,
    accept: 'text/xml',
    encode: (body) => soapEnvelope(body as Parameters<typeof soapEnvelope>[0]),
    readsServerErrors: [500],
  },
  envelope(r) {
    if (typeof r.body !== 'string') throw new Error('not XML');
    const read = readSoapReply(r.body);
    if (read.kind === 'fault')
      return { ok: false, code: faultToCode(read.faultcode), upstreamCode: read.faultcode };
    return { ok: true, data: { exists: read.element.children[0]?.text } };
  },
  operations: {
    check: {
      request: (i) => ({
        method: 'POST',
        path: '/soap',
        headers: { soapaction: '"urn:test:check"' },
        body: { ns: NS, name: 'Check', content: [{ ns: NS, name: 'Code', content: i.code }] },
      }),
      data: z.object({ exists: z.enum(['true', 'false']) }),
      decode: (d: { exists: string }) => ({ exists: d.exists === 'true' }),
      identity: { none: 'the answer is one boolean about the code asked' },
    },
  },
});
const soapTest = defineAdapter({ name: 'soapTest', operations, profile });

const xml = (body: string) =>
  `<s:Envelope xmlns:s="${SOAP11_ENVELOPE_NS}"><s:Body>${body}</s:Body></s:Envelope>`;
const answer = (v: string) => reply(200, xml(`<R xmlns="${NS}"><Exists>${v}</Exists></R>`));
const fault = (code: string) =>
  reply(
    500,
    xml(`<s:Fault><faultcode>s:${code}</faultcode><faultstring>secret 079203001234</faultstring></s:Fault>`),
  );

let gateway: Gateway<{ t: ReturnType<typeof soapTest> }> | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

function gatewayOn(transport: ReturnType<typeof scriptedTransport>) {
  gateway = createGateway({
    upstreams: { t: soapTest({ baseUrl: 'http://127.0.0.1:9', auth: { type: 'none' }, transport }) },
    client: 'VN/GOV/test/soap',
    logger: pino({ level: 'silent' }),
    random: () => 0,
    policy: { retry: { baseDelayMs: 1, maxDelayMs: 1 } },
    drainer: { autoStart: false },
  });
  return gateway;
}

describe('a profile with a body codec', () => {
  it('sends the codec text with its content type and accept, and reads the reply', async () => {
    const transport = scriptedTransport(answer('true'));
    const r = await gatewayOn(transport).t.check({ code: '1234' });
    expect(r.status === 'ok' && r.data).toEqual({ exists: true });
    const sent = transport.requests[0]!;
    expect(sent.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(sent.headers.accept).toBe('text/xml');
    expect(sent.headers.soapaction).toBe('"urn:test:check"');
    expect(typeof sent.body).toBe('string');
    const read = readSoapReply(sent.body as string);
    expect(read.kind === 'body' && [read.element.local, read.element.children[0]?.text]).toEqual([
      'Check',
      '1234',
    ]);
  });

  it('reads a 500 Fault: a busy server is retried, a client fault is CONTRACT and not retried', async () => {
    const busy = scriptedTransport(fault('Server.Busy'), answer('false'));
    const r = await gatewayOn(busy).t.check({ code: '1234' });
    expect(r.status === 'ok' && r.data).toEqual({ exists: false });
    expect(busy.requests).toHaveLength(2);
    await gateway!.close();

    const client = scriptedTransport(fault('Client.BadRequest'), answer('true'));
    const e = await rejection(gatewayOn(client).t.check({ code: '1234' }));
    expect(e).toMatchObject({ code: 'CONTRACT', status: 500, upstreamCode: 'Client.BadRequest' });
    expect(client.requests).toHaveLength(1);
    expect(`${e.message} ${e.userMessage}`).not.toContain('079203001234');
  });

  it('leaves a 500 it cannot read to the status, and refuses a 500 that claims data', async () => {
    const html = scriptedTransport(reply(500, '<html>oops</html>'));
    expect(await rejection(gatewayOn(html).t.check({ code: '1234' }))).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: false,
    });
    await gateway!.close();
    const lying = scriptedTransport({ ...answer('true'), status: 500 });
    expect(await rejection(gatewayOn(lying).t.check({ code: '1234' }))).toMatchObject({ code: 'CONTRACT' });
  });

  it('still decides a 503 by its status, without the profile', async () => {
    const t = scriptedTransport(reply(503, xml('<x/>')), answer('true'));
    const r = await gatewayOn(t).t.check({ code: '1234' });
    expect(r.status).toBe('ok');
    expect(t.requests).toHaveLength(2);
  });
});
