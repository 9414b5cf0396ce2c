/**
 * ZIP files for the inbox tests: good ones written by yazl (the writer from
 * the author of yauzl, which the inbox reads with), a ZIP bomb streamed so
 * that its zeros are never held in memory, and hand-made bytes for what
 * yazl refuses to write (paths that climb out, absolute paths, links,
 * encrypted or lying entries). The layout is the ZIP specification's
 * (PKWARE APPNOTE.TXT, 4.3): local headers with the data, the central
 * directory, its end record.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import yazl from 'yazl';

export interface ZipFileSpec {
  readonly name: string;
  readonly data: Buffer | string;
  readonly mtime?: Date;
}

/** A well-formed ZIP of `files` at `path` (deflated, as most tools write them). */
export async function writeZip(path: string, files: readonly ZipFileSpec[]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const file of files)
    zip.addBuffer(Buffer.from(file.data), file.name, { mtime: file.mtime ?? new Date(2024, 4, 17, 12) });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
}

/**
 * A ZIP bomb: one member `name` of `bytes` zeros, which deflate squeezes
 * about a thousand times. The zeros are streamed, one reused megabyte.
 */
export async function writeZeroBomb(path: string, bytes: number, name = 'zeros.jpg'): Promise<void> {
  const zip = new yazl.ZipFile();
  const chunk = Buffer.alloc(1024 * 1024);
  async function* zeros() {
    for (let left = bytes; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
  }
  zip.addReadStream(Readable.from(zeros()), name, { size: bytes });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
}

export interface RawEntry {
  /** Written as it is: yazl would refuse `../x`, `/etc/x`, `C:\x`. */
  readonly name: string;
  readonly data?: Buffer;
  /** The high 16 bits are the Unix mode (S_IFLNK | 0o777 for a link). */
  readonly externalAttributes?: number;
  /** General purpose flags: bit 0 is "encrypted". */
  readonly flags?: number;
  /** What the headers declare, when they are to lie. */
  readonly uncompressedSize?: number;
  readonly method?: number;
}

const UNIX_HOST = 3 << 8;
/** 2024-05-17 12:00:00 in MS-DOS format (APPNOTE 4.4.6). */
const DOS_DATE = ((2024 - 1980) << 9) | (5 << 5) | 17;
const DOS_TIME = 12 << 11;

/** The bytes of a ZIP with `entries` stored (not compressed), made by hand. */
export function craftZip(entries: readonly RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = entry.data ?? Buffer.alloc(0);
    const crc = crc32(data);
    const size = entry.uncompressedSize ?? data.length;
    const flags = (entry.flags ?? 0) | 0x800; // bit 11: the name is UTF-8
    const method = entry.method ?? 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(UNIX_HOST | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((entry.externalAttributes ?? 0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The external attributes of a symbolic link, as Info-ZIP writes them. */
export const SYMLINK_ATTRIBUTES = (0o120777 << 16) >>> 0;
