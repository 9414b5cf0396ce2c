/**
 * davfs2 (`mount -t davfs`, Debian package davfs2) mounting shares of the
 * real host: a user copies a photo tree in with cp, renames, deletes, makes a
 * folder, lists, unmounts, and every byte is on the server's disk and
 * nothing else changed. Then the same user on a read-only share: davfs2
 * accepts the writes locally and uploads on close/unmount, the server refuses
 * them, and the server's folder holds nothing new.
 *
 * davfs2 LOCKs a not-yet-existing file before creating it (expects 201, RFC
 * 4918 §9.10.4) and relies on ETag and getlastmodified. See
 * pimcore/pimcore#3398 (davfs2's LOCK on a new name, its If-Match PUTs, and
 * refused uploads ending in lost+found).
 *
 * Needs root and /dev/fuse (FUSE). Each mount gets its own temp folder (mount
 * point, cache, secrets, config), and is unmounted in every case: `umount`
 * (which waits for pending uploads), then a lazy unmount, then the
 * mount.davfs process of that mount point is killed by its pid.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { RunResult } from '../helpers/clients.js';
import { eventually, startHost, type HostProcess } from '../helpers/host-process.js';
import { DAV, descendants, parseXml } from '../helpers/replay.js';
import { requireTool } from '../helpers/tools.js';

/**
 * Runs a command with no stdin (helpers/clients.ts `run` writes to stdin,
 * which races with commands like chown that exit at once: EPIPE).
 */
function run(command: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (data: string) => (stdout += data));
    child.stderr.setEncoding('utf8').on('data', (data: string) => (stderr += data));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** davfs2 needs root (mount) and FUSE; locally a missing piece skips, under CI it fails. */
function canMount(t: TestContext): boolean {
  if (!requireTool(t, 'mount.davfs', 'davfs2')) return false;
  const missing =
    process.getuid?.() !== 0
      ? 'mounting davfs2 needs root'
      : !existsSync('/dev/fuse')
        ? '/dev/fuse is missing (no FUSE)'
        : undefined;
  if (!missing) return true;
  if (process.env.CI === 'true') throw new Error(`${missing}: CI must run this suite`);
  t.skip(missing);
  return false;
}

/** Every file (sha256) and folder ('dir') below root, by relative path. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const rel = prefix + entry.name;
      if (entry.isDirectory()) {
        out.set(`${rel}/`, 'dir');
        await walk(path.join(dir, entry.name), `${rel}/`);
      } else {
        out.set(
          rel,
          createHash('sha256')
            .update(await readFile(path.join(dir, entry.name)))
            .digest('hex'),
        );
      }
    }
  };
  await walk(root, '');
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

interface Mount {
  readonly point: string;
  /** Unmounts (waiting for uploads); always succeeds in leaving nothing mounted or running. */
  unmount(): Promise<void>;
}

const mounts = new Set<Mount>();
/** Mount folders and daemon pids still live, for a last-ditch cleanup when the test process dies. */
const live = new Map<string, { point: string; pidFile: string; pid: () => number | undefined }>();
function cleanUpMountsNow(): void {
  for (const [dir, { point, pidFile, pid }] of live) {
    // -i: not through umount.davfs, which would wait for the daemon to finish uploading.
    spawnSync('umount', ['-l', '-i', point], { stdio: 'ignore' });
    const daemon = pid();
    if (daemon !== undefined && processAlive(daemon)) {
      process.kill(daemon, 'SIGKILL');
      rmSync(pidFile, { force: true }); // a killed daemon leaves it behind
    }
    rmSync(dir, { recursive: true, force: true });
    live.delete(dir);
  }
}
process.once('exit', cleanUpMountsNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, cleanUpMountsNow);

function isMounted(point: string): boolean {
  return spawnSync('mountpoint', ['-q', point]).status === 0;
}

/**
 * Mounts `url` with davfs2 on a fresh temp mount point. Credentials go in a
 * secrets file (mode 600) named by a config file of our own (`-o conf=`).
 */
