/**
 * The live set of shares: settings checked against the file system.
 * Rebuilt whenever the host's settings change; requests read whichever
 * snapshot is current when they arrive.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { folderState } from './folder-state.js';
import { parseSettings, shareKey, type SettingsProblem, type WebdavSettings } from './settings.js';

export const GROUP_PREFIX = 'WebDAV.';

export function groupNameOf(mount: string): string {
  return `${GROUP_PREFIX}${mount}`;
}

/** How the host describes the group of a share, and of a date view, when the plugin creates it. */
export const shareGroupDescription = (mount: string): string => `May use the WebDAV share "${mount}"`;
export const dateViewGroupDescription = (mount: string): string =>
  `May use the WebDAV date view "${mount}" (read-only)`;

export interface Share {
  readonly mount: string;
  /** The folder as configured. */
  readonly configuredPath: string;
  /** The folder with symlinks resolved: every path served must stay inside it. */
  readonly root: string;
  readonly source: string;
  readonly readonly: boolean;
  readonly group: string;
  /** The inbox folder below the root, when the share has one (docs/inbox.md). */
  readonly inbox?: readonly string[];
  /**
   * Set on a date view only: the mount of the share whose files it shows by
   * capture date. A view shares that share's root and is always read-only.
   */
  readonly dateViewOf?: string;
}

/**
 * A place in a share, as every layer names it: the share's mount name and
 * the names below its root ([] is the share root itself). Names are already
 * decoded and checked (store/names.ts).
 */
export interface SharePath {
  readonly mount: string;
  readonly path: readonly string[];
}

/** Whether `inner` lies strictly below `outer` (same share, longer path, same leading names). */
export function isBelow(inner: SharePath, outer: SharePath): boolean {
  return (
    inner.mount === outer.mount &&
    inner.path.length > outer.path.length &&
    outer.path.every((name, i) => inner.path[i] === name)
  );
}

/** Whether the two name the same place. */
export function samePlace(a: SharePath, b: SharePath): boolean {
  return a.mount === b.mount && a.path.length === b.path.length && a.path.every((name, i) => b.path[i] === name);
}

export interface ShareSnapshot {
  readonly settings: WebdavSettings;
  readonly shares: ReadonlyMap<string, Share>;
  /** The date views of the served shares, by their own mount names (never also in `shares`). */
  readonly dateViews: ReadonlyMap<string, Share>;
  readonly problems: readonly SettingsProblem[];
}

/** A share or a date view, by mount name. */
export function shareOrView(snapshot: ShareSnapshot, mount: string): Share | undefined {
  return snapshot.shares.get(mount) ?? snapshot.dateViews.get(mount);
}

export async function loadShares(all: Readonly<Record<string, string>>): Promise<ShareSnapshot> {
  const { settings, problems: parseProblems } = parseSettings(all);
  const problems = [...parseProblems];
  const shares = new Map<string, Share>();
  const dateViews = new Map<string, Share>();
  for (const setting of settings.shares) {
    const folder = await folderState(setting.path);
    if (folder.state !== 'ok') {
      problems.push({
        key: `${setting.source}.path`,
        mount: setting.mount,
        message: folder.message,
        severity: 'error',
      });
      continue;
    }
    const share: Share = {
      mount: setting.mount,
      configuredPath: setting.path,
      root: folder.root,
      source: setting.source,
      readonly: setting.readonly,
      group: groupNameOf(setting.mount),
      // A read-only share takes nothing in: its inbox would only fill up.
      ...(setting.inbox && !setting.readonly ? { inbox: setting.inbox } : {}),
    };
    shares.set(setting.mount, share);
    if (setting.inbox && setting.readonly) {
      problems.push({
        key: shareKey(setting.source, 'inbox'),
        mount: setting.mount,
        message: `share "${setting.mount}" is read-only, so its inbox is not used`,
        severity: 'warning',
      });
    }
    if (setting.dateMount) {
      const { inbox: _notTheViews, ...files } = share;
      dateViews.set(setting.dateMount, {
        ...files,
        mount: setting.dateMount,
        readonly: true,
        group: groupNameOf(setting.dateMount),
        dateViewOf: setting.mount,
      });
    }
  }
  problems.push(...overlapWarnings([...shares.values()]));
  return { settings, shares, dateViews, problems };
}

/** Whether folder `inner` is `outer` or lies below it (both resolved). */
function within(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  // A folder named "..photos" inside `outer` is inside; only ".." itself leads out.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

const nameOf = (share: Share): string => `"${share.mount}" (${share.source})`;

/**
 * Two shares on one folder, or one inside the other, serve the same files
 * under two names: locks and properties are kept per share, so a lock taken
 * through one does not protect the file from the other. Allowed, but both
 * shares get a warning that names the two.
 */
export function overlapWarnings(shares: readonly Share[]): SettingsProblem[] {
  const warnings: SettingsProblem[] = [];
  const warn = (share: Share, message: string) =>
    warnings.push({ key: `${share.source}.path`, mount: share.mount, message, severity: 'warning' });
  const tail = 'locks taken through one do not protect the files from the other';
  shares.forEach((a, i) => {
    for (const b of shares.slice(i + 1)) {
      const [outer, inner] = within(b.root, a.root) ? [a, b] : within(a.root, b.root) ? [b, a] : [];
      if (!outer || !inner) continue;
      const message =
        a.root === b.root
          ? `the shares ${nameOf(a)} and ${nameOf(b)} serve the same folder: ${tail}`
          : `the share ${nameOf(inner)} serves a folder inside the share ${nameOf(outer)}: ${tail}`;
      warn(a, message);
      warn(b, message);
    }
  });
  return warnings;
}
