/**
 * The bare Node servers (no WebDAV): launchers for bare-stat-read.mjs
 * (small files), bare-stream.mjs (big files and ranges), which only GET,
 * and bare-put.mjs (durable uploads), which only PUTs, into a folder of its
 * own.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../lib/proc.mjs';
import { serverDir, startOnFreePort } from './common.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

function bareServer(id, label, script, workloads, { uploads = false } = {}) {
  return {
    id,
    label,
    can: (workload) => workloads.includes(workload),
    async start(ctx) {
      const dir = serverDir(ctx, id);
      const uploadDir = uploads ? path.join(dir, 'up') : null;
      if (uploadDir) mkdirSync(uploadDir);
      const { child, port, logFile } = await startOnFreePort({
        id,
        dir,
        launch: (p) => ({
          cmd: process.execPath,
          args: [path.join(HERE, script), String(p), uploadDir ?? ctx.shareDir],
          env: { BENCH_AUTH: ctx.authHeader },
        }),
      });
      return {
        id,
        pid: child.pid,
        exited: () => child.exitCode !== null || child.signalCode !== null,
        base: `http://127.0.0.1:${port}`,
        dataPath: '/data/',
        uploadPath: uploadDir ? '/up/' : null,
        uploadDir,
        logFile,
        stop: () => stopChild(child),
      };
    },
  };
}

export const nodeStat = bareServer('node-stat', 'bare Node: stat + readFile', 'bare-stat-read.mjs', ['get-small']);
export const nodeStream = bareServer('node-stream', 'bare Node: createReadStream 1 MiB', 'bare-stream.mjs', [
  'get-small',
  'get-1g',
  'range',
]);
export const nodePut = bareServer(
  'node-put',
  'bare Node: createWriteStream + fsync',
  'bare-put.mjs',
  ['put-1g', 'uploads'],
  { uploads: true },
);
