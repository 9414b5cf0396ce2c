/**
 * Photo and video files made on the spot for the media tests: real,
 * decodable JPEGs with chosen EXIF dates (or none), and minimal MP4s with a
 * chosen creation time in their movie header, written with a chosen
 * modification time. Made in memory, so no binary fixture is committed.
 */
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import jpeg from 'jpeg-js';
import piexif from 'piexifjs';

/** EXIF tag numbers (EXIF 2.32, 4.6.5): DateTimeOriginal, DateTimeDigitized (exifr's "CreateDate"), the offsets. */
const DATE_TIME_ORIGINAL = 0x9003;
const DATE_TIME_DIGITIZED = 0x9004;
const OFFSET_TIME = 0x9010;
const OFFSET_TIME_ORIGINAL = 0x9011;
const OFFSET_TIME_DIGITIZED = 0x9012;

// piexifjs 1.0 predates EXIF 2.31's offset tags and refuses to write a tag it
// does not know; they are ASCII like the dates they belong to.
piexif.TAGS.Exif![OFFSET_TIME] ??= { name: 'OffsetTime', type: 'Ascii' };
piexif.TAGS.Exif![OFFSET_TIME_ORIGINAL] ??= { name: 'OffsetTimeOriginal', type: 'Ascii' };
piexif.TAGS.Exif![OFFSET_TIME_DIGITIZED] ??= { name: 'OffsetTimeDigitized', type: 'Ascii' };

export interface JpegExif {
  /** EXIF DateTimeOriginal, 'YYYY:MM:DD HH:MM:SS'. */
  dateTimeOriginal?: string;
  /** EXIF DateTimeDigitized (0x9004), which exifr calls CreateDate. */
  createDate?: string;
  /** EXIF OffsetTimeOriginal, '+HH:MM'. */
  offsetTimeOriginal?: string;
  width?: number;
  height?: number;
  /** Picks the pixels: fixtures with different seeds differ in content. */
  seed?: number;
}

/** A decodable JPEG (16×16 unless told) with an EXIF block holding the dates given. */
export function jpegWithExif(opts: JpegExif): Buffer {
  const exif: Record<number, string> = {};
  if (opts.dateTimeOriginal !== undefined) exif[DATE_TIME_ORIGINAL] = opts.dateTimeOriginal;
  if (opts.createDate !== undefined) exif[DATE_TIME_DIGITIZED] = opts.createDate;
  if (opts.offsetTimeOriginal !== undefined) exif[OFFSET_TIME_ORIGINAL] = opts.offsetTimeOriginal;
  const segment = piexif.dump({ '0th': { [piexif.ImageIFD.Software!]: 'media-fixtures' }, Exif: exif });
  const image = encodeJpeg(opts.width ?? 16, opts.height ?? 16, opts.seed ?? 0);
  return Buffer.from(piexif.insert(segment, image.toString('binary')), 'binary');
}

/** A decodable 16×16 JPEG with no EXIF block at all. */
export function jpegWithoutExif(seed = 0): Buffer {
  return encodeJpeg(16, 16, seed);
}

/** A JPEG of pseudo-random pixels drawn from `seed` (a linear congruential generator: the same seed, the same image). */
function encodeJpeg(width: number, height: number, seed: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  let state = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < data.length; i += 4) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = state >>> 24;
    data[i + 1] = (state >>> 16) & 0xff;
    data[i + 2] = (state >>> 8) & 0xff;
    data[i + 3] = 0xff;
  }
  return jpeg.encode({ width, height, data }, 90).data;
}

export interface Mp4Options {
  /** mvhd version: 0 writes 32-bit times (up to 2040), 1 writes 64-bit times. 0 unless told. */
  version?: 0 | 1;
  /** The media data box before `moov`, as cameras write it (true unless told), or after it ("fast start"). */
  mdatFirst?: boolean;
  /** The size of the media data; 0 writes no `mdat` box. 256 unless told. */
  mdatBytes?: number;
}

/** Seconds from 1904-01-01T00:00:00Z, the epoch of ISO BMFF times, to the Unix epoch. */
const SECONDS_1904_TO_1970 = 2_082_844_800;

/**
 * A minimal ISO BMFF file (ISO/IEC 14496-12): `ftyp` (isom), `mdat`, and a
 * `moov` with only its `mvhd` (no tracks, so no player shows anything), whose
 * creation and modification times are `at`, or 0 ("not set") when null.
 */
export function mp4WithCreationTime(at: Date | null, opts: Mp4Options = {}): Buffer {
  const version = opts.version ?? 0;
  const mdatBytes = opts.mdatBytes ?? 256;
  const seconds = at === null ? 0 : Math.floor(at.getTime() / 1000) + SECONDS_1904_TO_1970;
  if (seconds < 0 || (version === 0 && seconds > 0xffffffff)) {
    throw new RangeError(`${at?.toISOString()} does not fit an mvhd of version ${version}`);
  }
  const ftyp = box('ftyp', Buffer.concat([Buffer.from('isom'), u32(0x200), Buffer.from('isomiso2mp41')]));
  const mvhd = box('mvhd', mvhdContent(version, seconds));
  const moov = box('moov', mvhd);
  const mdat = mdatBytes > 0 ? [box('mdat', Buffer.alloc(mdatBytes, 0xa5))] : [];
  const firstMdat = opts.mdatFirst ?? true;
  return Buffer.concat(firstMdat ? [ftyp, ...mdat, moov] : [ftyp, moov, ...mdat]);
}

/** The content of a movie header box (8.2.2.2): times, timescale 1000, a 10 s duration, the identity matrix. */
function mvhdContent(version: 0 | 1, seconds: number): Buffer {
  const time = version === 1 ? u64(seconds) : u32(seconds);
  const duration = version === 1 ? u64(10_000) : u32(10_000);
  const matrix = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000].map(u32);
  return Buffer.concat([
    Buffer.from([version, 0, 0, 0]),
    time, // creation_time
    time, // modification_time
    u32(1000), // timescale
    duration,
    u32(0x00010000), // rate 1.0
    Buffer.from([0x01, 0x00]), // volume 1.0
    Buffer.alloc(10), // reserved
    ...matrix,
    Buffer.alloc(24), // pre_defined
    u32(2), // next_track_ID
  ]);
}

function box(type: string, content: Buffer): Buffer {
  return Buffer.concat([u32(8 + content.length), Buffer.from(type, 'latin1'), content]);
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

function u64(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(value));
  return bytes;
}

/** Writes `bytes` to `dir`/`name` (making its folders), with `mtime` as its modification time if given; its absolute path. */
export async function writeFixture(dir: string, name: string, bytes: Buffer, mtime?: Date): Promise<string> {
  const file = resolve(join(dir, name));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, bytes);
  if (mtime !== undefined) await utimes(file, mtime, mtime);
  return file;
}
