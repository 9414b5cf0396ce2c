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
import type { ByteSpan, ResourceInfo, Store, StorePath } from '../../store/store.js';
import { httpDate } from '../../props/live.js';
import type { MethodHandler } from '../context.js';
import { checkPreconditions, strongMatch } from '../conditional.js';
import { notFound } from '../errors.js';
import { formatContentRange, parseRange } from '../headers/range.js';
import { contentTypeOf } from '../mime.js';
import { sendCollectionIndex } from './collection-index.js';

export const get: MethodHandler = async (request) => {
  const { ctx, target } = request;
  if (target.kind === 'root') return sendCollectionIndex(request);
  const info = await target.store.stat(target.path);
  if (!info) throw notFound();
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
  if (ranges === null || ranges.length === 0) {
    return send(ctx, 200, type, info.size, () => target.store.read(target.path));
  }
  if (ranges.length === 1) {
    const [range] = ranges as [ByteSpan];
    ctx.set('Content-Range', formatContentRange(range, info.size));
    return send(ctx, 206, type, range.end - range.start + 1, () => target.store.read(target.path, range));
  }
  const multipart = multipartRanges(target.store, target.path, ranges, type, info.size);
  return send(ctx, 206, `multipart/byteranges; boundary=${multipart.boundary}`, multipart.length, multipart.open);
};

/** The ranges to honour: none when absent, invalid, or when If-Range says the client's copy is stale. */
function rangesToServe(ctx: Context, info: ResourceInfo): ByteSpan[] | 'unsatisfiable' | null {
  if (ctx.method !== 'GET') return null;
  const header = ctx.get('range');
  if (!header) return null;
  const ifRange = ctx.get('if-range');
  if (ifRange) {
    const current = ifRange.startsWith('"') || ifRange.startsWith('W/')
      ? strongMatch(ifRange, info.etag)
      : Date.parse(ifRange) === Math.floor(info.modified.getTime() / 1000) * 1000;
    if (!current) return null;
  }
  return parseRange(header, info.size);
}

/** HEAD gets the same headers as GET, and no file is opened for it. */
async function send(ctx: Context, status: number, type: string, length: number, open: () => Promise<Readable>): Promise<void> {
  ctx.status = status;
  ctx.type = type;
  if (ctx.method === 'HEAD') {
    ctx.length = length;
    return;
  }
  ctx.body = await open();
  ctx.length = length;
}

function multipartRanges(store: Store, path: StorePath, ranges: readonly ByteSpan[], type: string, size: number) {
  const boundary = randomUUID().replace(/-/g, '');
  const headOf = (range: ByteSpan, index: number) =>
    `${index === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: ${formatContentRange(range, size)}\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const length =
    ranges.reduce((sum, range, index) => sum + Buffer.byteLength(headOf(range, index)) + range.end - range.start + 1, 0) +
    Buffer.byteLength(tail);
  async function* parts(): AsyncGenerator<Buffer | string> {
    for (const [index, range] of ranges.entries()) {
      yield headOf(range, index);
      for await (const chunk of await store.read(path, range)) yield chunk as Buffer;
    }
    yield tail;
  }
  return { boundary, length, open: async () => Readable.from(parts()) };
}
