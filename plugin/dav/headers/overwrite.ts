/** The Overwrite header (RFC 4918 §10.6). Hand-written: anything but T or F is a 400, never a guess. */
import { DavError } from '../errors.js';
import { quoteForMessage } from '../paths.js';

/** Absent → true (§10.6: "If the Overwrite header is not included ... the resource MUST treat the request as if it has an Overwrite header of value "T""); `T`/`F`, case-insensitive, trimmed; anything else → DavError 400. */
export function parseOverwrite(value: string | undefined): boolean {
  if (value === undefined) return true;
  switch (value.trim().toUpperCase()) {
    case 'T':
      return true;
    case 'F':
      return false;
    default:
      throw new DavError(400, `Invalid Overwrite header ${quoteForMessage(value)}: expected T or F`);
  }
}
