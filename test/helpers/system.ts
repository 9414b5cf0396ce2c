/**
 * What a request did to the machine, for the adversarial suites
 * (test/security, test/reliability): snapshots of folders to prove that
 * nothing changed, the upload temporaries left behind, a small tmpfs for
 * "the disk is full", temporary folders that go when the test ends, and the
 * open files and memory of a process.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/**
 * Every entry below `root`, by relative path: 'dir', 'link -> target', or
 * the SHA-256 of a file's content. Equal snapshots mean nothing changed.
 */
export async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const file = join(dir, name);
      const rel = relative(root, file);
      const stats = await lstat(file);
      if (stats.isSymbolicLink()) out.set(rel, `link -> ${await readlink(file)}`);
      else if (stats.isDirectory()) {
        out.set(rel, 'dir');
        await walk(file);
      } else
        out.set(
          rel,
          createHash('sha256')
            .update(await readFile(file))
            .digest('hex'),
        );
    }
  };
  await walk(root);
  return out;
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** A temporary folder removed when the test (or suite) ends. */
export async function tempFolder(t: { after(fn: () => Promise<void> | void): void }, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Names of upload temporaries anywhere below `root`. */
export async function temporaries(root: string): Promise<string[]> {
  return [...(await snapshot(root)).keys()].filter((rel) =>
    rel.split('/').some((name) => name.startsWith('.~webdav-upload-')),
  );
}

/** The number of open file descriptors of a process (Linux). */
export function openFiles(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Resident memory of a process in bytes (Linux). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
}

export type Mounted = { readonly dir: string; unmount(): Promise<void> } | { readonly error: string };

/**
 * Mounts a tmpfs of `sizeKiB` at `dir` (created when missing), for a suite
 * that sets it up in `before` and calls unmount() in `after`. When mounting
 * fails, the result carries the error: {@link requireMount} then skips the
 * test locally and fails it under CI=true.
 */
export async function mountTmpfsAt(dir: string, sizeKiB: number): Promise<Mounted> {
  await mkdir(dir, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0)
    return { error: `cannot mount a tmpfs (needs root): ${(mounted.stderr || mounted.error?.message || '').trim()}` };
  return {
    dir,
    async unmount() {
      for (let attempt = 0; attempt < 50; attempt++) {
        if (spawnSync('umount', [dir]).status === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      spawnSync('umount', ['-l', dir]);
    },
  };
}

/** True when the tmpfs is there; otherwise skips the test (locally) or throws (under CI=true). */
export function requireMount(
  t: { skip(message?: string): void },
  mounted: Mounted | undefined,
): mounted is Extract<Mounted, { dir: string }> {
  if (mounted && 'dir' in mounted) return true;
  const message = mounted?.error ?? 'no tmpfs was mounted';
  if (process.env['CI'] === 'true') throw new Error(`${message}: CI must run this test`);
  t.skip(message);
  return false;
}
