/**
 * Windows Explorer (the WebClient service, "Microsoft-WebDAV-MiniRedir")
 * replayed against the running host: it cannot run here. It sends OPTIONS
 * to `/` whatever was mapped and wants `DAV: 1,2` and `MS-Author-Via: DAV`
 * there; it names folders without the trailing slash and must get an
 * answer, not a redirect; it uploads in the sequence PROPFIND (404) → PUT 0
 * bytes → LOCK (no Depth) → PROPPATCH Win32* → HEAD → PUT → PROPPATCH →
 * UNLOCK; behind a TLS proxy it sends MOVE with an absolute `https://`
 * Destination.
 *
 * Where the behaviour is documented:
 * - mar10/wsgidav#112 (the eight-step upload sequence as Explorer sends it,
 *   and what breaks when PROPPATCH is refused); swisspol/GCDWebServer#319
 *   (a wire capture: LOCK without a Depth header, `Timeout: Second-3600`,
 *   `translate: f`); OpenMarshal/npm-WebDAV-Server#34 (Windows 10 uploads
 *   fail when the PROPPATCH answer does not declare `urn:schemas-microsoft-com:`
 *   properly); messense/dav-server-rs#70 (Win32LastModifiedTime should become
 *   the file's mtime); arut/nginx-dav-ext-module#16 (no writes without LOCK
 *   and PROPPATCH); keeweb/keeweb#1154 and atareao/self-hosted#24 (an
 *   `https://` Destination reaching a plain-HTTP backend behind a proxy).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { DAV, ReplayClient, descendants, lockToken, parseMultistatus, parseXml } from '../helpers/replay.js';

const MS = 'urn:schemas-microsoft-com:';
const USER_AGENT = 'Microsoft-WebDAV-MiniRedir/10.0.19041';
const PUBLIC_HOST = 'photos.example.org';

/** The PROPFIND body Explorer sends when it looks at a file or folder. */
const EXPLORER_PROPFIND =
  '<?xml version="1.0" encoding="utf-8" ?><D:propfind xmlns:D="DAV:"><D:prop>' +
  '<D:creationdate/><D:displayname/><D:getcontentlength/><D:getlastmodified/><D:resourcetype/>' +
  '<D:getetag/><D:lockdiscovery/><D:supportedlock/></D:prop></D:propfind>';

function lockBody(owner: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8" ?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>' +
    `<D:locktype><D:write/></D:locktype><D:owner><D:href>${owner}</D:href></D:owner></D:lockinfo>`
  );
}

