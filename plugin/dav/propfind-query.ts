/**
 * The PROPFIND request body (RFC 4918 §9.1, §14.20). An empty body means
 * allprop. Elements of other namespaces are ignored, as §17 requires of
 * extensions we do not know.
 */
import { badRequest } from './errors.js';
import { DAV_NS, childElements, is, type XmlElement } from './xml/reader.js';

export interface PropName {
  readonly ns: string;
  readonly local: string;
}

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
  if (allprop!.length) return { kind: 'allprop', include: include!.flatMap(propNames) };
  if (propname!.length) return { kind: 'propname' };
  return { kind: 'prop', props: propNames(prop![0]!) };
}

export function propNames(container: XmlElement): PropName[] {
  return childElements(container).map((element) => ({ ns: element.ns, local: element.local }));
}
