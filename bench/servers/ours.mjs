/**
 * Our server: the reference host `mediahost` with the plugin, from dist/,
 * started with its V8 options as `npm start` does, on a fresh data folder.
 * Three shares: "bench" is the benchmark's data folder, "benchup" a
 * writable folder for the upload workloads, "benchdated" the photos of one
 * month with its date view "benchdates". No audit log.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from '../lib/data.mjs';
import { runOrThrow, spawnLogged, stopChild } from '../lib/proc.mjs';
import { serverDir, serverHandle } from './common.mjs';

const CLI = path.join(REPO_ROOT, 'dist', 'host', 'cli.js');

/**
 * The V8 options our host is started with, as `npm start` does (host/node-flags.ts);
 * BENCH_OURS_NODE_FLAGS replaces them ('' = none) to measure what they change.
 */
async function nodeFlags() {
  const chosen = process.env.BENCH_OURS_NODE_FLAGS;
  if (chosen !== undefined) return chosen.split(/\s+/).filter(Boolean);
  const { NODE_FLAGS } = await import(pathToFileURL(path.join(REPO_ROOT, 'dist', 'host', 'node-flags.js')).href);
  return NODE_FLAGS;
}

export const ours = {
  id: 'ours',
  label: 'ours (mediahost + plugin)',
  can: () => true,
  async start(ctx) {
    const dir = serverDir(ctx, 'ours');
    const dataDir = path.join(dir, 'data');
    const uploadDir = path.join(dir, 'up');
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(uploadDir, { recursive: true });
    const cli = (...args) =>
      runOrThrow(process.execPath, [CLI, ...args, '--data', dataDir], { cwd: REPO_ROOT, timeoutMs: 60_000 });
    await cli('settings', 'set', 'webdav.0.path', ctx.shareDir);
    await cli('settings', 'set', 'webdav.0.webdavmount', 'bench');
    await cli('settings', 'set', 'webdav.1.path', uploadDir);
    await cli('settings', 'set', 'webdav.1.webdavmount', 'benchup');
    await cli('settings', 'set', 'webdav.2.path', ctx.datedDir);
    await cli('settings', 'set', 'webdav.2.webdavmount', 'benchdated');
    await cli('settings', 'set', 'webdav.2.datemount', 'benchdates');
    // user.log.webdav stays unset: no audit log.
    await cli('group', 'add', 'WebDAV.bench');
    await cli('group', 'add', 'WebDAV.benchup');
    await cli('group', 'add', 'WebDAV.benchdated');
    await cli('group', 'add', 'WebDAV.benchdates');
    await cli(
      'user',
      'add',
      ctx.user,
      '--password',
      ctx.pass,
      '--group',
      'WebDAV.bench',
      'WebDAV.benchup',
      'WebDAV.benchdated',
      'WebDAV.benchdates',
    );

    // --port 0: the host picks a free port and logs it, so there is no race for it.
    const logFile = path.join(dir, 'ours.log');
    const child = spawnLogged(
      process.execPath,
      [...(await nodeFlags()), CLI, 'start', '--data', dataDir, '--port', '0', '--host', '127.0.0.1'],
      { logFile, cwd: REPO_ROOT },
    );
    const deadline = Date.now() + 30_000;
    let port;
    while (!port) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`our host exited (${child.exitCode ?? child.signalCode}); see ${logFile}`);
      if (Date.now() > deadline) {
        await stopChild(child);
        throw new Error(`our host did not log "listening" within 30 s; see ${logFile}`);
      }
      for (const line of readFileSync(logFile, 'utf8').split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const rec = JSON.parse(line);
          if (rec.msg === 'listening') port = rec.port;
        } catch {
          // a line still being written
        }
      }
      if (!port) await sleep(100);
    }
    // The first scan of the date view's share reads 5,000 photos in the background: it must not
    // share the machine with the first measured workloads.
    // (The log is JSON lines: the quotes of the message are escaped.)
    const indexed = 'WebDAV media index of \\"benchdated\\" is up to date';
    for (const until = Date.now() + 120_000; !readFileSync(logFile, 'utf8').includes(indexed); await sleep(200)) {
      if (Date.now() > until) {
        await stopChild(child);
        throw new Error(`our host did not finish indexing the date view's share within 120 s; see ${logFile}`);
      }
    }
    return serverHandle('ours', child, port, {
      dataPath: '/webdav/bench/',
      uploadPath: '/webdav/benchup/',
      uploadDir,
      logFile,
    });
  },
};
