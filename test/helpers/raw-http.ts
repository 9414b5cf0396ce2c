/**
 * Tools of the adversarial suites (test/security, test/reliability): raw
 * HTTP that no client library would send, snapshots of folders to prove that
 * nothing changed, a small tmpfs for "the disk is full", and the file
 * descriptors of a process.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
  readonly ms: number;
}

export interface RequestOptions {
  readonly method?: string;
  /** Sent exactly as given: node:http does not normalise `..` or percent escapes. */
  readonly path: string;
  readonly headers?: Record<string, string | number | string[]>;
  readonly body?: string | Buffer;
  /** The client's source address, e.g. 127.0.0.2 (every 127/8 address reaches 127.0.0.1 on Linux). */
  readonly localAddress?: string;
  readonly timeoutMs?: number;
}

/** One request on a fresh connection, the path sent verbatim. */
export function send(port: number, options: RequestOptions): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
        localAddress: options.localAddress,
        agent: false,
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8'), ms: Date.now() - started });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${options.method ?? 'GET'} ${options.path}: no answer within ${options.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface RawAnswer {
  /** Everything the server sent. */
  readonly text: string;
  /** The status of the first final (non-1xx) answer, or 0 when none came. */
  readonly status: number;
  /** Whether the server closed the connection. */
  readonly closed: boolean;
  readonly ms: number;
}

/**
 * Writes `data` on a raw TCP connection and collects what comes back until
 * the server closes the connection or `timeoutMs` passes (then the client
 * closes it). For what node:http refuses to send: CR/LF and NUL in the
 * request line, megabytes of headers, bytes trickled one at a time.
 */
export function rawExchange(
  port: number,
  data: string | Buffer | ((write: (chunk: string | Buffer) => boolean, isOpen: () => boolean) => void),
  options: { readonly timeoutMs?: number; readonly localAddress?: string; readonly untilStatus?: boolean } = {},
): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: options.localAddress });
    let text = '';
    let closed = false;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, status: finalStatus(text), closed, ms: Date.now() - started });
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 10_000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (options.untilStatus && finalStatus(text) !== 0 && /\r\n\r\n/.test(text)) finish();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('connect', () => {
      if (typeof data === 'function') data((chunk) => (!socket.destroyed ? socket.write(chunk) : false), () => !done && !socket.destroyed);
      else socket.write(data);
    });
  });
}

function finalStatus(text: string): number {
  for (const m of text.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)) {
    const status = Number(m[1]);
    if (status >= 200) return status;
  }
  return 0;
}

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
      } else out.set(rel, createHash('sha256').update(await readFile(file)).digest('hex'));
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

/**
 * Mounts a tmpfs of `sizeKiB` at a fresh folder and unmounts it when the
 * test ends. Needs root: locally a refusal skips the test, under CI=true it
 * fails it (a skipped disk-full test proves nothing).
 */
export async function mountTmpfs(
  t: { after(fn: () => Promise<void> | void): void; skip(message?: string): void },
  sizeKiB: number,
  at?: string,
): Promise<string | null> {
  const dir = at ?? (await mkdtemp(join(tmpdir(), 'tmpfs-')));
  if (at) await mkdir(at, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    if (!at) await rm(dir, { recursive: true, force: true });
    const message = `cannot mount a tmpfs (needs root): ${(mounted.stderr || mounted.error?.message || '').trim()}`;
    if (process.env['CI'] === 'true') throw new Error(`${message}: CI must run this test`);
    t.skip(message);
    return null;
  }
  t.after(async () => {
    // A process still writing there (a host being stopped) may hold it for a moment.
    for (let attempt = 0; attempt < 50; attempt++) {
      if (spawnSync('umount', [dir]).status === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    spawnSync('umount', ['-l', dir]);
    if (!at) await rm(dir, { recursive: true, force: true });
  });
  return dir;
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

/** Names of upload temporaries anywhere below `root`. */
export async function temporaries(root: string): Promise<string[]> {
  return [...(await snapshot(root)).keys()].filter((rel) => rel.split('/').some((name) => name.startsWith('.~webdav-upload-')));
}

export async function ensureDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A PROPPATCH body setting one dead property. */
export const PROPPATCH_BODY =
  '<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:test:"><D:set><D:prop><Z:note>x</Z:note></D:prop></D:set></D:propertyupdate>';

/** A LOCK body asking for an exclusive write lock. */
export const LOCK_BODY =
  '<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>t</D:owner></D:lockinfo>';

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
  if (mounted.status !== 0) return { error: `cannot mount a tmpfs (needs root): ${(mounted.stderr || mounted.error?.message || '').trim()}` };
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
export function requireMount(t: { skip(message?: string): void }, mounted: Mounted | undefined): mounted is Extract<Mounted, { dir: string }> {
  if (mounted && 'dir' in mounted) return true;
  const message = mounted?.error ?? 'no tmpfs was mounted';
  if (process.env['CI'] === 'true') throw new Error(`${message}: CI must run this test`);
  t.skip(message);
  return false;
}
