/**
 * GET and HEAD (RFC 9110 §9.3.1–2; RFC 4918 §9.4), with preconditions and
 * byte ranges (RFC 9110 §14) so that a player can seek in a 4 GB video.
 * A GET opens the file once (Store.open) and answers from that open file:
 * its length and ETag, and every byte of every range. Small files are read
 * at once into a buffer of their size; larger ones are streamed, never read
 * whole.
 *
 * A collection answers with a small HTML index, so that a share opened in a
 * browser shows what is in it.
 */
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import type { ByteSpan, OpenFile, ResourceInfo } from '../../store/store.js';
import { httpDate } from '../live-properties.js';
import type { DavRequest, MethodHandler } from '../context.js';
import { redirectedToCollection } from '../collection-url.js';
import { checkPreconditions, strongMatch } from '../conditional.js';
import { notFound } from '../errors.js';
import { formatContentRange, parseRange } from '../headers/range.js';
import { contentTypeOf } from '../mime.js';
import { rootInfo } from '../root-collection.js';
import { sendCollectionIndex } from './collection-index.js';
import { sentChunksOf } from '../sent-chunks.js';
import { READ_BUFFER_BYTES } from '../../store/read-buffers.js';

export const get: MethodHandler = async (request) => {
  const { target } = request;
  if (!target) return redirectedToCollection(request, rootInfo()) ? undefined : sendCollectionIndex(request);
  // HEAD sends no bytes: a look at the file is enough.
  if (request.method === 'HEAD') return answer(request, await target.store.stat(target.path), null);
  // The description comes from the opened file itself: it and the bytes sent always belong together,
  // even when an upload renames a new version over the file meanwhile.
  const file = await target.store.open(target.path);
  try {
    await answer(request, file?.info ?? null, file);
  } finally {
    // The body streams hold the file themselves for as long as they need it.
    file?.close();
  }
};

/** Files up to this size are read at once into a buffer of their size and sent from it. */
const SMALL_BYTES = 64 * 1024;

/** The answer for a resource; `file` is its open file (null for HEAD, which reads nothing). */
async function answer(request: DavRequest, info: ResourceInfo | null, file: OpenFile | null): Promise<void> {
  const { ctx } = request;
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
  /**
   * The bytes of one span (or the whole file): small ones at once; larger
   * ones into shared read buffers, which the answer gives back once it has
   * sent them (store/read-buffers.ts): at once when one buffer holds them
   * (a player's Range GET), else streamed.
   */
  const content = async (span?: ByteSpan): Promise<Buffer | Readable> => {
    const length = span ? span.end - span.start + 1 : info.size;
    if (length <= SMALL_BYTES) return file!.bytes(span);
    const sent = sentChunksOf(ctx.res);
    return length <= READ_BUFFER_BYTES ? file!.bytes(span, sent) : file!.stream(span, sent);
  };
  if (ranges === null || ranges.length === 0) {
    return send(ctx, 200, type, info.size, () => content());
  }
  if (ranges.length === 1) {
    const [range] = ranges as [ByteSpan];
    ctx.set('Content-Range', formatContentRange(range, info.size));
    return send(ctx, 206, type, range.end - range.start + 1, () => content(range));
  }
  const multipart = multipartRanges(file!, ranges, type, info.size);
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

/** HEAD gets the same headers as GET, and no file is read for it. */
async function send(
  ctx: Context,
  status: number,
  type: string,
  length: number,
  content: () => Promise<Buffer | Readable>,
): Promise<void> {
  ctx.status = status;
  ctx.type = type;
  if (ctx.method === 'HEAD') {
    ctx.length = length;
    return;
  }
  ctx.body = await content();
  ctx.length = length;
}

/**
 * All parts are read from the one open file, so they all come from the same
 * version of it. Each part's stream holds the file until it has closed, and
 * all of them are destroyed with the answer's body (finished, failed, or the
 * client gone), so none is left open.
 */
function multipartRanges(file: OpenFile, ranges: readonly ByteSpan[], type: string, size: number) {
  const boundary = randomUUID().replace(/-/g, '');
  const headOf = (range: ByteSpan, index: number) =>
    `${index === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: ${formatContentRange(range, size)}\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const length =
    ranges.reduce(
      (sum, range, index) => sum + Buffer.byteLength(headOf(range, index)) + range.end - range.start + 1,
      0,
    ) + Buffer.byteLength(tail);
  async function* parts(streams: readonly Readable[]): AsyncGenerator<Buffer | string> {
    for (const [index, range] of ranges.entries()) {
      yield headOf(range, index);
      for await (const chunk of streams[index]!) yield chunk as Buffer;
    }
    yield tail;
  }
  const open = async (): Promise<Readable> => {
    const streams = ranges.map((range) => file.stream(range));
    const body = Readable.from(parts(streams));
    body.once('close', () => {
      for (const stream of streams) stream.destroy();
    });
    return body;
  };
  return { boundary, length, open };
}
