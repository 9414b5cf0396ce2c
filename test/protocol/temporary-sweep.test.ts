/** Leftovers of interrupted uploads go once they are a day old, and never sooner. */
import assert from 'node:assert/strict';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventually } from '../helpers/host-process.js';
import { startPlugin } from '../helpers/plugin-harness.js';

test('activation removes temporary upload files older than a day, keeps fresh ones, and never lists either', async () => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const folder = await mkdtemp(join(tmpdir(), 'sweep-'));
  const old = join(folder, 'deep', '.~webdav-upload-0001.part');
  const fresh = join(folder, '.~webdav-upload-0002.part');
  await mkdir(join(folder, 'deep'));
  await writeFile(old, 'half a photo');
  await writeFile(fresh, 'an upload under way elsewhere');
  await writeFile(join(folder, 'photo.jpg'), 'jpeg');
  const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
  await utimes(old, twoDaysAgo, twoDaysAgo);

  const harness = await startPlugin({
    settings: { 'webdav.0.path': folder, 'webdav.0.webdavmount': 'scans' },
    users: { alice: { password: 'pw', groups: ['WebDAV.scans'] } },
  });
  try {
    await eventually(async () => assert.deepEqual(await readdir(join(folder, 'deep')), []));
    assert.deepEqual((await readdir(folder)).sort(), ['.~webdav-upload-0002.part', 'deep', 'photo.jpg']);
    const res = await harness.fetch('/webdav/scans/', { method: 'PROPFIND', headers: { depth: '1' } });
    const listing = await res.text();
    assert.equal(res.status, 207, listing);
    assert.doesNotMatch(listing, /webdav-upload/);
    assert.equal((await harness.fetch('/webdav/scans/.~webdav-upload-0002.part')).status, 404);
    assert.equal(
      (await harness.fetch('/webdav/scans/.~webdav-upload-0002.part', { method: 'PUT', body: 'x' })).status,
      403,
    );
    assert.equal((await harness.fetch('/webdav/scans/.~webdav-upload-0002.part', { method: 'DELETE' })).status, 404);
  } finally {
    await harness.stop();
    await rm(folder, { recursive: true, force: true });
  }
});
