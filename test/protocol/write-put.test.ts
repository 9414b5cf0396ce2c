/**
 * PUT (RFC 4918 §9.7, RFC 9110 §9.3.4): status codes, and what is on disk
 * afterwards — a refused or broken upload changes nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';
import { dav, exists, setNote } from '../helpers/dav-fixtures.js';

async function temporaryFiles(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((name) => name.startsWith('.~webdav-upload-'));
}

async function waitFor(condition: () => Promise<boolean>, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

interface RawAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  continued: boolean;
}

/**
 * A request through node:http, for what fetch cannot do: chunked bodies
 * written piece by piece, `Expect: 100-continue`.
 */
async function raw(
  h: Harness,
  options: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    chunks?: (string | Buffer)[];
    expectContinue?: boolean;
  },
): Promise<RawAnswer> {
  const req = httpRequest({
    host: '127.0.0.1',
    port: h.port,
    method: options.method,
    path: options.path,
    headers: options.headers,
  });
  let continued = false;
  const writeBody = () => {
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  };
  if (options.expectContinue) {
    req.on('continue', () => {
      continued = true;
      writeBody();
    });
    req.flushHeaders();
  } else {
    writeBody();
  }
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  let body = '';
  res.setEncoding('utf8');
  for await (const chunk of res) body += chunk;
  if (!continued && options.expectContinue) req.destroy();
  return { status: res.statusCode!, headers: res.headers, body, continued };
}

async function propfindBody(h: Harness, path: string, prop: string): Promise<string> {
  const res = await h.fetch(path, {
    method: 'PROPFIND',
    headers: { Depth: '0', 'Content-Type': 'application/xml' },
    body: `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop>${prop}</D:prop></D:propfind>`,
  });
  assert.equal(res.status, 207);
  return res.text();
}

