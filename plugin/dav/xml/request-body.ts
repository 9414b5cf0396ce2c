/**
 * Reading an XML request body straight from the request stream (never
 * koa-body): a size cap, the encoding, then parse.ts. Hand-written on
 * purpose: the cap and the slow-body guard are security limits.
 */
import type { IncomingMessage } from 'node:http';
import { guardBodyRate } from '../../http/body-rate.js';
import { DavError } from '../errors.js';
import { parseXml, type XmlElement } from './parse.js';

/** Default cap on a request body read by {@link readXmlBody}. */
export const DEFAULT_MAX_XML_BYTES = 1024 * 1024;

type Charset = 'utf-8' | 'utf-16le' | 'utf-16be' | 'utf-16' | 'latin1';

/** Media type and charset of a Content-Type value; null media type when absent. */
function contentTypeOf(header: string | undefined): { type: string | null; charset: string | null } {
  if (header === undefined || header.trim() === '') return { type: null, charset: null };
  const [type, ...params] = header.split(';');
  let charset: string | null = null;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() === 'charset') {
      charset = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
    }
  }
  return { type: type!.trim().toLowerCase(), charset };
}

function charsetOf(name: string | null): Charset | null {
  switch (name) {
    case null:
    case 'utf-8':
    case 'utf8':
    case 'us-ascii':
      return 'utf-8';
    case 'iso-8859-1':
    case 'latin1':
      return 'latin1';
    case 'utf-16':
    case 'utf-16le':
    case 'utf-16be':
      return name;
    default:
      return null;
  }
}

/**
 * Decodes a body: a BOM decides (UTF-8, UTF-16 LE/BE); otherwise the
 * charset parameter (UTF-16 without BOM is big-endian, RFC 2781 §4.3);
 * otherwise UTF-8. Invalid bytes → DavError 400.
 */
export function decodeBody(bytes: Uint8Array, charset: Charset = 'utf-8'): string {
  let encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin1' = charset === 'utf-16' ? 'utf-16be' : charset;
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    encoding = 'utf-8';
    start = 3;
  } else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    encoding = 'utf-16le';
    start = 2;
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    encoding = 'utf-16be';
    start = 2;
  }
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(start));
  } catch {
    throw new DavError(400, `Request body is not valid ${encoding === 'utf-8' ? 'UTF-8' : encoding.toUpperCase()}`);
  }
}

/**
 * Reads and parses an XML request body straight from the request stream
 * (never koa-body). Null when the body is empty (Content-Length 0, or
 * chunked with no bytes) or only whitespace.
 *
 * - Content-Length above `maxBytes` (default 1 MiB): 413 at once, nothing
 *   read. A body that grows past it while streaming: 413 and reading stops
 *   (the request is paused, not destroyed, so the 413 can still be sent).
 *   Both 413s carry `Connection: close`, so the rest of the body is never
 *   read into the server.
 * - The Content-Type is not checked: clients label DAV bodies text/xml,
 *   application/xml, or (curl -d and some libraries) form-urlencoded, and
 *   Apache mod_dav reads them all; a body that is not XML is a 400 anyway.
 *   A charset other than UTF-8/US-ASCII/UTF-16/ISO-8859-1: 415.
 * - Bytes that are not valid in the encoding: 400. Then {@link parseXml}.
 * - The client aborting the upload: DavError 400.
 */
export async function readXmlBody(
  req: IncomingMessage,
  options: { maxBytes?: number } = {},
): Promise<XmlElement | null> {
  const text = await readXmlText(req, options);
  return text === null ? null : parseXml(text);
}

/**
 * The body as text, with every check of {@link readXmlBody} but the parse
 * itself; null when there is none. For callers that remember what a body
 * they saw before meant (PROPFIND).
 */
export async function readXmlText(req: IncomingMessage, options: { maxBytes?: number } = {}): Promise<string | null> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const { charset: charsetName } = contentTypeOf(req.headers['content-type']);
  const lengthHeader = req.headers['content-length'];
  const declared = lengthHeader === undefined ? undefined : Number(lengthHeader);
  const chunked = /chunked/i.test(String(req.headers['transfer-encoding'] ?? ''));
  if (declared === 0 && !chunked) return null;
  if (declared === undefined && !chunked) return null; // no body (RFC 9112 §6.3)

  const charset = charsetOf(charsetName);
  if (declared !== undefined && declared > 0) {
    if (declared > maxBytes) throw tooLarge(maxBytes);
  }

  const bytes = await readBody(req, maxBytes);
  if (bytes.length === 0) return null;
  if (charset === null)
    throw new DavError(415, `Unsupported charset ${JSON.stringify(charsetName)} in the request body`);
  const text = decodeBody(bytes, charset);
  if (/^[\s\ufeff]*$/.test(text)) return null;
  return text;
}

function tooLarge(maxBytes: number): DavError {
  return new DavError(413, `Request body larger than ${maxBytes} bytes`, { headers: { Connection: 'close' } });
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  if (req.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stopGuard = guardBodyRate(req);
    const cleanup = (): void => {
      stopGuard();
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
      total += buf.length;
      if (total > maxBytes) {
        cleanup();
        req.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(buf);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, total));
    };
    const onError = (): void => {
      cleanup();
      reject(new DavError(400, 'Request body could not be read'));
    };
    const onAborted = (): void => {
      cleanup();
      reject(new DavError(400, 'Request body aborted by the client'));
    };
    const onClose = (): void => {
      if (req.readableEnded) return onEnd();
      onAborted();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
    req.on('close', onClose);
    req.resume();
  });
}
