/**
 * The PROPFIND request body (RFC 4918 §9.1, §14.20). An empty body means
 * allprop. Elements of other namespaces are ignored, as §17 requires of
 * extensions we do not know.
 */
import type { PropName } from '../props/dead-properties.js';
import { badRequest } from './errors.js';
import { DAV_NS, childElements, is, type XmlElement } from './xml/parse.js';

export type PropfindQuery =
  | { readonly kind: 'allprop'; readonly include: readonly PropName[] }
  | { readonly kind: 'propname' }
  | { readonly kind: 'prop'; readonly props: readonly PropName[] };

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
