/**
 * Reading DAV request bodies: the stream (size cap, encoding, media type),
 * the XML (xml-js, then our own namespace resolution and the checks sax
 * leaves out), and a self-contained serialisation of elements (dead
 * property values, litmus `propvalnspace`).
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
import type { IncomingMessage } from 'node:http';
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
import { assertLocalName, escapeAttr, escapeText } from './writer.js';
import { guardBodyRate } from '../body-rate.js';

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
/** Default cap on a request body read by {@link readXmlBody}. */
export const DEFAULT_MAX_XML_BYTES = 1024 * 1024;

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

// eslint-disable-next-line no-control-regex
const ILLEGAL_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
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
      if (prefix === '' || prefix.includes(':')) throw malformed(`invalid namespace declaration "${name.slice(0, 80)}"`);
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

// ---------------------------------------------------------------- reading the body


type Charset = 'utf-8' | 'utf-16le' | 'utf-16be' | 'utf-16' | 'latin1';

/** Media type and charset of a Content-Type value; null media type when absent. */
function contentTypeOf(header: string | undefined): { type: string | null; charset: string | null } {
  if (header === undefined || header.trim() === '') return { type: null, charset: null };
  const [type, ...params] = header.split(';');
  let charset: string | null = null;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() === 'charset') {
      charset = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
    }
  }
  return { type: type!.trim().toLowerCase(), charset };
}

function charsetOf(name: string | null): Charset | null {
  switch (name) {
    case null:
    case 'utf-8':
    case 'utf8':
    case 'us-ascii':
      return 'utf-8';
    case 'iso-8859-1':
    case 'latin1':
      return 'latin1';
    case 'utf-16':
    case 'utf-16le':
    case 'utf-16be':
      return name;
    default:
      return null;
  }
}

/**
 * Decodes a body: a BOM decides (UTF-8, UTF-16 LE/BE); otherwise the
 * charset parameter (UTF-16 without BOM is big-endian, RFC 2781 §4.3);
 * otherwise UTF-8. Invalid bytes → DavError 400.
 */
export function decodeBody(bytes: Uint8Array, charset: Charset = 'utf-8'): string {
  let encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin1' = charset === 'utf-16' ? 'utf-16be' : charset;
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    encoding = 'utf-8';
    start = 3;
  } else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    encoding = 'utf-16le';
    start = 2;
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    encoding = 'utf-16be';
    start = 2;
  }
  let body = bytes.subarray(start);
  if (encoding === 'utf-16be') {
    const swapped = new Uint8Array(body.length);
    for (let i = 0; i + 1 < body.length; i += 2) {
      swapped[i] = body[i + 1]!;
      swapped[i + 1] = body[i]!;
    }
    if (body.length % 2) swapped[body.length - 1] = body[body.length - 1]!;
    body = swapped;
    encoding = 'utf-16le';
  }
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    throw new DavError(400, `Request body is not valid ${encoding === 'utf-8' ? 'UTF-8' : encoding.toUpperCase()}`);
  }
}

/**
 * Reads and parses an XML request body straight from the request stream
 * (never koa-body). Null when the body is empty (Content-Length 0, or
 * chunked with no bytes) or only whitespace.
 *
 * - Content-Length above `maxBytes` (default 1 MiB): 413 at once, nothing
 *   read. A body that grows past it while streaming: 413 and reading stops
 *   (the request is paused, not destroyed, so the 413 can still be sent).
 *   Both 413s carry `Connection: close`, so the rest of the body is never
 *   read into the server.
 * - The Content-Type is not checked: clients label DAV bodies text/xml,
 *   application/xml, or (curl -d and some libraries) form-urlencoded, and
 *   Apache mod_dav reads them all; a body that is not XML is a 400 anyway.
 *   A charset other than UTF-8/US-ASCII/UTF-16/ISO-8859-1: 415.
 * - Bytes that are not valid in the encoding: 400. Then {@link parseXml}.
 * - The client aborting the upload: DavError 400.
 */
export async function readXmlBody(req: IncomingMessage, options: { maxBytes?: number } = {}): Promise<XmlElement | null> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const { charset: charsetName } = contentTypeOf(req.headers['content-type']);
  const lengthHeader = req.headers['content-length'];
  const declared = lengthHeader === undefined ? undefined : Number(lengthHeader);
  const chunked = /chunked/i.test(String(req.headers['transfer-encoding'] ?? ''));
  if (declared === 0 && !chunked) return null;
  if (declared === undefined && !chunked) return null; // no body (RFC 9112 §6.3)

  const charset = charsetOf(charsetName);
  if (declared !== undefined && declared > 0) {
    if (declared > maxBytes) throw tooLarge(maxBytes);
  }

  const bytes = await readBody(req, maxBytes);
  if (bytes.length === 0) return null;
  if (charset === null) throw new DavError(415, `Unsupported charset ${JSON.stringify(charsetName)} in the request body`);
  const text = decodeBody(bytes, charset);
  if (/^[\s\ufeff]*$/.test(text)) return null;
  return parseXml(text);
}

