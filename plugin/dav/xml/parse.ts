/**
 * Parsing DAV request XML: xml-js (sax underneath), then our own namespace
 * resolution and the checks sax leaves out. Hand-written on purpose: these
 * checks are the security limits of every XML body (no DTD, depth, bindings).
 * Reading the body off the socket is request-body.ts; writing elements back
 * out is serialize.ts.
 *
 * What parseXml refuses, always with DavError 400:
 * - anything that is not well-formed XML as far as sax (strict mode) sees it,
 *   plus what sax lets through: an unclosed root or element, a second root
 *   element, duplicate attributes (see below), characters XML 1.0 does not
 *   allow (C0 controls other than tab/LF/CR, U+FFFE/U+FFFF, lone surrogates);
 * - any DTD: a `<!DOCTYPE`, `<!ENTITY` or any other `<!` markup that is not a
 *   comment or CDATA section. No DTD means no entity expansion (XXE, billion
 *   laughs) and no default attributes. 400, not 415: the media type is
 *   right, the document uses a feature this protocol endpoint refuses, and
 *   415 would wrongly invite the client to change its Content-Type;
 * - namespace errors: an undeclared prefix, an empty prefixed binding
 *   (`xmlns:bar=""`), a qualified name with more than one colon, a
 *   re-declared `xml`/`xmlns` prefix, two attributes with the same
 *   (namespace, local name);
 * - more than {@link MAX_XML_DEPTH} levels of element nesting;
 * - more than {@link MAX_NAMESPACE_BINDINGS} namespace bindings in scope at
 *   any element: every element carries its scope, and serialising a dead
 *   property walks it, so a document declaring thousands of prefixes above
 *   thousands of elements (well within the size cap) would otherwise cost
 *   minutes of CPU (a "namespace bomb").
 *
 * What it keeps: elements with their (namespace URI, local name), attributes
 * other than namespace declarations, text and CDATA as text (adjacent pieces
 * merged, whitespace kept), and the in-scope prefix map of every element.
 * Comments, processing instructions and the XML declaration are dropped.
 * Line ends are normalised (CRLF and CR → LF, XML 1.0 §2.11) before parsing;
 * `&#13;` survives as CR. Attribute values are not whitespace-normalised
 * (sax does not do it either); the writer escapes tab/LF/CR in attributes so
 * values survive a round trip either way.
 *
 * Duplicate attribute names are only detected after prefix resolution (two
 * prefixes bound to one URI); a literally repeated attribute name is
 * collapsed by sax into the first value before we see it.
 */
import xmljs from 'xml-js';
import { DavError } from '../errors.js';
import {
  DAV_NS,
  EMPTY_SCOPE,
  XML_NS,
  applyDeclarations,
  is,
  resolvePrefix,
  splitQName,
  type NamespaceScope,
} from './namespaces.js';

export { DAV_NS, XML_NS, is };

export interface XmlElement {
  ns: string;
  local: string;
  /** Attributes other than namespace declarations; unprefixed ones have ns ''. */
  attributes: { ns: string; local: string; value: string }[];
  children: (XmlElement | XmlText)[];
  /** prefix → URI in scope at this element ('' = default namespace, absent when none); a null-prototype object. */
  scope: Readonly<Record<string, string>>;
}

export interface XmlText {
  text: string;
}

/** Deeper element nesting than this is refused (400). */
export const MAX_XML_DEPTH = 256;
/** More namespace bindings in scope at one element than this are refused (400); real clients use a handful. */
export const MAX_NAMESPACE_BINDINGS = 64;
export function isElement(node: XmlElement | XmlText): node is XmlElement {
  return (node as XmlElement).local !== undefined;
}

export function childElements(el: XmlElement): XmlElement[] {
  return el.children.filter(isElement);
}

/** The first child element with this (namespace, local name), or undefined. */
export function findChild(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  return el.children.find((c): c is XmlElement => isElement(c) && is(c, ns, local));
}

/** All text of the element and its descendants, in document order (like DOM textContent). */
export function textContent(el: XmlElement): string {
  let s = '';
  for (const c of el.children) s += isElement(c) ? textContent(c) : c.text;
  return s;
}

// ---------------------------------------------------------------- parsing