async function mountDavfs(
  url: string,
  user: string,
  password: string,
  options: { useLocks: boolean; expect100?: boolean },
): Promise<Mount> {
  const dir = await mkdtemp(path.join(tmpdir(), 'davfs2-test-'));
  await chmod(dir, 0o755); // mkdtemp makes it 0700; the davfs2 daemon user must reach its cache inside
  const point = path.join(dir, 'mnt');
  const cache = path.join(dir, 'cache');
  await mkdir(point);
  await mkdir(cache);
  // mount.davfs drops to its own user (davfs2); its cache folder must be group davfs2, like /var/cache/davfs2.
  const chown = await run('chown', ['root:davfs2', cache]);
  assert.equal(chown.code, 0, chown.stderr);
  await chmod(cache, 0o1775);
  const secrets = path.join(dir, 'secrets');
  await writeFile(secrets, `${davfsValue(url)} ${davfsValue(user)} ${davfsValue(password)}\n`, { mode: 0o600 });
  await chmod(secrets, 0o600);
  const conf = path.join(dir, 'davfs2.conf');
  await writeFile(
    conf,
    [
      `secrets ${secrets}`,
      `cache_dir ${cache}`,
      'ask_auth 0',
      `use_locks ${options.useLocks ? 1 : 0}`,
      'delay_upload 0',
      `use_expect100 ${options.expect100 ? 1 : 0}`,
      // Linux 6.16+ answers davfs2's directory reads with EINVAL unless its
      // FUSE buffer is at least 64 KiB (alisarctl/davfs2#22).
      'buf_size 64',
      '',
    ].join('\n'),
  );

  const pidFile = `/var/run/mount.davfs/${point.replace(/^\//, '').replace(/\//g, '-')}.pid`;
  const readPid = async (): Promise<number | undefined> => {
    const text = await readFile(pidFile, 'utf8').catch(() => '');
    const pid = Number(text.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  };
  let pid: number | undefined;

  let done: Promise<void> | undefined;
  const mount: Mount = {
    point,
    unmount: () =>
      (done ??= (async () => {
        try {
          if (isMounted(point)) {
            const clean = await run('umount', [point], { timeoutMs: 60_000 });
            if (clean.code !== 0 && isMounted(point)) await run('umount', ['-l', point], { timeoutMs: 20_000 });
          }
          pid ??= await readPid();
          if (pid !== undefined && processAlive(pid)) {
            process.kill(pid, 'SIGTERM');
            await eventually(() => assert.ok(!processAlive(pid!)), 10_000).catch(() => process.kill(pid!, 'SIGKILL'));
            await rm(pidFile, { force: true });
          }
        } finally {
          mounts.delete(mount);
          live.delete(dir);
          await rm(dir, { recursive: true, force: true });
        }
      })()),
  };
  mounts.add(mount);
  live.set(dir, { point, pidFile, pid: () => pid });

  const result = await run('mount', ['-t', 'davfs', url, point, '-o', `conf=${conf},rw`], { timeoutMs: 30_000 });
  pid = await readPid();
  if (result.code !== 0 || !isMounted(point)) {
    await mount.unmount();
    throw new Error(`mount -t davfs ${url} failed (${result.code}):\n${result.stdout}${result.stderr}`);
  }
  return mount;
}

/** davfs2.conf(5): space, tab, #, \\ and " in a value are escaped with a backslash. */
function davfsValue(value: string): string {
  return value.replace(/[\s#\\"]/g, (c) => `\\${c}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function sh(command: string, args: readonly string[]): Promise<string> {
  const result = await run(command, args, { timeoutMs: 60_000 });
  assert.equal(result.code, 0, `${command} ${args.join(' ')}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

describe('davfs2', () => {
  let host: HostProcess;
  let work: string;
  let archive: string;

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'davfs2-work-'));
    archive = path.join(work, 'archive');
    await mkdir(path.join(archive, 'Scans 2019'), { recursive: true });
    await writeFile(path.join(archive, 'Scans 2019', 'Oma.tif'), randomBytes(30_000));
    await writeFile(path.join(archive, 'liesmich.txt'), 'nur lesen');
    host = await startHost({
      users: [{ name: 'dora', password: 'dora pw ü', groups: ['WebDAV.main', 'WebDAV.archive'] }],
      settings: { 'webdav.0.path': archive, 'webdav.0.webdavmount': 'archive', 'webdav.0.readonly': 'true' },
    });
  });
  after(async () => {
    for (const mount of [...mounts]) await mount.unmount();
    await host?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('cp -r a photo tree in, mv, rm, mkdir, ls -l, unmount: every byte arrives, nothing else changes', async (t) => {
    if (!canMount(t)) return;
    const photos = path.join(host.dataDir, 'photos');
    const original = await snapshot(photos);
    const samples = [...original.keys()].filter((k) => k.endsWith('.jpg'));
    assert.equal(samples.length, 3);

    const src = path.join(work, 'Import');
    await mkdir(path.join(src, '2024', 'Sommer – Ferien'), { recursive: true });
    await mkdir(path.join(src, '2025', 'Überblick'), { recursive: true });
    await writeFile(path.join(src, '2024', 'Sommer – Ferien', 'Strand.jpg'), randomBytes(1_500_000));
    await writeFile(path.join(src, '2024', 'Sommer – Ferien', 'Düne 100% #2.jpg'), randomBytes(300_000));
    await writeFile(path.join(src, '2024', 'Mädchen.heic'), randomBytes(700_000));
    await writeFile(path.join(src, '2025', 'Überblick', 'video.mp4'), randomBytes(2_000_000));
    await writeFile(path.join(src, '2025', '日本.jpg'), randomBytes(120_000));
    await writeFile(path.join(src, 'notes & more.txt'), 'hello\n');
    const source = await snapshot(src);
    const thirdBefore = await readFile(path.join(photos, samples[2]!));

    const mount = await mountDavfs(`${host.url}/webdav/main/`, 'dora', 'dora pw ü', { useLocks: true });
    try {
      const share = mount.point;
      const listed = await sh('ls', ['-l', share]);
      for (const sample of samples) assert.match(listed, new RegExp(sample.replace('.', '\\.')));

      await sh('cp', ['-r', src, path.join(share, 'Import')]);
      const tree = await sh('ls', ['-lR', path.join(share, 'Import')]);
      assert.match(tree, /Mädchen\.heic/);
      assert.match(tree, /Düne 100% #2\.jpg/);
      assert.match(tree, / 1500000 .*Strand\.jpg/);

      await sh('mkdir', [path.join(share, 'Import', 'Neu')]);
      await sh('mv', [
        path.join(share, 'Import', '2025', 'Überblick', 'video.mp4'),
        path.join(share, 'Import', '2025', 'clip.mp4'),
      ]);
      await sh('mv', [path.join(share, 'Import', '2024'), path.join(share, 'Import', 'Jahr 2024')]);
      await sh('mv', [path.join(share, samples[0]!), path.join(share, 'Import', 'Neu', samples[0]!)]);
      await sh('rm', [path.join(share, 'Import', 'notes & more.txt')]);
      await sh('rm', [path.join(share, samples[1]!)]);

      // A file held open for writing is locked on the server (Class 2) while it is open.
      const writer = run('bash', [
        '-c',
        'exec 3>>"$1"; printf " appended" >&3; sleep 2',
        '_',
        path.join(share, samples[2]!),
      ]);
      await eventually(
        async () => {
          const res = await fetch(`${host.url}/webdav/main/${samples[2]}`, {
            method: 'PROPFIND',
            headers: { Depth: '0', Authorization: `Basic ${Buffer.from('dora:dora pw ü').toString('base64')}` },
          });
          const locks = descendants(parseXml(await res.text()), DAV, 'activelock');
          assert.equal(locks.length, 1);
          assert.equal(descendants(locks[0]!, DAV, 'owner')[0]?.text.trim(), 'dora'); // davfs2's lock_owner: the user name
        },
        5_000,
        100,
      );
      assert.equal((await writer).code, 0);
      assert.match(await sh('ls', ['-l', share]), /Import/);
    } finally {
      await mount.unmount();
    }
    assert.ok(!isMounted(mount.point));

    // What the server's disk must hold now, byte for byte.
    const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
    const expected = new Map<string, string>();
    for (const [rel, hash] of original) if (!samples.includes(rel)) expected.set(rel, hash);
    expected.set(samples[2]!, sha(Buffer.concat([thirdBefore, Buffer.from(' appended')])));
    expected.set('Import/', 'dir');
    for (const [rel, hash] of source) {
      if (rel === 'notes & more.txt') continue;
      const moved = rel === '2025/Überblick/video.mp4' ? '2025/clip.mp4' : rel.replace(/^2024\//, 'Jahr 2024/');
      expected.set(`Import/${moved}`, hash);
    }
    expected.set('Import/Neu/', 'dir');
    expected.set(`Import/Neu/${samples[0]}`, original.get(samples[0]!)!);
    const actual = await snapshot(photos);
    assert.deepEqual(
      [...actual.keys()],
      [...expected.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    for (const [rel, hash] of expected) assert.equal(actual.get(rel), hash, rel);
    // No upload leftovers (the plugin's temporary files start with ".~").
    assert.deepEqual(
      [...actual.keys()].filter((k) => path.basename(k).startsWith('.~')),
      [],
    );
  });

  it('a read-only share: writes are accepted locally, refused by the server, and the server holds nothing new', async (t) => {
    if (!canMount(t)) return;
    const original = await snapshot(archive);
    const local = path.join(work, 'Neu vom Handy.jpg');
    await writeFile(local, randomBytes(90_000));

    // davfs2's default: it LOCKs before writing, the server refuses the LOCK, the write fails at once.
    const locking = await mountDavfs(`${host.url}/webdav/archive/`, 'dora', 'dora pw ü', { useLocks: true });
    try {
      await run('cp', [local, path.join(locking.point, 'neu.jpg')]);
      await run('mkdir', [path.join(locking.point, 'Neuer Ordner')]);
      await run('rm', [path.join(locking.point, 'liesmich.txt')]);
      await run('mv', [path.join(locking.point, 'Scans 2019'), path.join(locking.point, 'Scans')]);
    } finally {
      await locking.unmount();
    }
    assert.deepEqual(await snapshot(archive), original);

    // Without locks, cp succeeds locally; the upload on close is refused and the file lands in lost+found.
    // (With Expect: 100-continue, so the refusal comes before the body is sent.)
    const plain = await mountDavfs(`${host.url}/webdav/archive/`, 'dora', 'dora pw ü', {
      useLocks: false,
      expect100: true,
    });
    try {
      await run('cp', [local, path.join(plain.point, 'neu.jpg')]);
      await run('bash', ['-c', 'echo "geändert" >> "$1"', '_', path.join(plain.point, 'liesmich.txt')]);
      await eventually(
        async () => {
          const rescued = await readdir(path.join(plain.point, 'lost+found'));
          assert.ok(
            rescued.some((name) => name.startsWith('neu.jpg')),
            rescued.join(),
          );
        },
        10_000,
        200,
      );
    } finally {
      await plain.unmount();
    }
    assert.deepEqual(await snapshot(archive), original);
  });
});
