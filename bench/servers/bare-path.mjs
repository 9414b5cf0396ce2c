/** What the two bare servers share: the request checks, and where a request target leads under /data/. */
import http from 'node:http';
import path from 'node:path';

/**
 * A bare `http` server on 127.0.0.1 that checks the Authorization header by
 * string comparison (env BENCH_AUTH), allows GET and HEAD only, and hands
 * `serve` the file under ROOT with its stats, or answers 404.
 */
export function bareServer(port, root, serve) {
  const auth = process.env.BENCH_AUTH;
  http
    .createServer((req, res) => {
      if (req.headers.authorization !== auth) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="bench"' }).end();
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      const file = resolvePath(root, req.url);
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      serve(req, res, file);
    })
    .listen(Number(port), '127.0.0.1');
}

/** The file a bare server serves for a request target under /data/, or null (never outside root). */
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
