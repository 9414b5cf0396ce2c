/**
 * Dead properties and locks follow what a DELETE, COPY or MOVE did to the
 * resources, with a few tree-wide operations, never one query per file: the
 * walks report which subtrees went away or came out incomplete.
 */
import type { SharePath } from '../config/shares.js';
import type { DavServices } from './context.js';
import type { Removal } from './tree/removal.js';
import type { Transfer } from './tree/transfer.js';

/** What follows resources around: their dead properties, and the locks rooted on them. */
export type Followers = Pick<DavServices, 'deadProperties' | 'locks'>;

const at = (mount: string, path: readonly string[]): SharePath => ({ mount, path });

/**
 * A complete MOVE moves the properties all at once and drops the locks
 * rooted at either end (RFC 4918 §7.6: "A successful MOVE request on a write
 * locked resource MUST NOT move the write lock with the resource").
 */
export async function followMove({ deadProperties, locks }: Followers, from: SharePath, to: SharePath): Promise<void> {
  await deadProperties.moveTree(from, to);
  await locks.moved(from, to);
}

/**
 * Brings dead properties and locks in line with what a transfer did: a
 * complete MOVE as followMove; otherwise the source's properties are copied
 * over, the destination's gaps cleared, and the sources that are gone lose
 * theirs and their locks. COPY never copies locks.
 */
export async function followTransfer(
  followers: Followers,
  from: SharePath,
  to: SharePath,
  transfer: Transfer,
  moving: boolean,
): Promise<void> {
  if (moving && transfer.complete) return followMove(followers, from, to);
  const { deadProperties, locks } = followers;
  await deadProperties.copyTree(from, to);
  for (const gap of transfer.gaps) await deadProperties.removeTree(at(to.mount, gap));
  for (const root of transfer.removedRoots) {
    await deadProperties.removeTree(at(from.mount, root));
    await locks.removed(at(from.mount, root));
  }
}

/** Copies only the resource's own dead properties (COPY with `Depth: 0` of a collection, RFC 4918 §9.8.3). */
export async function copyOwnProperties({ deadProperties }: Followers, from: SharePath, to: SharePath): Promise<void> {
  const own = await deadProperties.get(from);
  await deadProperties.removeTree(to);
  if (own.length > 0)
    await deadProperties.patch(
      to,
      own.map((prop) => ({ set: prop })),
    );
}

/**
 * Removes the dead properties and the locks of whatever a removal took away:
 * "A server processing a successful DELETE request … MUST destroy locks
 * rooted on the deleted resource" (RFC 4918 §9.6).
 */
export async function followRemoval(
  { deadProperties, locks }: Followers,
  mount: string,
  removal: Removal,
): Promise<void> {
  for (const root of removal.removedRoots) {
    await deadProperties.removeTree(at(mount, root));
    await locks.removed(at(mount, root));
  }
}

/**
 * A resource created where one of that name vanished outside WebDAV (by
 * the photo library, or on disk) must not inherit the properties it left.
 */
export async function forgetStaleProperties({ deadProperties }: Followers, created: SharePath): Promise<void> {
  await deadProperties.removeTree(created);
}
