/**
 * A ZIP the inbox does not unpack goes to `failed/` in the inbox, with a
 * text file beside it (`<name>.txt`) that says why in plain words, so that
 * the person who dropped it finds out without reading a server log.
 */
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { newTemporaryName } from '../store/temporary-names.js';
import { fsyncFolder, makeFolders } from './durable-folders.js';
import { moveIntoPlace } from './durable-move.js';
import { FAILED_FOLDER, isZipName } from './inbox-names.js';

/** The text of the note: what happened, why, and what to do. */
export function failureNote(zipName: string, reason: string, at: Date): string {
  return [
    `${zipName} was not unpacked: ${reason}.`,
    '',
    'Nothing from it was filed. Check the ZIP file, and drop it into the inbox again',
    'once it is fixed, or unpack it yourself and drop its files.',
    '',
    `(${at.toISOString()})`,
    '',
  ].join('\n');
}

/** Moves `zip` into `<inbox>/failed/` under a free name, writes the note; answers the name used. */
export async function moveToFailed(inboxPath: string, zip: string, reason: string, at: Date): Promise<string> {
  const folder = await makeFolders(inboxPath, [FAILED_FOLDER]);
  const { name } = await moveIntoPlace(zip, folder, basename(zip));
  await writeDurably(join(folder, `${name}.txt`), failureNote(name, reason, at));
  return name;
}

/**
 * Gives every ZIP in `failed/` without a note one: the server stopped
 * between moving it there and writing why (moveToFailed), and a ZIP in
 * `failed/` is never looked at again, so its reason is gone. Answers how
 * many notes it wrote.
 */
export async function noteUnexplained(inboxPath: string, at: Date): Promise<number> {
  const folder = join(inboxPath, FAILED_FOLDER);
  const names = await readdir(folder).catch(() => [] as string[]);
  const present = new Set(names);
  let written = 0;
  for (const name of names) {
    if (!isZipName(name) || present.has(`${name}.txt`)) continue;
    await writeDurably(
      join(folder, `${name}.txt`),
      failureNote(
        name,
        'the server stopped while it moved the file here, before it wrote down why; drop it into the inbox again to see the reason',
        at,
      ),
    );
    written += 1;
  }
  return written;
}

/** Writes `text` to `path` whole or not at all: a temporary file, fsync, rename over. */
async function writeDurably(path: string, text: string): Promise<void> {
  const folder = join(path, '..');
  const temporary = join(folder, newTemporaryName());
  try {
    const file = await open(temporary, 'wx');
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
    await fsyncFolder(folder);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
