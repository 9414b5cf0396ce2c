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
