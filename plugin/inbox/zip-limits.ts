/**
 * How much a ZIP dropped into an inbox may unpack to. A few hundred bytes of
 * ZIP can declare, or really hold, terabytes of zeros (a "ZIP bomb"), so the
 * inbox refuses a ZIP that breaks any of these before it writes a byte, and
 * again while it unpacks, counting the bytes itself (headers can lie).
 */
export interface ZipLimits {
  /** Bytes all members together may unpack to. */
  readonly maxTotalBytes: number;
  /** Unpacked size divided by packed size, per member and for the whole ZIP. */
  readonly maxRatio: number;
  /** Entries in the ZIP, folders included. */
  readonly maxEntries: number;
}

/**
 * - 4 GiB in total: a phone's or a camera's export of a holiday fits; more
 *   than that is better copied as files, which need no second copy while
 *   the ZIP is unpacked.
 * - ratio 100: photos and videos are compressed already and hardly shrink
 *   in a ZIP (a ratio near 1); even text rarely passes 10, while a ZIP bomb
 *   reaches 1,000 and more.
 * - 10,000 entries: several years of photos; each entry costs a file, a
 *   capture-time read and an event, and a ZIP with millions of empty
 *   entries is an attack on exactly that.
 */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxTotalBytes: 4 * 1024 ** 3,
  maxRatio: 100,
  maxEntries: 10_000,
};

/**
 * The ratio is only checked above this many unpacked bytes: a small file
 * (a page of text, a blank image) may compress 1,000 times and still harm
 * no one, and the total limit bounds all of them together.
 */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

/** Whether `unpacked` bytes from `packed` break the ratio limit. */
export function breaksRatio(unpacked: number, packed: number, limits: ZipLimits): boolean {
  return unpacked > RATIO_FLOOR_BYTES && unpacked / Math.max(packed, 1) > limits.maxRatio;
}

/** A byte count as a person reads it: "4 GiB", "200 MiB", "512 bytes". */
export function bytesInWords(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (bytes < 1024) return `${bytes} bytes`;
  let value = bytes;
  let unit = 'bytes';
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}
