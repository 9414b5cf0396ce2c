/**
 * Live properties (RFC 4918 §15, RFC 4331 §3): computed from the resource,
 * never stored, and protected from PROPPATCH.
 */
import type { Quota, ResourceInfo } from '../store/store.js';
import type { ActiveLock } from '../locks/model.js';
import { SUPPORTED_LOCK_XML, lockDiscoveryXml } from './lock-xml.js';
import { contentTypeOf } from './mime.js';
import { DAV_NS } from './xml/namespaces.js';
import { escapeText } from './xml/writer.js';

/** What a live property may look at. */
export interface PropTarget {
  readonly info: ResourceInfo;
  /** The name shown to users (the mount name for a share root). */
  readonly displayName: string;
  readonly quota: (() => Promise<Quota>) | null;
  /** Class 2: the active locks covering the resource, and whether it may be locked; absent on /webdav/ itself. */
  readonly locks?: {
    readonly active: readonly ActiveLock[];
    readonly lockable: boolean;
  };
}

export interface LiveProperty {
  readonly ns: string;
  readonly local: string;
  /**
   * Whether allprop includes it. RFC 4331 §3 keeps quota properties out of
   * allprop because they may be expensive; clients name them explicitly.
   */
  readonly inAllprop: boolean;
  /** The inner XML of the property element, or null when the resource does not have it. */
  value(target: PropTarget): string | null | Promise<string | null>;
  /** The property element around its inner XML, as propXml() writes it (the tags are built once). */
  element(innerXml: string): string;
}

const dav = (local: string, inAllprop: boolean, value: LiveProperty['value']): LiveProperty => {
  const [open, close, empty] = [`<D:${local}>`, `</D:${local}>`, `<D:${local}/>`];
  return { ns: DAV_NS, local, inAllprop, value, element: (inner) => (inner ? open + inner + close : empty) };
};

/** RFC 3339 without fractions, as `creationdate` is usually read by clients. */
export function rfc3339(date: Date): string {
  const iso = date.toISOString();
  // "YYYY-MM-DDTHH:mm:ss.sssZ" for years 0 to 9999; other years have a sign and six digits.
  return iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso.replace(/\.\d{3}Z$/, 'Z');
}

/** The HTTP-date of RFC 9110 §5.6.7 (the RFC 1123 form). */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

async function quotaValue(target: PropTarget, pick: (quota: Quota) => number): Promise<string | null> {
  if (!target.quota) return null;
  return String(Math.max(0, Math.floor(pick(await target.quota()))));
}

export const LIVE_PROPERTIES: readonly LiveProperty[] = [
  dav('resourcetype', true, ({ info }) => (info.isCollection ? '<D:collection/>' : '')),
  dav('displayname', true, ({ displayName }) => escapeText(displayName)),
  dav('getcontentlength', true, ({ info }) => (info.isCollection ? null : String(info.size))),
  dav('getcontenttype', true, ({ info }) => (info.isCollection ? null : escapeText(contentTypeOf(info.name)))),
  dav('getlastmodified', true, ({ info }) => httpDate(info.modified)),
  dav('creationdate', true, ({ info }) => rfc3339(info.created)),
  dav('getetag', true, ({ info }) => (info.isCollection || !info.etag ? null : escapeText(info.etag))),
  // RFC 4918 §9.1: allprop returns "the live properties defined by this
  // document", and §15.8/§15.10 define these two there.
  dav('lockdiscovery', true, ({ locks }) => (locks ? lockDiscoveryXml(locks.active, Date.now()) : null)),
  dav('supportedlock', true, ({ locks }) => (locks ? (locks.lockable ? SUPPORTED_LOCK_XML : '') : null)),
  dav('quota-available-bytes', false, (target) => quotaValue(target, (quota) => quota.availableBytes)),
  dav('quota-used-bytes', false, (target) => quotaValue(target, (quota) => quota.usedBytes)),
];

/** By namespace, then local name: a listing looks up every property of every member, with no string built. */
const BY_NAME = new Map<string, Map<string, LiveProperty>>();
for (const prop of LIVE_PROPERTIES) {
  const local = BY_NAME.get(prop.ns) ?? new Map<string, LiveProperty>();
  BY_NAME.set(prop.ns, local.set(prop.local, prop));
}

export function liveProperty(ns: string, local: string): LiveProperty | undefined {
  return BY_NAME.get(ns)?.get(local);
}
