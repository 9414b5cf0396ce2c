/**
 * XML namespaces (Namespaces in XML 1.0): the one place where prefixes are
 * resolved. xml-js hands back prefixed names (`D:prop`) and `xmlns:*`
 * attributes as they are; the reader keeps a scoped prefix map per element
 * and everything else compares elements by (namespace URI, local name) only,
 * so a client's choice of prefixes never changes what a body means.
 *
 * A scope maps prefix → URI; the key `''` is the default namespace and is
 * absent when there is none (`xmlns=""` removes it). Scopes are
 * null-prototype objects (a prefix may be called `__proto__`), shared
 * between an element and its children when the child declares nothing.
 * The predefined `xml` prefix is never stored in a scope.
 */
import { DavError } from '../errors.js';

export const DAV_NS = 'DAV:';
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

export type NamespaceScope = Readonly<Record<string, string>>;

export const EMPTY_SCOPE: NamespaceScope = Object.freeze(Object.create(null) as Record<string, string>);

/** (namespace, local name) equality: prefixes never matter. */
export function is(el: { readonly ns: string; readonly local: string }, ns: string, local: string): boolean {
  return el.ns === ns && el.local === local;
}

/** A name with at most one colon and no empty part: [prefix, local]. */
export function splitQName(qname: string): [prefix: string, local: string] {
  const colon = qname.indexOf(':');
  if (colon < 0) return ['', qname];
  const prefix = qname.slice(0, colon);
  const local = qname.slice(colon + 1);
  if (prefix === '' || local === '' || local.includes(':')) {
    throw new DavError(400, `Malformed XML: invalid qualified name "${qname.slice(0, 80)}"`);
  }
  return [prefix, local];
}

/**
 * Applies the namespace declarations of one element (`xmlns`, `xmlns:p`
 * attributes, in any order) to the parent's scope. DavError 400 for an empty
 * prefixed binding (`xmlns:bar=""`), a declaration of the `xmlns` prefix, `xml`
 * bound to anything but its URI, or another prefix (or the default) bound
 * to the xml/xmlns namespace URIs.
 */
export function applyDeclarations(
  parent: NamespaceScope,
  declarations: ReadonlyArray<[string, string]>,
): NamespaceScope {
  if (declarations.length === 0) return parent;
  const scope = Object.assign(Object.create(null) as Record<string, string>, parent);
  for (const [prefix, uri] of declarations) {
    if (prefix === 'xmlns') throw new DavError(400, 'Malformed XML: the prefix "xmlns" must not be declared');
    if (prefix === 'xml') {
      if (uri !== XML_NS) throw new DavError(400, 'Malformed XML: the prefix "xml" is bound to another namespace');
      continue;
    }
    if (uri === XML_NS || uri === XMLNS_NS) {
      throw new DavError(400, `Malformed XML: ${uri} may not be bound to "${prefix}"`);
    }
    if (uri === '') {
      if (prefix !== '') {
        throw new DavError(400, `Malformed XML: empty namespace binding for prefix "${prefix.slice(0, 80)}"`);
      }
      delete scope[''];
    } else {
      scope[prefix] = uri;
    }
  }
  return scope;
}

/**
 * The namespace URI of a prefix in scope: '' (no namespace) for an
 * unprefixed element name when there is no default namespace. Unprefixed
 * attribute names have no namespace; pass `isAttribute`. DavError 400 for an
 * undeclared prefix.
 */
export function resolvePrefix(scope: NamespaceScope, prefix: string, isAttribute = false): string {
  if (prefix === '') return isAttribute ? '' : (scope[''] ?? '');
  if (prefix === 'xml') return XML_NS;
  if (prefix === 'xmlns') throw new DavError(400, 'Malformed XML: the prefix "xmlns" is reserved');
  const uri = scope[prefix];
  if (uri === undefined) throw new DavError(400, `Malformed XML: undeclared namespace prefix "${prefix.slice(0, 80)}"`);
  return uri;
}
