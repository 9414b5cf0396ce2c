/**
 * What a PROPFIND answers about one resource (RFC 4918 §9.1): its
 * properties grouped into found (200) and not found (404).
 *
 * A listing asks this once per member, so the common case stays
 * synchronous: only quota properties need I/O (one cached statfs), and only
 * when they are asked for does the answer become a promise.
 */
import type { DeadProperty, PropName } from '../props/dead-properties.js';
import type { ResourceInfo } from '../store/store.js';
import { LIVE_PROPERTIES, liveProperty, type LiveProperty, type PropTarget } from './live-properties.js';
import type { PropfindQuery } from './propfind-query.js';
import { propXml, propstatsXml, responseXml, type PropStat } from './xml/writer.js';

/** One resource as a listing describes it. */
export interface Listed {
  readonly href: string;
  readonly target: PropTarget;
  readonly dead: readonly DeadProperty[];
}

const ALLPROP_LIVE: readonly LiveProperty[] = LIVE_PROPERTIES.filter((prop) => prop.inAllprop);

/**
 * Quota properties are not part of allprop (RFC 4331 §3), except on the
 * collection the request names: the `webdav` npm client and others read
 * `getQuota()` from an empty PROPFIND Depth 0 on a folder. They cost one
 * cached statfs, so answering them there is cheap; listings stay lean.
 */
const QUOTA_IN_ALLPROP = LIVE_PROPERTIES.filter((prop) => !prop.inAllprop && prop.local.startsWith('quota-'));

type Value = string | null;

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => value instanceof Promise;

export function propstats(
  query: PropfindQuery,
  resource: Listed,
  options: { requested?: boolean } = {},
): PropStat[] | Promise<PropStat[]> {
  if (query.kind === 'propname') return propnames(resource);
  const names = wantedNames(query, resource, options.requested ?? false);
  const values = names.map((name) => valueOf(name, resource));
  const group = (settled: readonly Value[]): PropStat[] => {
    const found: string[] = [];
    const missing: string[] = [];
    settled.forEach((value, i) => {
      if (value !== null) found.push(value);
      else if (query.kind === 'prop') missing.push(propXml(names[i]!.ns, names[i]!.local));
    });
    return [
      { status: 200, props: found },
      { status: 404, props: missing },
    ];
  };
  return values.some(isPromise) ? Promise.all(values).then(group) : group(values as Value[]);
}

/** The names to answer, each once, in the order asked (allprop: the live ones, then the dead ones, then include). */
function wantedNames(
  query: Exclude<PropfindQuery, { kind: 'propname' }>,
  resource: Listed,
  requested: boolean,
): readonly PropName[] {
  const quota = requested && resource.target.info.isCollection;
  if (query.kind === 'allprop' && !quota && resource.dead.length === 0 && query.include.length === 0)
    return ALLPROP_LIVE;
  if (query.kind === 'prop') {
    // The same for every member of a listing: worked out once per query.
    const known = askedOnce.get(query);
    if (known) return known;
    const names = firstOfEach(query.props);
    askedOnce.set(query, names);
    return names;
  }
  return firstOfEach([...ALLPROP_LIVE, ...(quota ? QUOTA_IN_ALLPROP : []), ...resource.dead, ...query.include]);
}

const askedOnce = new WeakMap<PropfindQuery, readonly PropName[]>();

/** Each name once, where it first appears. */
function firstOfEach(all: readonly PropName[]): readonly PropName[] {
  const seen = new Set<string>();
  return all.filter((name) => {
    const key = `{${name.ns}}${name.local}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The property element with its value, or null when the resource does not have it. */
function valueOf(name: PropName, resource: Listed): Value | Promise<Value> {
  const live = liveProperty(name.ns, name.local);
  if (live) {
    const inner = live.value(resource.target);
    if (isPromise(inner)) return inner.then((value) => (value === null ? null : live.element(value)));
    return inner === null ? null : live.element(inner);
  }
  return resource.dead.find((prop) => prop.ns === name.ns && prop.local === name.local)?.xml ?? null;
}

/** propname (RFC 4918 §9.1): the names of every property the resource has, without values. */
async function propnames(resource: Listed): Promise<PropStat[]> {
  const found: string[] = [];
  for (const prop of LIVE_PROPERTIES) {
    if ((await prop.value(resource.target)) !== null) found.push(propXml(prop.ns, prop.local));
  }
  for (const prop of resource.dead) found.push(propXml(prop.ns, prop.local));
  return [{ status: 200, props: found }];
}

/**
 * What was last written for a listed member, by its description: a store
 * hands out the same frozen description for as long as the entry is
 * unchanged (store/listing-cache.ts), and listing the same folder again
 * with the same query then writes the same response. Only for members
 * without dead properties or locks, whose XML depends on nothing else but
 * whether they may be locked (not on a read-only share or date view) and
 * their href; the entry goes with its description. It is kept as the
 * UTF-8 bytes of the whole `<D:response>`, so a listing sends them as they
 * are: no string is built, escaped or encoded again. It is kept only from a
 * description's second listing on: a folder too big for the store to keep
 * (100,000 photos) hands out new descriptions every time, and keeping their
 * responses would only add to the peak memory of that listing.
 */
const written = new WeakMap<
  ResourceInfo,
  { readonly query: PropfindQuery; readonly lockable: boolean; readonly href: string; readonly bytes: Buffer }
>();
const listedBefore = new WeakSet<ResourceInfo>();

function isReusable(member: Listed): boolean {
  const { info, locks } = member.target;
  return Object.isFrozen(info) && member.dead.length === 0 && locks !== undefined && locks.active.length === 0;
}

/** The bytes of the `<D:response>` last written for this member with this query, if it is unchanged. */
export function writtenResponse(query: PropfindQuery, member: Listed): Uint8Array | undefined {
  if (!isReusable(member)) return undefined;
  const known = written.get(member.target.info);
  return known?.query === query && known.lockable === member.target.locks?.lockable && known.href === member.href
    ? known.bytes
    : undefined;
}

/** The `<D:propstat>` elements of a listed member (never the requested resource: see propstats' `requested`). */
export function memberPropstatsXml(query: PropfindQuery, member: Listed): string | Promise<string> {
  const { info, locks } = member.target;
  const reusable = isReusable(member);
  const render = (groups: readonly PropStat[]): string => {
    const xml = propstatsXml(groups);
    if (reusable && listedBefore.has(info)) {
      const bytes = Buffer.from(responseXml(member.href, xml));
      written.set(info, { query, lockable: locks!.lockable, href: member.href, bytes });
    } else if (reusable) listedBefore.add(info);
    return xml;
  };
  const groups = propstats(query, member);
  return isPromise(groups) ? groups.then(render) : render(groups);
}
