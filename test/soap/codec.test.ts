/**
 * The XML reader and the SOAP 1.1 envelope, attacked: every hostile document is refused with a
 * typed error, in bounded time and memory, and no value from the document reaches a message.
 */
import { describe, expect, it } from 'vitest';
import {
  faultToCode,
  readSoapReply,
  SOAP11_ENVELOPE_NS,
  SoapError,
  soapEnvelope,
} from '../../src/codec/soap.js';
import { parseXml, XmlError } from '../../src/codec/xml.js';

const ENV = SOAP11_ENVELOPE_NS;
const envelope = (body: string, prefix = 'soap', ns = ENV) =>
  `<?xml version="1.0" encoding="utf-8"?><${prefix}:Envelope xmlns:${prefix}="${ns}"><${prefix}:Body>${body}</${prefix}:Body></${prefix}:Envelope>`;
const answer =
  '<KetQuaXacThucResponse xmlns="http://dancuquocgia.bca"><TonTai>true</TonTai></KetQuaXacThucResponse>';
const ID = '079203001234';

/** Runs `fn`, returning what it threw, how long it took and how much the RSS grew. */
function attempt(fn: () => unknown): { error: unknown; ms: number; rssMb: number } {
  const rss = process.memoryUsage().rss;
  const t0 = performance.now();
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  return { error, ms: performance.now() - t0, rssMb: (process.memoryUsage().rss - rss) / 2 ** 20 };
}

describe('parseXml', () => {
  it('reads elements by namespace URI and local name, with text and attributes', () => {
    const root = parseXml(
      `<a:R xmlns:a="urn:x" xmlns:b="urn:y" id="1" b:k="v"><a:C>t&amp;u</a:C><b:C><![CDATA[<raw>]]></b:C></a:R>`,
    );
    expect(root).toMatchObject({ uri: 'urn:x', local: 'R', attrs: { id: '1', '{urn:y}k': 'v' } });
    expect(root.children.map((c) => [c.uri, c.local, c.text])).toEqual([
      ['urn:x', 'C', 't&u'],
      ['urn:y', 'C', '<raw>'],
    ]);
  });

  it('accepts a UTF-8 byte order mark and Vietnamese text', () => {
    const bytes = new TextEncoder().encode('\uFEFF<r>Nguyễn Thị Ánh</r>');
    expect(parseXml(bytes).text).toBe('Nguyễn Thị Ánh');
  });

  const hostile: Array<[string, string | Uint8Array, XmlError['reason']]> = [
    [
      'an external entity (XXE)',
      `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`,
      'doctype',
    ],
    [
      'a billion laughs',
      `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]><r>&j;</r>`,
      'doctype',
    ],
    ['an undeclared entity', '<r>&nbsp;</r>', 'malformed'],
    ['deep nesting', `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`, 'too_deep'],
    ['10 MB of text', `<r>${'x'.repeat(10 * 2 ** 20)}</r>`, 'too_large'],
    ['too many elements', `<r>${'<e/>'.repeat(20_000)}</r>`, 'too_many_elements'],
    ['UTF-16 with a byte order mark', new Uint8Array(Buffer.from('\uFEFF<r/>', 'utf16le')), 'encoding'],
    ['UTF-16 without a byte order mark', new Uint8Array(Buffer.from('<r/>', 'utf16le')), 'encoding'],
    ['UTF-16 already decoded as UTF-8', Buffer.from('\uFEFF<r/>', 'utf16le').toString('utf8'), 'encoding'],
    ['another declared encoding', '<?xml version="1.0" encoding="ISO-8859-1"?><r/>', 'encoding'],
    ['an unbound prefix', '<x:r/>', 'malformed'],
    ['two roots', '<r/><r/>', 'malformed'],
    ['no root', '   ', 'malformed'],
    ['a truncated document', '<r><a>', 'malformed'],
  ];

  it.each(hostile)('refuses %s with a typed error, quickly and in bounded memory', (_, doc, reason) => {
    const r = attempt(() => parseXml(doc));
    expect(r.error).toBeInstanceOf(XmlError);
    expect((r.error as XmlError).reason).toBe(reason);
    expect(r.ms).toBeLessThan(2000);
    expect(r.rssMb).toBeLessThan(50);
  });

  it('never quotes the document in its message', () => {
    for (const doc of [`<r>${ID}`, `<!DOCTYPE r [<!ENTITY x "${ID}">]><r/>`, `<r a="${ID}" a="1"/>`]) {
      const { error } = attempt(() => parseXml(doc));
      expect(error).toBeInstanceOf(XmlError);
      expect((error as Error).message).not.toContain(ID);
    }
  });
});

