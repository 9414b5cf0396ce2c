/** PROPPATCH (RFC 4918 §9.2): dead properties, atomicity, protected live properties, Windows times. */
import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';

const XML = { 'content-type': 'text/xml; charset="utf-8"' };
const update = (inner: string, extraNs = '') =>
  `<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:p="http://example.com/photo/"${extraNs}>${inner}</D:propertyupdate>`;

describe('PROPPATCH', () => {
  let harness: Harness;
  const url = '/webdav/main/photo.jpg';
  const patch = (body: string) => harness.fetch(url, { method: 'PROPPATCH', headers: XML, body });
  const find = async (props: string) =>
    (
      await harness.fetch(url, {
        method: 'PROPFIND',
        headers: { ...XML, depth: '0' },
        body: `<D:propfind xmlns:D="DAV:" xmlns:p="http://example.com/photo/" xmlns:Z="urn:schemas-microsoft-com:"><D:prop>${props}</D:prop></D:propfind>`,
      })
    ).text();

  before(async () => {
    harness = await startPlugin();
    await writeFile(join(harness.root, 'photo.jpg'), 'jpeg');
  });
  after(() => harness.stop());

  it('stores dead properties verbatim, with their namespaces, and removes them', async () => {
    const res = await patch(
      update(
        '<D:set><D:prop><p:rating>5</p:rating><p:people><p:person xmlns:q="urn:q" q:role="x">Ann &amp; Bo</p:person></p:people></D:prop></D:set>',
      ),
    );
    assert.equal(res.status, 207);
    assert.match(await res.text(), /HTTP\/1\.1 200 OK/);
    const found = await find('<p:rating/><p:people/>');
    assert.match(found, /<p:rating [^>]*xmlns:p="http:\/\/example\.com\/photo\/"[^>]*>5<\/p:rating>/);
    assert.match(found, /<p:person [^>]*q:role="x"[^>]*>Ann &amp; Bo<\/p:person>/);
    assert.match(found, /xmlns:q="urn:q"/);

    assert.equal((await patch(update('<D:remove><D:prop><p:rating/></D:prop></D:remove>'))).status, 207);
    assert.match(await find('<p:rating/>'), /404 Not Found/);
  });

  it('processes instructions in document order: set then remove leaves the property removed', async () => {
    await patch(
      update('<D:set><D:prop><p:tmp>1</p:tmp></D:prop></D:set><D:remove><D:prop><p:tmp/></D:prop></D:remove>'),
    );
    assert.match(await find('<p:tmp/>'), /404 Not Found/);
  });

  it('is atomic: a protected live property fails (403) and everything else fails with 424, changing nothing', async () => {
    const res = await patch(
      update('<D:set><D:prop><p:title>Beach</p:title><D:getetag>"x"</D:getetag></D:prop></D:set>'),
    );
    assert.equal(res.status, 207);
    const xml = await res.text();
    assert.match(xml, /<D:getetag\/><\/D:prop><D:status>HTTP\/1\.1 403 Forbidden<\/D:status>/);
    assert.match(xml, /title[^>]*\/><\/D:prop><D:status>HTTP\/1\.1 424 Failed Dependency<\/D:status>/);
    assert.match(await find('<p:title/>'), /404 Not Found/);
  });

  it('Windows times: stores the Win32 properties, declares their namespace, and sets the file date', async () => {
    const body = update(
      '<D:set><D:prop><Z:Win32CreationTime>Wed, 01 Jan 2020 10:00:00 GMT</Z:Win32CreationTime><Z:Win32LastModifiedTime>Thu, 02 Jan 2020 11:30:00 GMT</Z:Win32LastModifiedTime><Z:Win32FileAttributes>00000020</Z:Win32FileAttributes></D:prop></D:set>',
      ' xmlns:Z="urn:schemas-microsoft-com:"',
    );
    const res = await patch(body);
    assert.equal(res.status, 207);
    const xml = await res.text();
    for (const name of ['Win32CreationTime', 'Win32LastModifiedTime', 'Win32FileAttributes']) {
      assert.match(xml, new RegExp(`<(\\w+):${name} xmlns:\\1="urn:schemas-microsoft-com:"/>`), name);
    }
    assert.equal((await stat(join(harness.root, 'photo.jpg'))).mtime.toUTCString(), 'Thu, 02 Jan 2020 11:30:00 GMT');
    assert.match(await find('<D:getlastmodified/>'), /Thu, 02 Jan 2020 11:30:00 GMT/);
  });

  it('a missing resource is 404, a missing or wrong body 400', async () => {
    assert.equal(
      (
        await harness.fetch('/webdav/main/none.jpg', {
          method: 'PROPPATCH',
          headers: XML,
          body: update('<D:set><D:prop><p:a>1</p:a></D:prop></D:set>'),
        })
      ).status,
      404,
    );
    assert.equal((await patch('')).status, 400);
    assert.equal((await patch('<D:propfind xmlns:D="DAV:"/>')).status, 400);
    assert.equal(
      (await patch('<x:propertyupdate xmlns:x="DAV:"><x:set><x:prop><y:a/></x:prop></x:set></x:propertyupdate>'))
        .status,
      400,
    );
  });

  it('dead properties follow MOVE and go with DELETE', async () => {
    await patch(update('<D:set><D:prop><p:rating>4</p:rating></D:prop></D:set>'));
    assert.equal(
      (await harness.fetch(url, { method: 'MOVE', headers: { destination: '/webdav/main/moved.jpg' } })).status,
      201,
    );
    const moved = await (
      await harness.fetch('/webdav/main/moved.jpg', {
        method: 'PROPFIND',
        headers: { depth: '0' },
        body: '<D:propfind xmlns:D="DAV:" xmlns:p="http://example.com/photo/"><D:prop><p:rating/></D:prop></D:propfind>',
      })
    ).text();
    assert.match(moved, />4<\/p:rating>/);
    assert.equal((await harness.fetch('/webdav/main/moved.jpg', { method: 'DELETE' })).status, 204);
    assert.equal((await harness.db('webdav_properties').where({ path: 'moved.jpg' })).length, 0);
  });
});