function tooLarge(maxBytes: number): DavError {
  return new DavError(413, `Request body larger than ${maxBytes} bytes`, { headers: { Connection: 'close' } });
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  if (req.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stopGuard = guardBodyRate(req);
    const cleanup = (): void => {
      stopGuard();
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
      total += buf.length;
      if (total > maxBytes) {
        cleanup();
        req.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(buf);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, total));
    };
    const onError = (): void => {
      cleanup();
      reject(new DavError(400, 'Request body could not be read'));
    };
    const onAborted = (): void => {
      cleanup();
      reject(new DavError(400, 'Request body aborted by the client'));
    };
    const onClose = (): void => {
      if (req.readableEnded) return onEnd();
      onAborted();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
    req.on('close', onClose);
    req.resume();
  });
}

// ---------------------------------------------------------------- serialising

const UNKNOWN = Symbol('unknown default namespace');
type OutScope = Map<string, string | typeof UNKNOWN>;

/**
 * The element as a self-contained XML fragment: it does not depend on the
 * namespace context it is later embedded in. The root declares its whole
 * in-scope prefix map (and `xmlns=""` when it or a descendant relies on
 * having no default namespace); descendants declare what differs from their
 * parent. Prefixes are the ones in the element's scope; an element or
 * attribute whose namespace has no prefix there gets a generated `ns1`,
 * `ns2`, .... Text is escaped with {@link escapeText}, attribute values with
 * {@link escapeAttr}. `parseXml(serializeElement(x))` equals `x` for any
 * element parseXml produced (text nodes merged, as parseXml does).
 */
export function serializeElement(el: XmlElement): string {
  const out: OutScope = new Map([['', UNKNOWN]]);
  let xml = '';
  const emit = (s: string): void => {
    xml += s;
  };
  writeElement(el, out, null, emit);
  return xml;
}

/** The children of `el` (its value, for a property), each self-contained: see {@link serializeElement}. */
export function serializeContent(el: XmlElement): string {
  let xml = '';
  for (const child of el.children) xml += isElement(child) ? serializeElement(child) : escapeText(child.text);
  return xml;
}

/**
 * Writes one element under its parent's output scope. The output scope is
 * copied only when the element declares something, and the element's own
 * namespace scope is only walked when it differs from the parent's (parseXml
 * shares one scope object between an element and children that declare
 * nothing): the cost per element stays small however many prefixes are in
 * scope.
 */
function writeElement(el: XmlElement, parent: OutScope, parentScope: NamespaceScope | null, emit: (s: string) => void): void {
  assertLocalName(el.local);
  let out: OutScope = parent;
  const decls = new Map<string, string>();
  const declare = (prefix: string, uri: string): void => {
    if (out === parent) out = new Map(parent);
    out.set(prefix, uri);
    decls.set(prefix, uri);
  };

  // The element's scope, minus what the output context already has.
  const scope = el.scope ?? EMPTY_SCOPE;
  if (scope !== parentScope) {
    for (const prefix of Object.keys(scope)) {
      const uri = scope[prefix]!;
      if (prefix === '' || prefix === 'xml' || prefix === 'xmlns' || uri === '' || uri === XML_NS) continue;
      if (!isNcName(prefix)) continue;
      if (out.get(prefix) !== uri) declare(prefix, uri);
    }
  }
  const defaultNs = Object.hasOwn(scope, '') ? scope['']! : '';
  const current = out.get('');
  if (defaultNs !== '') {
    if (current !== defaultNs) declare('', defaultNs);
  } else if (typeof current === 'string' ? current !== '' : el.ns === '') {
    // No default namespace here: undo an ancestor's in the output, or, at
    // the top of the fragment (context unknown), say so when this element
    // needs it. Otherwise the unknown context cannot matter.
    declare('', '');
  }

  const prefixFor = (ns: string, attribute: boolean): string => {
    if (ns === XML_NS) return 'xml';
    if (!attribute && out.get('') === ns) return '';
    for (const [p, uri] of out) if (p !== '' && uri === ns) return p;
    if (!attribute && ns === '') {
      declare('', '');
      return '';
    }
    if (!attribute && !decls.has('')) {
      declare('', ns);
      return '';
    }
    let n = 1;
    while (out.has(`ns${n}`)) n++;
    declare(`ns${n}`, ns);
    return `ns${n}`;
  };

  const elPrefix = prefixFor(el.ns, false);
  const name = elPrefix ? `${elPrefix}:${el.local}` : el.local;
  let attrs = '';
  for (const a of el.attributes) {
    assertLocalName(a.local);
    const p = a.ns === '' ? '' : prefixFor(a.ns, true);
    attrs += ` ${p ? `${p}:` : ''}${a.local}="${escapeAttr(a.value)}"`;
  }
  let declared = '';
  for (const [prefix, uri] of decls) declared += ` ${prefix === '' ? 'xmlns' : `xmlns:${prefix}`}="${escapeAttr(uri)}"`;
  emit(`<${name}${declared}${attrs}`);
  if (el.children.length === 0) {
    emit('/>');
    return;
  }
  emit('>');
  for (const child of el.children) {
    if (isElement(child)) writeElement(child, out, scope, emit);
    else emit(escapeText(child.text));
  }
  emit(`</${name}>`);
}

function isNcName(s: string): boolean {
  try {
    assertLocalName(s);
    return true;
  } catch {
    return false;
  }
}
