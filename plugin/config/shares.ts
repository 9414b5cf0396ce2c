/**
 * The live set of shares: settings checked against the file system.
 * Rebuilt whenever the host's settings change; requests read whichever
 * snapshot is current when they arrive.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { parseSettings, type SettingsProblem, type WebdavSettings } from './settings.js';

export const GROUP_PREFIX = 'WebDAV.';

export function groupNameOf(mount: string): string {
  return `${GROUP_PREFIX}${mount}`;
}

export interface Share {
  readonly mount: string;
  /** The folder as configured. */
  readonly configuredPath: string;
  /** The folder with symlinks resolved: every path served must stay inside it. */
  readonly root: string;
  readonly source: string;
  readonly readonly: boolean;
  readonly group: string;
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
  readonly problems: readonly SettingsProblem[];
}

export async function loadShares(all: Readonly<Record<string, string>>): Promise<ShareSnapshot> {
  const { settings, problems: parseProblems } = parseSettings(all);
  const problems = [...parseProblems];
  const shares = new Map<string, Share>();
  for (const setting of settings.shares) {
    const root = await resolveFolder(setting.path);
    if (typeof root !== 'string') {
      problems.push({ key: `${setting.source}.path`, mount: setting.mount, message: root.problem, severity: 'error' });
      continue;
    }
    shares.set(setting.mount, {
      mount: setting.mount,
      configuredPath: setting.path,
      root,
      source: setting.source,
      readonly: setting.readonly,
      group: groupNameOf(setting.mount),
    });
  }
  return { settings, shares, problems };
}

async function resolveFolder(path: string): Promise<string | { problem: string }> {
  if (!isAbsolute(path)) return { problem: `"${path}" is not an absolute path` };
  try {
    const resolved = await realpath(path);
    if (!(await stat(resolved)).isDirectory()) return { problem: `"${path}" is not a folder` };
    return resolved;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problem: `folder "${path}" does not exist` };
    if (code === 'EACCES') return { problem: `folder "${path}" cannot be read (permission denied)` };
    return { problem: `folder "${path}" cannot be used (${code ?? String(error)})` };
  }
}
