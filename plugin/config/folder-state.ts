/**
 * Whether a share's folder can be served: it exists, is a folder (after
 * symlinks), and this process may list it. Asked when the settings are
 * loaded and again whenever the admin page asks, because a folder can vanish
 * or lose its permissions without any settings change.
 */
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';

/** What keeps a folder from being served; the admin page shows each as its own badge. */
export type FolderProblem = 'not-absolute' | 'missing' | 'not-a-folder' | 'not-readable' | 'unusable';

export type FolderState =
  { readonly state: 'ok'; readonly root: string } | { readonly state: FolderProblem; readonly message: string };

export async function folderState(path: string): Promise<FolderState> {
  if (!isAbsolute(path)) return { state: 'not-absolute', message: `"${path}" is not an absolute path` };
  let root: string;
  try {
    root = await realpath(path);
    if (!(await stat(root)).isDirectory()) return { state: 'not-a-folder', message: `"${path}" is not a folder` };
    // Listing needs read and search permission; without them every request would fail.
    await access(root, constants.R_OK | constants.X_OK);
  } catch (error) {
    return problemOf(path, (error as NodeJS.ErrnoException).code);
  }
  return { state: 'ok', root };
}

function problemOf(path: string, code: string | undefined): FolderState {
  switch (code) {
    case 'ENOENT':
      return { state: 'missing', message: `folder "${path}" does not exist` };
    case 'ENOTDIR':
      return { state: 'missing', message: `folder "${path}" does not exist (a part of the path is a file)` };
    case 'EACCES':
    case 'EPERM':
      return { state: 'not-readable', message: `folder "${path}" cannot be read (permission denied)` };
    case 'ELOOP':
      return { state: 'unusable', message: `folder "${path}" cannot be used (its symbolic links form a loop)` };
    default:
      return { state: 'unusable', message: `folder "${path}" cannot be used (${code ?? 'unknown error'})` };
  }
}
