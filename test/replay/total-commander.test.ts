/**
 * Total Commander's WebDAV file-system plugin (webdav.wfx) replayed against
 * the running host: it cannot run here. It sends COPY/MOVE Destination as an
 * absolute path starting with `/`, and non-ASCII names percent-encoded in
 * the Windows ANSI code page (`Mädchen.txt` as `M%E4dchen.txt`; FileZilla
 * sends `M%C3%A4dchen`), both of which must reach the same file, with
 * listings always in UTF-8; it reads resourcetype, getcontentlength and
 * getlastmodified (RFC 1123) in Depth 1 listings. So request URLs that are
 * not valid UTF-8 are decoded as Windows-1252 (README.md: names "from Total
 * Commander, Windows-1252 reach the same file"), and Destination may be a
 * full URL or an absolute path (RFC 4918 §10.3 allows both).
 *
 * Where the behaviour is documented:
 * - sigoden/dufs#585 (the same upload of `Freche Mädchen.txt`: FileZilla sends
 *   `Freche%20M%C3%A4dchen.txt` and gets 201, Total Commander's plugin sends
 *   `Freche%20M%E4dchen.txt` and gets 400); ramondeklein/nwebdav#9 ("Some
 *   clients (TotalCommander) sends relative url in Destination header").
 *
 * The plugin's User-Agent below is illustrative; nothing on the server
 * depends on it.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { DAV, ReplayClient, descendants, parseMultistatus } from '../helpers/replay.js';

const USER_AGENT = 'Total Commander WebDAV plugin';
/** RFC 1123 / IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`. */
const RFC1123 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const LIST_PROPFIND =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop>' +
  '<D:resourcetype/><D:getcontentlength/><D:getlastmodified/></D:prop></D:propfind>';

