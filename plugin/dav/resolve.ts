/**
 * Maps a path of this server (a Destination, an If resource tag) to a
 * resource in a share the caller may use. A path outside `/webdav/<mount>/`,
 * an unknown share, or a share the caller does not belong to resolves to null:
 * callers answer 403, never telling whether the share exists.
 */
import type { Share } from '../config/shares.js';
import type { Store } from '../store/store.js';
import { WEBDAV_SEGMENT, type DavServices } from './context.js';
import type { RequestPath } from './paths.js';

export interface Located {
  readonly share: Share;
  readonly store: Store;
  readonly path: readonly string[];
}

export async function locateInShares(services: DavServices, user: string, target: RequestPath): Promise<Located | null> {
  const [prefix, mount, ...path] = target.segments;
  if (prefix !== WEBDAV_SEGMENT || mount === undefined) return null;
  const share = services.snapshot().shares.get(mount);
  if (!share || !(await services.isMember(user, share.group))) return null;
  return { share, store: services.storeOf(share), path };
}
