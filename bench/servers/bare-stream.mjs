/**
 * Node's own ceiling for big files: a bare `http` server that streams the
 * file with fs.createReadStream in 1 MiB reads, with single byte ranges.
 * No WebDAV, no framework. Checks the Authorization header by string
 * comparison.
 *
 *   node bare-stream.mjs PORT ROOT      (env BENCH_AUTH: the expected header)
 */
import { createReadStream, stat } from 'node:fs';
import { pipeline } from 'node:stream';
import { bareServer } from './bare-path.mjs';

const [port, root] = process.argv.slice(2);

bareServer(port, root, (req, res, file) => {
  stat(file, (err, st) => {
    if (err || !st.isFile()) {
      res.writeHead(404).end();
      return;
    }
    let start = 0;
    let end = st.size - 1;
    let status = 200;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), st.size - 1) : st.size - 1;
      if (start > end) {
        res.writeHead(416, { 'Content-Range': `bytes */${st.size}` }).end();
        return;
      }
      status = 206;
    }
    const headers = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': end - start + 1,
      'Accept-Ranges': 'bytes',
      'Last-Modified': st.mtime.toUTCString(),
    };
    if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
    res.writeHead(status, headers);
    if (req.method === 'HEAD' || st.size === 0) {
      res.end();
      return;
    }
    pipeline(createReadStream(file, { start, end, highWaterMark: 1024 * 1024 }), res, () => {});
  });
});
