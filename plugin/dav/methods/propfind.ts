/**
 * PROPFIND (RFC 4918 §9.1).
 *
 * "Servers MUST support 'Depth: 0' and 'Depth: 1' … A client MUST submit a
 * Depth header with a value of '0', '1', or 'infinity'"; a missing header
 * means infinity. On a file that is simply the file. On a collection we
 * refuse infinity with 403 and `propfind-finite-depth` (§9.1, §16): a
 * silently truncated tree makes sync clients think files were deleted.
 *
 * The answer is streamed response by response; a folder's dead properties
 * and its members' locks come from one query each, never one per entry.
 */
import type { ResourceInfo } from '../../store/store.js';
import type { DeadProperty } from '../../props/dead-properties.js';
import type { ActiveLock } from '../../locks/model.js';
import type { DavRequest, MethodHandler, Resource } from '../context.js';
import { noteCollectionUrl } from '../collection-url.js';
import { DavError, notFound } from '../errors.js';
import { parseDepth } from '../headers/depth.js';
import { ROOT_HREF, hrefOf, shareHref } from '../hrefs.js';
import { LIVE_PROPERTIES, liveProperty, type PropTarget } from '../live-properties.js';
import { parsePropfind, type PropfindQuery } from '../propfind-query.js';
import { ClientGone, ResponseSink } from '../response-sink.js';
import { listRoot, rootInfo } from '../root-collection.js';
import { readXmlBody } from '../xml/request-body.js';
import { MultistatusWriter, propXml, type PropStat } from '../xml/writer.js';

interface Listed {
  readonly href: string;
  readonly target: PropTarget;
  readonly dead: readonly DeadProperty[];
}

export const propfind: MethodHandler = async (request) => {
  const { ctx } = request;
  const depth = parseDepth(ctx.get('depth') || undefined, 'infinity');
  const query = parsePropfind(await readXmlBody(ctx.req));
  const self = await describeSelf(request);
  if (!self) throw notFound();
  if (self.target.info.isCollection && depth === 'infinity') {
    throw new DavError(403, 'PROPFIND with Depth: infinity is not supported on collections; use Depth: 1', {
      condition: 'propfind-finite-depth',
    });
  }

  const sink = new ResponseSink();
  ctx.status = 207;
  ctx.type = 'application/xml; charset=utf-8';
  ctx.body = sink.stream;
  const writer = new MultistatusWriter(sink);
  // Not awaited: koa starts sending once the handler returns, and the listing
  // then proceeds as fast as the client reads.
  void (async () => {
    await writer.begin();
    await writer.propResponse(self.href, await propstats(query, self, { requested: true }));
    if (depth === 1 && self.target.info.isCollection) {
      for await (const batch of children(request)) {
        for (const child of batch) await writer.propResponse(child.href, await propstats(query, child));
      }
    }
    await writer.end();
    await sink.close();
  })().catch((error: unknown) => {
    if (!(error instanceof ClientGone)) request.services.log.error({ err: error }, 'PROPFIND listing failed midway');
    sink.fail(error instanceof Error ? error : new Error(String(error)));
  });
};

async function describeSelf(request: DavRequest): Promise<Listed | null> {
  const { target, services } = request;
  if (!target) {
    noteCollectionUrl(request, rootInfo());
    return { href: ROOT_HREF, target: { info: rootInfo(), displayName: 'webdav', quota: null }, dead: [] };
  }
  const info = await target.store.stat(target.path);
  noteCollectionUrl(request, info);
  if (!info) return null;
  const [dead, locks] = await Promise.all([services.deadProperties.get(target), services.locks.discover(target)]);
  return { href: hrefOf(target, info.isCollection), target: propTarget(target, info, target.path, locks), dead };
}

async function* children(request: DavRequest): AsyncIterable<readonly Listed[]> {
  const { target, services } = request;
  if (!target) {
    yield await listRoot(request);
    return;
  }
  const [dead, locks] = await Promise.all([
    services.deadProperties.childrenOf(target),
    services.locks.discoverMembers(target),
  ]);
  for await (const batch of target.store.list(target.path)) {
    yield batch.map((info) => {
      const path = [...target.path, info.name];
      return {
        href: shareHref(target.mount, path, info.isCollection),
        target: propTarget(target, info, path, locks.of(info.name)),
        dead: dead.get(info.name) ?? [],
      };
    });
  }
}

function propTarget(
  target: Resource,
  info: ResourceInfo,
  path: readonly string[],
  locks: readonly ActiveLock[],
): PropTarget {
  return {
    info,
    displayName: info.name || target.mount,
    quota: () => target.store.quota(),
    // The share root cannot be locked (it cannot be deleted or moved either): its supportedlock is empty.
    locks: { active: locks, lockable: path.length > 0 },
  };
}

/**
 * Quota properties are not part of allprop (RFC 4331 §3), except on the
 * collection the request names: the `webdav` npm client and others read
 * `getQuota()` from an empty PROPFIND Depth 0 on a folder. They cost one
 * cached statfs, so answering them there is cheap; listings stay lean.
 */
const QUOTA_IN_ALLPROP = LIVE_PROPERTIES.filter((prop) => !prop.inAllprop && prop.local.startsWith('quota-'));

/** The propstat groups of one response (RFC 4918 §9.1.2): found (200) and not found (404). */
export async function propstats(
  query: PropfindQuery,
  resource: Listed,
  options: { requested?: boolean } = {},
): Promise<PropStat[]> {
  const found: string[] = [];
  const missing: string[] = [];
  if (query.kind === 'propname') {
    for (const prop of LIVE_PROPERTIES) {
      if ((await prop.value(resource.target)) !== null) found.push(propXml(prop.ns, prop.local));
    }
    for (const prop of resource.dead) found.push(propXml(prop.ns, prop.local));
    return [{ status: 200, props: found }];
  }

  const wanted =
    query.kind === 'prop'
      ? query.props
      : [
          ...LIVE_PROPERTIES.filter((prop) => prop.inAllprop),
          ...(options.requested && resource.target.info.isCollection ? QUOTA_IN_ALLPROP : []),
          ...resource.dead,
          ...query.include,
        ];
  const seen = new Set<string>();
  for (const name of wanted) {
    const key = `{${name.ns}}${name.local}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const live = liveProperty(name.ns, name.local);
    if (live) {
      const value = await live.value(resource.target);
      if (value !== null) found.push(propXml(name.ns, name.local, value));
      else if (query.kind === 'prop') missing.push(propXml(name.ns, name.local));
      continue;
    }
    const dead = resource.dead.find((prop) => prop.ns === name.ns && prop.local === name.local);
    if (dead) found.push(dead.xml);
    else if (query.kind === 'prop') missing.push(propXml(name.ns, name.local));
  }
  return [
    { status: 200, props: found },
    { status: 404, props: missing },
  ];
}
