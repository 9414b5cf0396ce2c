/**
 * The XML of locking: the DAV:lockinfo request body (RFC 4918 §14.11), and
 * the DAV:lockdiscovery (§15.8) and DAV:supportedlock (§15.10) property
 * values. Values use the `D:` prefix, which every document we embed them in
 * binds to `DAV:` (the multistatus root, the LOCK answer's `<D:prop>`).
 */
import { secondsLeft, type ActiveLock, type LockScope } from '../locks/model.js';
import { DavError, badRequest } from './errors.js';
import { hrefOf } from './hrefs.js';
import { DAV_NS, childElements, findChild, is, type XmlElement } from './xml/parse.js';
import { serializeElement } from './xml/serialize.js';
import { XML_DECLARATION, escapeText } from './xml/writer.js';

export interface LockInfo {
  readonly scope: LockScope;
  /** The DAV:owner element, serialised self-contained; null when absent. */
  readonly ownerXml: string | null;
}

/**
 * ```
 * <!ELEMENT lockinfo (lockscope, locktype, owner?)  >
 * <!ELEMENT lockscope (exclusive | shared) >
 * <!ELEMENT locktype (write) >
 * ```
 * Missing or ambiguous scope/type: 400. A lock type other than write is
 * well-formed but not something we can grant: 422 (§11.2).
 * DAV:owner (§14.17) is whatever the client chose to say about the lock's
 * creator (its value is ANY): it is stored as sent, with the namespace
 * declarations it relies on, and handed back in every lockdiscovery, where
 * clients (litmus, neon) compare it with what they sent.
 */
export function parseLockInfo(body: XmlElement): LockInfo {
  if (!is(body, DAV_NS, 'lockinfo')) throw badRequest('LOCK body must be a DAV:lockinfo element');
  const scopeElement = findChild(body, DAV_NS, 'lockscope');
  const typeElement = findChild(body, DAV_NS, 'locktype');
  if (!scopeElement || !typeElement) throw badRequest('DAV:lockinfo needs a DAV:lockscope and a DAV:locktype');
  const scopes = childElements(scopeElement).filter(
    (el) => el.ns === DAV_NS && (el.local === 'exclusive' || el.local === 'shared'),
  );
  if (scopes.length !== 1) throw badRequest('DAV:lockscope must hold exactly one of DAV:exclusive or DAV:shared');
  const types = childElements(typeElement);
  if (types.length !== 1) throw badRequest('DAV:locktype must hold exactly one lock type');
  if (!is(types[0]!, DAV_NS, 'write'))
    throw new DavError(422, 'Only write locks are supported (DAV:locktype DAV:write)');
  const owner = findChild(body, DAV_NS, 'owner');
  const ownerXml = owner ? serializeElement(owner) : null;
  // The owner is echoed in every lockdiscovery of the resource and its members: a huge one would bloat each listing.
  if (ownerXml !== null && Buffer.byteLength(ownerXml) > MAX_OWNER_BYTES) {
    throw badRequest(`DAV:owner is larger than ${MAX_OWNER_BYTES} bytes`);
  }
  return { scope: scopes[0]!.local as LockScope, ownerXml };
}

/** Clients send a name or a URL as the owner; 4 KiB leaves room for any of them. */
export const MAX_OWNER_BYTES = 4096;

/** One DAV:activelock (§14.1), with the time it has left as DAV:timeout. */
export function activeLockXml(lock: ActiveLock, now: number): string {
  return (
    '<D:activelock>' +
    '<D:locktype><D:write/></D:locktype>' +
    `<D:lockscope><D:${lock.scope}/></D:lockscope>` +
    `<D:depth>${lock.depth === 'infinity' ? 'infinity' : '0'}</D:depth>` +
    (lock.ownerXml ?? '') +
    `<D:timeout>Second-${secondsLeft(lock, now)}</D:timeout>` +
    `<D:locktoken><D:href>${escapeText(lock.token)}</D:href></D:locktoken>` +
    `<D:lockroot><D:href>${escapeText(hrefOf(lock, lock.collection))}</D:href></D:lockroot>` +
    '</D:activelock>'
  );
}

/** The value of DAV:lockdiscovery: one activelock per lock ('' when there are none). */
export function lockDiscoveryXml(locks: readonly ActiveLock[], now: number): string {
  let xml = '';
  for (const lock of locks) xml += activeLockXml(lock, now);
  return xml;
}

/** The value of DAV:supportedlock: write locks, exclusive and shared (§15.10). */
export const SUPPORTED_LOCK_XML =
  '<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>' +
  '<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>';

/** The hrefs of the roots of `locks`, each once (shared locks on one resource have one root), as DAV:href elements. */
export function lockRootHrefsXml(locks: readonly ActiveLock[]): string {
  const hrefs = new Set(locks.map((lock) => hrefOf(lock, lock.collection)));
  return [...hrefs].map((href) => `<D:href>${escapeText(href)}</D:href>`).join('');
}

/**
 * The body of a successful LOCK (§9.10.1: it "MUST contain a body with the
 * value of the DAV:lockdiscovery property in a prop XML element"), for the
 * locks it created or refreshed.
 */
export function lockResponseBody(locks: readonly ActiveLock[], now: number): string {
  return `${XML_DECLARATION}<D:prop xmlns:D="DAV:"><D:lockdiscovery>${lockDiscoveryXml(locks, now)}</D:lockdiscovery></D:prop>\n`;
}
