/**
 * Reads a ZIP's central directory (yauzl) and decides, before anything is
 * unpacked, whether the inbox takes it: the entry count, each entry's name
 * and kind, and the sizes the directory declares, against the limits of
 * zip-limits.ts. The answer is the list of members to unpack, or a
 * {@link ZipRefusal} that says in plain words what is wrong.
 *
 * Members are filed by their base name: the ZIP's inner folders are not
 * kept, because the inbox files by capture date, not by how the sender
 * arranged the files. Names are checked all the same: a ZIP with a path
 * that climbs out (`..`), an absolute path, a link or a device is hostile
 * or broken, and nothing of it is filed.
 */
import type * as Yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { isLeftAlone } from './inbox-names.js';
import { breaksRatio, bytesInWords, type ZipLimits } from './zip-limits.js';

/** Why a ZIP is not unpacked; the message is shown to the user as it is. */
export class ZipRefusal extends Error {
  override readonly name = 'ZipRefusal';
}

export interface ZipMember {
  readonly entry: Entry;
  /** Its path inside the ZIP, for messages and events. */
  readonly path: string;
  /** The name it is filed under. */
  readonly name: string;
  /** Its modification time as the ZIP records it. */
  readonly modified: Date;
}

export interface ZipPlan {
  /** Open; the caller closes it. */
  readonly zip: ZipFile;
  readonly members: readonly ZipMember[];
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** Compression methods yauzl unpacks: stored and deflated. */
const METHODS = new Set([0, 8]);
/** Room for " (9999)" below the usual 255-byte name limit. */
const MAX_NAME_BYTES = 240;

/** A ZIP the reader cannot read: truncated, corrupted, or not a ZIP at all. */
export function damaged(error: unknown): ZipRefusal {
  const detail = error instanceof Error ? error.message : String(error);
  return new ZipRefusal(`the file is damaged or incomplete, or not a ZIP file (${detail})`);
}

/** An entry's name in messages: quoted, and cut when very long. */
export function quoted(path: string): string {
  return JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}…` : path);
}

/** yauzl, loaded with the first ZIP: a server whose inboxes never see one does not carry it. */
let zipReader: Promise<typeof Yauzl> | undefined;

export async function readZipPlan(file: string, limits: ZipLimits): Promise<ZipPlan> {
  const yauzl = await (zipReader ??= import('yauzl').then((module) => (module.default ?? module) as typeof Yauzl));
  let zip: ZipFile;
  try {
    // decodeStrings off: yauzl would refuse bad names with an error of its
    // own, and the user is owed a sentence naming the entry.
    zip = await yauzl.openPromise(file, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: true,
    });
  } catch (error) {
    throw damaged(error);
  }
  // Errors are taken from each read; this keeps a late one from being an
  // unhandled 'error' event that ends the process.
  zip.on('error', () => undefined);
  try {
    if (zip.entryCount > limits.maxEntries)
      throw new ZipRefusal(
        `it holds ${zip.entryCount.toLocaleString('en')} entries, more than the ${limits.maxEntries.toLocaleString('en')} an inbox unpacks`,
      );
    const members: ZipMember[] = [];
    let unpacked = 0;
    let packed = 0;
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      const member = checkEntry(yauzl, entry);
      unpacked += entry.uncompressedSize;
      packed += entry.compressedSize;
      if (unpacked > limits.maxTotalBytes)
        throw new ZipRefusal(
          `its files would take more than ${bytesInWords(limits.maxTotalBytes)} unpacked (the limit for one ZIP)`,
        );
      if (breaksRatio(entry.uncompressedSize, entry.compressedSize, limits))
        throw new ZipRefusal(
          `the entry ${quoted(member.path)} would unpack from ${bytesInWords(entry.compressedSize)} to ${bytesInWords(entry.uncompressedSize)}, more than ${limits.maxRatio} times its packed size: that is how ZIP bombs look`,
        );
      if (member.name !== '') members.push(member);
    }
    if (breaksRatio(unpacked, packed, limits))
      throw new ZipRefusal(
        `its files would unpack from ${bytesInWords(packed)} to ${bytesInWords(unpacked)}, more than ${limits.maxRatio} times their packed size: that is how ZIP bombs look`,
      );
    return { zip, members };
  } catch (error) {
    zip.close();
    throw error instanceof ZipRefusal ? error : damaged(error);
  }
}

/**
 * The entry as a member to unpack, one with the name '' when it is not
 * unpacked (a folder, a Mac resource fork in `__MACOSX/`, a `.DS_Store`);
 * a ZipRefusal when the ZIP must not be unpacked at all.
 */
function checkEntry(yauzl: typeof Yauzl, entry: Entry): ZipMember {
  // Not strict: a backslash is a separator, as Windows tools write it, so
  // that `..\evil.jpg` is seen as climbing.
  const path = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
  const shown = quoted(path);
  if (path.includes('\0')) throw new ZipRefusal(`the entry ${shown} has a name with a NUL character in it`);
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path))
    throw new ZipRefusal(`the entry ${shown} has an absolute path, which could write anywhere on the server`);
  const segments = path.split('/');
  if (segments.includes('..'))
    throw new ZipRefusal(`the entry ${shown} has a path with "..", which leads out of the folder it is unpacked into`);
  const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (type === S_IFLNK) throw new ZipRefusal(`the entry ${shown} is a symbolic link, which an inbox does not unpack`);
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR)
    throw new ZipRefusal(`the entry ${shown} is not a file or a folder (a device, pipe or socket)`);
  const modified = entry.getLastModDate();
  if (path.endsWith('/')) return { entry, path, name: '', modified };
  if (entry.isEncrypted()) throw new ZipRefusal(`the entry ${shown} is password-protected`);
  if (!METHODS.has(entry.compressionMethod))
    throw new ZipRefusal(
      `the entry ${shown} is compressed with a method the server cannot unpack (method ${entry.compressionMethod}); only "stored" and "deflate" are supported`,
    );
  const name = segments[segments.length - 1]!;
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw new ZipRefusal(`the entry ${shown} has a name that is too long`);
  const skipped = segments.includes('__MACOSX') || isLeftAlone(name);
  return { entry, path, name: skipped ? '' : name, modified };
}

/** The next central directory entry, null after the last. */
function nextEntry(zip: ZipFile): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    const settle = (finish: () => void) => {
      zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
      finish();
    };
    const onEntry = (entry: Entry) => settle(() => resolve(entry));
    const onEnd = () => settle(() => resolve(null));
    const onError = (error: Error) => settle(() => reject(error));
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}
