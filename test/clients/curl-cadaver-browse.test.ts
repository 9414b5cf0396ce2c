/**
 * A user with curl and cadaver browsing the default setup of the reference
 * host: the sample photos are listed and arrive byte for byte.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cadaver, run } from '../helpers/clients.js';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { requireTool } from '../helpers/tools.js';

describe('curl and cadaver against the running host', () => {
  let host: HostProcess;
  let photos: string[];
  let work: string;

  before(async () => {
    host = await startHost({ users: [{ name: 'anna', password: 'pä:ssw0rd', groups: ['WebDAV.main'] }] });
    photos = (await readdir(path.join(host.dataDir, 'photos'))).filter((name) => name.endsWith('.jpg')).sort();
    work = await mkdtemp(path.join(tmpdir(), 'clients-'));
  });
  after(async () => {
    await host.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('curl: lists the share, downloads a photo whole and in part, and is refused with a wrong password', async (t) => {
    if (!requireTool(t, 'curl', 'curl')) return;
    const share = `${host.url}/webdav/main/`;
    const listing = await run('curl', [
      '-sS',
      '-u',
      'anna:pä:ssw0rd',
      '-X',
      'PROPFIND',
      '-H',
      'Depth: 1',
      '-w',
      '\n%{http_code}',
      share,
    ]);
    assert.match(listing.stdout, /\n207$/);
    for (const photo of photos) assert.match(listing.stdout, new RegExp(`/webdav/main/${photo.replace('.', '\\.')}<`));

    const file = path.join(work, 'whole.jpg');
    const whole = await run('curl', ['-sS', '-f', '-u', 'anna:pä:ssw0rd', '-o', file, share + photos[0]]);
    assert.equal(whole.code, 0, whole.stderr);
    assert.deepEqual(await readFile(file), await readFile(path.join(host.dataDir, 'photos', photos[0]!)));

    const part = await run('curl', ['-sS', '-f', '-u', 'anna:pä:ssw0rd', '-r', '0-99', '-o', file, share + photos[0]]);
    assert.equal(part.code, 0, part.stderr);
    assert.deepEqual(
      await readFile(file),
      (await readFile(path.join(host.dataDir, 'photos', photos[0]!))).subarray(0, 100),
    );

    const refused = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-u', 'anna:wrong', share]);
    assert.equal(refused.stdout, '401');
  });

  it('cadaver: ls shows the photos, get fetches one intact, propget shows live properties', async (t) => {
    if (!requireTool(t, 'cadaver', 'cadaver')) return;
    const result = await cadaver(
      `${host.url}/webdav/main/`,
      'anna',
      'pä:ssw0rd',
      ['ls', `get ${photos[1]}`, `propget ${photos[1]}`],
      work,
    );
    for (const photo of photos) assert.match(result.stdout, new RegExp(photo.replace('.', '\\.')), result.stdout);
    assert.deepEqual(
      await readFile(path.join(work, photos[1]!)),
      await readFile(path.join(host.dataDir, 'photos', photos[1]!)),
    );
    assert.match(result.stdout, /getcontenttype = image\/jpeg/);
    assert.match(result.stdout, /getetag = "/);
  });
});
