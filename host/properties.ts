/**
 * Java .properties files (the format PicApport's settings use), read and
 * written with the rules of java.util.Properties#load / #store, so a file
 * written by hand, by Java or by us reads the same everywhere.
 *
 * Files are read as UTF-8; a file that is not valid UTF-8 is read as
 * ISO-8859-1, the encoding Java's Properties.load(InputStream) assumes.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';

export class PropertiesSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'PropertiesSyntaxError';
  }
}

/** One logical line of a file, with the exact text it came from (for in-place updates). */
export interface PropertiesLine {
  readonly raw: string;
  readonly eol: string;
  /** Undefined for blank and comment lines. */
  readonly key?: string;
  readonly value?: string;
}

const WHITESPACE = new Set([' ', '\t', '\f']);

function stripLeadingWhitespace(s: string): string {
  let i = 0;
  while (i < s.length && WHITESPACE.has(s[i]!)) i++;
  return s.slice(i);
}

function trailingBackslashes(s: string): number {
  let n = 0;
  while (n < s.length && s[s.length - 1 - n] === '\\') n++;
  return n;
}

function naturalLines(text: string): Array<{ text: string; eol: string }> {
  const lines: Array<{ text: string; eol: string }> = [];
  const re = /([^\r\n]*)(\r\n|\r|\n)/y;
  let pos = 0;
  for (;;) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) break;
    lines.push({ text: m[1]!, eol: m[2]! });
    pos = re.lastIndex;
  }
  if (pos < text.length) lines.push({ text: text.slice(pos), eol: '' });
  return lines;
}

/** Undoes the escapes of a key or value (`\t \n \r \f \uXXXX`, any other `\c` is `c`). */
function unescape(s: string, lineNo: number): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    i++;
    if (i >= s.length) break; // a lone trailing backslash (only at end of file) is dropped, as Java does
    const e = s[i]!;
    if (e === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex))
        throw new PropertiesSyntaxError(lineNo, `malformed \\uXXXX escape "\\u${hex}"`);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else if (e === 't') out += '\t';
    else if (e === 'n') out += '\n';
    else if (e === 'r') out += '\r';
    else if (e === 'f') out += '\f';
    else out += e;
  }
  return out;
}

/** Splits a logical line (escapes still in place) into key and value, as Properties.load0 does. */
function splitKeyValue(line: string, lineNo: number): { key: string; value: string } {
  let keyLen = 0;
  let valueStart = line.length;
  let hasSeparator = false;
  let precedingBackslash = false;
  while (keyLen < line.length) {
    const c = line[keyLen]!;
    if ((c === '=' || c === ':') && !precedingBackslash) {
      valueStart = keyLen + 1;
      hasSeparator = true;
      break;
    }
    if (WHITESPACE.has(c) && !precedingBackslash) {
      valueStart = keyLen + 1;
      break;
    }
    precedingBackslash = c === '\\' ? !precedingBackslash : false;
    keyLen++;
  }
  while (valueStart < line.length) {
    const c = line[valueStart]!;
    if (!WHITESPACE.has(c)) {
      if (!hasSeparator && (c === '=' || c === ':')) hasSeparator = true;
      else break;
    }
    valueStart++;
  }
  return { key: unescape(line.slice(0, keyLen), lineNo), value: unescape(line.slice(valueStart), lineNo) };
}

/** Every logical line of a file, including blanks and comments, with its source text. */
export function parseLines(text: string): PropertiesLine[] {
  const lines = naturalLines(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const out: PropertiesLine[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = lines[i]!;
    const lineNo = i + 1;
    const content = stripLeadingWhitespace(first.text);
    if (content === '' || content[0] === '#' || content[0] === '!') {
      // Comments never continue, even when they end with a backslash.
      out.push({ raw: first.text, eol: first.eol });
      i++;
      continue;
    }
    let logical = '';
    let segment = content;
    let raw = first.text;
    let eol = first.eol;
    for (;;) {
      const continues = trailingBackslashes(segment) % 2 === 1;
      logical += continues ? segment.slice(0, -1) : segment;
      i++;
      if (!continues || i >= lines.length) break;
      // The continuation's leading whitespace is not part of the value.
      raw += eol + lines[i]!.text;
      eol = lines[i]!.eol;
      segment = stripLeadingWhitespace(lines[i]!.text);
    }
    out.push({ raw, eol, ...splitKeyValue(logical, lineNo) });
  }
  return out;
}

/** The key/value pairs of a file; a repeated key keeps its last value, as in Java. */
export function parseProperties(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of parseLines(text)) if (line.key !== undefined) map.set(line.key, line.value!);
  return map;
}

