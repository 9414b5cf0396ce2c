/**
 * `/webdav/` itself: a virtual, read-only collection whose members are the
 * shares the caller belongs to, and only those.
 */
import type { ResourceInfo } from '../store/store.js';
import type { DavRequest } from './context.js';
import { hrefOf } from './hrefs.js';
import type { PropTarget } from './live-properties.js';

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
  const members: RootMember[] = [];
  for (const share of await request.sharesOfCaller()) {
    const info = await share.store.stat([]).catch(() => null);
    if (!info) continue;
    members.push({
      href: hrefOf(share, true),
      target: { info: { ...info, name: share.mount }, displayName: share.mount, quota: () => share.store.quota() },
      dead: [],
    });
  }
  return members;
}
