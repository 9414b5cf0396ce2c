/**
 * The creation time an MP4 or QuickTime file records for itself: the
 * `creation_time` of its movie header box, `moov`/`mvhd` (ISO/IEC 14496-12,
 * 8.2.2; QuickTime File Format, "Movie header atom"; 3GPP files are the same
 * format). Read with a few small positioned reads: the top-level boxes are
 * walked by their sizes alone, so a media data box (`mdat`) of gigabytes in
 * front of `moov`, as most cameras write it, costs one read of its header.
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Seconds from 1904-01-01T00:00:00Z, the epoch of ISO BMFF times, to the Unix epoch. */
const SECONDS_1904_TO_1970 = 2_082_844_800n;

/**
 * More boxes than a real file has at the top level or in `moov`: a file of
 * countless tiny boxes is not walked to its end one read at a time.
 */
const MAX_BOXES = 1024;

/** A box header: its type, where its content starts and where the box ends. */
interface Box {
  readonly type: string;
  readonly contentStart: number;
  readonly end: number;
}

/**
 * The instant `moov`/`mvhd` gives as creation_time, or null when the file
 * has none: not an ISO BMFF file, no `moov` or `mvhd`, or creation_time 0
 * (the spec's value for "not set", which many encoders leave). Read and
 * parse errors are null too; the caller falls back to another source.
 */
export async function movieCreationTime(file: string): Promise<Date | null> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    const moov = await findBox(handle, 0, size, 'moov');
    if (moov === null) return null;
    const mvhd = await findBox(handle, moov.contentStart, moov.end, 'mvhd');
    if (mvhd === null) return null;
    return await creationTimeOf(handle, mvhd);
  } catch {
    return null;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** The first box of `type` among the boxes that fill [start, end), or null. */
async function findBox(handle: FileHandle, start: number, end: number, type: string): Promise<Box | null> {
  let offset = start;
  for (let count = 0; count < MAX_BOXES && offset + 8 <= end; count++) {
    const box = await boxAt(handle, offset, end);
    if (box === null) return null;
    if (box.type === type) return box;
    offset = box.end;
  }
  return null;
}

/**
 * The box whose header is at `offset` (8.1.1 / 4.2: a 32-bit size and a
 * four-character type; size 1: a 64-bit size follows; size 0: the box runs to
 * the end of its container), or null when the header is not a box's.
 */
async function boxAt(handle: FileHandle, offset: number, containerEnd: number): Promise<Box | null> {
  const header = await readAt(handle, offset, 16);
  if (header === null || header.length < 8) return null;
  const type = header.toString('latin1', 4, 8);
  if (!/^[\x20-\x7e]{4}$/.test(type)) return null;
  const size32 = header.readUInt32BE(0);
  let size: number;
  let headerBytes = 8;
  if (size32 === 1) {
    if (header.length < 16) return null;
    const size64 = header.readBigUInt64BE(8);
    if (size64 > BigInt(Number.MAX_SAFE_INTEGER)) return null;
    size = Number(size64);
    headerBytes = 16;
  } else if (size32 === 0) {
    size = containerEnd - offset;
  } else {
    size = size32;
  }
  if (size < headerBytes || offset + size > containerEnd) return null;
  return { type, contentStart: offset + headerBytes, end: offset + size };
}

/**
 * creation_time of an `mvhd` box (8.2.2.2): after the full-box version and
 * flags, 32 bits in version 0, 64 bits in version 1; seconds since 1904 UTC.
 */
async function creationTimeOf(handle: FileHandle, mvhd: Box): Promise<Date | null> {
  const content = await readAt(handle, mvhd.contentStart, Math.min(12, mvhd.end - mvhd.contentStart));
  if (content === null || content.length < 8) return null;
  const version = content[0];
  let seconds: bigint;
  if (version === 0) seconds = BigInt(content.readUInt32BE(4));
  else if (version === 1 && content.length >= 12) seconds = content.readBigUInt64BE(4);
  else return null;
  if (seconds === 0n) return null;
  const unixSeconds = seconds - SECONDS_1904_TO_1970;
  // Far beyond any real date (and beyond what Date can hold): not a time.
  if (unixSeconds > 8_640_000_000_000n || unixSeconds < -8_640_000_000_000n) return null;
  return new Date(Number(unixSeconds) * 1000);
}

/** Up to `length` bytes at `position` (fewer at the end of the file); null when none. */
async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer | null> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === 0 ? null : buffer.subarray(0, filled);
}
