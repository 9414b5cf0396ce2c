/**
 * macOS Finder (WebDAVFS) replayed against the running host: it cannot run
 * here. Finder mounts read-only unless the server is Class 2; it uploads
 * with `Transfer-Encoding: chunked` and `X-Expected-Entity-Length`, and an
 * empty body with a non-zero expected length must fail; it writes `._name`
 * AppleDouble files and `.DS_Store`; it asks for quota in PROPFIND. macOS
 * sends decomposed (NFD) names, so names are stored NFC and a lookup that
 * misses tries NFC (README.md: "decomposed (macOS) and composed spellings
 * too" reach the same file).
 *
 * Where the behaviour is documented:
 * - miquels/webdav-handler-rs#18 and sabre-io/dav#55 (Finder's chunked PUT;
 *   servers that drop the chunked body leave zero-byte files); mar10/wsgidav#15
 *   and #17 (X-Expected-Entity-Length and chunked bodies from Finder);
 *   pydio/pydio-core#581 (a WebDAVFS/3.0.1 log: `._` files, LOCK answered 201
 *   on a new name, chunked PUTs refused with 411, UNLOCK);
 *   couling/WebDAV-Daemon#17 (Finder mounts read-only without Class 2);
 *   robbiehanson/CocoaHTTPServer#8 (Finder asks for quota-available-bytes,
 *   quota-used-bytes, quota, quotaused and appledoubleheader);
 *   tailscale/tailscale#20512 (the macOS WebDAV client sends paths in NFD).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { DAV, ReplayClient, descendants, lockToken, parseMultistatus, parseXml } from '../helpers/replay.js';

const USER_AGENT = 'WebDAVFS/3.0.0 (03008000) Darwin/22.1.0';
const APPLE = 'http://www.apple.com/webdav_fs/props/';

/** What WebDAVFS asks of a volume when it mounts (quota and Apple's own properties). */
const MOUNT_PROPFIND =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop>' +
  '<D:quota-available-bytes/><D:quota-used-bytes/><D:quota/><D:quotaused/>' +
  '</D:prop></D:propfind>';
const LIST_PROPFIND =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop xmlns:A="http://www.apple.com/webdav_fs/props/">' +
  '<D:getlastmodified/><D:getcontentlength/><D:creationdate/><D:resourcetype/><A:appledoubleheader/>' +
  '</D:prop></D:propfind>';
const LOCK_BODY =
  '<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>' +
  '<D:locktype><D:write/></D:locktype><D:owner><D:href>http://www.apple.com/webdav_fs/</D:href></D:owner></D:lockinfo>';