describe('readSoapReply', () => {
  it('returns the one element of the Body, whatever the envelope prefix', () => {
    for (const prefix of ['soap', 'S', 'soapenv']) {
      const r = readSoapReply(envelope(answer, prefix));
      expect(r.kind).toBe('body');
      if (r.kind === 'body')
        expect([r.element.uri, r.element.local]).toEqual([
          'http://dancuquocgia.bca',
          'KetQuaXacThucResponse',
        ]);
    }
  });

  it('matches the envelope by namespace URI, not by prefix', () => {
    // The usual prefix bound to another namespace is not a SOAP envelope.
    const r = attempt(() =>
      readSoapReply(envelope(answer, 'soap', 'http://www.w3.org/2003/05/soap-envelope')),
    );
    expect(r.error).toBeInstanceOf(SoapError);
    expect((r.error as SoapError).reason).toBe('envelope');
    // A Body of another namespace inside a real envelope is no Body.
    const fake = `<s:Envelope xmlns:s="${ENV}" xmlns:t="urn:trick"><t:Body>${answer}</t:Body></s:Envelope>`;
    expect((attempt(() => readSoapReply(fake)).error as SoapError).reason).toBe('envelope');
  });

  it('wants exactly one element in exactly one Body', () => {
    const two = envelope(answer + answer);
    expect((attempt(() => readSoapReply(two)).error as SoapError).reason).toBe('body');
    expect((attempt(() => readSoapReply(envelope(''))).error as SoapError).reason).toBe('body');
    const twoBodies = `<s:Envelope xmlns:s="${ENV}"><s:Body>${answer}</s:Body><s:Body>${answer}</s:Body></s:Envelope>`;
    expect((attempt(() => readSoapReply(twoBodies)).error as SoapError).reason).toBe('envelope');
  });

  it('reads a Fault by its faultcode only, never its faultstring', () => {
    const fault = (code: string) =>
      envelope(
        `<soap:Fault><faultcode>${code}</faultcode><faultstring>Công dân ${ID} không tồn tại</faultstring></soap:Fault>`,
      );
    const r = readSoapReply(fault('soap:Server.Busy'));
    expect(r).toEqual({ kind: 'fault', faultcode: 'Server.Busy', faultcodeNs: ENV });
    expect(JSON.stringify(r)).not.toContain(ID);
    expect(readSoapReply(fault('Client.InvalidRequest'))).toMatchObject({
      faultcode: 'Client.InvalidRequest',
    });
    expect((attempt(() => readSoapReply(fault(ID.repeat(10)))).error as SoapError).reason).toBe('fault');
  });

  it('refuses hostile XML as a typed SOAP error', () => {
    const xxe = `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${envelope(answer)}`;
    const r = attempt(() => readSoapReply(xxe));
    expect(r.error).toBeInstanceOf(SoapError);
    expect((r.error as SoapError).reason).toBe('xml');
  });
});

describe('faultToCode', () => {
  it.each([
    ['Server.Busy', 'UPSTREAM_UNAVAILABLE'],
    ['Server.Timeout', 'UPSTREAM_UNAVAILABLE'],
    ['Server', 'CONTRACT'],
    ['Client', 'CONTRACT'],
    ['Client.Authentication', 'CONTRACT'],
    ['VersionMismatch', 'CONTRACT'],
  ])('%s → %s', (faultcode, code) => {
    expect(faultToCode(faultcode)).toBe(code);
  });
});

describe('soapEnvelope', () => {
  it('writes a document/literal envelope that reads back, escaping text', () => {
    const xml = soapEnvelope({
      ns: 'http://dancuquocgia.bca',
      name: 'XacThucThongTinCongDanRequest',
      content: [
        { ns: 'http://dancuquocgia.bca', name: 'HoVaTen', content: 'A & <B> "C"' },
        undefined,
        { ns: 'urn:other', name: 'X', content: [] },
      ],
    });
    const r = readSoapReply(xml);
    expect(r.kind).toBe('body');
    if (r.kind !== 'body') return;
    expect(r.element.children.map((c) => [c.uri, c.local, c.text])).toEqual([
      ['http://dancuquocgia.bca', 'HoVaTen', 'A & <B> "C"'],
      ['urn:other', 'X', ''],
    ]);
  });
});
