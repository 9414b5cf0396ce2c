/**
 * Node's own ceiling for durable uploads: a bare `http` server that, for
 * every PUT, writes the body into a new temporary file beside the target
 * with fs.createWriteStream, fsyncs it, renames it over the target, fsyncs
 * the folder and then answers 201. That is the least a server does for an
 * upload to survive a power cut, and what ours does too; Apache, lighttpd
 * and rclone answer before the data reaches the disk. No WebDAV, no
 * framework, no locks, no properties. Checks the Authorization header by
 * string comparison.
 *
 *   node bare-put.mjs PORT ROOT      (env BENCH_AUTH: the expected header; PUT /up/NAME → ROOT/NAME)
 */
import { close, createWriteStream, fsync, open, rename, unlink } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { bareServer } from './bare-path.mjs';

const [port, root] = process.argv.slice(2);
const openFd = promisify(open);
const fsyncFd = promisify(fsync);
const closeFd = promisify(close);
const renameTo = promisify(rename);

let uploads = 0;

async function syncFolder(folder) {
  const fd = await openFd(folder, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    await closeFd(fd);
  }
}

async function putDurably(req, file) {
  const temp = path.join(path.dirname(file), `.put-${process.pid}-${++uploads}`);
  const fd = await openFd(temp, 'wx');
  try {
    try {
      await pipeline(req, createWriteStream(null, { fd, autoClose: false, highWaterMark: 1024 * 1024 }));
      await fsyncFd(fd);
    } finally {
      await closeFd(fd);
    }
    await renameTo(temp, file);
  } catch (err) {
    unlink(temp, () => {});
    throw err;
  }
  await syncFolder(path.dirname(file));
}

bareServer(
  port,
  root,
  (req, res, file) => {
    putDurably(req, file).then(
      () => res.writeHead(201, { 'Content-Length': 0 }).end(),
      (err) => {
        if (!res.headersSent) res.writeHead(err.code === 'ENOENT' ? 409 : 500, { 'Content-Length': 0 }).end();
      },
    );
  },
  { methods: ['PUT'], prefix: '/up/' },
);
