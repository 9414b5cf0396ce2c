/**
 * What every server launcher shares: a folder of its own in the run's temp
 * folder, a free port with retries (another process may take it first), and
 * the shape of a running server the workloads use:
 *
 *   { id, pid, base: 'http://127.0.0.1:PORT', dataPath: '/data/', uploadPath: '/up/' | null,
 *     uploadDir, logFile, can(workloadId), stop() }
 */
import { chmodSync, chownSync, mkdirSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { freePort, spawnLogged, stopChild, waitForPort } from '../lib/proc.mjs';

export function serverDir(ctx, id) {
  const dir = path.join(ctx.tmp, id);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  return dir;
}

/**
 * A document root for the peers: `data` is a symlink to the shared data
 * folder (read by everyone), `up` a writable folder of this server's own.
 */
export function peerRoot(ctx, dir, owner) {
  const root = path.join(dir, 'root');
  mkdirSync(path.join(root, 'up'), { recursive: true });
  symlinkSync(ctx.shareDir, path.join(root, 'data'));
  chmodSync(root, 0o755);
  chmodSync(path.join(root, 'up'), 0o755);
  if (owner) chownSync(path.join(root, 'up'), owner.uid, owner.gid);
  return { root, uploadDir: path.join(root, 'up') };
}

/** uid/gid of a system user (for Apache, which will not serve as root), or null. */
export function systemUser(name) {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { name, uid, gid };
  } catch {
    return null;
  }
}

/**
 * Starts `launch(port)` → { cmd, args, env } on a free port and waits until
 * it listens; tries up to three ports.
 */
export async function startOnFreePort({ id, dir, launch, timeoutMs = 20_000 }) {
  const logFile = path.join(dir, `${id}.log`);
  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const { cmd, args, env, cwd } = launch(port);
    const child = spawnLogged(cmd, args, { logFile, env, cwd });
    try {
      await waitForPort(port, child, timeoutMs);
      return { child, port, logFile };
    } catch (err) {
      lastError = err;
      await stopChild(child, 2000);
    }
  }
  throw new Error(`${id} did not start: ${lastError?.message} (see ${logFile})`);
}

export function htpasswd(file, user, pass) {
  // -m: the apr1-MD5 hash that Apache's and lighttpd's htpasswd backends both read.
  execFileSync('htpasswd', ['-b', '-c', '-m', file, user, pass], { stdio: 'ignore' });
}

/**
 * What every launcher hands back: how to reach the server, where it takes
 * uploads, its log, and how to stop it.
 */
export function serverHandle(id, child, port, { dataPath = '/data/', uploadPath = '/up/', uploadDir, logFile }) {
  return {
    id,
    pid: child.pid,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    base: `http://127.0.0.1:${port}`,
    dataPath,
    uploadPath,
    uploadDir,
    logFile,
    stop: () => stopChild(child, 10_000),
  };
}
