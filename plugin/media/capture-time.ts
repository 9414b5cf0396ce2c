/**
 * When a photo or video was taken, for the photo views (sorted and grouped
 * by it) and the inbox (which files by its month). In order: the EXIF
 * DateTimeOriginal, else CreateDate; for MP4/QuickTime videos the movie's
 * creation time; else the file's modification time, marked as such so the
 * caller can tell a guess from a record.
 */
import type Exifr from 'exifr';
import { basename, extname } from 'node:path';
import { mediaKindOf, type MediaKind } from './media-kinds.js';
import { movieCreationTime } from './movie-creation-time.js';

export type CaptureSource = 'exif' | 'video' | 'mtime';

export interface CaptureTime {
  /** The instant, for creationdate (EXIF wall-clock time corrected by OffsetTimeOriginal/OffsetTime when present, else read as UTC). */
  readonly at: Date;
  /** 'YYYY-MM' of the wall-clock time the photo was taken (EXIF local time as written; video/mtime: the server's local time zone). */
  readonly month: string;
  readonly source: CaptureSource;
}

/** The video containers that are ISO BMFF (MP4, QuickTime, 3GPP), whose header we read. */
const MOVIE_EXTENSIONS = new Set(['.mp4', '.m4v', '.mov', '.qt', '.3gp', '.3g2']);

/** exifr, loaded with the first photo read: a server without a date view or an inbox does not carry it. */
let exifReader: Promise<typeof Exifr> | undefined;

/** What exifr reads: only these tags, as the raw strings the file holds. */
const EXIF_OPTIONS = {
  pick: ['DateTimeOriginal', 'CreateDate', 'OffsetTimeOriginal', 'OffsetTimeDigitized', 'OffsetTime'],
  // exifr's revived dates are Dates in the process's time zone, which would
  // move the month of a photo taken near midnight; the strings are parsed here.
  reviveValues: false,
  // Nothing but the TIFF/EXIF block: no thumbnail, XMP, ICC, IPTC, JFIF.
  ifd1: false,
  gps: false,
  interop: false,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
  ihdr: false,
  makerNote: false,
  userComment: false,
};

/**
 * The capture time of `file`, whose modification time the caller has
 * already (`modified`, the last resort). `kind` is the file's media kind if
 * the caller knows it, else it is told by the name (media-kinds.ts). Never
 * rejects for the file's sake: an unreadable or malformed file gets the next
 * source, down to the modification time.
 */
export async function readCaptureTime(
  file: string,
  modified: Date,
  kind?: MediaKind | null,
  /** The name that tells the kind, when the file lies under another (an unpacked ZIP member). */
  name: string = basename(file),
): Promise<CaptureTime> {
  const mediaKind = kind === undefined ? mediaKindOf(name) : kind;
  if (mediaKind === 'photo') {
    const exif = await exifCaptureTime(file);
    if (exif !== null) return exif;
  } else if (mediaKind === 'video' && MOVIE_EXTENSIONS.has(extname(name).toLowerCase())) {
    const at = await movieCreationTime(file);
    if (at !== null && plausible(at)) return { at, month: localMonth(at), source: 'video' };
  }
  return { at: modified, month: localMonth(modified), source: 'mtime' };
}

/** DateTimeOriginal, else CreateDate (EXIF DateTimeDigitized), each with its own offset; null if neither is usable. */
async function exifCaptureTime(file: string): Promise<CaptureTime | null> {
  let tags: Record<string, unknown> | undefined;
  try {
    // A path makes exifr read the file in chunks from its head, not whole.
    const exifr = await (exifReader ??= import('exifr').then((module) => module.default as typeof Exifr));
    tags = (await exifr.parse(file, EXIF_OPTIONS)) as Record<string, unknown> | undefined;
  } catch {
    return null;
  }
  if (tags === undefined || tags === null) return null;
  return (
    captureTimeFromExif(tags.DateTimeOriginal, tags.OffsetTimeOriginal ?? tags.OffsetTime) ??
    captureTimeFromExif(tags.CreateDate, tags.OffsetTimeDigitized ?? tags.OffsetTime)
  );
}

/**
 * An EXIF date and time (EXIF 2.32, 4.6.5: "YYYY:MM:DD HH:MM:SS", local time
 * without a zone) and its offset ("+HH:MM", EXIF 2.31 and later). The month
 * is the one written; the instant is the written time at that offset, or
 * read as UTC when there is none (the true zone is unknown).
 */
export function captureTimeFromExif(dateTime: unknown, offset: unknown): CaptureTime | null {
  if (typeof dateTime !== 'string') return null;
  const match = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(dateTime.trim());
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wallClock = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wallClock);
  // Date.UTC rolls over (month 13, day 32, hour 24); a field out of range is no date.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    return null;
  }
  const at = new Date(wallClock - offsetMinutes(offset) * 60_000);
  if (!plausible(at)) return null;
  return { at, month: `${match[1]}-${match[2]}`, source: 'exif' };
}

/** "+02:00" → 120, "-05:30" → -330; anything else (absent, blank, malformed) → 0. */
function offsetMinutes(offset: unknown): number {
  if (typeof offset !== 'string') return 0;
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset.trim());
  if (match === null) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  if (minutes > 14 * 60) return 0;
  return match[1] === '-' ? -minutes : minutes;
}

/** Taken in or after 1900 and not more than a year from now: a clock that was never set, or garbage, is not a capture time. */
function plausible(at: Date): boolean {
  const time = at.getTime();
  return Number.isFinite(time) && at.getUTCFullYear() >= 1900 && time <= Date.now() + 366 * 24 * 3600 * 1000;
}

/** 'YYYY-MM' of `at` in the server's time zone. */
function localMonth(at: Date): string {
  return `${String(at.getFullYear()).padStart(4, '0')}-${String(at.getMonth() + 1).padStart(2, '0')}`;
}
