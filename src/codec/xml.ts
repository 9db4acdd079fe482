/**
 * A small, safe XML reader for platform replies: a namespace-aware element tree built on saxes (a
 * strict, well-kept SAX parser used by jsdom). Chosen over fast-xml-parser because it resolves
 * every element to its namespace URI (so a reply is matched by URI, never by prefix) and never
 * expands an entity a document declares; on top of it we refuse any DOCTYPE and bound the size,
 * depth, element count and text, so a hostile reply costs bounded time and memory.
 */
import { SaxesParser } from 'saxes';

/** One element of a parsed document. */
export interface XmlElement {
  /** Namespace URI, `''` when the element has none. */
  readonly uri: string;
  /** Local name, without prefix. */
  readonly local: string;
  /** Attributes by local name (attributes of another namespace are keyed `{uri}local`). */
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own character data (text and CDATA), children's excluded. */
  readonly text: string;
  /** In-scope prefix bindings, to resolve a QName in text content (a SOAP `faultcode`). */
  readonly ns: Readonly<Record<string, string>>;
}

/** Bounds on a document. Every one is checked while parsing, before the tree grows past it. */
export interface XmlLimits {
  /** Characters of the whole document. @default 1_048_576 */
  maxChars?: number | undefined;
  /** Nesting depth of elements (the root is 1). @default 32 */
  maxDepth?: number | undefined;
  /** Elements in the document. @default 10_000 */
  maxElements?: number | undefined;
}

/** Defaults of {@link XmlLimits}. */
export const DEFAULT_XML_LIMITS: Readonly<Required<{ [K in keyof XmlLimits]: number }>> = Object.freeze({
  maxChars: 1_048_576,
  maxDepth: 32,
  maxElements: 10_000,
});

/** Why a document was refused. Messages name the rule, never a value from the document. */
export type XmlRefusal =
  | 'doctype'
  | 'encoding'
  | 'too_large'
  | 'too_deep'
  | 'too_many_elements'
  | 'malformed';

/** A document that is not well-formed, or that breaks a limit. */
export class XmlError extends Error {
  override readonly name = 'XmlError';
  constructor(
    readonly reason: XmlRefusal,
    message: string,
  ) {
    super(message);
  }
}

interface Building {
  uri: string;
  local: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
  ns: Record<string, string>;
}

/**
 * Parses a UTF-8 XML document into its root element.
 *
 * Refused with an {@link XmlError}: a DOCTYPE (so no entity is ever declared, let alone expanded),
 * a declared encoding other than UTF-8, a UTF-16 document, anything over the {@link XmlLimits},
 * and anything not well-formed (an undefined entity, an unbound prefix, a second root). A UTF-8
 * byte order mark is allowed, as XML allows it.
 */
export function parseXml(input: string | Uint8Array, limits: XmlLimits = {}): XmlElement {
  const maxChars = limits.maxChars ?? DEFAULT_XML_LIMITS.maxChars;
  const maxDepth = limits.maxDepth ?? DEFAULT_XML_LIMITS.maxDepth;
  const maxElements = limits.maxElements ?? DEFAULT_XML_LIMITS.maxElements;

  let text: string;
  if (typeof input === 'string') text = input;
  else {
    if (input.length > maxChars * 4)
      throw new XmlError('too_large', `XML document over ${maxChars} characters`);
    if (isUtf16(input)) throw new XmlError('encoding', 'XML document in UTF-16; only UTF-8 is accepted');
    text = new TextDecoder('utf-8', { fatal: false }).decode(input);
  }
  if (text.length > maxChars) throw new XmlError('too_large', `XML document over ${maxChars} characters`);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // A UTF-16 body decoded as text elsewhere shows as NULs or U+FFFD pairs in its first characters.
  if (/^(?:\uFFFD\uFFFD|\0|.\0)/s.test(text))
    throw new XmlError('encoding', 'XML document in UTF-16; only UTF-8 is accepted');

  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: Building[] = [];
  let root: XmlElement | undefined;
  let elements = 0;

  parser.on('doctype', () => {
    throw new XmlError('doctype', 'XML document with a DOCTYPE; refused (no DTD or entity is processed)');
  });
  parser.on('xmldecl', (decl) => {
    if (decl.encoding !== undefined && !/^utf-?8$/i.test(decl.encoding))
      throw new XmlError('encoding', 'XML document declares an encoding other than UTF-8');
  });
  parser.on('opentag', (tag) => {
    if (++elements > maxElements)
      throw new XmlError('too_many_elements', `XML document over ${maxElements} elements`);
    if (stack.length + 1 > maxDepth)
      throw new XmlError('too_deep', `XML document nested deeper than ${maxDepth}`);
    const attrs: Record<string, string> = {};
    for (const a of Object.values(tag.attributes)) {
      if (a.prefix === 'xmlns' || a.name === 'xmlns') continue;
      attrs[a.uri ? `{${a.uri}}${a.local}` : a.local] = a.value;
    }
    stack.push({
      uri: tag.uri,
      local: tag.local,
      attrs,
      children: [],
      text: '',
      ns: { ...parentNs(stack), ...tag.ns },
    });
  });
  const onText = (t: string) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const done = stack.pop() as XmlElement;
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(done);
    else root = done;
  });

  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof XmlError) throw e;
    throw new XmlError('malformed', 'XML document not well-formed');
  }
  if (!root) throw new XmlError('malformed', 'XML document without a root element');
  return root;
}

function parentNs(stack: Building[]): Record<string, string> {
  return stack.length > 0 ? stack[stack.length - 1]!.ns : {};
}

function isUtf16(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  const [a, b] = [bytes[0], bytes[1]];
  // A byte order mark, or `<` followed or preceded by a NUL (UTF-16 without a mark).
  return (
    (a === 0xfe && b === 0xff) ||
    (a === 0xff && b === 0xfe) ||
    (a === 0x3c && b === 0) ||
    (a === 0 && b === 0x3c)
  );
}

/** The children of `parent` with this namespace URI and local name. */
export function childrenNamed(parent: XmlElement, uri: string, local: string): XmlElement[] {
  return parent.children.filter((c) => c.uri === uri && c.local === local);
}

/** Escapes text for an element's content or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
