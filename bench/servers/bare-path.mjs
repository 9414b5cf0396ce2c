/** What the bare servers share: the request checks, and where a request target leads under its prefix. */
import http from 'node:http';
import path from 'node:path';

/**
 * A bare `http` server on 127.0.0.1 that checks the Authorization header by
 * string comparison (env BENCH_AUTH), allows `methods` only (GET and HEAD
 * unless told), and hands `serve` the path under ROOT that the request
 * target names below `prefix`, or answers 404.
 */
export function bareServer(port, root, serve, { methods = ['GET', 'HEAD'], prefix = '/data/' } = {}) {
  const auth = process.env.BENCH_AUTH;
  http
    .createServer((req, res) => {
      if (req.headers.authorization !== auth) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="bench"' }).end();
        return;
      }
      if (!methods.includes(req.method)) {
        res.writeHead(405, { Allow: methods.join(', ') }).end();
        return;
      }
      const file = resolvePath(root, req.url, prefix);
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      serve(req, res, file);
    })
    .listen(Number(port), '127.0.0.1');
}

/** The file a request target below `prefix` names under root, or null (never outside root). */
export function resolvePath(root, target, prefix = '/data/') {
  let p;
  try {
    p = decodeURIComponent((target ?? '').split('?')[0]);
  } catch {
    return null;
  }
  if (!p.startsWith(prefix)) return null;
  const file = path.join(root, path.normalize(p.slice(prefix.length - 1)));
  return file.startsWith(root + path.sep) ? file : null;
}
