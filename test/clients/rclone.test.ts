/**
 * rclone's webdav backend (vendor "other") against the real host: copy a
 * photo tree in, list it, check it byte for byte, sync a change, read the
 * quota, delete it. rclone lists with PROPFIND Depth 1, sends Overwrite: T
 * on COPY/MOVE and reads the RFC 4331 quota properties for `rclone about`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run, type RunResult } from '../helpers/clients.js';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { hasTool, requireTool } from '../helpers/tools.js';

describe('rclone', () => {
  let host: HostProcess;
  let local: string;
  let env: Record<string, string>;
  const rclone = async (...args: string[]): Promise<RunResult> => {
    const result = await run('rclone', [...args, '--low-level-retries', '1', '--retries', '1'], { env });
    return result;
  };
  const ok = async (...args: string[]): Promise<string> => {
    const result = await rclone(...args);
    assert.equal(result.code, 0, `rclone ${args.join(' ')}:\n${result.stdout}${result.stderr}`);
    return result.stdout;
  };

  before(async () => {
    host = await startHost({ users: [{ name: 'rc', password: 'rc-pw', groups: ['WebDAV.main'] }] });
    local = await mkdtemp(path.join(tmpdir(), 'rclone-src-'));
    await mkdir(path.join(local, '2024', 'Sommer – Ferien'), { recursive: true });
    await mkdir(path.join(local, '2025'), { recursive: true });
    await writeFile(path.join(local, '2024', 'Sommer – Ferien', 'Strand.jpg'), randomBytes(300_000));
    await writeFile(path.join(local, '2024', 'Mädchen.heic'), randomBytes(50_000));
    await writeFile(path.join(local, '2025', 'video.mp4'), randomBytes(3_000_000));
    await writeFile(path.join(local, 'notes & more.txt'), 'hello');
    const obscured = hasTool('rclone') ? (await run('rclone', ['obscure', 'rc-pw'])).stdout.trim() : '';
    env = {
      RCLONE_CONFIG: path.join(local, 'unused.conf'),
      RCLONE_CONFIG_PHOTOS_TYPE: 'webdav',
      RCLONE_CONFIG_PHOTOS_URL: `${host.url}/webdav/main/`,
      RCLONE_CONFIG_PHOTOS_VENDOR: 'other',
      RCLONE_CONFIG_PHOTOS_USER: 'rc',
      RCLONE_CONFIG_PHOTOS_PASS: obscured,
    };
  });
  after(async () => {
    await host.stop();
    await rm(local, { recursive: true, force: true });
  });

  it('copies a tree in, lists it, and rclone check finds every byte', async (t) => {
    if (!requireTool(t, 'rclone', 'rclone')) return;
    await ok('copy', local, 'photos:import', '--exclude', 'unused.conf');
    const onDisk = path.join(host.dataDir, 'photos', 'import');
    assert.deepEqual(
      await readFile(path.join(onDisk, '2025', 'video.mp4')),
      await readFile(path.join(local, '2025', 'video.mp4')),
    );
    assert.equal((await stat(path.join(onDisk, '2024', 'Sommer – Ferien', 'Strand.jpg'))).size, 300_000);

    const listing = JSON.parse(await ok('lsjson', '-R', 'photos:import')) as {
      Path: string;
      Size: number;
      IsDir: boolean;
    }[];
    const files = listing
      .filter((entry) => !entry.IsDir)
      .map((entry) => [entry.Path, entry.Size])
      .sort();
    assert.deepEqual(files, [
      ['2024/Mädchen.heic', 50_000],
      ['2024/Sommer – Ferien/Strand.jpg', 300_000],
      ['2025/video.mp4', 3_000_000],
      ['notes & more.txt', 5],
    ]);
    await ok('check', local, 'photos:import', '--exclude', 'unused.conf', '--download');
  });

  it('sync uploads a change and removes what is gone locally', async (t) => {
    if (!requireTool(t, 'rclone', 'rclone')) return;
    await writeFile(path.join(local, 'notes & more.txt'), 'changed text');
    await rm(path.join(local, '2024', 'Mädchen.heic'));
    await ok('sync', local, 'photos:import', '--exclude', 'unused.conf');
    const onDisk = path.join(host.dataDir, 'photos', 'import');
    assert.equal(await readFile(path.join(onDisk, 'notes & more.txt'), 'utf8'), 'changed text');
    assert.deepEqual((await readdir(path.join(onDisk, '2024'))).sort(), ['Sommer – Ferien']);
    await ok('check', local, 'photos:import', '--exclude', 'unused.conf', '--download');
  });

  it('about reads the quota of the share', async (t) => {
    if (!requireTool(t, 'rclone', 'rclone')) return;
    const about = JSON.parse(await ok('about', 'photos:', '--json')) as { used?: number; free?: number };
    assert.ok(typeof about.free === 'number' && about.free > 0, JSON.stringify(about));
    assert.ok(typeof about.used === 'number' && about.used > 0, JSON.stringify(about));
  });

  it('moves server-side and purges the tree', async (t) => {
    if (!requireTool(t, 'rclone', 'rclone')) return;
    await ok('moveto', 'photos:import/2025/video.mp4', 'photos:import/2025/clip.mp4');
    const onDisk = path.join(host.dataDir, 'photos', 'import');
    assert.deepEqual(await readdir(path.join(onDisk, '2025')), ['clip.mp4']);
    await ok('purge', 'photos:import');
    await assert.rejects(stat(onDisk), { code: 'ENOENT' });
  });
});