describe('Total Commander (replayed)', () => {
  let host: HostProcess;
  let photos: string;
  let tc: ReplayClient;

  before(async () => {
    host = await startHost({ users: [{ name: 'tom', password: 'tom-pw', groups: ['WebDAV.main'] }] });
    photos = path.join(host.dataDir, 'photos');
    tc = new ReplayClient(host.url, { userAgent: USER_AGENT, user: 'tom', password: 'tom-pw' });
  });
  after(async () => {
    tc?.close();
    await host?.stop();
  });

  it('M%E4dchen.txt (Windows-1252) and M%C3%A4dchen.txt (UTF-8) reach one file, stored as UTF-8', async () => {
    const ansi = await tc.send('PUT', '/webdav/main/Freche%20M%E4dchen.txt', { body: 'von Total Commander' });
    assert.equal(ansi.status, 201, ansi.text);
    assert.ok((await readdir(photos)).includes('Freche Mädchen.txt'));

    const utf8 = await tc.send('GET', '/webdav/main/Freche%20M%C3%A4dchen.txt');
    assert.equal(utf8.status, 200);
    assert.equal(utf8.text, 'von Total Commander');

    // FileZilla replaces it through the UTF-8 name: the same file, not a second one.
    const replaced = await tc.send('PUT', '/webdav/main/Freche%20M%C3%A4dchen.txt', { body: 'von FileZilla' });
    assert.equal(replaced.status, 204, replaced.text);
    const ansiGet = await tc.send('GET', '/webdav/main/Freche%20M%E4dchen.txt');
    assert.equal(ansiGet.text, 'von FileZilla');
    assert.deepEqual(
      (await readdir(photos)).filter((n) => n.includes('dchen')),
      ['Freche Mädchen.txt'],
    );

    // A folder in the ANSI code page, and a file in it.
    assert.equal((await tc.send('MKCOL', '/webdav/main/%DCbersicht')).status, 201);
    assert.equal((await tc.send('PUT', '/webdav/main/%DCbersicht/Gr%FC%DFe%20%80.txt', { body: 'Euro' })).status, 201);
    assert.equal(await readFile(path.join(photos, 'Übersicht', 'Grüße €.txt'), 'utf8'), 'Euro');
  });

  it('lists Depth 1 in UTF-8 with resourcetype, getcontentlength and RFC 1123 getlastmodified', async () => {
    await mkdir(path.join(photos, 'Mädchen-Album'), { recursive: true });
    await writeFile(path.join(photos, 'Mädchen-Album', 'Foto ß.jpg'), Buffer.alloc(1234, 7));

    for (const target of ['/webdav/main/', '/webdav/main/M%E4dchen-Album/']) {
      const res = await tc.send('PROPFIND', target, {
        headers: { Depth: '1', 'Content-Type': 'text/xml' },
        body: LIST_PROPFIND,
      });
      assert.equal(res.status, 207, `${target}: ${res.text}`);
      assert.match(res.header('content-type'), /charset="?utf-8"?/i);
      assert.ok(!res.text.includes('\uFFFD'), 'the answer is valid UTF-8');
      const entries = parseMultistatus(res.text);
      assert.ok(entries.length >= 2, res.text);
      for (const entry of entries) {
        // Hrefs percent-encode UTF-8, whatever encoding the request used.
        assert.doesNotMatch(entry.href, /%E4|%DF|%DC/, entry.href);
        const type = entry.prop(DAV, 'resourcetype');
        assert.ok(type, `resourcetype of ${entry.href}`);
        const isCollection = descendants(type!, DAV, 'collection').length === 1;
        assert.equal(isCollection, entry.href.endsWith('/'), entry.href);
        assert.match(entry.prop(DAV, 'getlastmodified')?.text ?? '', RFC1123, `getlastmodified of ${entry.href}`);
        if (!isCollection)
          assert.match(entry.prop(DAV, 'getcontentlength')?.text ?? '', /^\d+$/, `getcontentlength of ${entry.href}`);
      }
      if (target.includes('Album')) {
        const photo = entries.find((e) => e.path === '/webdav/main/Mädchen-Album/Foto ß.jpg');
        assert.ok(photo, entries.map((e) => e.path).join());
        assert.ok(photo.href.includes('M%C3%A4dchen-Album/Foto%20%C3%9F.jpg'), photo.href);
        assert.equal(photo.prop(DAV, 'getcontentlength')!.text, '1234');
      }
    }
  });

  it('COPY and MOVE with Destination as an absolute path, in either encoding', async () => {
    await writeFile(path.join(photos, 'Käse.jpg'), 'cheese');

    const copy = await tc.send('COPY', '/webdav/main/K%E4se.jpg', {
      headers: { Destination: '/webdav/main/K%E4se%20Kopie.jpg', Overwrite: 'T' },
    });
    assert.equal(copy.status, 201, copy.text);
    assert.equal(await readFile(path.join(photos, 'Käse Kopie.jpg'), 'utf8'), 'cheese');

    const move = await tc.send('MOVE', '/webdav/main/K%C3%A4se%20Kopie.jpg', {
      headers: { Destination: '/webdav/main/%DCbersicht/K%C3%A4se%20verschoben.jpg', Overwrite: 'T' },
    });
    assert.equal(move.status, 201, move.text);
    assert.equal(await readFile(path.join(photos, 'Übersicht', 'Käse verschoben.jpg'), 'utf8'), 'cheese');
    assert.ok(!(await readdir(photos)).includes('Käse Kopie.jpg'));

    // Overwrite: T onto an existing file replaces it (204), leaving one file.
    const over = await tc.send('COPY', '/webdav/main/K%E4se.jpg', {
      headers: { Destination: '/webdav/main/%DCbersicht/K%E4se%20verschoben.jpg', Overwrite: 'T' },
    });
    assert.equal(over.status, 204, over.text);
    assert.deepEqual(
      (await readdir(path.join(photos, 'Übersicht'))).filter((n) => n.startsWith('K')),
      ['Käse verschoben.jpg'],
    );

    // A folder moved by absolute path, with its content.
    const folder = await tc.send('MOVE', '/webdav/main/%DCbersicht/', {
      headers: { Destination: '/webdav/main/Archiv%20%DCbersicht/', Overwrite: 'F' },
    });
    assert.equal(folder.status, 201, folder.text);
    assert.deepEqual((await readdir(path.join(photos, 'Archiv Übersicht'))).sort(), [
      'Grüße €.txt',
      'Käse verschoben.jpg',
    ]);
    assert.ok(!(await readdir(photos)).includes('Übersicht'));
  });
});