function win32Patch(props: Record<string, string>): string {
  const set = Object.entries(props)
    .map(([name, value]) => `<Z:${name}>${value}</Z:${name}>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="utf-8" ?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:">' +
    `<D:set><D:prop>${set}</D:prop></D:set></D:propertyupdate>`
  );
}

async function listTree(root: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) out.push(`${rel}/`, ...(await listTree(path.join(root, entry.name), `${rel}/`)));
    else out.push(rel);
  }
  return out;
}

describe('Windows Explorer (replayed)', () => {
  let host: HostProcess;
  let photos: string;
  let explorer: ReplayClient;

  before(async () => {
    host = await startHost({
      users: [{ name: 'anna', password: 'Wi-Fi pässword', groups: ['WebDAV.main'] }],
      // Behind a TLS-terminating proxy that rewrites Host (the second rename case).
      settings: { 'webdav.baseurl': `https://${PUBLIC_HOST}` },
    });
    photos = path.join(host.dataDir, 'photos');
    explorer = new ReplayClient(host.url, {
      userAgent: USER_AGENT,
      user: 'anna',
      password: 'Wi-Fi pässword',
      headers: { translate: 'f', 'Cache-Control': 'no-cache', Pragma: 'no-cache' },
    });
  });
  after(async () => {
    explorer?.close();
    await host?.stop();
  });

  it('probes the server root without credentials: DAV with class 2 and MS-Author-Via', async () => {
    for (const target of ['/', '/webdav/main']) {
      const res = await explorer.send('OPTIONS', target, { credentials: null });
      assert.equal(res.status, 200, `OPTIONS ${target}: ${res.status} ${res.text}`);
      const classes = res
        .header('dav')
        .split(',')
        .map((c) => c.trim());
      assert.ok(classes.includes('1') && classes.includes('2'), `DAV: ${res.header('dav')}`);
      assert.equal(res.header('ms-author-via'), 'DAV');
    }
  });

  it('opens the mapped folder without trailing slash: 207, never a redirect; a missing file is a plain 404', async () => {
    const res = await explorer.send('PROPFIND', '/webdav/main', {
      headers: { Depth: '0', 'Content-Type': 'text/xml; charset="utf-8"' },
      body: EXPLORER_PROPFIND,
    });
    assert.equal(res.status, 207, res.text);
    const [folder] = parseMultistatus(res.text);
    assert.equal(folder!.path, '/webdav/main/');
    assert.ok(
      folder!.prop(DAV, 'resourcetype') &&
        descendants(folder!.prop(DAV, 'resourcetype')!, DAV, 'collection').length === 1,
    );

    const listing = await explorer.send('PROPFIND', '/webdav/main', {
      headers: { Depth: '1' },
      body: EXPLORER_PROPFIND,
    });
    assert.equal(listing.status, 207);
    const names = parseMultistatus(listing.text).map((r) => r.path);
    for (const sample of (await readdir(photos)).filter((n) => n.endsWith('.jpg')))
      assert.ok(names.includes(`/webdav/main/${sample}`), names.join());

    // Explorer also looks at the parent of what was mapped.
    const parent = await explorer.send('PROPFIND', '/webdav', { headers: { Depth: '0' }, body: EXPLORER_PROPFIND });
    assert.equal(parent.status, 207, parent.text);
    assert.equal(parseMultistatus(parent.text)[0]!.path, '/webdav/');

    const missing = await explorer.send('PROPFIND', '/webdav/main/desktop.ini', {
      headers: { Depth: '0' },
      body: EXPLORER_PROPFIND,
    });
    assert.equal(missing.status, 404);
    assert.doesNotMatch(missing.text, /multistatus/);
  });

  it('uploads a photo the way Explorer does: PUT 0 bytes, LOCK, Win32 PROPPATCH, PUT, PROPPATCH, UNLOCK', async () => {
    const target = '/webdav/main/Neues%20Foto%20%C3%A4.jpg';
    const onDisk = path.join(photos, 'Neues Foto ä.jpg');
    const content = randomBytes(300_000);
    const created = 'Tue, 03 Jun 2025 07:15:42 GMT';
    const modified = 'Sat, 14 Jun 2025 10:20:30 GMT';

    // 1. Does it exist?
    assert.equal(
      (await explorer.send('PROPFIND', target, { headers: { Depth: '0' }, body: EXPLORER_PROPFIND })).status,
      404,
    );

    // 2. Create it empty.
    const empty = await explorer.send('PUT', target, { body: '' });
    assert.equal(empty.status, 201, empty.text);
    assert.equal((await stat(onDisk)).size, 0);

    // 3. LOCK without a Depth header, an owner href and a one-hour timeout.
    const lock = await explorer.send('LOCK', target, {
      headers: { 'Content-Type': 'text/xml; charset="utf-8"', Timeout: 'Second-3600' },
      body: lockBody('WORKGROUP\\anna'),
    });
    assert.equal(lock.status, 200, lock.text);
    const token = lockToken(lock);
    const activelock = descendants(parseXml(lock.text), DAV, 'activelock');
    assert.equal(activelock.length, 1);
    assert.equal(descendants(activelock[0]!, DAV, 'locktoken')[0]!.text.trim(), token);
    assert.equal(descendants(activelock[0]!, DAV, 'owner')[0]!.text.trim(), 'WORKGROUP\\anna');
    assert.match(descendants(activelock[0]!, DAV, 'timeout')[0]!.text.trim(), /^Second-\d+$/);
    const ifToken = `(<${token}>)`;

    // While locked, a write without the token is refused and changes nothing.
    assert.equal((await explorer.send('PUT', target, { body: 'intruder' })).status, 423);
    assert.equal((await stat(onDisk)).size, 0);

    // 4. PROPPATCH the Win32 times; the 207 must declare the Microsoft namespace properly.
    const patch = await explorer.send('PROPPATCH', target, {
      headers: { 'Content-Type': 'text/xml; charset="utf-8"', If: ifToken },
      body: win32Patch({
        Win32CreationTime: created,
        Win32LastAccessTime: modified,
        Win32LastModifiedTime: modified,
        Win32FileAttributes: '00000020',
      }),
    });
    assert.equal(patch.status, 207, patch.text);
    const [patched] = parseMultistatus(patch.text); // throws on an undeclared prefix
    for (const name of ['Win32CreationTime', 'Win32LastAccessTime', 'Win32LastModifiedTime', 'Win32FileAttributes']) {
      assert.equal(patched!.statusOf(MS, name), 200, `${name} in ${patch.text}`);
    }

    // 5. HEAD, 6. the content, with the token.
    const head = await explorer.send('HEAD', target);
    assert.equal(head.status, 200);
    assert.equal(head.header('content-length'), '0');
    const put = await explorer.send('PUT', target, {
      headers: { If: ifToken, 'Content-Type': 'image/jpeg' },
      body: content,
    });
    assert.equal(put.status, 204, put.text);

    // 7. PROPPATCH again (Explorer repeats the times after writing), 8. UNLOCK.
    const repatch = await explorer.send('PROPPATCH', target, {
      headers: { 'Content-Type': 'text/xml; charset="utf-8"', If: ifToken },
      body: win32Patch({ Win32LastModifiedTime: modified, Win32FileAttributes: '00000020' }),
    });
    assert.equal(repatch.status, 207, repatch.text);
    assert.equal(parseMultistatus(repatch.text)[0]!.statusOf(MS, 'Win32LastModifiedTime'), 200);
    const unlock = await explorer.send('UNLOCK', target, { headers: { 'Lock-Token': `<${token}>` } });
    assert.equal(unlock.status, 204, unlock.text);

    // On the server: every byte, the photo's own date, no lock, no temporary file.
    assert.deepEqual(await readFile(onDisk), content);
    assert.equal((await stat(onDisk)).mtime.getTime(), Date.parse(modified));
    const check = await explorer.send('PROPFIND', target, { headers: { Depth: '0' }, body: EXPLORER_PROPFIND });
    const [info] = parseMultistatus(check.text);
    assert.equal(info!.prop(DAV, 'getlastmodified')!.text, modified);
    assert.equal(info!.prop(DAV, 'getcontentlength')!.text, String(content.length));
    assert.equal(descendants(info!.prop(DAV, 'lockdiscovery')!, DAV, 'activelock').length, 0);
    // The Win32 properties Explorer reads back are the ones it stored.
    const win32 = await explorer.send('PROPFIND', target, {
      headers: { Depth: '0' },
      body: '<?xml version="1.0" encoding="utf-8" ?><D:propfind xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:prop><Z:Win32CreationTime/><Z:Win32FileAttributes/></D:prop></D:propfind>',
    });
    const [stored] = parseMultistatus(win32.text);
    assert.equal(stored!.prop(MS, 'Win32CreationTime')?.text, created);
    assert.equal(stored!.prop(MS, 'Win32FileAttributes')?.text, '00000020');
    assert.deepEqual(
      (await readdir(photos)).filter((n) => n.startsWith('.~')),
      [],
    );
  });

  it('copies a folder from the desktop: MKCOL, Win32 PROPPATCH on the folder, then each file the Explorer way', async () => {
    const folderTime = 'Mon, 02 Jun 2025 18:00:00 GMT';
    assert.equal(
      (
        await explorer.send('PROPFIND', '/webdav/main/Vom%20Desktop', {
          headers: { Depth: '0' },
          body: EXPLORER_PROPFIND,
        })
      ).status,
      404,
    );
    assert.equal((await explorer.send('MKCOL', '/webdav/main/Vom%20Desktop')).status, 201);
    const patch = await explorer.send('PROPPATCH', '/webdav/main/Vom%20Desktop', {
      headers: { 'Content-Type': 'text/xml; charset="utf-8"' },
      body: win32Patch({
        Win32CreationTime: folderTime,
        Win32LastAccessTime: folderTime,
        Win32LastModifiedTime: folderTime,
        Win32FileAttributes: '00000010',
      }),
    });
    assert.equal(patch.status, 207, patch.text);
    assert.equal(parseMultistatus(patch.text)[0]!.statusOf(MS, 'Win32FileAttributes'), 200);

    const files = { 'Bild 1.jpg': randomBytes(64_000), 'Bild 2.jpg': randomBytes(1_000) };
    for (const [name, content] of Object.entries(files)) {
      const target = `/webdav/main/Vom%20Desktop/${encodeURIComponent(name)}`;
      assert.equal((await explorer.send('PUT', target, { body: '' })).status, 201);
      const lock = await explorer.send('LOCK', target, {
        headers: { Timeout: 'Second-3600' },
        body: lockBody('WORKGROUP\\anna'),
      });
      assert.equal(lock.status, 200, lock.text);
      const ifToken = `(<${lockToken(lock)}>)`;
      const times = win32Patch({
        Win32LastModifiedTime: 'Fri, 30 May 2025 12:00:00 GMT',
        Win32FileAttributes: '00000020',
      });
      assert.equal((await explorer.send('PROPPATCH', target, { headers: { If: ifToken }, body: times })).status, 207);
      assert.equal((await explorer.send('HEAD', target)).status, 200);
      assert.equal((await explorer.send('PUT', target, { headers: { If: ifToken }, body: content })).status, 204);
      assert.equal((await explorer.send('PROPPATCH', target, { headers: { If: ifToken }, body: times })).status, 207);
      assert.equal(
        (await explorer.send('UNLOCK', target, { headers: { 'Lock-Token': `<${lockToken(lock)}>` } })).status,
        204,
      );
      assert.deepEqual(await readFile(path.join(photos, 'Vom Desktop', name)), content);
      assert.equal(
        (await stat(path.join(photos, 'Vom Desktop', name))).mtime.getTime(),
        Date.parse('Fri, 30 May 2025 12:00:00 GMT'),
      );
    }

    // The folder, named without its trailing slash, lists its members under it.
    const listing = await explorer.send('PROPFIND', '/webdav/main/Vom%20Desktop', {
      headers: { Depth: '1' },
      body: EXPLORER_PROPFIND,
    });
    assert.equal(listing.status, 207);
    assert.deepEqual(
      parseMultistatus(listing.text).map((r) => r.href),
      [
        '/webdav/main/Vom%20Desktop/',
        '/webdav/main/Vom%20Desktop/Bild%201.jpg',
        '/webdav/main/Vom%20Desktop/Bild%202.jpg',
      ],
    );
  });

  it('renames with an absolute https:// Destination while the server speaks http', async () => {
    await writeFile(path.join(photos, 'IMG_0001.JPG'), 'first');
    await writeFile(path.join(photos, 'IMG_0002.JPG'), 'second');

    // The proxy keeps the Host header: the Destination names the same authority.
    const kept = await explorer.send('MOVE', '/webdav/main/IMG_0001.JPG', {
      headers: {
        Host: PUBLIC_HOST,
        Destination: `https://${PUBLIC_HOST}/webdav/main/Sommer%202025.jpg`,
        Overwrite: 'F',
      },
    });
    assert.equal(kept.status, 201, kept.text);
    assert.equal(await readFile(path.join(photos, 'Sommer 2025.jpg'), 'utf8'), 'first');

    // The proxy rewrites Host to the backend's address: webdav.baseurl names the public one.
    const rewritten = await explorer.send('MOVE', '/webdav/main/IMG_0002.JPG', {
      headers: { Destination: `https://${PUBLIC_HOST}/webdav/main/Winter%202025.jpg`, Overwrite: 'F' },
    });
    assert.equal(rewritten.status, 201, rewritten.text);
    assert.equal(await readFile(path.join(photos, 'Winter 2025.jpg'), 'utf8'), 'second');

    // Overwrite: F onto an existing name is refused and both files stay.
    const clash = await explorer.send('MOVE', '/webdav/main/Winter%202025.jpg', {
      headers: { Destination: `https://${PUBLIC_HOST}/webdav/main/Sommer%202025.jpg`, Overwrite: 'F' },
    });
    assert.equal(clash.status, 412);
    assert.equal(await readFile(path.join(photos, 'Sommer 2025.jpg'), 'utf8'), 'first');
    assert.equal(await readFile(path.join(photos, 'Winter 2025.jpg'), 'utf8'), 'second');
    const names = await readdir(photos);
    assert.ok(!names.includes('IMG_0001.JPG') && !names.includes('IMG_0002.JPG'), names.join());

    // "Replace the file in the destination": the same MOVE with Overwrite: T.
    const replace = await explorer.send('MOVE', '/webdav/main/Winter%202025.jpg', {
      headers: { Destination: `https://${PUBLIC_HOST}/webdav/main/Sommer%202025.jpg`, Overwrite: 'T' },
    });
    assert.equal(replace.status, 204, replace.text);
    assert.equal(await readFile(path.join(photos, 'Sommer 2025.jpg'), 'utf8'), 'second');
    assert.ok(!(await readdir(photos)).includes('Winter 2025.jpg'));
  });

  it('copies a folder (COPY Depth infinity, Overwrite F) and deletes a folder tree', async () => {
    const album = path.join(photos, 'Urlaub');
    await mkdir(path.join(album, 'Tag 1'), { recursive: true });
    await writeFile(path.join(album, 'Tag 1', 'Strand.jpg'), randomBytes(40_000));
    await writeFile(path.join(album, 'Übersicht.txt'), 'Liste');
    const original = await listTree(album);

    const copy = await explorer.send('COPY', '/webdav/main/Urlaub', {
      headers: {
        Depth: 'infinity',
        Overwrite: 'F',
        Destination: `https://${PUBLIC_HOST}/webdav/main/Urlaub%20-%20Kopie`,
      },
    });
    assert.equal(copy.status, 201, copy.text);
    const copied = path.join(photos, 'Urlaub - Kopie');
    assert.deepEqual(await listTree(copied), original);
    assert.deepEqual(
      await readFile(path.join(copied, 'Tag 1', 'Strand.jpg')),
      await readFile(path.join(album, 'Tag 1', 'Strand.jpg')),
    );

    // Copying again without Overwrite is refused and leaves both trees alone.
    const again = await explorer.send('COPY', '/webdav/main/Urlaub', {
      headers: {
        Depth: 'infinity',
        Overwrite: 'F',
        Destination: `https://${PUBLIC_HOST}/webdav/main/Urlaub%20-%20Kopie`,
      },
    });
    assert.equal(again.status, 412);
    assert.deepEqual(await listTree(copied), original);

    // Delete the copy (Explorer names folders without the trailing slash).
    const del = await explorer.send('DELETE', '/webdav/main/Urlaub%20-%20Kopie');
    assert.equal(del.status, 204, del.text);
    assert.ok(!(await readdir(photos)).includes('Urlaub - Kopie'));
    assert.deepEqual(await listTree(album), original);
    assert.equal(
      (
        await explorer.send('PROPFIND', '/webdav/main/Urlaub%20-%20Kopie', {
          headers: { Depth: '0' },
          body: EXPLORER_PROPFIND,
        })
      ).status,
      404,
    );
  });
});
