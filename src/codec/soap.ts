/**
 * SOAP 1.1 (document/literal) envelopes: writing a request and reading a reply or a Fault.
 * The reading side matches the envelope by namespace URI, wants exactly one element in `Body`,
 * and reports a Fault by its `faultcode` only: a `faultstring` is free text that may quote
 * personal data, so it is never returned.
 */
import type { ErrorCode } from '../errors.js';
import { escapeXml, parseXml, type XmlElement, XmlError, type XmlLimits } from './xml.js';

/** The SOAP 1.1 envelope namespace. */
export const SOAP11_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

/** The media type of a SOAP 1.1 message. */
export const SOAP11_CONTENT_TYPE = 'text/xml; charset=utf-8';

/**
 * One element to write: its namespace URI, local name and either text or child elements, in order.
 * `undefined` children are left out (an optional element the call has no value for).
 */
export interface XmlNode {
  ns: string;
  name: string;
  content: string | ReadonlyArray<XmlNode | undefined>;
}

/**
 * A SOAP 1.1 envelope around one body element. The body element declares its namespace as the
 * default one, so its children, written without prefix, are qualified in it
 * (`elementFormDefault="qualified"`); a child in another namespace declares its own.
 */
export function soapEnvelope(body: XmlNode): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soapenv:Envelope xmlns:soapenv="${SOAP11_ENVELOPE_NS}"><soapenv:Header/><soapenv:Body>` +
    writeNode(body, '') +
    '</soapenv:Body></soapenv:Envelope>'
  );
}

function writeNode(node: XmlNode, inheritedNs: string): string {
  const decl = node.ns === inheritedNs ? '' : ` xmlns="${escapeXml(node.ns)}"`;
  if (typeof node.content === 'string')
    return `<${node.name}${decl}>${escapeXml(node.content)}</${node.name}>`;
  let inner = '';
  for (const child of node.content) if (child) inner += writeNode(child, node.ns);
  return `<${node.name}${decl}>${inner}</${node.name}>`;
}

/** A reply read: the one element of its Body, or a Fault. */
export type SoapReply =
  | { kind: 'body'; element: XmlElement }
  | {
      kind: 'fault';
      /** The `faultcode`'s local name, e.g. `Server.Busy` or `Client` (its prefix dropped). */
      faultcode: string;
      /** The namespace the `faultcode`'s prefix is bound to, `''` when unbound or without prefix. */
      faultcodeNs: string;
    };

/** A reply that is not a SOAP 1.1 envelope as this profile expects it. */
export class SoapError extends Error {
  override readonly name = 'SoapError';
  constructor(
    readonly reason: 'xml' | 'envelope' | 'body' | 'fault',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Reads a SOAP 1.1 reply. Throws a {@link SoapError} when the XML is refused (see `parseXml`), the
 * root is not the SOAP 1.1 `Envelope` (by namespace URI: a look-alike prefix bound elsewhere does
 * not count), there is not exactly one `Body`, or the `Body` does not hold exactly one element.
 */
export function readSoapReply(input: string | Uint8Array, limits?: XmlLimits): SoapReply {
  let root: XmlElement;
  try {
    root = parseXml(input, limits);
  } catch (e) {
    const why = e instanceof XmlError ? e.message : 'XML document not readable';
    throw new SoapError('xml', why, { cause: e });
  }
  if (root.uri !== SOAP11_ENVELOPE_NS || root.local !== 'Envelope')
    throw new SoapError('envelope', 'reply is not a SOAP 1.1 envelope');
  const bodies = root.children.filter((c) => c.uri === SOAP11_ENVELOPE_NS && c.local === 'Body');
  if (bodies.length !== 1)
    throw new SoapError('envelope', `SOAP envelope with ${bodies.length} Body elements`);
  const inBody = bodies[0]!.children;
  if (inBody.length !== 1)
    throw new SoapError('body', `SOAP Body with ${inBody.length} elements, expected 1`);
  const element = inBody[0]!;
  if (element.uri !== SOAP11_ENVELOPE_NS || element.local !== 'Fault') return { kind: 'body', element };

  // SOAP 1.1 faults' children are unqualified.
  const code = element.children.find((c) => c.uri === '' && c.local === 'faultcode');
  if (!code) throw new SoapError('fault', 'SOAP Fault without a faultcode');
  const qname = code.text.trim();
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const faultcode = colon < 0 ? qname : qname.slice(colon + 1);
  if (!/^[A-Za-z_][\w.-]{0,63}$/.test(faultcode))
    throw new SoapError('fault', 'SOAP Fault with an unreadable faultcode');
  return { kind: 'fault', faultcode, faultcodeNs: prefix ? (element.ns[prefix] ?? '') : '' };
}

/**
 * What a Fault means to the gateway: `Server.Busy` and `Server.Timeout` are the platform's passing
 * conditions (retried, fallbacks apply); `Client` and `Client.*` say our request was wrong, and any
 * other code is one the profile does not know: both `CONTRACT` (not retried, never stale).
 */
export function faultToCode(faultcode: string): ErrorCode {
  if (faultcode === 'Server.Busy' || faultcode === 'Server.Timeout') return 'UPSTREAM_UNAVAILABLE';
  return 'CONTRACT';
}

/** The text of the first child of `parent` with this namespace URI and local name, or `undefined`. */
export function childText(parent: XmlElement, uri: string, local: string): string | undefined {
  for (const c of parent.children) if (c.uri === uri && c.local === local) return c.text;
  return undefined;
}
