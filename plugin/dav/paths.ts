/**
 * Request paths: decoded from the raw request target one segment at a time,
 * and encoded back into hrefs.
 *
 * Why not `ctx.path` or the router's params: koa's URL parser
 * drops a `#fragment` and turns `\` into `/`, and the router decodes `%2F`
 * into `/` and leaves a Windows-1252 `%E4` undecoded. Here every segment is
 * percent-decoded on its own, so an encoded `/` can never split or join
 * segments, and every decoded name is checked (store/names.ts). Hand-written
 * on purpose: this decoding is what keeps a request inside its share.
 *
 * Decoding rules:
 * - the query (`?...`) is dropped; a `#` anywhere is a 400;
 * - an absolute-form target (`http://host/path`) is reduced to its path;
 *   anything else must start with `/`;
 * - empty segments (`//`) are collapsed;
 * - each segment's bytes are decoded as UTF-8, or, when they are not valid
 *   UTF-8 (Total Commander sends the Windows ANSI code page: `M%E4dchen`),
 *   as Windows-1252; the result is normalised to NFC;
 * - a decoded segment that is `.` or `..`, or contains `/`, `\`, NUL or any
 *   other C0 control character, is a 400.
 *
 * Node hands over the request line and header values as Latin-1 (one char
 * per byte), so characters U+0000–U+00FF of the raw string are taken as the
 * bytes they stand for; a character above U+00FF (only possible when the
 * caller passes an already-decoded string) contributes its UTF-8 bytes.
 */
import { nameProblem } from '../store/names.js';
import { DavError } from './errors.js';

export interface RequestPath {
  segments: string[];
  trailingSlash: boolean;
}

/** Decodes the raw request target (ctx.req.url, e.g. '/webdav/main/M%E4dchen.txt?x=1') one segment at a time. */
export function parseRequestPath(rawTarget: string): RequestPath {
  if (rawTarget.includes('#')) throw new DavError(400, 'Bad request target: fragment in request target');
  let target = rawTarget;
  const query = target.indexOf('?');
  if (query >= 0) target = target.slice(0, query);
  const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/.exec(target);
  if (absolute) target = target.slice(absolute[0].length) || '/';
  if (!target.startsWith('/')) {
    throw new DavError(400, 'Bad request target: the path must start with "/"');
  }
  return parsePathPart(target);
}

/** Splits and decodes an absolute path that has no query and no fragment. */
function parsePathPart(path: string): RequestPath {
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    if (raw !== '') segments.push(decodeSegment(raw));
  }
  return { segments, trailingSlash: path.endsWith('/') };
}

/**
 * Decodes one raw path segment (percent escapes, UTF-8 or Windows-1252, NFC)
 * and checks the result with store/names.ts; DavError 400 naming the
 * problem otherwise.
 */
export function decodeSegment(raw: string): string {
  const bytes = segmentBytes(raw);
  const name = decodeBytes(bytes).normalize('NFC');
  const problem = nameProblem(name);
  if (problem) throw new DavError(400, `Bad path segment: ${problem}`);
  return name;
}

function segmentBytes(raw: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code === 0x25 /* % */) {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        throw new DavError(400, 'Bad path segment: malformed percent escape');
      }
      out.push(parseInt(hex, 16));
      i += 2;
    } else if (code <= 0xff) {
      out.push(code);
    } else {
      const cp = raw.codePointAt(i)!;
      if (cp > 0xffff) i++;
      // A lone surrogate has no UTF-8 form: TextEncoder writes U+FFFD for it.
      for (const b of utf8Encoder.encode(String.fromCodePoint(cp))) out.push(b);
    }
  }
  return Uint8Array.from(out);
}

const utf8Encoder = new TextEncoder();

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Windows-1252 for 0x80–0x9F. Our own table because Node 20's
 * TextDecoder('windows-1252') decodes as Latin-1 (0x80 stays U+0080). The five bytes the code page leaves undefined
 * (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the C1 code points of the same value,
 * as the WHATWG Encoding Standard does. 0x00–0x7F and 0xA0–0xFF equal Latin-1.
 */
const CP1252_HIGH = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d,
  0x017d, 0x008f, 0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
  0x0153, 0x009d, 0x017e, 0x0178,
];

/** Decodes bytes as Windows-1252 (the full table, see {@link CP1252_HIGH}). */
export function decodeWindows1252(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : b);
  return s;
}

/** UTF-8 when the bytes are valid UTF-8 (overlong forms and surrogates are not), else Windows-1252. */
function decodeBytes(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return decodeWindows1252(bytes);
  }
}

/**
 * Percent-encodes the UTF-8 of `name` for a path segment: everything except
 * `A-Za-z0-9-._~!$'()*+,;=:@` is encoded, so `&`, `<`, `>`, `"`, `%`, `?`,
 * `#`, `/`, `\` and spaces never appear raw (the result is also safe in XML
 * text and attributes). A lone surrogate is encoded as U+FFFD.
 */
export function encodeSegment(name: string): string {
  // Most photo names need no escape at all.
  if (NOTHING_TO_ENCODE.test(name)) return name;
  return encodeURIComponent(wellFormed(name)).replace(/%(24|2B|2C|3B|3D|3A|40)/g, (m, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

const NOTHING_TO_ENCODE = /^[A-Za-z0-9\-._~!$'()*+,;=:@]*$/;

function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** '/' + encoded segments joined by '/'; '/' at the end when trailingSlash; no segments → '/'. */
export function encodeHref(segments: readonly string[], trailingSlash: boolean): string {
  if (segments.length === 0) return '/';
  return '/' + segments.map(encodeSegment).join('/') + (trailingSlash ? '/' : '');
}

/** Same resource: same segments (the trailing slash is ignored). */
export function samePath(a: RequestPath, b: RequestPath): boolean {
  return a.segments.length === b.segments.length && a.segments.every((s, i) => s === b.segments[i]);
}

/**
 * A header value or name quoted for an error message: at most 80 characters,
 * control characters escaped (messages may end up in plain-text answers and logs).
 */
export function quoteForMessage(value: string): string {
  const short = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return JSON.stringify(short);
}
