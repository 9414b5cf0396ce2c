/**
 * The date view (docs/photo-shares.md): a read-only share that shows the
 * photos of another by capture month, served from the real files.
 */
import assert from 'node:assert/strict';
import { rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { jpegWithExif, jpegWithoutExif, mp4WithCreationTime, writeFixture } from '../helpers/media-fixtures.js';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';
import { postgresForThisFile, postgresSuites } from '../helpers/postgres.js';

const MAY = '/webdav/dates/2024/2024-05/';
const first = jpegWithExif({ dateTimeOriginal: '2024:05:17 14:03:22', seed: 1 });
const second = jpegWithExif({ dateTimeOriginal: '2024:05:20 09:00:00', seed: 2 });
const undated = jpegWithoutExif(3);
const clip = mp4WithCreationTime(new Date('2023-12-15T12:00:00Z'));

async function propfind(h: Harness, path: string, depth = '1', user = 'alice') {
  const res = await h.fetch(path, { method: 'PROPFIND', headers: { depth }, user });
  return { status: res.status, body: await res.text() };
}

/** The member names of a Depth 1 listing (the folder itself left out), decoded and sorted. */
function members(body: string, folder: string): string[] {
  return [...body.matchAll(/<D:href>([^<]*)<\/D:href>/g)]
    .map((m) => decodeURIComponent(m[1]!))
    .filter((href) => href !== folder)
    .map((href) => href.slice(folder.length).replace(/\/$/, ''))
    .sort();
}

async function until<T>(what: string, probe: () => Promise<T | null>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = await probe();
    if (found !== null) return found;
    await sleep(50);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** SQLite, where the view keeps what it read; PostgreSQL, shared with other instances, where it may not. */
const DATABASES: { label: string; url: () => Promise<string | undefined> }[] = [
  { label: '', url: async () => undefined },
  ...(postgresSuites() ? [{ label: ' on PostgreSQL', url: async () => (await postgresForThisFile()).url }] : []),
];
if (!postgresSuites())
  test('a date view on PostgreSQL', (t) => t.skip('PostgreSQL is not installed (Debian package postgresql)'));

for (const { label, url } of DATABASES)
  describe(`a date view${label}`, () => {
    let h: Harness;
    before(async () => {
      const database = await url();
      h = await startPlugin({
        ...(database ? { database } : {}),
        settings: { 'robot.root.0.webdavdatemount': 'dates' },
        users: {
          alice: { password: 'alice-pw', groups: ['WebDAV.main', 'WebDAV.dates'] },
          bob: { password: 'bob-pw', groups: ['WebDAV.main'] },
        },
        prepare: async (root) => {
          await writeFixture(root, 'photos/a.jpg', first);
          await writeFixture(root, 'photos/b/A.JPG', second);
          await writeFixture(root, 'scans/old.jpg', undated, new Date('2001-02-03T04:05:06Z'));
          await writeFixture(root, 'clips/clip.mp4', clip);
          await writeFixture(root, 'notes.txt', Buffer.from('not a photo'));
          await writeFixture(root, 'photos/.hidden.jpg', first);
        },
      });
      // The first scan runs in the background.
      await until('the first scan', async () => {
        const { status, body } = await propfind(h, MAY);
        return status === 207 && members(body, MAY).length === 2 ? true : null;
      });
    });
    after(() => h.stop());

    test('lists years, months and undated files; two files of a month named alike get " (2)", oldest first', async () => {
      const root = await propfind(h, '/webdav/dates/');
      assert.equal(root.status, 207);
      assert.deepEqual(members(root.body, '/webdav/dates/'), ['2023', '2024', 'undated']);
      assert.deepEqual(members((await propfind(h, '/webdav/dates/2024/')).body, '/webdav/dates/2024/'), ['2024-05']);
      const may = await propfind(h, MAY);
      assert.deepEqual(members(may.body, MAY), ['A (2).JPG', 'a.jpg']);
      assert.deepEqual(members((await propfind(h, '/webdav/dates/undated/')).body, '/webdav/dates/undated/'), [
        'old.jpg',
      ]);
      const dec = '/webdav/dates/2023/2023-12/';
      assert.deepEqual(members((await propfind(h, dec)).body, dec), ['clip.mp4']);
      // Names stay put from one listing to the next.
      assert.equal((await propfind(h, MAY)).body, may.body);
    });

    test("creationdate is the capture time; size and ETag are the real file's", async () => {
      const one = await propfind(h, `${MAY}a.jpg`, '0');
      assert.equal(one.status, 207);
      assert.match(one.body, /<D:creationdate>2024-05-17T14:03:22Z<\/D:creationdate>/);
      assert.match(one.body, new RegExp(`<D:getcontentlength>${first.length}</D:getcontentlength>`));
      const real = await h.fetch('/webdav/main/photos/a.jpg', { method: 'HEAD' });
      const viewed = await h.fetch(`${MAY}a.jpg`, { method: 'HEAD' });
      assert.equal(viewed.headers.get('etag'), real.headers.get('etag'));
      assert.ok(one.body.includes(`<D:getetag>${real.headers.get('etag')!}</D:getetag>`), one.body);
    });

    test('GET serves the original byte for byte, with ranges and conditional requests', async () => {
      const whole = await h.fetch(`${MAY}A%20(2).JPG`);
      assert.equal(whole.status, 200);
      assert.deepEqual(Buffer.from(await whole.arrayBuffer()), second);
      const range = await h.fetch(`${MAY}a.jpg`, { headers: { range: 'bytes=2-9' } });
      assert.equal(range.status, 206);
      assert.deepEqual(Buffer.from(await range.arrayBuffer()), first.subarray(2, 10));
      const etag = whole.headers.get('etag')!;
      const again = await h.fetch(`${MAY}A%20(2).JPG`, { headers: { 'if-none-match': etag } });
      assert.equal(again.status, 304);
      assert.equal((await h.fetch(`${MAY}missing.jpg`)).status, 404);
      assert.equal((await h.fetch('/webdav/dates/2024/2024-13/')).status, 404);
      assert.equal((await h.fetch('/webdav/dates/2025/2024-05/a.jpg')).status, 404);
    });

    test('every write answers 403 and changes nothing', async () => {
      const attempts: [string, string, Record<string, string>][] = [
        ['PUT', `${MAY}new.jpg`, {}],
        ['PUT', `${MAY}a.jpg`, {}],
        ['DELETE', `${MAY}a.jpg`, {}],
        ['MKCOL', `${MAY}folder/`, {}],
        ['MOVE', `${MAY}a.jpg`, { destination: '/webdav/main/moved.jpg' }],
        ['COPY', `${MAY}a.jpg`, { destination: '/webdav/main/copied.jpg' }],
        ['COPY', '/webdav/main/photos/a.jpg', { destination: `${MAY}copied.jpg` }],
        ['PROPPATCH', `${MAY}a.jpg`, {}],
        ['LOCK', `${MAY}a.jpg`, {}],
      ];
      for (const [method, path, headers] of attempts) {
        const res = await h.fetch(path, { method, headers, body: method === 'PUT' ? 'x' : undefined });
        assert.equal(res.status, 403, `${method} ${path}`);
      }
      assert.deepEqual(members((await propfind(h, MAY)).body, MAY), ['A (2).JPG', 'a.jpg']);
      assert.equal((await h.fetch('/webdav/main/photos/a.jpg')).status, 200);
    });

    test('only members of WebDAV.<view> see it', async () => {
      // As for any share the caller does not belong to (security/access.test.ts).
      assert.equal((await propfind(h, MAY, '1', 'bob')).status, 403);
      const roots = members((await propfind(h, '/webdav/', '1', 'bob')).body, '/webdav/');
      assert.deepEqual(roots, ['main']);
      assert.deepEqual(members((await propfind(h, '/webdav/')).body, '/webdav/'), ['dates', 'main']);
    });

    test('WebDAV writes to the share show in the view at once', async () => {
      const jan = '/webdav/dates/2022/2022-01/';
      const put = await h.fetch('/webdav/main/new.jpg', {
        method: 'PUT',
        body: new Uint8Array(jpegWithExif({ dateTimeOriginal: '2022:01:02 03:04:05', seed: 9 })),
      });
      assert.equal(put.status, 201);
      assert.deepEqual(members((await propfind(h, jan)).body, jan), ['new.jpg']);

      const move = await h.fetch('/webdav/main/photos/b/', {
        method: 'MOVE',
        headers: { destination: '/webdav/main/elsewhere/' },
      });
      assert.equal(move.status, 201);
      const moved = await h.fetch(`${MAY}A%20(2).JPG`);
      assert.deepEqual(Buffer.from(await moved.arrayBuffer()), second);

      assert.equal((await h.fetch('/webdav/main/new.jpg', { method: 'DELETE' })).status, 204);
      assert.equal((await propfind(h, jan)).status, 404);
    });

    test('photos written on disk by another program, in a new folder too, appear without waiting for a scan (folder watches)', async () => {
      const july = '/webdav/dates/2021/2021-07/';
      await writeFixture(
        h.root,
        'from-camera/card/DSC_0001.JPG',
        jpegWithExif({ dateTimeOriginal: '2021:07:04 18:00:00', seed: 11 }),
      );
      const listed = await until('the watch to see the new photo', async () => {
        const { status, body } = await propfind(h, july);
        return status === 207 && members(body, july).length === 1 ? members(body, july) : null;
      });
      assert.deepEqual(listed, ['DSC_0001.JPG']);
      await rm(join(h.root, 'from-camera'), { recursive: true });
      await until('the watch to see it go', async () => ((await propfind(h, july)).status === 404 ? true : null));
    });

    test('a file deleted on disk leaves the listing at once; one changed on disk keeps serving its new bytes', async () => {
      const put = await h.fetch('/webdav/main/scans/trigger.jpg', {
        method: 'PUT',
        body: new Uint8Array(jpegWithoutExif(6)),
      });
      assert.equal(put.status, 201);
      const before = members((await propfind(h, '/webdav/dates/undated/')).body, '/webdav/dates/undated/');
      assert.deepEqual(before, ['old.jpg', 'trigger.jpg']);
      await rm(join(h.root, 'scans/trigger.jpg'));
      const listed = members((await propfind(h, '/webdav/dates/undated/')).body, '/webdav/dates/undated/');
      assert.ok(!listed.includes('trigger.jpg'), listed.join());
      await utimes(join(h.root, 'scans/old.jpg'), new Date(), new Date());
      assert.equal((await h.fetch('/webdav/dates/undated/old.jpg')).status, 200);
    });
  });
