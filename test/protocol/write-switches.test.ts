/**
 * The global switches webdav.uploadallowed and webdav.deleteallowed (see
 * the settings table in README.md) on the write methods: a refused request
 * answers 403 and changes nothing on disk.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';
import { dav, exists } from '../helpers/dav-fixtures.js';

/** A file, a folder with a file, all with known content; returns a snapshot function of the share. */
async function populate(root: string): Promise<() => Promise<string>> {
  await writeFile(join(root, 'photo.jpg'), 'the photo');
  await writeFile(join(root, 'other.jpg'), 'another photo');
  await mkdir(join(root, 'album'));
  await writeFile(join(root, 'album', 'inside.jpg'), 'inside');
  return async () => {
    const entries = await readdir(root, { recursive: true });
    const parts: string[] = [];
    for (const entry of entries.sort()) {
      const file = join(root, entry);
      parts.push((await stat(file)).isDirectory() ? `${entry}/` : `${entry}=${await readFile(file, 'utf8')}`);
    }
    return parts.join('\n');
  };
}

const proppatchBody =
  '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><t:note xmlns:t="urn:test">x</t:note></D:prop></D:set></D:propertyupdate>';

describe('webdav.uploadallowed=false', () => {
  let h: Harness;
  let snapshot: () => Promise<string>;
  before(async () => {
    h = await startPlugin({ settings: { 'webdav.uploadallowed': 'false' } });
    snapshot = await populate(h.root);
  });
  after(async () => {
    await h.stop();
  });

  it('refuses PUT (new and replacing), MKCOL, COPY, MOVE and PROPPATCH with 403, changing nothing', async () => {
    const before = await snapshot();
    const refused: [string, RequestInit][] = [
      [dav('new.jpg'), { method: 'PUT', body: 'x' }],
      [dav('photo.jpg'), { method: 'PUT', body: 'x' }],
      [dav('new-album/'), { method: 'MKCOL' }],
      [dav('photo.jpg'), { method: 'COPY', headers: { Destination: dav('copy.jpg') } }],
      [dav('album/'), { method: 'COPY', headers: { Destination: dav('album-copy/') } }],
      [dav('photo.jpg'), { method: 'MOVE', headers: { Destination: dav('moved.jpg') } }],
      [dav('photo.jpg'), { method: 'PROPPATCH', headers: { 'Content-Type': 'application/xml' }, body: proppatchBody }],
    ];
    for (const [path, init] of refused) {
      const res = await h.fetch(path, init);
      assert.equal(res.status, 403, `${init.method} ${path}`);
      await res.text();
    }
    assert.equal(await snapshot(), before);
  });

  it('still allows DELETE', async () => {
    assert.equal((await h.fetch(dav('other.jpg'), { method: 'DELETE' })).status, 204);
    assert.equal(await exists(join(h.root, 'other.jpg')), false);
  });
});

describe('webdav.deleteallowed=false', () => {
  let h: Harness;
  let snapshot: () => Promise<string>;
  before(async () => {
    h = await startPlugin({ settings: { 'webdav.deleteallowed': 'false' } });
    snapshot = await populate(h.root);
  });
  after(async () => {
    await h.stop();
  });

  it('refuses DELETE, MOVE and an overwriting COPY with 403, changing nothing', async () => {
    const before = await snapshot();
    const refused: [string, RequestInit][] = [
      [dav('photo.jpg'), { method: 'DELETE' }],
      [dav('album/'), { method: 'DELETE' }],
      [dav('photo.jpg'), { method: 'MOVE', headers: { Destination: dav('moved.jpg') } }],
      [dav('album/'), { method: 'MOVE', headers: { Destination: dav('album-moved/') } }],
      [dav('photo.jpg'), { method: 'COPY', headers: { Destination: dav('other.jpg'), Overwrite: 'T' } }],
      [dav('photo.jpg'), { method: 'COPY', headers: { Destination: dav('album/') } }],
    ];
    for (const [path, init] of refused) {
      const res = await h.fetch(path, init);
      assert.equal(res.status, 403, `${init.method} ${path}`);
      await res.text();
    }
    assert.equal(await snapshot(), before);
  });

  it('allows a COPY to a new name and a PUT replacing a file (Windows uploads that way)', async () => {
    assert.equal(
      (await h.fetch(dav('photo.jpg'), { method: 'COPY', headers: { Destination: dav('copy.jpg') } })).status,
      201,
    );
    assert.equal(await readFile(join(h.root, 'copy.jpg'), 'utf8'), 'the photo');
    assert.equal((await h.fetch(dav('upload.jpg'), { method: 'PUT', body: '' })).status, 201);
    assert.equal((await h.fetch(dav('upload.jpg'), { method: 'PUT', body: 'the real content' })).status, 204);
    assert.equal(await readFile(join(h.root, 'upload.jpg'), 'utf8'), 'the real content');
    assert.equal((await h.fetch(dav('new-album/'), { method: 'MKCOL' })).status, 201);
  });
});

describe('a read-only share', () => {
  let h: Harness;
  let snapshot: () => Promise<string>;
  before(async () => {
    h = await startPlugin({ settings: { 'robot.root.0.webdavreadonly': 'true' } });
    snapshot = await populate(h.root);
  });
  after(async () => {
    await h.stop();
  });

  it('refuses every method but OPTIONS, GET, HEAD and PROPFIND with 403, changing nothing', async () => {
    const before = await snapshot();
    const refused: [string, RequestInit][] = [
      [dav('new.jpg'), { method: 'PUT', body: 'x' }],
      [dav('photo.jpg'), { method: 'PUT', body: 'x' }],
      [dav('photo.jpg'), { method: 'DELETE' }],
      [dav('new-album/'), { method: 'MKCOL' }],
      [dav('photo.jpg'), { method: 'COPY', headers: { Destination: dav('copy.jpg') } }],
      [dav('photo.jpg'), { method: 'MOVE', headers: { Destination: dav('moved.jpg') } }],
      [dav('photo.jpg'), { method: 'PROPPATCH', headers: { 'Content-Type': 'application/xml' }, body: proppatchBody }],
    ];
    for (const [path, init] of refused) {
      const res = await h.fetch(path, init);
      assert.equal(res.status, 403, `${init.method} ${path}`);
      await res.text();
    }
    assert.equal(await snapshot(), before);

    assert.equal((await h.fetch(dav('photo.jpg'), { method: 'OPTIONS' })).status, 200);
    const get = await h.fetch(dav('photo.jpg'));
    assert.equal(get.status, 200);
    assert.equal(await get.text(), 'the photo');
    assert.equal((await h.fetch(dav('photo.jpg'), { method: 'HEAD' })).status, 200);
    const propfind = await h.fetch(dav(''), { method: 'PROPFIND', headers: { Depth: '1' } });
    assert.equal(propfind.status, 207);
    await propfind.text();
  });
});