function escape(s: string, isKey: boolean): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const code = c.charCodeAt(0);
    if (c === ' ') out += i === 0 || isKey ? '\\ ' : ' ';
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\f') out += '\\f';
    else if (c === '\\' || c === '=' || c === ':' || c === '#' || c === '!') out += '\\' + c;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length && /[\udc00-\udfff]/.test(s[i + 1]!)) {
      out += c + s[++i]!; // a surrogate pair: a printable character outside the BMP
    } else if (
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      code === 0x2028 ||
      code === 0x2029 ||
      (code >= 0xd800 && code <= 0xdfff)
    ) {
      // Controls, line separators and lone surrogates would break the line or the UTF-8 file.
      out += '\\u' + code.toString(16).padStart(4, '0');
    } else out += c;
  }
  return out;
}

export const escapeKey = (key: string): string => escape(key, true);
export const escapeValue = (value: string): string => escape(value, false);
export const formatProperty = (key: string, value: string): string => `${escapeKey(key)}=${escapeValue(value)}`;

/**
 * Rewrites `text` so that it holds exactly `values`: comments, blank lines,
 * order and the spelling of unchanged entries are kept; changed entries are
 * rewritten where they stand; missing keys are removed; new keys are
 * appended in the order of `values`.
 */
export function updateProperties(text: string, values: ReadonlyMap<string, string>): string {
  const lines = parseLines(text);
  const eolStyle = lines.find((l) => l.eol !== '')?.eol ?? '\n';
  const current = new Map<string, string>();
  const lastIndex = new Map<string, number>();
  lines.forEach((l, i) => {
    if (l.key === undefined) return;
    current.set(l.key, l.value!);
    lastIndex.set(l.key, i);
  });
  const out: string[] = [];
  lines.forEach((l, i) => {
    if (l.key === undefined) {
      out.push(l.raw + l.eol);
      return;
    }
    const wanted = values.get(l.key);
    if (wanted === undefined) return;
    if (wanted === current.get(l.key)) out.push(l.raw + l.eol);
    // A changed key is written once, where its effective (last) occurrence stood.
    else if (i === lastIndex.get(l.key)) out.push(formatProperty(l.key, wanted) + (l.eol || eolStyle));
  });
  let result = out.join('');
  for (const [key, value] of values) {
    if (current.has(key)) continue;
    if (result !== '' && !/[\r\n]$/.test(result)) result += eolStyle;
    result += formatProperty(key, value) + eolStyle;
  }
  return result;
}

/** Decodes a file's bytes: UTF-8 when valid, else ISO-8859-1. */
export function decodeProperties(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** The file's text, or null when it does not exist. */
export async function readPropertiesText(file: string): Promise<string | null> {
  try {
    return decodeProperties(await readFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Replaces a file's content so that a reader (another process polling the
 * file) sees either the old or the new file, never half of one, and a crash
 * leaves one of them on disk.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let mode = 0o644;
  try {
    mode = (await stat(file)).mode & 0o777;
  } catch {
    // a new file
  }
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  try {
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename still happened.
  }
}

/** Writes `values` into `file`, keeping its comments and layout (see updateProperties). */
export async function writePropertiesFile(file: string, values: ReadonlyMap<string, string>): Promise<void> {
  const text = (await readPropertiesText(file)) ?? '';
  await writeFileAtomic(file, updateProperties(text, values));
}
