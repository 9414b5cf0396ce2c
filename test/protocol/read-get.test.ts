/** GET and HEAD: ranges for video seeking (RFC 9110 §14) and conditional requests (§13). */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';

describe('GET and HEAD', () => {
  let harness: Harness;
  const video = randomBytes(200_000);
  const url = '/webdav/main/clip.mp4';

  before(async () => {
    harness = await startPlugin();
    await writeFile(join(harness.root, 'clip.mp4'), video);
    await mkdir(join(harness.root, 'album'));
    await writeFile(join(harness.root, 'album', 'a <b>.jpg'), 'x');
  });
  after(() => harness.stop());

  it('serves the whole file with type, length, ETag and Last-Modified', async () => {
    const res = await harness.fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'video/mp4');
    assert.equal(res.headers.get('content-length'), String(video.length));
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.match(res.headers.get('etag') ?? '', /^"[^"]+"$/);
    assert.ok(Date.parse(res.headers.get('last-modified') ?? '') > 0);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), video);
  });

  it('GET and HEAD of a collection without its trailing slash redirect (301) to the slash form, as Apache, nginx and lighttpd do', async () => {
    for (const [asked, slashed] of [
      ['/webdav/main/album', '/webdav/main/album/'],
      ['/webdav/main', '/webdav/main/'],
      ['/webdav', '/webdav/'],
    ] as const) {
      for (const method of ['GET', 'HEAD']) {
        const res = await harness.fetch(asked, { method, redirect: 'manual' });
        assert.equal(res.status, 301, `${method} ${asked}`);
        assert.equal(res.headers.get('location'), slashed, `${method} ${asked}`);
        await res.arrayBuffer();
      }
      const followed = await harness.fetch(slashed);
      assert.equal(followed.status, 200, slashed);
      assert.match(followed.headers.get('content-type') ?? '', /^text\/html/);
      await followed.arrayBuffer();
    }
    // A file is served at its URL; it has no slash form.
    const file = await harness.fetch(url, { method: 'HEAD', redirect: 'manual' });
    assert.equal(file.status, 200);
  });

  it('HEAD has the same headers and no body', async () => {
    const res = await harness.fetch(url, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(video.length));
    assert.equal((await res.arrayBuffer()).byteLength, 0);
  });

  it('serves single ranges: first bytes, from an offset, the last bytes', async () => {
    for (const [range, start, end] of [
      ['bytes=0-99', 0, 99],
      ['bytes=150000-', 150_000, video.length - 1],
      ['bytes=-500', video.length - 500, video.length - 1],
      ['bytes=199990-300000', 199_990, video.length - 1],
    ] as const) {
      const res = await harness.fetch(url, { headers: { range } });
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${video.length}`, range);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), video.subarray(start, end + 1), range);
    }
  });

  it('serves several ranges as multipart/byteranges', async () => {
    const res = await harness.fetch(url, { headers: { range: 'bytes=0-9,100-109' } });
    assert.equal(res.status, 206);
    const boundary = /boundary=(\S+)/.exec(res.headers.get('content-type') ?? '')?.[1];
    assert.ok(boundary);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.headers.get('content-length'), String(body.length));
    const text = body.toString('latin1');
    assert.match(text, /Content-Range: bytes 0-9\/200000/);
    assert.match(text, /Content-Range: bytes 100-109\/200000/);
    assert.ok(body.includes(video.subarray(100, 110)));
    assert.ok(text.endsWith(`--${boundary}--\r\n`));
  });

  it('answers 416 to a range beyond the end, and ignores a malformed one', async () => {
    const beyond = await harness.fetch(url, { headers: { range: 'bytes=300000-' } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${video.length}`);
    assert.equal((await harness.fetch(url, { headers: { range: 'bytes=x-y' } })).status, 200);
  });

  it('If-Range with the current ETag honours the range; with an old one sends everything', async () => {
    const etag = (await harness.fetch(url, { method: 'HEAD' })).headers.get('etag')!;
    assert.equal((await harness.fetch(url, { headers: { range: 'bytes=0-9', 'if-range': etag } })).status, 206);
    assert.equal((await harness.fetch(url, { headers: { range: 'bytes=0-9', 'if-range': '"stale"' } })).status, 200);
  });

  it('conditional requests: 304 for a matching If-None-Match or an unchanged If-Modified-Since, 412 for a failed If-Match', async () => {
    const head = await harness.fetch(url, { method: 'HEAD' });
    const etag = head.headers.get('etag')!;
    const modified = head.headers.get('last-modified')!;
    assert.equal((await harness.fetch(url, { headers: { 'if-none-match': etag } })).status, 304);
    assert.equal((await harness.fetch(url, { headers: { 'if-none-match': '"other"' } })).status, 200);
    assert.equal((await harness.fetch(url, { headers: { 'if-modified-since': modified } })).status, 304);
    assert.equal((await harness.fetch(url, { headers: { 'if-match': '"other"' } })).status, 412);
    assert.equal((await harness.fetch(url, { headers: { 'if-match': etag } })).status, 200);
    assert.equal(
      (await harness.fetch(url, { headers: { 'if-unmodified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' } })).status,
      412,
    );
  });

  it('the ETag changes when the content changes, even with the same size and mtime', async () => {
    const before = (await harness.fetch(url, { method: 'HEAD' })).headers.get('etag');
    const { utimes, stat } = await import('node:fs/promises');
    const file = join(harness.root, 'clip.mp4');
    const { mtime } = await stat(file);
    await writeFile(file, randomBytes(video.length));
    await utimes(file, mtime, mtime);
    const after = (await harness.fetch(url, { method: 'HEAD' })).headers.get('etag');
    assert.notEqual(after, before);
    await writeFile(file, video);
  });

  it('a collection gets an HTML index; a missing file a plain 404; a fragment in the target is 400', async () => {
    const index = await harness.fetch('/webdav/main/album/');
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await index.text(), /<a href="\/webdav\/main\/album\/a%20%3Cb%3E\.jpg">a &lt;b&gt;\.jpg<\/a>/);
    assert.equal((await harness.fetch('/webdav/main/missing.jpg')).status, 404);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const options = {
        host: '127.0.0.1',
        port: harness.port,
        path: '/webdav/main/album/#x',
        headers: { authorization: harness.auth() },
      };
      const req = request(options, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    // fetch() and URL parsing strip fragments; a raw path carries it to the server as some clients send it.
    assert.equal(status, 400);
  });
});
