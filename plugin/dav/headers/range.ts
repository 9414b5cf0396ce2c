/**
 * Hand-written on purpose: it carries our limits on how many ranges one request may ask for.
 *
 * The Range header (RFC 9110 §14.1.2, §14.2) for GET of byte ranges (video
 * seeking).
 *
 * ```
 * Range            = ranges-specifier
 * ranges-specifier = range-unit "=" range-set     ; unit "bytes", case-insensitive
 * range-set        = 1#range-spec
 * range-spec       = int-range / suffix-range
 * int-range        = first-pos "-" [ last-pos ]
 * suffix-range     = "-" suffix-length
 * ```
 *
 * {@link parseRange} answers:
 * - `null` — serve the whole representation (200): the header is absent,
 *   names another unit, or is syntactically invalid (§14.2: "a server MUST
 *   ignore a Range header field received with ... a range unit it does not
 *   understand" and MAY ignore one it cannot parse; an int-range whose
 *   last-pos is below its first-pos makes the whole set invalid, §14.1.1).
 *   Also `null` for a zero-length representation: no byte range of it
 *   exists, and a 200 with the empty body serves a client resuming or
 *   probing an empty file better than a 416.
 *   Also `null` — deliberately — for requests that would amplify the
 *   response (§14.2 allows ignoring these): more than {@link MAX_RANGES}
 *   range-specs, or satisfiable ranges whose lengths add up to more than the
 *   representation (only possible when they overlap, e.g. `bytes=0-,0-,0-`
 *   which would otherwise send a 4 GB video many times over for a few bytes
 *   of request). Whatever the header, the answer body is at most about one
 *   representation plus multipart overhead for at most 100 parts.
 * - `'unsatisfiable'` — no range-spec overlaps the representation (416 with
 *   `Content-Range: bytes *\/size`, see {@link formatUnsatisfiedRange}).
 * - the satisfiable ranges, in request order, end clamped to size−1; a
 *   suffix-range longer than the representation is the whole of it.
 *   Unsatisfiable specs among satisfiable ones are dropped.
 */

export type ByteRange = { start: number; end: number }; // inclusive

/** More range-specs than this: the header is ignored (range amplification). */
export const MAX_RANGES = 100;

const SPEC = /^(?:(\d+)-(\d*)|-(\d+))$/;

export function parseRange(value: string | undefined, size: number): ByteRange[] | 'unsatisfiable' | null {
  if (value === undefined) return null;
  const m = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(.*?)\s*$/s.exec(value);
  if (!m || m[1]!.toLowerCase() !== 'bytes') return null;
  const specs = m[2]!
    .split(',')
    .map((spec) => spec.trim())
    .filter((spec) => spec !== '');
  if (specs.length === 0 || specs.length > MAX_RANGES) return null;

  const ranges: ByteRange[] = [];
  let total = 0;
  for (const spec of specs) {
    const parts = SPEC.exec(spec);
    if (!parts) return null;
    let range: ByteRange | null;
    if (parts[3] !== undefined) {
      const suffix = Number(parts[3]);
      range = suffix > 0 && size > 0 ? { start: Math.max(0, size - suffix), end: size - 1 } : null;
    } else {
      const first = Number(parts[1]);
      const last = parts[2] === '' ? Infinity : Number(parts[2]);
      if (last < first) return null;
      range = first < size ? { start: first, end: Math.min(last, size - 1) } : null;
    }
    if (range) {
      ranges.push(range);
      total += range.end - range.start + 1;
    }
  }
  if (size <= 0) return null;
  if (ranges.length === 0) return 'unsatisfiable';
  if (total > size) return null;
  return ranges;
}

/** `bytes start-end/size` (RFC 9110 §14.4). */
export function formatContentRange(r: ByteRange, size: number): string {
  return `bytes ${r.start}-${r.end}/${size}`;
}

/** `bytes *\/size`: the Content-Range of a 416 answer (RFC 9110 §14.4). */
export function formatUnsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}
