/**
 * Where a file from the inbox goes, and whether it is already there: the
 * month folder `YYYY/YYYY-MM` of its capture time, its own name or the first
 * free ` (2)`, ` (3)`… variant, unless one of those names already holds the
 * same content (same size, then same SHA-256), in which case the inbox copy
 * is a duplicate.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The folder, below the share root, of a capture month 'YYYY-MM'. */
export function monthFolder(month: string): [string, string] {
  const match = MONTH.exec(month);
  if (!match) throw new Error(`not a capture month (YYYY-MM): ${JSON.stringify(month)}`);
  return [match[1]!, month];
}

/**
 * The `n`th name to try for `name`: the name itself, then ` (2)`, ` (3)`…
 * before the extension, as Explorer and Finder name copies
 * ("IMG_0001 (2).jpg"). A name that is only an extension (".profile") keeps
 * the number at its end.
 */
export function candidateName(name: string, n: number): string {
  if (n <= 1) return name;
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length);
  return `${stem} (${n})${extension}`;
}

/** SHA-256 of a file's content, read as a stream (files may be gigabytes). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Whether two files hold the same bytes: the sizes first (cheap, and almost
 * always different for different photos), then the SHA-256 of both. Two
 * names of one file (a hard link left by a crash between link and unlink)
 * are the same without reading anything.
 */
export async function sameContent(a: string, b: string): Promise<boolean> {
  const [first, second] = await Promise.all([stat(a, { bigint: true }), stat(b, { bigint: true })]);
  if (first.dev === second.dev && first.ino === second.ino) return true;
  if (first.size !== second.size) return false;
  const [hashA, hashB] = await Promise.all([sha256File(a), sha256File(b)]);
  return hashA === hashB;
}
