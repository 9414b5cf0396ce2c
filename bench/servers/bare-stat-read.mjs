/**
 * Node's own ceiling for small files: a bare `http` server that, for every
 * GET, stats the file and reads it whole, then sends it. No WebDAV, no
 * framework. Checks the Authorization header by string comparison.
 *
 *   node bare-stat-read.mjs PORT ROOT      (env BENCH_AUTH: the expected header)
 */
import { readFile, stat } from 'node:fs';
import { bareServer } from './bare-path.mjs';

const [port, root] = process.argv.slice(2);

bareServer(port, root, (req, res, file) => {
  stat(file, (err, st) => {
    if (err || !st.isFile()) {
      res.writeHead(404).end();
      return;
    }
    readFile(file, (err2, body) => {
      if (err2) {
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': body.length,
        'Last-Modified': st.mtime.toUTCString(),
        ETag: `"${st.size.toString(16)}-${Math.trunc(st.mtimeMs).toString(16)}"`,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
});
