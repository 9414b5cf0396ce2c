/**
 * What the host knows of WebDAV shares, to point people at them (the home
 * page, the start-up banner). The settings name the mounts
 * (`robot.root.N.webdavmount`, `webdav.N.webdavmount`: README, "Settings"),
 * and a share admits the members of the host group `WebDAV.<mount>`
 * (README, "Mapping a share"; the first run makes `WebDAV.main` so).
 * Whether a share is served at all is asked of the active plugins' routes:
 * with the plugin switched off there is nothing to link to.
 *
 * Who gets in is decided by the plugin alone; this only decides which links
 * are worth showing to whom.
 */
import type { HostSettings } from '../plugin/host-api.js';

export const webdavGroup = (mount: string): string => `WebDAV.${mount}`;

export const webdavPath = (mount: string): string => `/webdav/${encodeURIComponent(mount)}/`;

/** The mounts of the settings: photo roots first, then the extra shares, each by N. */
export function configuredMounts(settings: HostSettings): string[] {
  const all = settings.all();
  const mounts: string[] = [];
  for (const prefix of ['robot.root', 'webdav']) {
    const pattern = new RegExp(`^${prefix.replace('.', '\\.')}\\.(\\d+)\\.webdavmount$`);
    const keys = Object.keys(all)
      .map((key) => ({ key, n: pattern.exec(key)?.[1] }))
      .filter((k): k is { key: string; n: string } => k.n !== undefined)
      .sort((a, b) => Number(a.n) - Number(b.n));
    for (const { key } of keys) {
      const mount = all[key]!.trim();
      if (mount !== '' && !mounts.includes(mount)) mounts.push(mount);
    }
  }
  return mounts;
}

/**
 * What a user may be shown of a share: `member` (the link), `admin` (the
 * link, though the admin is no member and WebDAV will refuse them until
 * they add themselves), `none`.
 */
export type ShareStanding = 'member' | 'admin' | 'none';

export function standingIn(
  mount: string,
  user: { readonly admin: boolean },
  groupsOfUser: ReadonlySet<string>,
): ShareStanding {
  if (groupsOfUser.has(webdavGroup(mount))) return 'member';
  return user.admin ? 'admin' : 'none';
}
