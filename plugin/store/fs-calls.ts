/**
 * The file-system calls of the hot paths (GET, PROPFIND, PUT), through
 * Node's callback API on plain descriptors: per call it costs about half of
 * what `fs/promises` and its FileHandle objects cost, and a descriptor is
 * closed exactly when the store says so (a FileHandle is also closed by the
 * garbage collector, with a warning).
 *
 * Also where a descriptor really is: on Linux `/proc/self/fd/N` names the
 * file that was opened, whatever path led there, so a check on it cannot be
 * raced by a folder swapped for a symbolic link after the check.
 */
import {
  close,
  closeSync,
  existsSync,
  fdatasync,
  fstat,
  fsync,
  lstat,
  open,
  read,
  readlinkSync,
  writev,
  type BigIntStats,
  type NoParamCallback,
} from 'node:fs';

const done =
  (resolve: () => void, reject: (error: unknown) => void): NoParamCallback =>
  (error) =>
    error ? reject(error) : resolve();

export function openFd(path: string, flags: number, mode = 0o666): Promise<number> {
  return new Promise((resolve, reject) =>
    open(path, flags, mode, (error, fd) => (error ? reject(error) : resolve(fd))),
  );
}

export function fstatFd(fd: number): Promise<BigIntStats> {
  return new Promise((resolve, reject) =>
    fstat(fd, { bigint: true }, (error, stats) => (error ? reject(error) : resolve(stats))),
  );
}

/**
 * lstat through the callback API: a listing makes one call per entry, and
 * the promise API's per-call overhead made it the largest cost of a
 * 10,000-photo PROPFIND (about twice the callback's).
 */
export function lstatPath(path: string): Promise<BigIntStats> {
  return new Promise((resolve, reject) =>
    lstat(path, { bigint: true }, (error, stats) => (error ? reject(error) : resolve(stats))),
  );
}

/** Fills `buffer` from `position` on; fewer bytes only at the end of the file. */
export async function readFully(fd: number, buffer: Buffer, position: number): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const count = await new Promise<number>((resolve, reject) =>
      read(fd, buffer, filled, buffer.length - filled, position + filled, (error, bytes) =>
        error ? reject(error) : resolve(bytes),
      ),
    );
    if (count === 0) break;
    filled += count;
  }
  return filled;
}

/** Writes every byte of `chunks` at `position` (a short write is continued). */
export async function writevFully(fd: number, chunks: readonly Uint8Array[], position: number): Promise<void> {
  let pending = chunks;
  let at = position;
  for (;;) {
    const total = pending.reduce((sum, chunk) => sum + chunk.length, 0);
    if (total === 0) return;
    const written = await new Promise<number>((resolve, reject) =>
      writev(fd, pending, at, (error, bytes) => (error ? reject(error) : resolve(bytes))),
    );
    if (written === total) return;
    at += written;
    pending = dropBytes(pending, written);
  }
}

/** The chunks without their first `count` bytes. */
function dropBytes(chunks: readonly Uint8Array[], count: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  let skip = count;
  for (const chunk of chunks) {
    if (skip >= chunk.length) {
      skip -= chunk.length;
      continue;
    }
    rest.push(skip > 0 ? chunk.subarray(skip) : chunk);
    skip = 0;
  }
  return rest;
}

export function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, done(resolve, reject)));
}

export function fdatasyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, done(resolve, reject)));
}

export function closeFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => close(fd, done(resolve, reject)));
}

/** Closes without waiting; a failing close of a descriptor only read from loses nothing. */
export function closeQuietly(fd: number): void {
  close(fd, () => undefined);
}

/**
 * Closes a descriptor only read from: on the spot when `atOnce` (the caller
 * knows the close cannot wait for anything: a small file on a local disk),
 * else in the thread pool.
 */
export function closeNow(fd: number, atOnce: boolean): void {
  if (!atOnce) return closeQuietly(fd);
  try {
    closeSync(fd);
  } catch {
    // As closeQuietly: nothing is lost.
  }
}

let procTells: boolean | undefined;

/** Whether the system tells where a descriptor is (/proc/self/fd, Linux). */
export function descriptorsTell(): boolean {
  procTells ??= existsSync('/proc/self/fd');
  return procTells;
}

/**
 * The path of the file an open descriptor refers to, as the kernel names it
 * now (bytes, since names on disk need not be UTF-8); null where the system
 * cannot tell. A file deleted since carries " (deleted)" after its name,
 * which keeps it under its folder.
 */
export function whereIs(fd: number): Buffer | null {
  return descriptorsTell() ? readlinkSync(`/proc/self/fd/${fd}`, { encoding: 'buffer' }) : null;
}

/** A path that reaches what an open descriptor refers to (a folder: its entries are `${path}/name`); null without /proc. */
export function pathOfFd(fd: number): string | null {
  return descriptorsTell() ? `/proc/self/fd/${fd}` : null;
}
