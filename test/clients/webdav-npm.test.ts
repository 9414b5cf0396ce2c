/**
 * The `webdav` npm client, widely used by Node tools and sync apps, against
 * the real host.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient, type DiskQuota, type FileStat, type WebDAVClient } from 'webdav';
import { startHost, type HostProcess } from '../helpers/host-process.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('the webdav npm client', () => {
  let host: HostProcess;
  let client: WebDAVClient;
  let scratch: string;
  const onDisk = (name: string) => path.join(host.dataDir, 'photos', name);

  before(async () => {
    host = await startHost({ users: [{ name: 'node', password: 'node-pw', groups: ['WebDAV.main'] }] });
    client = createClient(`${host.url}/webdav/main`, { username: 'node', password: 'node-pw' });
    scratch = await mkdtemp(path.join(tmpdir(), 'webdav-npm-'));
  });
  after(async () => {
    await host.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('lists the share with getDirectoryContents', async () => {
    const entries = (await client.getDirectoryContents('/')) as FileStat[];
    const jpegs = entries.filter((entry) => entry.type === 'file' && entry.mime === 'image/jpeg');
    assert.ok(jpegs.length >= 3, JSON.stringify(entries));
    for (const entry of jpegs) {
      assert.equal(entry.size, (await stat(onDisk(entry.basename))).size);
      assert.match(entry.etag ?? '', /.+/);
    }
  });

  it('uploads a large file as a stream, byte for byte', async () => {
    const source = path.join(scratch, 'video.mp4');
    const data = randomBytes(40 * 1024 * 1024);
    await writeFile(source, data);
    const done = await client.putFileContents('/video.mp4', createReadStream(source), { contentLength: data.length });
    assert.equal(done, true);
    assert.equal(sha256(await readFile(onDisk('video.mp4'))), sha256(data));
    const back = (await client.getFileContents('/video.mp4')) as Buffer;
    assert.equal(sha256(Buffer.from(back)), sha256(data));
  });

  it('creates a folder, copies, moves and deletes files', async () => {
    await client.createDirectory('/Album 2026');
    await client.copyFile('/video.mp4', '/Album 2026/copy.mp4');
    await client.moveFile('/video.mp4', '/Album 2026/moved.mp4');
    const names = ((await client.getDirectoryContents('/Album 2026')) as FileStat[])
      .map((entry) => entry.basename)
      .sort();
    assert.deepEqual(names, ['copy.mp4', 'moved.mp4']);
    assert.equal(await client.exists('/video.mp4'), false);
    await client.deleteFile('/Album 2026/copy.mp4');
    await assert.rejects(stat(onDisk('Album 2026/copy.mp4')), { code: 'ENOENT' });
    assert.equal((await stat(onDisk('Album 2026/moved.mp4'))).size, 40 * 1024 * 1024);
  });

  it('reads the quota', async () => {
    // The client asks with an empty PROPFIND (allprop) on the share root.
    const quota = (await client.getQuota()) as DiskQuota | null;
    assert.ok(quota && typeof quota.used === 'number' && quota.used > 0, JSON.stringify(quota));
    assert.ok(typeof quota.available === 'number' && quota.available > 0, JSON.stringify(quota));
  });

  it('is refused with wrong credentials', async () => {
    const stranger = createClient(`${host.url}/webdav/main`, { username: 'node', password: 'nope' });
    await assert.rejects(stranger.getDirectoryContents('/'), (error: { status?: number }) => error.status === 401);
  });
});
