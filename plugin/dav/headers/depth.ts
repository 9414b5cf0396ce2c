/** The Depth header (RFC 4918 §10.2). Hand-written: anything but 0, 1 or infinity is a 400, never a guess. */
import { DavError } from '../errors.js';
import { quoteForMessage } from '../paths.js';

export type Depth = 0 | 1 | 'infinity';

/**
 * `0`, `1` or `infinity` (case-insensitive, surrounding whitespace ignored);
 * `defaultDepth` when the header is absent. Anything else, the empty value
 * included, is a DavError 400 naming the header.
 */
export function parseDepth(value: string | undefined, defaultDepth: Depth): Depth {
  if (value === undefined) return defaultDepth;
  switch (value.trim().toLowerCase()) {
    case '0':
      return 0;
    case '1':
      return 1;
    case 'infinity':
      return 'infinity';
    default:
      throw new DavError(400, `Invalid Depth header ${quoteForMessage(value)}: expected 0, 1 or infinity`);
  }
}