const ILLEGAL_CHAR =
  // eslint-disable-next-line no-control-regex -- these are the characters XML 1.0 forbids
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const MARKUP_DECL = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<!/g;

interface JsNode {
  type: string;
  name?: string;
  attributes?: Record<string, string | number | undefined>;
  elements?: JsNode[];
  text?: string | number | boolean;
  cdata?: string;
  parent?: unknown;
}

function malformed(why: string): DavError {
  return new DavError(400, `Malformed XML: ${why}`);
}

/** Parses a whole document into its root element; DavError 400 on anything refused (see the module comment). */
export function parseXml(text: string): XmlElement {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (ILLEGAL_CHAR.test(text)) throw malformed('character not allowed in XML 1.0');
  for (const m of text.matchAll(MARKUP_DECL)) {
    if (m[0] === '<!') throw malformed('DTDs and entity declarations are not accepted');
  }
  const normalised = text.replace(/\r\n?/g, '\n');

  let doc: { elements?: JsNode[] };
  try {
    doc = xmljs.xml2js(normalised, {
      compact: false,
      captureSpacesBetweenElements: true,
      ignoreDeclaration: true,
      ignoreInstruction: true,
      ignoreComment: true,
      ignoreDoctype: false,
    }) as { elements?: JsNode[] };
  } catch (error) {
    const first = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw malformed(first ?? 'parse error');
  }

  const top = doc.elements ?? [];
  const roots = top.filter((n) => n.type === 'element');
  if (top.some((n) => n.type === 'doctype')) throw malformed('DTDs and entity declarations are not accepted');
  if (roots.length === 0) throw malformed('no root element');
  if (roots.length > 1) throw malformed('more than one root element');
  return convert(roots[0]!, EMPTY_SCOPE, 1);
}

function convert(node: JsNode, parentScope: NamespaceScope, depth: number): XmlElement {
  if (depth > MAX_XML_DEPTH) throw malformed(`elements nested more than ${MAX_XML_DEPTH} levels deep`);
  if (Object.hasOwn(node, 'parent')) throw malformed(`unclosed element <${String(node.name).slice(0, 80)}>`);

  const declarations: [string, string][] = [];
  const plain: [string, string][] = [];
  for (const [name, raw] of Object.entries(node.attributes ?? {})) {
    const value = raw === undefined ? '' : String(raw);
    if (name === 'xmlns') declarations.push(['', value]);
    else if (name.startsWith('xmlns:')) {
      const prefix = name.slice(6);
      if (prefix === '' || prefix.includes(':'))
        throw malformed(`invalid namespace declaration "${name.slice(0, 80)}"`);
      declarations.push([prefix, value]);
    } else plain.push([name, value]);
  }
  const scope = applyDeclarations(parentScope, declarations);
  if (declarations.length > 0 && Object.keys(scope).length > MAX_NAMESPACE_BINDINGS) {
    throw malformed(`more than ${MAX_NAMESPACE_BINDINGS} namespace prefixes declared`);
  }

  const [prefix, local] = splitQName(node.name ?? '');
  const ns = resolvePrefix(scope, prefix);

  const attributes: XmlElement['attributes'] = [];
  const seen = new Set<string>();
  for (const [name, value] of plain) {
    const [aPrefix, aLocal] = splitQName(name);
    const aNs = resolvePrefix(scope, aPrefix, true);
    const key = `${aNs}\u0000${aLocal}`;
    if (seen.has(key)) throw malformed(`duplicate attribute "${aLocal.slice(0, 80)}"`);
    seen.add(key);
    attributes.push({ ns: aNs, local: aLocal, value });
  }

  const children: (XmlElement | XmlText)[] = [];
  let text: string | null = null;
  for (const child of node.elements ?? []) {
    if (child.type === 'text' || child.type === 'cdata') {
      text = (text ?? '') + String(child.type === 'text' ? child.text : child.cdata);
    } else if (child.type === 'element') {
      if (text !== null) children.push({ text });
      text = null;
      children.push(convert(child, scope, depth + 1));
    } else if (child.type === 'doctype') {
      throw malformed('DTDs and entity declarations are not accepted');
    }
  }
  if (text !== null && text !== '') children.push({ text });
  return { ns, local, attributes, children, scope };
}