/** Splits a buffer into Finder-like chunks. */
function chunksOf(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

describe('macOS Finder (replayed)', () => {
  let host: HostProcess;
  let photos: string;
  let finder: ReplayClient;

  before(async () => {
    host = await startHost({ users: [{ name: 'mia', password: 'mia-pw', groups: ['WebDAV.main'] }] });
    photos = path.join(host.dataDir, 'photos');
    finder = new ReplayClient(host.url, { userAgent: USER_AGENT, user: 'mia', password: 'mia-pw' });
  });
  after(async () => {
    finder?.close();
    await host?.stop();
  });

  it('mounts writable: Class 2 in OPTIONS, quota in the PROPFIND of the volume', async () => {
    const options = await finder.send('OPTIONS', '/webdav/main/');
    assert.equal(options.status, 200);
    assert.ok(
      options
        .header('dav')
        .split(',')
        .map((c) => c.trim())
        .includes('2'),
      options.header('dav'),
    );

    const res = await finder.send('PROPFIND', '/webdav/main/', {
      headers: { Depth: '0', 'Content-Type': 'text/xml' },
      body: MOUNT_PROPFIND,
    });
    assert.equal(res.status, 207, res.text);
    const [volume] = parseMultistatus(res.text);
    const available = Number(volume!.prop(DAV, 'quota-available-bytes')?.text);
    const used = Number(volume!.prop(DAV, 'quota-used-bytes')?.text);
    assert.ok(Number.isSafeInteger(available) && available > 0, `quota-available-bytes: ${res.text}`);
    assert.ok(Number.isSafeInteger(used) && used >= 0, `quota-used-bytes: ${res.text}`);
    // The old draft names are simply not found, inside the same 207.
    assert.equal(volume!.statusOf(DAV, 'quota'), 404);
    assert.equal(volume!.statusOf(DAV, 'quotaused'), 404);

    const listing = await finder.send('PROPFIND', '/webdav/main/', { headers: { Depth: '1' }, body: LIST_PROPFIND });
    assert.equal(listing.status, 207);
    const entries = parseMultistatus(listing.text);
    assert.ok(entries.length >= 4, listing.text);
    for (const entry of entries.slice(1)) {
      assert.ok(entry.prop(DAV, 'getlastmodified'), entry.href);
      assert.equal(entry.statusOf(APPLE, 'appledoubleheader'), 404);
    }
  });

  it('saves a photo: LOCK a new name, chunked PUT with X-Expected-Entity-Length, refresh the LOCK, UNLOCK', async () => {
    const target = '/webdav/main/Finder%20Import.jpg';
    const onDisk = path.join(photos, 'Finder Import.jpg');
    const content = randomBytes(700_000);

    const lock = await finder.send('LOCK', target, {
      headers: { 'Content-Type': 'text/xml; charset="utf-8"', Depth: '0', Timeout: 'Second-600' },
      body: LOCK_BODY,
    });
    assert.equal(lock.status, 201, lock.text); // a lock on an unmapped URL creates the resource
    const token = lockToken(lock);
    assert.equal((await stat(onDisk)).size, 0);

    const put = await finder.send('PUT', target, {
      headers: { If: `(<${token}>)`, 'X-Expected-Entity-Length': String(content.length), 'Content-Type': 'image/jpeg' },
      chunks: chunksOf(content, 65_536),
    });
    assert.equal(put.status, 204, put.text);
    assert.deepEqual(await readFile(onDisk), content);

    // Refresh: If with the token, no body (RFC 4918 §9.10.2).
    const refresh = await finder.send('LOCK', target, { headers: { If: `(<${token}>)`, Timeout: 'Second-600' } });
    assert.equal(refresh.status, 200, refresh.text);
    const active = descendants(parseXml(refresh.text), DAV, 'activelock');
    assert.equal(active.length, 1);
    assert.equal(descendants(active[0]!, DAV, 'locktoken')[0]!.text.trim(), token);

    // Still locked for everybody without the token.
    const other = await finder.send('PUT', target, { headers: { 'X-Expected-Entity-Length': '5' }, chunks: ['other'] });
    assert.equal(other.status, 423);

    const unlock = await finder.send('UNLOCK', target, { headers: { 'Lock-Token': `<${token}>` } });
    assert.equal(unlock.status, 204, unlock.text);
    assert.deepEqual(await readFile(onDisk), content);
    assert.deepEqual(
      (await readdir(photos)).filter((n) => n.startsWith('.~')),
      [],
    );
  });

  it('a chunked PUT with an empty body but X-Expected-Entity-Length fails and creates or truncates nothing', async () => {
    const fresh = await finder.send('PUT', '/webdav/main/leer.jpg', {
      headers: { 'X-Expected-Entity-Length': '1234', 'Content-Type': 'image/jpeg' },
      chunks: [],
    });
    assert.ok(fresh.status >= 400 && fresh.status < 500, `${fresh.status} ${fresh.text}`);
    assert.ok(!(await readdir(photos)).includes('leer.jpg'));

    const sample = (await readdir(photos)).find((n) => n.startsWith('sample-'))!;
    const original = await readFile(path.join(photos, sample));
    const replace = await finder.send('PUT', `/webdav/main/${sample}`, {
      headers: { 'X-Expected-Entity-Length': String(original.length) },
      chunks: [],
    });
    assert.ok(replace.status >= 400 && replace.status < 500, `${replace.status} ${replace.text}`);
    assert.deepEqual(await readFile(path.join(photos, sample)), original);

    // A body shorter than announced is refused the same way.
    const short = await finder.send('PUT', '/webdav/main/kurz.jpg', {
      headers: { 'X-Expected-Entity-Length': '1000' },
      chunks: [randomBytes(400)],
    });
    assert.ok(short.status >= 400 && short.status < 500, `${short.status}`);
    assert.ok(!(await readdir(photos)).includes('kurz.jpg'));
    assert.deepEqual(
      (await readdir(photos)).filter((n) => n.startsWith('.~')),
      [],
    );
  });

  it('writes, lists and deletes ._ AppleDouble files and .DS_Store', async () => {
    await writeFile(path.join(photos, 'Strand.jpg'), randomBytes(10_000));
    const appleDouble = Buffer.concat([
      Buffer.from([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00]),
      randomBytes(4_000),
    ]);
    const dsStore = Buffer.concat([Buffer.from('\0\0\0\x01Bud1'), randomBytes(6_000)]);
    for (const [name, data] of [
      ['._Strand.jpg', appleDouble],
      ['.DS_Store', dsStore],
    ] as const) {
      const put = await finder.send('PUT', `/webdav/main/${name}`, {
        headers: { 'X-Expected-Entity-Length': String(data.length), 'Content-Type': 'application/octet-stream' },
        chunks: chunksOf(data, 1_500),
      });
      assert.equal(put.status, 201, `${name}: ${put.status} ${put.text}`);
      assert.deepEqual(await readFile(path.join(photos, name)), data);
    }

    const listing = await finder.send('PROPFIND', '/webdav/main/', { headers: { Depth: '1' }, body: LIST_PROPFIND });
    const paths = parseMultistatus(listing.text).map((r) => r.path);
    assert.ok(paths.includes('/webdav/main/._Strand.jpg'), paths.join());
    assert.ok(paths.includes('/webdav/main/.DS_Store'), paths.join());
    const get = await finder.send('GET', '/webdav/main/._Strand.jpg');
    assert.equal(get.status, 200);
    assert.deepEqual(get.body, appleDouble);

    for (const name of ['._Strand.jpg', '.DS_Store']) {
      assert.equal((await finder.send('DELETE', `/webdav/main/${name}`)).status, 204);
    }
    const left = await readdir(photos);
    assert.ok(!left.includes('._Strand.jpg') && !left.includes('.DS_Store'), left.join());
    assert.ok(left.includes('Strand.jpg'));
  });

  it('reaches NFC-stored names through decomposed (NFD) URLs, and stores new NFD names as NFC', async () => {
    const album = 'Ausflüge'; // NFC on disk
    await mkdir(path.join(photos, album));
    const photo = randomBytes(20_000);
    await writeFile(path.join(photos, album, 'Mädchen.jpg'), photo);
    const nfd = (s: string): string => s.normalize('NFD').split('/').map(encodeURIComponent).join('/');
    assert.notEqual(
      nfd('Ausflüge/Mädchen.jpg'),
      encodeURIComponent('Ausflüge') + '/' + encodeURIComponent('Mädchen.jpg'),
    );

    const propfind = await finder.send('PROPFIND', `/webdav/main/${nfd('Ausflüge')}/`, {
      headers: { Depth: '1' },
      body: LIST_PROPFIND,
    });
    assert.equal(propfind.status, 207, propfind.text);
    const listed = parseMultistatus(propfind.text).map((r) => r.path);
    assert.ok(listed.includes('/webdav/main/Ausflüge/Mädchen.jpg'), listed.join()); // hrefs in NFC

    const get = await finder.send('GET', `/webdav/main/${nfd('Ausflüge/Mädchen.jpg')}`);
    assert.equal(get.status, 200);
    assert.deepEqual(get.body, photo);

    // A new decomposed name lands as NFC, so Windows and Linux clients find it too.
    const put = await finder.send('PUT', `/webdav/main/${nfd('Ausflüge/Übersicht.txt')}`, {
      headers: { 'X-Expected-Entity-Length': '5' },
      chunks: ['Liste'],
    });
    assert.equal(put.status, 201, put.text);
    const names = await readdir(path.join(photos, album));
    assert.ok(names.includes('Übersicht.txt'.normalize('NFC')), names.map((n) => JSON.stringify(n)).join());
    assert.ok(!names.includes('Übersicht.txt'.normalize('NFD')));

    // Deleting through the NFD URL removes the NFC file.
    assert.equal((await finder.send('DELETE', `/webdav/main/${nfd('Ausflüge/Mädchen.jpg')}`)).status, 204);
    assert.deepEqual((await readdir(path.join(photos, album))).sort(), ['Übersicht.txt']);
  });
});