describe('PUT', () => {
  let h: Harness;
  before(async () => {
    h = await startPlugin();
  });
  after(async () => {
    await h.stop();
  });

  it('creates a file with 201 and replaces it with 204, each time with the new ETag', async () => {
    const created = await h.fetch(dav('new.txt'), { method: 'PUT', body: 'first' });
    assert.equal(created.status, 201);
    const firstTag = created.headers.get('etag');
    assert.ok(firstTag, 'an ETag header');
    assert.equal(await readFile(join(h.root, 'new.txt'), 'utf8'), 'first');

    const replaced = await h.fetch(dav('new.txt'), { method: 'PUT', body: 'second, longer' });
    assert.equal(replaced.status, 204);
    const secondTag = replaced.headers.get('etag');
    assert.ok(secondTag);
    assert.notEqual(secondTag, firstTag);
    assert.equal(await readFile(join(h.root, 'new.txt'), 'utf8'), 'second, longer');
    const get = await h.fetch(dav('new.txt'));
    assert.equal(get.headers.get('etag'), secondTag);
    assert.equal(await get.text(), 'second, longer');
  });

  it('accepts a chunked body', async () => {
    const answer = await raw(h, {
      method: 'PUT',
      path: dav('chunked.txt'),
      headers: { authorization: h.auth(), 'transfer-encoding': 'chunked' },
      chunks: ['one ', 'two ', Buffer.alloc(100_000, 0x61), ' three'],
    });
    assert.equal(answer.status, 201);
    const content = await readFile(join(h.root, 'chunked.txt'), 'utf8');
    assert.equal(content, `one two ${'a'.repeat(100_000)} three`);
  });

  it('refuses Content-Range with 400 and keeps the file', async () => {
    await writeFile(join(h.root, 'ranged.txt'), 'original');
    const res = await h.fetch(dav('ranged.txt'), {
      method: 'PUT',
      body: 'xx',
      headers: { 'Content-Range': 'bytes 0-1/8' },
    });
    assert.equal(res.status, 400);
    assert.equal(await readFile(join(h.root, 'ranged.txt'), 'utf8'), 'original');
  });

  it('refuses an empty body when X-Expected-Entity-Length announces 5 bytes, and writes nothing', async () => {
    const answer = await raw(h, {
      method: 'PUT',
      path: dav('finder.txt'),
      headers: { authorization: h.auth(), 'transfer-encoding': 'chunked', 'x-expected-entity-length': '5' },
      chunks: [],
    });
    assert.equal(answer.status, 400);
    assert.equal(await exists(join(h.root, 'finder.txt')), false);
    assert.deepEqual(await temporaryFiles(h.root), []);
  });

  it('keeps the old file when X-Expected-Entity-Length does not match, and accepts a body that does', async () => {
    await writeFile(join(h.root, 'finder2.txt'), 'old');
    const short = await raw(h, {
      method: 'PUT',
      path: dav('finder2.txt'),
      headers: { authorization: h.auth(), 'transfer-encoding': 'chunked', 'x-expected-entity-length': '10' },
      chunks: ['12345'],
    });
    assert.equal(short.status, 400);
    const long = await raw(h, {
      method: 'PUT',
      path: dav('finder2.txt'),
      headers: { authorization: h.auth(), 'transfer-encoding': 'chunked', 'x-expected-entity-length': '3' },
      chunks: ['12345'],
    });
    assert.equal(long.status, 400);
    assert.equal(await readFile(join(h.root, 'finder2.txt'), 'utf8'), 'old');
    const right = await raw(h, {
      method: 'PUT',
      path: dav('finder2.txt'),
      headers: { authorization: h.auth(), 'transfer-encoding': 'chunked', 'x-expected-entity-length': '5' },
      chunks: ['12', '345'],
    });
    assert.equal(right.status, 204);
    assert.equal(await readFile(join(h.root, 'finder2.txt'), 'utf8'), '12345');
    assert.deepEqual(await temporaryFiles(h.root), []);
  });

  it('honours If-None-Match: * (412 on an existing file) and If-Match', async () => {
    await writeFile(join(h.root, 'cond.txt'), 'kept');
    const exists412 = await h.fetch(dav('cond.txt'), { method: 'PUT', body: 'new', headers: { 'If-None-Match': '*' } });
    assert.equal(exists412.status, 412);
    assert.equal(await readFile(join(h.root, 'cond.txt'), 'utf8'), 'kept');

    const fresh = await h.fetch(dav('cond-new.txt'), {
      method: 'PUT',
      body: 'fresh',
      headers: { 'If-None-Match': '*' },
    });
    assert.equal(fresh.status, 201);

    const wrongTag = await h.fetch(dav('cond.txt'), { method: 'PUT', body: 'new', headers: { 'If-Match': '"nope"' } });
    assert.equal(wrongTag.status, 412);
    assert.equal(await readFile(join(h.root, 'cond.txt'), 'utf8'), 'kept');

    const tag = (await h.fetch(dav('cond.txt'), { method: 'HEAD' })).headers.get('etag')!;
    const rightTag = await h.fetch(dav('cond.txt'), { method: 'PUT', body: 'replaced', headers: { 'If-Match': tag } });
    assert.equal(rightTag.status, 204);
    assert.equal(await readFile(join(h.root, 'cond.txt'), 'utf8'), 'replaced');

    const missing = await h.fetch(dav('cond-missing.txt'), { method: 'PUT', body: 'x', headers: { 'If-Match': '*' } });
    assert.equal(missing.status, 412);
    assert.equal(await exists(join(h.root, 'cond-missing.txt')), false);
  });

  it('answers 409 when the parent collection is missing, creating nothing', async () => {
    const res = await h.fetch(dav('no-such-folder/file.txt'), { method: 'PUT', body: 'x' });
    assert.equal(res.status, 409);
    assert.equal(await exists(join(h.root, 'no-such-folder')), false);
  });

  it('answers 405 onto a collection, which stays', async () => {
    await mkdir(join(h.root, 'a-folder'));
    await writeFile(join(h.root, 'a-folder', 'inside.txt'), 'inside');
    const res = await h.fetch(dav('a-folder'), { method: 'PUT', body: 'x' });
    assert.equal(res.status, 405);
    assert.ok((await stat(join(h.root, 'a-folder'))).isDirectory());
    assert.equal(await readFile(join(h.root, 'a-folder', 'inside.txt'), 'utf8'), 'inside');
    const root = await h.fetch('/webdav/main/', { method: 'PUT', body: 'x' });
    assert.equal(root.status, 405);
  });

  it('refuses the reserved temporary-file names', async () => {
    const res = await h.fetch(dav('.~webdav-upload-mine.part'), { method: 'PUT', body: 'x' });
    assert.equal(res.status, 403);
    assert.deepEqual(await temporaryFiles(h.root), []);
  });

  it('sends 100 Continue once the checks passed, then takes the body', async () => {
    const answer = await raw(h, {
      method: 'PUT',
      path: dav('continued.txt'),
      headers: { authorization: h.auth(), expect: '100-continue', 'content-length': '5' },
      chunks: ['hello'],
      expectContinue: true,
    });
    assert.equal(answer.continued, true);
    assert.equal(answer.status, 201);
    assert.equal(await readFile(join(h.root, 'continued.txt'), 'utf8'), 'hello');
  });

  it('answers a refused upload at once, without 100 Continue', async () => {
    const unauthenticated = await raw(h, {
      method: 'PUT',
      path: dav('never.txt'),
      headers: { expect: '100-continue', 'content-length': '5' },
      chunks: ['hello'],
      expectContinue: true,
    });
    assert.equal(unauthenticated.status, 401);
    assert.equal(unauthenticated.continued, false);

    const noParent = await raw(h, {
      method: 'PUT',
      path: dav('missing-parent/never.txt'),
      headers: { authorization: h.auth(), expect: '100-continue', 'content-length': '5' },
      chunks: ['hello'],
      expectContinue: true,
    });
    assert.equal(noParent.status, 409);
    assert.equal(noParent.continued, false);
    assert.equal(noParent.headers.connection, 'close');
    assert.equal(await exists(join(h.root, 'never.txt')), false);
  });

  it('leaves the old file intact and no temporary file when the client hangs up half way', async () => {
    const file = join(h.root, 'interrupted.jpg');
    await writeFile(file, 'the old photo');
    const req = httpRequest({
      host: '127.0.0.1',
      port: h.port,
      method: 'PUT',
      path: dav('interrupted.jpg'),
      headers: { authorization: h.auth(), 'content-length': String(4 * 1024 * 1024) },
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(512 * 1024, 0xff));
    assert.ok(
      await waitFor(async () => (await temporaryFiles(h.root)).length > 0),
      'the upload reached a temporary file',
    );
    req.destroy();

    assert.ok(await waitFor(async () => (await temporaryFiles(h.root)).length === 0), 'the temporary file is removed');
    assert.equal(await readFile(file, 'utf8'), 'the old photo');
  });

  it('writes nothing when the body ends before its Content-Length (the client half-closes)', async () => {
    const file = join(h.root, 'short.jpg');
    await writeFile(file, 'the old photo');
    const socket = connect(h.port, '127.0.0.1');
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    socket.write(
      `PUT ${dav('short.jpg')} HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nAuthorization: ${h.auth()}\r\nContent-Length: 1000\r\n\r\n`,
    );
    socket.end('only ten b');
    socket.resume();
    await once(socket, 'close');
    assert.ok(await waitFor(async () => (await temporaryFiles(h.root)).length === 0), 'no temporary file is left');
    assert.equal(await readFile(file, 'utf8'), 'the old photo');
  });

  it('reaches the same file by its UTF-8 and its Windows-1252 spelling', async () => {
    const put = await h.fetch('/webdav/main/M%C3%A4dchen.txt', { method: 'PUT', body: 'Mädchen' });
    assert.equal(put.status, 201);
    assert.equal(await readFile(join(h.root, 'Mädchen.txt'), 'utf8'), 'Mädchen');
    const get = await h.fetch('/webdav/main/M%E4dchen.txt');
    assert.equal(get.status, 200);
    assert.equal(await get.text(), 'Mädchen');
    const replace = await h.fetch('/webdav/main/M%E4dchen.txt', { method: 'PUT', body: 'again' });
    assert.equal(replace.status, 204);
    assert.deepEqual(
      (await readdir(h.root)).filter((name) => name.startsWith('M')),
      ['Mädchen.txt'],
    );
  });

  it('keeps the dead properties of a replaced file; a new file does not inherit stale ones', async () => {
    await h.fetch(dav('props.txt'), { method: 'PUT', body: 'v1' });
    await setNote(h, dav('props.txt'), 'kept-note');
    assert.equal((await h.fetch(dav('props.txt'), { method: 'PUT', body: 'v2' })).status, 204);
    assert.match(await propfindBody(h, dav('props.txt'), '<t:note xmlns:t="urn:test"/>'), /kept-note/);

    // Deleted behind WebDAV's back (the photo library, a shell): the next upload starts clean.
    await rm(join(h.root, 'props.txt'));
    assert.equal((await h.fetch(dav('props.txt'), { method: 'PUT', body: 'v3' })).status, 201);
    assert.doesNotMatch(await propfindBody(h, dav('props.txt'), '<t:note xmlns:t="urn:test"/>'), /kept-note/);
  });

  it('survives the Windows Explorer upload sequence (without LOCK)', async () => {
    const name = dav('IMG_0001.JPG');
    assert.equal((await h.fetch(name, { method: 'PROPFIND', headers: { Depth: '0' } })).status, 404);
    assert.equal((await h.fetch(name, { method: 'PUT', body: '' })).status, 201);
    const win32 = `<?xml version="1.0" encoding="utf-8" ?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop>
      <Z:Win32CreationTime>Mon, 01 Jan 2024 10:00:00 GMT</Z:Win32CreationTime>
      <Z:Win32LastAccessTime>Mon, 01 Jan 2024 10:00:00 GMT</Z:Win32LastAccessTime>
      <Z:Win32LastModifiedTime>Mon, 01 Jan 2024 10:00:00 GMT</Z:Win32LastModifiedTime>
      <Z:Win32FileAttributes>00000020</Z:Win32FileAttributes></D:prop></D:set></D:propertyupdate>`;
    const patch = await h.fetch(name, { method: 'PROPPATCH', headers: { 'Content-Type': 'text/xml' }, body: win32 });
    assert.equal(patch.status, 207);
    await patch.text();
    assert.equal((await h.fetch(name, { method: 'HEAD' })).status, 200);
    const photo = Buffer.alloc(200_000, 0xd8);
    assert.equal((await h.fetch(name, { method: 'PUT', body: photo })).status, 204);
    const again = await h.fetch(name, { method: 'PROPPATCH', headers: { 'Content-Type': 'text/xml' }, body: win32 });
    assert.equal(again.status, 207);
    await again.text();
    assert.deepEqual(await readFile(join(h.root, 'IMG_0001.JPG')), photo);
    assert.equal((await stat(join(h.root, 'IMG_0001.JPG'))).mtime.toISOString(), '2024-01-01T10:00:00.000Z');
  });
});
