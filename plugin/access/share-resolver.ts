/**
 * The one share lookup: a path of this server becomes a resource in a share
 * the caller belongs to, with the caller's rights there, or nothing. The
 * access filter resolves the Request-URI with it, and hands it down in the
 * request for the other paths a method names (Destination, If tags).
 */
import { shareOrView, type Share, type ShareSnapshot } from '../config/shares.js';
import type { Resource } from '../dav/context.js';
import { WEBDAV_SEGMENT } from '../dav/hrefs.js';
import type { RequestPath } from '../dav/paths.js';
import { rightsOn } from '../dav/permissions.js';
import type { Store } from '../store/store.js';

export interface ShareDirectory {
  /** The shares as they are now (settings may change between requests). */
  snapshot(): ShareSnapshot;
  storeOf(share: Share): Store;
  /** Group check, cached for at most a few seconds. */
  isMember(user: string, group: string): Promise<boolean>;
}

export class ShareResolver {
  constructor(
    private readonly directory: ShareDirectory,
    private readonly user: string,
  ) {}

  /** The resource at names below a share's root; null unless the share exists and the caller belongs to it. */
  async inShare(mount: string, path: readonly string[]): Promise<Resource | null> {
    const snapshot = this.directory.snapshot();
    const share = shareOrView(snapshot, mount);
    if (!share || !(await this.directory.isMember(this.user, share.group))) return null;
    return this.resourceOf(share, path, snapshot);
  }

  /** A path of this server (`/webdav/<mount>/...`); null outside the caller's shares. */
  async resolve(path: RequestPath): Promise<Resource | null> {
    const [prefix, mount, ...below] = path.segments;
    if (prefix !== WEBDAV_SEGMENT || mount === undefined) return null;
    return this.inShare(mount, below);
  }

  /** The roots of the shares and date views the caller belongs to, sorted by mount name. */
  async sharesOfCaller(): Promise<Resource[]> {
    const snapshot = this.directory.snapshot();
    const shares = [...snapshot.shares.values(), ...snapshot.dateViews.values()].sort((a, b) =>
      a.mount.localeCompare(b.mount),
    );
    const roots: Resource[] = [];
    for (const share of shares) {
      if (await this.directory.isMember(this.user, share.group)) roots.push(this.resourceOf(share, [], snapshot));
    }
    return roots;
  }

  private resourceOf(share: Share, path: readonly string[], snapshot: ShareSnapshot): Resource {
    return {
      mount: share.mount,
      path,
      share,
      store: this.directory.storeOf(share),
      rights: rightsOn(share, snapshot.settings),
    };
  }
}
