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
 * per entry. The members' part of a big folder's answer is kept
 * (kept-renderings.ts) and sent again while the store vouches that the
 * folder is unchanged and no member has dead properties or locks.
 */
import type { ListingStamp, ResourceInfo } from '../../store/store.js';
import type { MemberLocks } from '../../locks/lock-manager.js';
import type { DeadProperty } from '../../props/dead-properties.js';
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
import { KeptRenderings } from '../kept-renderings.js';
import type { PropfindQuery } from '../propfind-query.js';

/** The big folders' answers kept in this process. */
export const keptRenderings = new KeptRenderings();

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
      if (depth === 1 && self.target.info.isCollection) await writeMembers(request, query, self.href, writer);
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

/**
 * The `<D:response>` of every member. For a big folder whose members have
 * no dead properties nor locks, the answer written last time is sent again
 * while the store vouches for the listing it came from (currentStamp), and
 * a listing the store vouches for is kept for the next time.
 */
async function writeMembers(
  request: DavRequest,
  query: PropfindQuery,
  href: string,
  writer: MultistatusWriter,
): Promise<void> {
  const { target, services } = request;
  if (!target) return writeListed(query, writer, rootChildren(request));
  const [dead, locks] = await Promise.all([
    services.deadProperties.childrenOf(target),
    services.locks.discoverMembers(target),
  ]);
  const plain = dead.size === 0 && locks.none && target.store.currentStamp !== undefined;
  const stamp = plain ? await target.store.currentStamp!(target.path) : null;
  const kept = stamp && keptRenderings.find(href, stamp, query);
  if (kept) {
    for await (const chunk of kept) {
      const sent = writer.responseBytes(chunk);
      if (sent) await sent;
    }
    return;
  }
  const recorder = plain ? keptRenderings.recorder(href, query) : null;
  let vouched: ListingStamp | null = null;
  if (recorder) await writer.record(recorder.add);
  try {
    await writeListed(
      query,
      writer,
      children(target, dead, locks, (given) => (vouched = given)),
    );
    if (recorder) await writer.stopRecording();
  } catch (error) {
    recorder?.drop();
    throw error;
  }
  if (recorder && vouched) recorder.keepAs(vouched);
  else recorder?.drop();
}

async function writeListed(
  query: PropfindQuery,
  writer: MultistatusWriter,
  members: AsyncIterable<readonly Listed[]>,
): Promise<void> {
  for await (const batch of members) {
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

async function* rootChildren(request: DavRequest): AsyncIterable<readonly Listed[]> {
  yield await listRoot(request);
}

async function* children(
  target: Resource,
  dead: ReadonlyMap<string, DeadProperty[]>,
  locks: MemberLocks,
  stamped: (stamp: ListingStamp) => void,
): AsyncIterable<readonly Listed[]> {
  const hrefOfMember = memberHrefs(target);
  for await (const batch of target.store.list(target.path, stamped)) {
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
