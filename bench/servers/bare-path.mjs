/** The file a bare server serves for a request target under /data/, or null (never outside root). */
import path from 'node:path';

export function resolvePath(root, target) {
  let p;
  try {
    p = decodeURIComponent((target ?? '').split('?')[0]);
  } catch {
    return null;
  }
  if (!p.startsWith('/data/')) return null;
  const file = path.join(root, path.normalize(p.slice('/data'.length)));
  return file.startsWith(root + path.sep) ? file : null;
}
