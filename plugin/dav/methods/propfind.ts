/**
 * PROPFIND (RFC 4918 §9.1).
 *
 * "Servers MUST support 'Depth: 0' and 'Depth: 1' … A client MUST submit a
 * Depth header with a value of '0', '1', or 'infinity'"; a missing header
 * means infinity. On a file that is simply the file. On a collection we
 * refuse infinity with 403 and `propfind-finite-depth` (§9.1, §16): a
 * silently truncated tree makes sync clients think files were deleted.
 *
 * A small answer is sent whole; a big listing is streamed response by
 * response as the client reads (response-sink.ts). A folder's dead
 * properties and its members' locks come from one query each, never one
 * per entry.
 */
import type { ResourceInfo } from '../../store/store.js';
import type { ActiveLock } from '../../locks/model.js';
import type { DavRequest, MethodHandler, Resource } from '../context.js';
import { noteCollectionUrl } from '../collection-url.js';
import { DavError, notFound } from '../errors.js';
import { parseDepth } from '../headers/depth.js';
import { ROOT_HREF, hrefOf, memberHrefs } from '../hrefs.js';
import type { PropTarget } from '../live-properties.js';
import { propfindQueryOf } from '../propfind-query.js';
import { memberPropstatsXml, propstats, writtenResponse, type Listed } from '../propstats.js';
import { produceBody } from '../response-sink.js';
import { listRoot, rootInfo } from '../root-collection.js';
import { readXmlText } from '../xml/request-body.js';
import { MultistatusWriter } from '../xml/writer.js';

export const propfind: MethodHandler = async (request) => {
  const { ctx } = request;
  const depth = parseDepth(ctx.get('depth') || undefined, 'infinity');
  const query = propfindQueryOf(await readXmlText(ctx.req));
  const self = await describeSelf(request);
  if (!self) throw notFound();
  if (self.target.info.isCollection && depth === 'infinity') {
    throw new DavError(403, 'PROPFIND with Depth: infinity is not supported on collections; use Depth: 1', {
      condition: 'propfind-finite-depth',
    });
  }

  ctx.status = 207;
  ctx.type = 'application/xml; charset=utf-8';
  ctx.body = await produceBody(
    async (sink) => {
      const writer = new MultistatusWriter(sink);
      await writer.begin();
      await writer.propResponse(self.href, await propstats(query, self, { requested: true }));
      if (depth === 1 && self.target.info.isCollection) {
        for await (const batch of children(request)) {
          for (const child of batch) {
            // Awaited only when something is pending: most members need no I/O, and a listing has thousands.
            const unchanged = writtenResponse(query, child);
            if (unchanged) {
              const sent = writer.responseBytes(unchanged);
              if (sent) await sent;
              continue;
            }
            const xml = memberPropstatsXml(query, child);
            const written = writer.propResponseXml(child.href, typeof xml === 'string' ? xml : await xml);
            if (written) await written;
          }
        }
      }
      await writer.end();
    },
    (error) => request.services.log.error({ err: error }, 'PROPFIND listing failed midway'),
  );
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
  const hrefOfMember = memberHrefs(target);
  for await (const batch of target.store.list(target.path)) {
    yield batch.map((info) => {
      const path = [...target.path, info.name];
      return {
        href: hrefOfMember(info.name, info.isCollection),
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
