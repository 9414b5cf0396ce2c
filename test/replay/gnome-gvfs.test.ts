/**
 * GNOME Files (Nautilus) through gvfs's dav backend, replayed against the
 * running host: it cannot run here. On mount it sends OPTIONS, then
 * PROPFIND on the mount root; before replacing a file, HEAD for the ETag.
 *
 * Where the behaviour is documented:
 * - GNOME/gvfs daemon/gvfsbackenddav.c, the requests as the source builds
 *   them: try_mount_send_opts/try_mount_opts_cb (OPTIONS on the mount URL, a
 *   2xx without a `DAV` header is "Not a WebDAV enabled share"), then
 *   stat_location_start (PROPFIND with `<D:resourcetype/><D:getcontentlength/>`,
 *   Depth 1 since gvfs issue 468, Depth 0 for a plain stat), then the same
 *   pair on each parent folder up to `/` to find the highest WebDAV
 *   collection, stopping at the first that is not one; try_query_info
 *   (PROPFIND Depth 0 of ls_propnames); try_query_fs_info (quota);
 *   try_replace (HEAD with `If-Match: <etag>`, 412 is "The file was
 *   externally modified", then PUT with the same If-Match); try_create (HEAD,
 *   then PUT without If-None-Match: "Doesn't work with apache > 2.2.9");
 *   try_set_display_name (MOVE, full-URI Destination, `Overwrite: F`, 412 =
 *   exists); try_make_directory (MKCOL, 405 = exists).
 * - cryptomator/webdav-nio-adapter#11 (gvfs/1.20.3 log: OPTIONS, then
 *   PROPFIND Depth 0 on `/` during the mount); cyrusimap/cyrus-imapd#2545
 *   (Nautilus's PROPFIND body); nextcloud/server#48602 (gvfs climbing to the
 *   parent of the mounted path).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { DAV, ReplayClient, descendants, parseMultistatus } from '../helpers/replay.js';

const USER_AGENT = 'gvfs/1.54.2';
const STAT_BODY =
  '<?xml version="1.0" encoding="utf-8" ?>\n <D:propfind xmlns:D="DAV:">\n  <D:prop>\n<D:resourcetype/>\n<D:getcontentlength/>\n  </D:prop>\n </D:propfind>';
const LS_BODY =
  '<?xml version="1.0" encoding="utf-8" ?>\n <D:propfind xmlns:D="DAV:">\n  <D:prop>\n' +
  ['creationdate', 'displayname', 'getcontentlength', 'getcontenttype', 'getetag', 'getlastmodified', 'resourcetype']
    .map((p) => `<D:${p}/>\n`)
    .join('') +
  '  </D:prop>\n </D:propfind>';
const FS_INFO_BODY =
  '<?xml version="1.0" encoding="utf-8" ?>\n <D:propfind xmlns:D="DAV:">\n  <D:prop>\n<D:quota-available-bytes/>\n<D:quota-used-bytes/>\n  </D:prop>\n </D:propfind>';

describe('GNOME gvfs / Nautilus (replayed)', () => {
  let host: HostProcess;
  let photos: string;
  let gvfs: ReplayClient;
  const propfind = (target: string, depth: '0' | '1', body: string) =>
    gvfs.send('PROPFIND', target, {
      headers: { Depth: depth, 'Content-Type': 'application/xml', 'Accept-Encoding': 'gzip, deflate' },
      body,
    });

  before(async () => {
    host = await startHost({ users: [{ name: 'gnome', password: 'gnome-pw', groups: ['WebDAV.main'] }] });
    photos = path.join(host.dataDir, 'photos');
    gvfs = new ReplayClient(host.url, { userAgent: USER_AGENT, user: 'gnome', password: 'gnome-pw' });
  });
  after(async () => {
    gvfs?.close();
    await host?.stop();
  });

  it('mounts dav://host/webdav/main/: OPTIONS, PROPFIND of the root, then the walk up to /', async () => {
    // libsoup asks without credentials first and answers the challenge.
    const challenge = await gvfs.send('OPTIONS', '/webdav/main/', { credentials: null });
    assert.ok(challenge.status === 200 || challenge.status === 401, `${challenge.status}`);
    if (challenge.status === 401) assert.match(challenge.header('www-authenticate'), /^Basic /);

    const options = await gvfs.send('OPTIONS', '/webdav/main/');
    assert.equal(options.status, 200);
    assert.notEqual(options.header('dav'), '', 'without DAV gvfs says "Not a WebDAV enabled share"');

    const root = await propfind('/webdav/main/', '1', STAT_BODY);
    assert.equal(root.status, 207, root.text);
    const [target, ...children] = parseMultistatus(root.text);
    assert.equal(target!.path, '/webdav/main/');
    assert.equal(descendants(target!.prop(DAV, 'resourcetype')!, DAV, 'collection').length, 1);
    assert.ok(children.length >= 3, 'the sample photos are counted as children');
    for (const child of children.filter((c) => !c.href.endsWith('/')))
      assert.match(child.prop(DAV, 'getcontentlength')?.text ?? '', /^\d+$/);

    // The walk up: every parent that answers as a WebDAV collection becomes the candidate mount root.
    let lastGood = '/webdav/main/';
    for (const parent of ['/webdav/', '/']) {
      const opts = await gvfs.send('OPTIONS', parent);
      if (opts.status === 405 || opts.status >= 300 || opts.header('dav') === '') break;
      const stat = await propfind(parent, '1', STAT_BODY);
      assert.ok(stat.status < 500, `PROPFIND ${parent}: ${stat.status}`);
      if (stat.status !== 207) break;
      const type = parseMultistatus(stat.text)[0]?.prop(DAV, 'resourcetype');
      if (!type || descendants(type, DAV, 'collection').length !== 1) break;
      lastGood = parent;
      if (parent === '/webdav/') {
        // The user then sees the shares they may open, and only those.
        const members = parseMultistatus(stat.text).map((r) => r.path);
        assert.deepEqual(members, ['/webdav/', '/webdav/main/']);
      }
    }
    // Whatever the walk settles on, the share is reachable below it.
    assert.ok('/webdav/main/'.startsWith(lastGood), lastGood);

    // Nautilus then asks for the root's details and the free space.
    const info = await propfind('/webdav/main/', '0', LS_BODY);
    assert.equal(info.status, 207);
    const [details] = parseMultistatus(info.text);
    assert.ok(details!.prop(DAV, 'getlastmodified'));
    const fs = await propfind('/webdav/main/', '0', FS_INFO_BODY);
    const [space] = parseMultistatus(fs.text);
    assert.match(space!.prop(DAV, 'quota-available-bytes')?.text ?? '', /^\d+$/);
    assert.match(space!.prop(DAV, 'quota-used-bytes')?.text ?? '', /^\d+$/);
  });

  it('replaces a file: HEAD with If-Match, PUT with If-Match (204); a stale ETag is 412 and the file stays', async () => {
    const onDisk = path.join(photos, 'Notizen.txt');
    await writeFile(onDisk, 'Version 1');
    const listing = await propfind('/webdav/main/', '1', LS_BODY);
    const etag = parseMultistatus(listing.text)
      .find((r) => r.path === '/webdav/main/Notizen.txt')!
      .prop(DAV, 'getetag')!.text;
    assert.match(etag, /^"[^"]+"$/);

    const head = await gvfs.send('HEAD', '/webdav/main/Notizen.txt', { headers: { 'If-Match': etag } });
    assert.equal(head.status, 200);
    assert.equal(head.header('etag'), etag);
    const put = await gvfs.send('PUT', '/webdav/main/Notizen.txt', {
      headers: { 'If-Match': etag },
      body: 'Version 2',
    });
    assert.equal(put.status, 204, put.text);
    assert.equal(await readFile(onDisk, 'utf8'), 'Version 2');
    const fresh = put.header('etag') || (await gvfs.send('HEAD', '/webdav/main/Notizen.txt')).header('etag');
    assert.notEqual(fresh, etag);

    // Another Nautilus still holds the first ETag: the HEAD check says "externally modified"…
    const staleHead = await gvfs.send('HEAD', '/webdav/main/Notizen.txt', { headers: { 'If-Match': etag } });
    assert.equal(staleHead.status, 412);
    // …and a PUT that raced past the HEAD is refused the same way.
    const stalePut = await gvfs.send('PUT', '/webdav/main/Notizen.txt', {
      headers: { 'If-Match': etag },
      body: 'Version 1b',
    });
    assert.equal(stalePut.status, 412, stalePut.text);
    assert.equal(await readFile(onDisk, 'utf8'), 'Version 2');
    assert.deepEqual(
      (await readdir(photos)).filter((n) => n.startsWith('.~')),
      [],
    );
  });

  it('creates, renames and makes folders the way gvfs does', async () => {
    // create(): HEAD says it does not exist, then a plain PUT.
    assert.equal((await gvfs.send('HEAD', '/webdav/main/Neu%20%C3%A9t%C3%A9.jpg')).status, 404);
    const data = randomBytes(50_000);
    const created = await gvfs.send('PUT', '/webdav/main/Neu%20%C3%A9t%C3%A9.jpg', { body: data });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(await readFile(path.join(photos, 'Neu été.jpg')), data);

    // set_display_name(): MOVE with a full-URI Destination and Overwrite: F.
    const rename = await gvfs.send('MOVE', '/webdav/main/Neu%20%C3%A9t%C3%A9.jpg', {
      headers: { Destination: `${host.url}/webdav/main/Sommer%20%C3%A9t%C3%A9.jpg`, Overwrite: 'F' },
    });
    assert.equal(rename.status, 201, rename.text);
    assert.deepEqual(await readFile(path.join(photos, 'Sommer été.jpg')), data);
    const sample = (await readdir(photos)).find((n) => n.startsWith('sample-'))!;
    const clash = await gvfs.send('MOVE', '/webdav/main/Sommer%20%C3%A9t%C3%A9.jpg', {
      headers: { Destination: `${host.url}/webdav/main/${sample}`, Overwrite: 'F' },
    });
    assert.equal(clash.status, 412, 'gvfs reports "Target file already exists"');

    // make_directory(): MKCOL with the trailing slash; again is 405 ("already exists").
    assert.equal((await gvfs.send('MKCOL', '/webdav/main/Ordner/')).status, 201);
    assert.equal((await gvfs.send('MKCOL', '/webdav/main/Ordner/')).status, 405);

    // delete(): a stat with Depth 1 (gvfs refuses non-empty folders itself), then DELETE.
    const stat = await propfind('/webdav/main/Ordner/', '1', STAT_BODY);
    assert.equal(parseMultistatus(stat.text).length, 1);
    assert.equal((await gvfs.send('DELETE', '/webdav/main/Ordner/')).status, 204);
    assert.ok(!(await readdir(photos)).includes('Ordner'));
  });
});
