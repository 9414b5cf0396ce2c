/**
 * GET and HEAD (RFC 9110 §9.3.1–2; RFC 4918 §9.4), with preconditions and
 * byte ranges (RFC 9110 §14) so that a player can seek in a 4 GB video.
 * Files are streamed from disk, never read whole.
 *
 * A collection answers with a small HTML index, so that a share opened in a
 * browser shows what is in it.
 */
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import type { ByteSpan, ResourceInfo } from '../../store/store.js';
import { httpDate } from '../live-properties.js';
import type { DavRequest, MethodHandler, Resource } from '../context.js';
import { redirectedToCollection } from '../collection-url.js';
import { checkPreconditions, strongMatch } from '../conditional.js';
import { DavError, notFound } from '../errors.js';
import { formatContentRange, parseRange } from '../headers/range.js';
import { contentTypeOf } from '../mime.js';
import { rootInfo } from '../root-collection.js';
import { sendCollectionIndex } from './collection-index.js';

export const get: MethodHandler = async (request) => {
  const { target } = request;
  if (!target) return redirectedToCollection(request, rootInfo()) ? undefined : sendCollectionIndex(request);
  // A file replaced between looking at it and opening it (an upload renamed over it) would be
  // sent with the other file's length and ETag: look again. Uploads are renamed in one step,
  // so a second look almost always settles it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await getFile(request, target);
    } catch (error) {
      if (!(error instanceof ReplacedMeanwhile) || attempt >= MAX_ATTEMPTS)
        throw error instanceof ReplacedMeanwhile ? busy() : error;
    }
  }
};

const MAX_ATTEMPTS = 5;

/** The file changed between stat and open. */
class ReplacedMeanwhile extends Error {}

const busy = (): DavError =>
  new DavError(503, 'The file is being replaced right now; try again', { headers: { 'Retry-After': '1' } });

async function getFile(request: DavRequest, target: Resource): Promise<void> {
  const { ctx } = request;
  const info = await target.store.stat(target.path);
  if (!info) throw notFound();
  if (redirectedToCollection(request, info)) return;
  if (info.isCollection) return sendCollectionIndex(request);

  ctx.set('ETag', info.etag);
  ctx.set('Last-Modified', httpDate(info.modified));
  ctx.set('Accept-Ranges', 'bytes');
  if (checkPreconditions(ctx, info) === 304) {
    ctx.status = 304;
    return;
  }
  const type = contentTypeOf(info.name);
  const ranges = rangesToServe(ctx, info);
  if (ranges === 'unsatisfiable') {
    ctx.status = 416;
    ctx.set('Content-Range', `bytes */${info.size}`);
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = 'Range Not Satisfiable: no requested range overlaps the file\n';
    return;
  }
  /** Opens (part of) the file, making sure it is still the file `info` describes. */
  const open = async (span?: ByteSpan): Promise<Readable> => {
    const stream = await target.store.read(target.path, span);
    const now = await target.store.stat(target.path).catch(() => null);
    if (now?.etag !== info.etag) {
      stream.destroy();
      throw new ReplacedMeanwhile();
    }
    return stream;
  };
  if (ranges === null || ranges.length === 0) {
    return send(ctx, 200, type, info.size, () => open());
  }
  if (ranges.length === 1) {
    const [range] = ranges as [ByteSpan];
    ctx.set('Content-Range', formatContentRange(range, info.size));
    return send(ctx, 206, type, range.end - range.start + 1, () => open(range));
  }
  const multipart = multipartRanges(open, ranges, type, info.size);
  return send(ctx, 206, `multipart/byteranges; boundary=${multipart.boundary}`, multipart.length, multipart.open);
}

/** The ranges to honour: none when absent, invalid, or when If-Range says the client's copy is stale. */
function rangesToServe(ctx: Context, info: ResourceInfo): ByteSpan[] | 'unsatisfiable' | null {
  if (ctx.method !== 'GET') return null;
  const header = ctx.get('range');
  if (!header) return null;
  const ifRange = ctx.get('if-range');
  if (ifRange) {
    const current =
      ifRange.startsWith('"') || ifRange.startsWith('W/')
        ? strongMatch(ifRange, info.etag)
        : Date.parse(ifRange) === Math.floor(info.modified.getTime() / 1000) * 1000;
    if (!current) return null;
  }
  return parseRange(header, info.size);
}

/** HEAD gets the same headers as GET, and no file is opened for it. */
async function send(
  ctx: Context,
  status: number,
  type: string,
  length: number,
  open: () => Promise<Readable>,
): Promise<void> {
  ctx.status = status;
  ctx.type = type;
  if (ctx.method === 'HEAD') {
    ctx.length = length;
    return;
  }
  ctx.body = await open();
  ctx.length = length;
}

/**
 * The parts are opened one after the other while the answer is under way;
 * the first part is opened (and checked) before the answer starts. A file
 * replaced between two parts ends the answer early (the connection is cut)
 * rather than sending parts of two different files.
 */
function multipartRanges(
  open: (span: ByteSpan) => Promise<Readable>,
  ranges: readonly ByteSpan[],
  type: string,
  size: number,
) {
  const boundary = randomUUID().replace(/-/g, '');
  const headOf = (range: ByteSpan, index: number) =>
    `${index === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: ${formatContentRange(range, size)}\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const length =
    ranges.reduce(
      (sum, range, index) => sum + Buffer.byteLength(headOf(range, index)) + range.end - range.start + 1,
      0,
    ) + Buffer.byteLength(tail);
  async function* parts(first: Readable): AsyncGenerator<Buffer | string> {
    for (const [index, range] of ranges.entries()) {
      yield headOf(range, index);
      for await (const chunk of index === 0 ? first : await open(range)) yield chunk as Buffer;
    }
    yield tail;
  }
  return { boundary, length, open: async () => Readable.from(parts(await open(ranges[0]!))) };
}
