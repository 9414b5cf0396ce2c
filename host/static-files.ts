/**
 * Serves a plugin's static files. The URL path is decoded one segment at a
 * time and the result must stay inside the folder after symlinks are
 * resolved: a plugin's asset folder must never expose the rest of the disk.
 */
import type { Context } from 'koa';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from './paths.js';

/** The file under `root` named by the still percent-encoded `encodedPath` ("a/b%20c.js"), or null when unsafe or missing. */
export async function resolveInside(root: string, encodedPath: string): Promise<string | null> {
  const segments: string[] = [];
  for (const raw of encodedPath.split('/')) {
    if (raw === '') continue;
    let segment: string;
    // By hand, one segment at a time: decoding the whole path first would turn %2F into a separator.
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    // By hand, as koa has no such check: '..' climbs out, a backslash or NUL would act as a separator or end the name.
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return null;
    segments.push(segment);
  }
  if (segments.length === 0) return null;
  // By hand: path-only checks (as in koa-send or serve-static) let a symlink inside the folder lead outside it.
  try {
    const realRoot = await realpath(root);
    const real = await realpath(path.join(realRoot, ...segments));
    return isInside(realRoot, real) ? real : null;
  } catch {
    return null;
  }
}

/** Answers GET/HEAD with the file (304 when the browser's copy is fresh); false when it is not a regular file. */
export async function sendFile(ctx: Context, file: string): Promise<boolean> {
  let info;
  try {
    info = await stat(file);
  } catch {
    return false;
  }
  if (!info.isFile()) return false;
  ctx.status = 200;
  // koa looks the extension up in mime-types; what it does not know is sent as plain bytes.
  ctx.type = path.extname(file);
  if (!ctx.type) ctx.type = 'application/octet-stream';
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Cache-Control', 'no-cache');
  ctx.lastModified = info.mtime;
  ctx.etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  if (ctx.fresh) {
    ctx.status = 304;
    return true;
  }
  ctx.length = info.size;
  if (ctx.method === 'HEAD') return true;
  ctx.body = createReadStream(file);
  return true;
}
