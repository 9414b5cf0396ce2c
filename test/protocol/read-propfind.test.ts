/** PROPFIND (RFC 4918 §9.1) and the live properties file managers rely on. */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';

const XML = { 'content-type': 'application/xml; charset=utf-8' };
const propfind = (harness: Harness, path: string, depth: string | null, body?: string) =>
  harness.fetch(path, { method: 'PROPFIND', headers: { ...XML, ...(depth === null ? {} : { depth }) }, body });

/** The hrefs of a multistatus, in order. */
const hrefs = (xml: string) => [...xml.matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((match) => match[1]);

describe('PROPFIND', () => {
  let harness: Harness;

  before(async () => {
    harness = await startPlugin();
    await mkdir(join(harness.root, 'Urlaub 2024'));
    await writeFile(join(harness.root, 'Urlaub 2024', 'Strand.JPG'), Buffer.alloc(1234, 1));
    await writeFile(join(harness.root, 'clip.mov'), Buffer.alloc(10, 2));
    await writeFile(join(harness.root, 'raw.CR3'), Buffer.alloc(10, 3));
    await writeFile(join(harness.root, 'a&b <c>.heic'), 'x');
    await writeFile(join(harness.root, 'Mädchen.txt'), 'x');
    // A decomposed (NFD) name on disk, as macOS tools leave them.
    await writeFile(join(harness.root, 'Cafe\u0301.jpg'), 'x');
  });
  after(() => harness.stop());

  it('Depth 1 lists the folder and its members with the properties Total Commander needs', async () => {
    const res = await propfind(harness, '/webdav/main/', '1');
    assert.equal(res.status, 207);
    assert.match(res.headers.get('content-type') ?? '', /^application\/xml/);
    const xml = await res.text();
    assert.deepEqual(hrefs(xml).sort(), [
      '/webdav/main/',
      // Listed in NFC whatever the disk holds; the NFC spelling reaches the file.
      '/webdav/main/Caf%C3%A9.jpg',
      '/webdav/main/M%C3%A4dchen.txt',
      '/webdav/main/Urlaub%202024/',
      '/webdav/main/a%26b%20%3Cc%3E.heic',
      '/webdav/main/clip.mov',
      '/webdav/main/raw.CR3',
    ]);
    const strand = await (await propfind(harness, '/webdav/main/Urlaub%202024/', '1')).text();
    assert.match(strand, /<D:getcontentlength>1234<\/D:getcontentlength>/);
    assert.match(strand, /<D:getcontenttype>image\/jpeg<\/D:getcontenttype>/);
    assert.match(strand, /<D:getlastmodified>\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT<\/D:getlastmodified>/);
    assert.match(strand, /<D:creationdate>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z<\/D:creationdate>/);
    assert.match(strand, /<D:getetag>"[^"]+"<\/D:getetag>/);
    assert.match(
      xml,
      /<D:href>\/webdav\/main\/Urlaub%202024\/<\/D:href><D:propstat><D:prop><D:resourcetype><D:collection\/><\/D:resourcetype>/,
    );
    assert.match(xml, /<D:displayname>a&amp;b &lt;c&gt;\.heic<\/D:displayname>/);
    assert.match(xml, /video\/quicktime/);
    assert.match(xml, /image\/x-canon-cr3/);
  });

  it('Depth 0 answers for the resource alone; a file needs no Depth header (infinity on a file is the file)', async () => {
    assert.deepEqual(hrefs(await (await propfind(harness, '/webdav/main/', '0')).text()), ['/webdav/main/']);
    const file = await propfind(harness, '/webdav/main/clip.mov', null);
    assert.equal(file.status, 207);
    assert.deepEqual(hrefs(await file.text()), ['/webdav/main/clip.mov']);
  });

  it('refuses Depth infinity (or no Depth) on a collection with 403 propfind-finite-depth', async () => {
    for (const depth of ['infinity', null]) {
      const res = await propfind(harness, '/webdav/main/', depth);
      assert.equal(res.status, 403);
      assert.match(await res.text(), /<D:error xmlns:D="DAV:"><D:propfind-finite-depth\/><\/D:error>/);
    }
  });

  it('a bad Depth is 400; a missing resource is a plain 404', async () => {
    assert.equal((await propfind(harness, '/webdav/main/', '2')).status, 400);
    const missing = await propfind(harness, '/webdav/main/nope.jpg', '0');
    assert.equal(missing.status, 404);
    assert.doesNotMatch(await missing.text(), /multistatus/);
  });

  it('serves a collection asked without its trailing slash instead of redirecting, naming the slash form in Content-Location (RFC 4918 §5.2)', async () => {
    const res = await propfind(harness, '/webdav/main/Urlaub%202024', '0');
    assert.equal(res.status, 207);
    assert.equal(res.headers.get('content-location'), '/webdav/main/Urlaub%202024/');
    assert.deepEqual(hrefs(await res.text()), ['/webdav/main/Urlaub%202024/']);
    const slashed = await propfind(harness, '/webdav/main/Urlaub%202024/', '0');
    assert.equal(slashed.status, 207);
    assert.equal(slashed.headers.get('content-location'), null, 'the slash form needs no Content-Location');
    const file = await propfind(harness, '/webdav/main/clip.mov', '0');
    assert.equal(file.status, 207);
    assert.equal(file.headers.get('content-location'), null, 'a file has no slash form');
    const root = await propfind(harness, '/webdav', '0');
    assert.equal(root.status, 207);
    assert.equal(root.headers.get('content-location'), '/webdav/');
  });

  it('prop: answers found properties with 200 and unknown ones with 404', async () => {
    const body = `<?xml version="1.0"?><propfind xmlns="DAV:" xmlns:z="urn:zoo"><prop><getcontentlength/><z:legs/><resourcetype/></prop></propfind>`;
    const xml = await (await propfind(harness, '/webdav/main/clip.mov', '0', body)).text();
    assert.match(
      xml,
      /<D:propstat><D:prop><D:getcontentlength>10<\/D:getcontentlength><D:resourcetype\/><\/D:prop><D:status>HTTP\/1.1 200 OK<\/D:status><\/D:propstat>/,
    );
    assert.match(
      xml,
      /<D:propstat><D:prop><[a-z0-9]+:legs xmlns:[a-z0-9]+="urn:zoo"\/><\/D:prop><D:status>HTTP\/1.1 404 Not Found<\/D:status><\/D:propstat>/,
    );
  });

  it('propname: names without values', async () => {
    const xml = await (
      await propfind(harness, '/webdav/main/clip.mov', '0', '<propfind xmlns="DAV:"><propname/></propfind>')
    ).text();
    assert.match(xml, /<D:getcontentlength\/>/);
    assert.match(xml, /<D:getetag\/>/);
    assert.doesNotMatch(xml, /<D:getcontentlength>/);
  });

  it('quota properties are answered on request from the file system', async () => {
    const body = '<propfind xmlns="DAV:"><prop><quota-available-bytes/><quota-used-bytes/></prop></propfind>';
    const xml = await (await propfind(harness, '/webdav/main/', '0', body)).text();
    const available = Number(/<D:quota-available-bytes>(\d+)</.exec(xml)?.[1]);
    const used = Number(/<D:quota-used-bytes>(\d+)</.exec(xml)?.[1]);
    assert.ok(available > 0 && used > 0, xml);
  });

  it('malformed or non-propfind bodies are 400', async () => {
    assert.equal((await propfind(harness, '/webdav/main/', '0', '<propfind xmlns="DAV:"><prop>')).status, 400);
    assert.equal((await propfind(harness, '/webdav/main/', '0', '<foo xmlns="DAV:"/>')).status, 400);
    assert.equal(
      (await propfind(harness, '/webdav/main/', '0', '<D:propfind xmlns:D="DAV:"><x:prop/></D:propfind>')).status,
      400,
    );
    assert.equal(
      (await propfind(harness, '/webdav/main/', '0', '<propfind xmlns="DAV:"><allprop/><propname/></propfind>')).status,
      400,
    );
  });

  it('reaches the same file under its UTF-8, Windows-1252 and decomposed spellings', async () => {
    for (const spelling of ['M%C3%A4dchen.txt', 'M%E4dchen.txt', 'Ma%CC%88dchen.txt']) {
      const res = await propfind(harness, `/webdav/main/${spelling}`, '0');
      assert.equal(res.status, 207, spelling);
      assert.deepEqual(hrefs(await res.text()), ['/webdav/main/M%C3%A4dchen.txt'], spelling);
    }
    // A file whose name is decomposed on disk is found from the composed spelling too.
    assert.equal((await harness.fetch('/webdav/main/Caf%C3%A9.jpg')).status, 200);
  });

  it('lists a large folder completely, streamed', async () => {
    const big = join(harness.root, 'big');
    await mkdir(big);
    await Promise.all(
      Array.from({ length: 3000 }, (_, i) => writeFile(join(big, `IMG_${String(i).padStart(5, '0')}.jpg`), 'x')),
    );
    const res = await propfind(harness, '/webdav/main/big/', '1');
    assert.equal(res.headers.get('transfer-encoding'), 'chunked');
    const listed = hrefs(await res.text());
    assert.equal(listed.length, 3001);
    assert.equal(new Set(listed).size, 3001);
  });
});
