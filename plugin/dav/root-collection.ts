/**
 * `/webdav/` itself: a virtual, read-only collection whose members are the
 * shares the caller belongs to, and only those.
 */
import type { ResourceInfo } from '../store/store.js';
import { shareHref, type DavRequest } from './context.js';
import type { PropTarget } from '../props/live.js';

const STARTED = new Date();

export function rootInfo(): ResourceInfo {
  return { name: '', isCollection: true, size: 0, modified: STARTED, created: STARTED, etag: '' };
}

export interface RootMember {
  readonly href: string;
  readonly target: PropTarget;
  readonly dead: readonly never[];
}

/** The caller's shares, sorted by mount name; a share whose folder vanished is left out. */
export async function listRoot(request: DavRequest): Promise<RootMember[]> {
  const { services, user } = request;
  const shares = [...services.snapshot().shares.values()].sort((a, b) => a.mount.localeCompare(b.mount));
  const members: RootMember[] = [];
  for (const share of shares) {
    if (!(await services.isMember(user.name, share.group))) continue;
    const store = services.storeOf(share);
    const info = await store.stat([]).catch(() => null);
    if (!info) continue;
    members.push({
      href: shareHref(share.mount, [], true),
      target: { info: { ...info, name: share.mount }, displayName: share.mount, quota: () => store.quota() },
      dead: [],
    });
  }
  return members;
}
