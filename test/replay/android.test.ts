/**
 * Android file managers (CX File Explorer, WebDAV Nav, Solid Explorer)
 * replayed against the running host: they cannot run here. They work with a
 * plain Class 1 server (RFC 4918 §18.1), expect Basic auth and standard
 * listings. So this replay uses no LOCK, no If header and no dead
 * properties: list (PROPFIND Depth 1, allprop or an empty body), upload
 * (PUT), download and resume (GET with Range and If-Range), rename (MOVE),
 * delete.
 *
 * Where the behaviour is documented:
 * - lookfirst/sardine src/main/java/com/github/sardine/impl/SardineImpl.java,
 *   the Java WebDAV library many Android clients build on (the Android port is
 *   thegrizzlylabs/sardine-android): `put(url, InputStream)` sends
 *   `Expect: 100-continue` with a body of unknown length (chunked);
 *   `move`/`copy` default to `Overwrite: T` with a full-URL Destination;
 *   `exists` is a HEAD; the User-Agent is `Sardine/<version>`. OkHttp-based
 *   apps send a plain Content-Length body.
 * - bitfireAT/davx5-ose#502 (an Android WebDAV client's ranged GETs, and what
 *   goes wrong when the server answers them badly); owncloud/android#1400
 *   (resuming broken downloads with Range).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { DAV, ReplayClient, descendants, parseMultistatus } from '../helpers/replay.js';

const ALLPROP =
  '<?xml version="1.0" encoding="UTF-8" standalone="no"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>';

describe('Android file managers (replayed)', () => {
  let host: HostProcess;
  let photos: string;
  let okhttp: ReplayClient;
  let sardine: ReplayClient;

  before(async () => {
    host = await startHost({ users: [{ name: 'andi', password: 'and-pw ü', groups: ['WebDAV.main'] }] });
    photos = path.join(host.dataDir, 'photos');
    okhttp = new ReplayClient(host.url, { userAgent: 'okhttp/4.12.0', user: 'andi', password: 'and-pw ü' });
    sardine = new ReplayClient(host.url, { userAgent: 'Sardine/5.12', user: 'andi', password: 'and-pw ü' });
  });
  after(async () => {
    okhttp?.close();
    sardine?.close();
    await host?.stop();
  });

  it('Basic auth: a challenge without credentials, 401 for a wrong password', async () => {
    const anonymous = await okhttp.send('PROPFIND', '/webdav/main/', { headers: { Depth: '1' }, credentials: null });
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.header('www-authenticate'), /^Basic realm="[^"]+"/);
    const wrong = await okhttp.send('PROPFIND', '/webdav/main/', {
      headers: { Depth: '1' },
      credentials: { user: 'andi', password: 'nope' },
    });
    assert.equal(wrong.status, 401);
  });

  it('lists a folder with Depth 1, with an allprop body or with none', async () => {
    const samples = (await readdir(photos)).filter((n) => n.endsWith('.jpg')).sort();
    for (const body of [ALLPROP, undefined]) {
      const res = await okhttp.send('PROPFIND', '/webdav/main/', {
        headers: { Depth: '1', ...(body ? { 'Content-Type': 'application/xml; charset=utf-8' } : {}) },
        ...(body ? { body } : {}),
      });
      assert.equal(res.status, 207, res.text);
      const entries = parseMultistatus(res.text);
      assert.equal(entries[0]!.path, '/webdav/main/');
      const files = entries.filter((e) => !e.href.endsWith('/'));
      assert.deepEqual(files.map((e) => e.path.replace('/webdav/main/', '')).sort(), samples);
      for (const file of files) {
        const size = (await readFile(path.join(photos, file.path.replace('/webdav/main/', '')))).length;
        assert.equal(file.prop(DAV, 'getcontentlength')?.text, String(size));
        assert.ok(file.prop(DAV, 'getlastmodified'));
        assert.equal(file.prop(DAV, 'getcontenttype')?.text, 'image/jpeg');
        assert.equal(descendants(file.prop(DAV, 'resourcetype')!, DAV, 'collection').length, 0);
      }
    }
  });

  it('uploads with Content-Length (OkHttp) and chunked with Expect: 100-continue (Sardine)', async () => {
    const video = randomBytes(1_500_000);
    const plain = await okhttp.send('PUT', '/webdav/main/VID_20250614_102030.mp4', {
      headers: { 'Content-Type': 'video/mp4' },
      body: video,
    });
    assert.equal(plain.status, 201, plain.text);
    assert.deepEqual(await readFile(path.join(photos, 'VID_20250614_102030.mp4')), video);

    const photo = randomBytes(400_000);
    const chunks = [photo.subarray(0, 100_000), photo.subarray(100_000, 250_000), photo.subarray(250_000)];
    const streamed = await sardine.send('PUT', '/webdav/main/IMG_20250614_102031.jpg', {
      headers: { 'Content-Type': 'application/octet-stream' },
      chunks,
      expectContinue: true,
    });
    assert.equal(streamed.status, 201, streamed.text);
    assert.ok(streamed.continued, 'the server invited the body with 100 Continue');
    assert.deepEqual(await readFile(path.join(photos, 'IMG_20250614_102031.jpg')), photo);

    // Into a folder that does not exist: the final answer comes at once, no 100, no body sent.
    const refused = await sardine.send('PUT', '/webdav/main/Kamera/IMG_1.jpg', {
      chunks: [photo],
      expectContinue: true,
    });
    assert.equal(refused.status, 409);
    assert.equal(refused.continued, false);
    assert.ok(!(await readdir(photos)).includes('Kamera'));
    assert.deepEqual(
      (await readdir(photos)).filter((n) => n.startsWith('.~')),
      [],
    );
  });

  it('downloads, then resumes a broken download with Range and If-Range', async () => {
    const video = await readFile(path.join(photos, 'VID_20250614_102030.mp4'));
    const first = await okhttp.send('GET', '/webdav/main/VID_20250614_102030.mp4');
    assert.equal(first.status, 200);
    assert.equal(first.header('accept-ranges'), 'bytes');
    assert.deepEqual(first.body, video);
    const etag = first.header('etag');
    assert.ok(etag);

    // The connection broke after 600,000 bytes: ask for the rest.
    const rest = await okhttp.send('GET', '/webdav/main/VID_20250614_102030.mp4', {
      headers: { Range: 'bytes=600000-', 'If-Range': etag },
    });
    assert.equal(rest.status, 206);
    assert.equal(rest.header('content-range'), `bytes 600000-${video.length - 1}/${video.length}`);
    assert.deepEqual(Buffer.concat([first.body.subarray(0, 600_000), rest.body]), video);

    // A player seeking near the end.
    const tail = await okhttp.send('GET', '/webdav/main/VID_20250614_102030.mp4', {
      headers: { Range: 'bytes=-1000' },
    });
    assert.equal(tail.status, 206);
    assert.deepEqual(tail.body, video.subarray(video.length - 1000));

    // The file changed meanwhile: If-Range no longer matches, so the whole new file comes back.
    const changed = randomBytes(700_000);
    await writeFile(path.join(photos, 'VID_20250614_102030.mp4'), changed);
    const stale = await okhttp.send('GET', '/webdav/main/VID_20250614_102030.mp4', {
      headers: { Range: 'bytes=600000-', 'If-Range': etag },
    });
    assert.equal(stale.status, 200);
    assert.deepEqual(stale.body, changed);

    // A range beyond the end.
    const beyond = await okhttp.send('GET', '/webdav/main/VID_20250614_102030.mp4', {
      headers: { Range: 'bytes=9000000-' },
    });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.header('content-range'), `bytes */${changed.length}`);
  });

  it('renames (MOVE, Overwrite: T, full URL) and deletes', async () => {
    const original = await readFile(path.join(photos, 'IMG_20250614_102031.jpg'));
    assert.equal((await sardine.send('HEAD', '/webdav/main/Urlaub.jpg')).status, 404); // exists()?
    const move = await sardine.send('MOVE', '/webdav/main/IMG_20250614_102031.jpg', {
      headers: { Destination: `${host.url}/webdav/main/Urlaub.jpg`, Overwrite: 'T' },
    });
    assert.equal(move.status, 201, move.text);
    assert.deepEqual(await readFile(path.join(photos, 'Urlaub.jpg')), original);
    assert.ok(!(await readdir(photos)).includes('IMG_20250614_102031.jpg'));

    for (const name of ['Urlaub.jpg', 'VID_20250614_102030.mp4']) {
      const del = await okhttp.send('DELETE', `/webdav/main/${name}`);
      assert.equal(del.status, 204, del.text);
      assert.equal((await okhttp.send('GET', `/webdav/main/${name}`)).status, 404);
    }
    assert.deepEqual((await readdir(photos)).sort(), ['sample-1.jpg', 'sample-2.jpg', 'sample-3.jpg']);
  });
});
