/**
 * The PROPFIND request body (RFC 4918 §9.1, §14.20). An empty body means
 * allprop. Elements of other namespaces are ignored, as §17 requires of
 * extensions we do not know.
 */
import type { PropName } from '../props/dead-properties.js';
import { badRequest } from './errors.js';
import { DAV_NS, childElements, is, parseXml, type XmlElement } from './xml/parse.js';

export type PropfindQuery =
  | { readonly kind: 'allprop'; readonly include: readonly PropName[] }
  | { readonly kind: 'propname' }
  | { readonly kind: 'prop'; readonly props: readonly PropName[] };

/** Bodies remembered, and the longest one remembered (real clients send a few hundred characters). */
const REMEMBERED_BODIES = 64;
const REMEMBERED_BODY_CHARS = 4096;
const remembered = new Map<string, PropfindQuery>();

/**
 * The query a PROPFIND body holds. A client sends the same body for every
 * folder it opens, so the queries of recent bodies are remembered by their
 * exact text and that XML is parsed once, not on every request. Only
 * queries are remembered, and they are frozen: nothing can change one
 * after it was handed out. A body that is refused is parsed (and refused)
 * every time.
 */
export function propfindQueryOf(text: string | null): PropfindQuery {
  if (text === null) return ALLPROP;
  const known = remembered.get(text);
  if (known) return known;
  const query = freeze(parsePropfind(parseXml(text)));
  if (text.length <= REMEMBERED_BODY_CHARS) {
    if (remembered.size >= REMEMBERED_BODIES) remembered.delete(remembered.keys().next().value!);
    remembered.set(text, query);
  }
  return query;
}

const ALLPROP: PropfindQuery = Object.freeze({ kind: 'allprop', include: Object.freeze([]) });

/** The property names a query spells out: those of `prop`, or those `allprop` includes. */
export function namesIn(query: PropfindQuery): readonly PropName[] {
  return query.kind === 'allprop' ? query.include : query.kind === 'prop' ? query.props : [];
}

function freeze(query: PropfindQuery): PropfindQuery {
  const names = namesIn(query);
  for (const name of names) Object.freeze(name);
  Object.freeze(names);
  return Object.freeze(query);
}

export function parsePropfind(body: XmlElement | null): PropfindQuery {
  if (body === null) return { kind: 'allprop', include: [] };
  if (!is(body, DAV_NS, 'propfind')) throw badRequest('PROPFIND body must be a DAV:propfind element');
  const parts = childElements(body).filter((child) => child.ns === DAV_NS);
  const find = (local: string) => parts.filter((part) => part.local === local);
  const [allprop, propname, prop, include] = ['allprop', 'propname', 'prop', 'include'].map(find);
  const choices = allprop!.length + propname!.length + prop!.length;
  if (choices !== 1) throw badRequest('DAV:propfind must hold exactly one of allprop, propname or prop');
  if (propname!.length) return { kind: 'propname' };
  const names = allprop!.length ? include!.flatMap(propNames) : propNames(prop![0]!);
  // Every name is answered for every member of a listing: 90,000 names times 10,000 photos would be gigabytes.
  if (names.length > MAX_PROPERTY_NAMES) {
    throw badRequest(`PROPFIND asks for ${names.length} properties; at most ${MAX_PROPERTY_NAMES} are answered`);
  }
  return allprop!.length ? { kind: 'allprop', include: names } : { kind: 'prop', props: names };
}

export const MAX_PROPERTY_NAMES = 1000;

export function propNames(container: XmlElement): PropName[] {
  return childElements(container).map((element) => ({ ns: element.ns, local: element.local }));
}
