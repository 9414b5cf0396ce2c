import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { appendFile, link, mkdir, readFile, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FsStore, etagOf, type FsStoreOptions } from '../../plugin/store/fs-store.js';
import { StoreError } from '../../plugin/store/errors.js';
import type { ResourceInfo, StorePath } from '../../plugin/store/store.js';
import type { Logger } from '../../plugin/host-api.js';
import { openFiles, tempFolder } from '../helpers/system.js';
import { FakeWatchers } from '../helpers/fake-watchers.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;

/** Folders this process watches with inotify, from /proc (Linux). */
function inotifyWatches(): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    try {
      count += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('inotify wd:')).length;
    } catch {
      // Closed while we looked.
    }
  }
  return count;
}

async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(what);
}

async function setup(t: Parameters<typeof tempFolder>[0], options: FsStoreOptions = {}) {
  const outer = realpathSync(await tempFolder(t, 'fs-store-'));
  const root = join(outer, 'share');
  await mkdir(join(root, 'album', '2024'), { recursive: true });
  await writeFile(join(root, 'album', '2024', 'photo.jpg'), 'a photo');
  await writeFile(join(root, 'top.jpg'), 'top');
  await mkdir(join(outer, 'outside'));
  await writeFile(join(outer, 'outside', 'secret.txt'), 'SECRET');
  const store = new FsStore(root, quiet, options);
  t.after(() => store.close());
  return { outer, root, store };
}

async function names(store: FsStore, path: StorePath): Promise<string[]> {
  const found: string[] = [];
  for await (const batch of store.list(path)) found.push(...batch.map((info) => info.name));
  return found.sort();
}

async function infosOf(store: FsStore, path: StorePath): Promise<ResourceInfo[]> {
  const found: ResourceInfo[] = [];
  for await (const batch of store.list(path)) found.push(...batch);
  return found;
}

/** Each entry of a listing as name: size, in the order listed. */
async function sizes(store: FsStore, path: StorePath): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for await (const batch of store.list(path)) for (const info of batch) found[info.name] = info.size;
  return found;
}

/** A store whose watchers fire only when the test says: a change on disk stays unseen until then. */
async function silentSetup(t: Parameters<typeof tempFolder>[0], options: FsStoreOptions = {}) {
  const watchers = new FakeWatchers();
  let now = 0;
  const made = await setup(t, { ...options, folders: { watch: watchers.watch, now: () => now, ...options.folders } });
  return { ...made, watchers, advance: (ms: number) => (now += ms) };
}

async function content(store: FsStore, path: StorePath): Promise<string | null> {
  const file = await store.open(path);
  if (!file) return null;
  try {
    return (await file.bytes()).toString();
  } finally {
    file.close();
  }
}

async function* body(...chunks: string[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield Buffer.from(chunk);
}

const isOutside = (error: unknown) => error instanceof StoreError && error.kind === 'outside-share';

test('open(): the description comes from the opened file; a folder opens as a collection', async (t) => {
  const { root, store } = await setup(t);
  const file = (await store.open(['album', '2024', 'photo.jpg']))!;
  const onDisk = await stat(join(root, 'album', '2024', 'photo.jpg'), { bigint: true });
  assert.equal(file.info.etag, etagOf(onDisk));
  assert.equal(file.info.size, 7);
  assert.equal((await file.bytes()).toString(), 'a photo');
  file.close();
  const folder = (await store.open(['album']))!;
  assert.equal(folder.info.isCollection, true);
  folder.close();
  assert.equal((await store.open([]))!.info.isCollection, true);
  assert.equal(await store.open(['album', 'missing.jpg']), null);
  assert.equal(await store.open(['top.jpg', 'below-a-file']), null);
  assert.equal(await store.open(['.~webdav-upload-x.part']), null);
});

for (const [mode, onTheSpot] of [
  ['on the spot', { slowMs: Infinity }],
  ['through the pool (every call counts as slow)', { slowMs: -1 }],
] as const) {
  test(`open() of small files ${mode}: the same bytes, links and odd names handled, nothing outside`, async (t) => {
    const { root, outer, store } = await setup(t, { onTheSpot });
    await new Promise((resolve) => setTimeout(resolve, 50)); // the store learns that its disk is local
    for (let round = 0; round < 3; round++) {
      const file = (await store.open(['album', '2024', 'photo.jpg']))!;
      assert.equal((await file.bytes()).toString(), 'a photo');
      assert.equal((await file.bytes({ start: 2, end: 4 })).toString(), 'pho');
      file.close();
    }
    await symlink(join(root, 'top.jpg'), join(root, 'link.jpg'));
    assert.equal((await (await store.open(['link.jpg']))!.bytes()).toString(), 'top');
    await symlink(join(outer, 'outside', 'secret.txt'), join(root, 'out.jpg'));
    await assert.rejects(
      store.open(['out.jpg']),
      (error) => error instanceof StoreError && error.kind === 'outside-share',
    );
    await writeFile(join(root, 'Cafe\u0301.jpg'), 'nfd'); // as macOS leaves names
    assert.equal((await (await store.open(['Café.jpg']))!.bytes()).toString(), 'nfd');
    assert.equal(await store.open(['album', 'missing.jpg']), null);
  });
}

for (const [mode, onTheSpot] of [
  ['on the spot', { slowMs: Infinity }],
  ['through the pool (every call counts as slow)', { slowMs: -1 }],
] as const) {
  test(`write() ${mode}: new and replaced files whole, no temporary left, nothing outside, a missing parent refused`, async (t) => {
    const { root, outer, store } = await setup(t, { onTheSpot });
    await new Promise((resolve) => setTimeout(resolve, 50)); // the store learns that its disk is local
    const uploads = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.write(['album', '2024', `new-${i}.jpg`], body(`photo ${i}`))),
    );
    assert.ok(uploads.every((upload) => upload.created));
    for (let i = 0; i < 8; i++) {
      assert.equal(await readFile(join(root, 'album', '2024', `new-${i}.jpg`), 'utf8'), `photo ${i}`);
      assert.equal(uploads[i]!.info.etag, (await store.stat(['album', '2024', `new-${i}.jpg`]))!.etag);
    }
    const replaced = await store.write(['top.jpg'], body('replaced'));
    assert.equal(replaced.created, false);
    assert.equal(await readFile(join(root, 'top.jpg'), 'utf8'), 'replaced');
    await assert.rejects(store.write(['missing', 'new.jpg'], body('x')), { kind: 'parent-missing' });
    await symlink(join(outer, 'outside'), join(root, 'out'));
    await assert.rejects(store.write(['out', 'new.jpg'], body('x')), isOutside);
    assert.deepEqual(readdirSync(join(outer, 'outside')), ['secret.txt'], 'nothing written outside');
    const leftovers = readdirSync(join(root, 'album', '2024')).filter((name) => name.startsWith('.~webdav-upload-'));
    assert.deepEqual(leftovers, []);
  });
}

test('open() refuses a named pipe at once instead of waiting for a writer', async (t) => {
  const { root, store } = await setup(t);
  try {
    execFileSync('mkfifo', [join(root, 'pipe')]);
  } catch {
    t.skip('mkfifo is not available');
    return;
  }
  const before = openFiles(process.pid);
  assert.equal(await store.open(['pipe']), null);
  await eventually(() => openFiles(process.pid) === before, 'the pipe was closed again');
});

test('folders are cached and watched; the store stops watching when closed, and keeps working', async (t) => {
  const { store } = await setup(t);
  const before = inotifyWatches();
  assert.equal(await content(store, ['album', '2024', 'photo.jpg']), 'a photo');
  assert.equal(inotifyWatches() - before, 3, 'the root, album and album/2024');
  assert.equal(await content(store, ['album', '2024', 'photo.jpg']), 'a photo');
  assert.equal(inotifyWatches() - before, 3, 'nothing more for the second look');
  store.close();
  assert.equal(inotifyWatches(), before);
  assert.equal(await content(store, ['album', '2024', 'photo.jpg']), 'a photo');
  assert.deepEqual(await names(store, ['album', '2024']), ['photo.jpg']);
  assert.equal(inotifyWatches(), before, 'a closed store watches nothing');
});

test('a bounded number of watched folders', async (t) => {
  const { root, store } = await setup(t, { folders: { capacity: 5 } });
  const before = inotifyWatches();
  for (let i = 0; i < 20; i++) {
    await mkdir(join(root, `f${i}`));
    await writeFile(join(root, `f${i}`, 'p.jpg'), `${i}`);
    assert.equal(await content(store, [`f${i}`, 'p.jpg']), `${i}`);
  }
  assert.ok(inotifyWatches() - before <= 5, `${inotifyWatches() - before} watches`);
});

test('a known folder changed by someone else is seen changed: replaced, removed, swapped for a link', async (t) => {
  const { outer, root, store } = await setup(t);
  assert.deepEqual(await names(store, ['album', '2024']), ['photo.jpg']);
  // Replaced by another folder with other contents.
  await rename(join(root, 'album'), join(root, 'album-old'));
  await mkdir(join(root, 'album', '2024'), { recursive: true });
  await writeFile(join(root, 'album', '2024', 'other.jpg'), 'other');
  assert.deepEqual(await names(store, ['album', '2024']), ['other.jpg']);
  // Removed.
  await rm(join(root, 'album'), { recursive: true });
  assert.deepEqual(await names(store, ['album', '2024']), []);
  assert.equal(await store.stat(['album', '2024', 'other.jpg']), null);
  // Swapped for a link that leads outside: refused, once the event has arrived for a look
  // (stat), and at once for what reads, lists or writes (the descriptor is checked).
  await rename(join(root, 'album-old'), join(root, 'album'));
  assert.equal(await content(store, ['album', '2024', 'photo.jpg']), 'a photo');
  await rename(join(root, 'album'), join(root, 'album-old'));
  await mkdir(join(outer, 'outside', '2024'));
  await writeFile(join(outer, 'outside', '2024', 'photo.jpg'), 'SECRET');
  await symlink(join(outer, 'outside'), join(root, 'album'));
  await assert.rejects(store.open(['album', '2024', 'photo.jpg']), isOutside);
  await assert.rejects(names(store, ['album', '2024']), isOutside);
  await assert.rejects(store.write(['album', '2024', 'new.jpg'], body('x')), isOutside);
  await eventually(
    () => store.stat(['album', '2024', 'photo.jpg']).then(() => false, isOutside),
    'stat refused once the event arrived',
  );
  assert.deepEqual(readdirSync(join(outer, 'outside', '2024')), ['photo.jpg'], 'nothing written outside');
});

test('the store’s own changes update the cache at once: MOVE, DELETE, MKCOL of folders', async (t) => {
  const { store } = await setup(t);
  assert.deepEqual(await names(store, ['album', '2024']), ['photo.jpg']);
  assert.equal(await store.rename(['album'], ['moved']), 'renamed');
  assert.deepEqual(await names(store, ['album', '2024']), []);
  assert.deepEqual(await names(store, ['moved', '2024']), ['photo.jpg']);
  await store.makeCollection(['album']);
  await store.makeCollection(['album', '2024']);
  assert.deepEqual(await names(store, ['album', '2024']), []);
  await store.removeOne(['album', '2024']);
  assert.equal(await store.stat(['album', '2024']), null);
  await store.makeCollection(['album', '2024']);
  assert.equal((await store.write(['album', '2024', 'new.jpg'], body('new'))).created, true);
  assert.deepEqual(await names(store, ['album', '2024']), ['new.jpg']);
});

test('symbolic links: one inside is followed (nothing below it cached), one outside is refused', async (t) => {
  const { outer, root, store } = await setup(t);
  await symlink('album', join(root, 'link-in'));
  await symlink(join(outer, 'outside'), join(root, 'link-out'));
  await symlink(join(outer, 'outside', 'secret.txt'), join(root, 'file-out'));
  const before = inotifyWatches();
  assert.equal(await content(store, ['link-in', '2024', 'photo.jpg']), 'a photo');
  assert.deepEqual(await names(store, ['link-in', '2024']), ['photo.jpg']);
  assert.equal(inotifyWatches() - before, 1, 'only the root: nothing below a link is cached');
  for (const path of [['link-out', 'secret.txt'], ['file-out']]) {
    await assert.rejects(store.stat(path), isOutside);
    await assert.rejects(store.open(path), isOutside);
  }
  await assert.rejects(names(store, ['link-out']), isOutside);
  const listed = await names(store, []);
  assert.ok(listed.includes('link-in') && !listed.includes('link-out') && !listed.includes('file-out'), `${listed}`);
});

test('a name on disk in NFD is found by its NFC spelling, and its folder is cached', async (t) => {
  const { root, store } = await setup(t);
  await mkdir(join(root, 'cafe\u0301'));
  await writeFile(join(root, 'cafe\u0301', 'cre\u0300me.jpg'), 'nfd');
  const before = inotifyWatches();
  assert.equal(await content(store, ['caf\u00e9', 'cr\u00e8me.jpg']), 'nfd');
  assert.equal(inotifyWatches() - before, 2);
  assert.equal(((await store.stat(['caf\u00e9', 'cr\u00e8me.jpg'])) as ResourceInfo).size, 3);
  assert.deepEqual(await names(store, ['caf\u00e9']), ['cr\u00e8me.jpg']);
});

test('write() replaces the file whole and answers the ETag a later look gives', async (t) => {
  const { root, store } = await setup(t);
  const { created, info } = await store.write(['top.jpg'], body('new ', 'top'));
  assert.equal(created, false);
  assert.equal(await readFile(join(root, 'top.jpg'), 'utf8'), 'new top');
  assert.equal(info.etag, (await store.stat(['top.jpg']))!.etag);
  const file = (await store.open(['top.jpg']))!;
  assert.equal(file.info.etag, info.etag);
  file.close();
});

test('stream() of an opened file gives its bytes', async (t) => {
  const { store } = await setup(t);
  const file = (await store.open(['album', '2024', 'photo.jpg']))!;
  const stream: Readable = file.stream({ start: 2, end: 6 });
  file.close();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), 'photo');
});

test('nothing below a name reserved for upload temporaries is reachable, nor can anything be written there', async (t) => {
  const { root, store } = await setup(t);
  await mkdir(join(root, '.~webdav-upload-dir'));
  await writeFile(join(root, '.~webdav-upload-dir', 'inside.txt'), 'hidden');
  const below = ['.~webdav-upload-dir', 'inside.txt'];
  assert.equal(await store.stat(below), null);
  assert.equal(await store.open(below), null);
  assert.deepEqual(await names(store, ['.~webdav-upload-dir']), []);
  assert.equal((await store.prepare(['.~webdav-upload-dir', 'new.txt'])).parentIsCollection, false);
  await assert.rejects(store.write(['.~webdav-upload-dir', 'new.txt'], body('x')), { kind: 'parent-missing' });
});

test('a listing is kept: listed again it reads nothing on disk, until an event in the folder or its age', async (t) => {
  const { root, store, watchers, advance } = await silentSetup(t);
  const folder = join(root, 'album', '2024');
  assert.deepEqual(await sizes(store, ['album', '2024']), { 'photo.jpg': 7 });
  await writeFile(join(folder, 'photo.jpg'), 'a longer photo');
  await writeFile(join(folder, 'new.jpg'), 'new');
  assert.deepEqual(await sizes(store, ['album', '2024']), { 'photo.jpg': 7 }, 'kept: neither read nor lstat');
  watchers.fire(folder, 'change', 'photo.jpg');
  assert.deepEqual(await sizes(store, ['album', '2024']), { 'photo.jpg': 14, 'new.jpg': 3 });
  // Written in place, its event lost: the folder itself shows nothing of it.
  await writeFile(join(folder, 'photo.jpg'), 'x');
  advance(4999);
  assert.deepEqual(await sizes(store, ['album', '2024']), { 'photo.jpg': 14, 'new.jpg': 3 });
  advance(1);
  assert.deepEqual(
    await sizes(store, ['album', '2024']),
    { 'photo.jpg': 14, 'new.jpg': 3 },
    'renewed: folder unchanged',
  );
  advance(54_999);
  assert.deepEqual(await sizes(store, ['album', '2024']), { 'photo.jpg': 14, 'new.jpg': 3 }, 'still trusted');
  advance(1);
  assert.deepEqual(await sizes(store, ['album', '2024']), { 'photo.jpg': 1, 'new.jpg': 3 }, 'read again after 60 s');
});

test('a kept listing past its age is read again when the folder shows an entry added, removed or renamed', async (t) => {
  const { root, store, advance } = await silentSetup(t);
  const folder = join(root, 'album', '2024');
  const names = async () => Object.keys(await sizes(store, ['album', '2024'])).sort();
  assert.deepEqual(await names(), ['photo.jpg']);
  for (const [change, expected] of [
    [() => writeFile(join(folder, 'added.jpg'), 'new'), ['added.jpg', 'photo.jpg']],
    [() => rename(join(folder, 'added.jpg'), join(folder, 'renamed.jpg')), ['photo.jpg', 'renamed.jpg']],
    [() => rm(join(folder, 'renamed.jpg')), ['photo.jpg']],
  ] as const) {
    // No event arrives (the fake watchers stay silent): only the folder's own times tell.
    await change();
    assert.notDeepEqual(await names(), expected, 'kept while within its age');
    advance(5000);
    assert.deepEqual(await names(), [...expected]);
  }
});

test('a folder and its listing renewed past their age still hear of changes made by another program', async (t) => {
  let now = 0;
  const { root, store } = await setup(t, { folders: { now: () => now } });
  const folder = join(root, 'album', '2024');
  assert.deepEqual(await sizes(store, ['album', '2024']), { 'photo.jpg': 7 });
  // Past the folders' 10 s and the listing's 5 s: both are checked on disk, found unchanged, renewed.
  now += 11_000;
  assert.deepEqual(await sizes(store, ['album', '2024']), { 'photo.jpg': 7 });
  // Written in place, the folder's own times stay as they were: only the watcher's event can tell.
  await appendFile(join(folder, 'photo.jpg'), '!!');
  await eventually(
    async () => (await sizes(store, ['album', '2024']))['photo.jpg'] === 9,
    'the renewed listing dropped at the event',
  );
  now += 11_000;
  await writeFile(join(folder, 'new.jpg'), 'new');
  await eventually(
    async () => 'new.jpg' in (await sizes(store, ['album', '2024'])),
    'a file added after a second renewal',
  );
});

test('a file changed, added, removed or renamed by another program is listed so once its event arrives', async (t) => {
  const { root, store } = await setup(t);
  const folder = join(root, 'album', '2024');
  const listed = (expected: Record<string, number>, what: string) =>
    eventually(async () => {
      try {
        assert.deepEqual(await sizes(store, ['album', '2024']), expected);
        return true;
      } catch {
        return false;
      }
    }, what);
  assert.deepEqual(await sizes(store, ['album', '2024']), { 'photo.jpg': 7 });
  await appendFile(join(folder, 'photo.jpg'), '!!');
  await listed({ 'photo.jpg': 9 }, 'changed');
  await writeFile(join(folder, 'new.jpg'), 'new');
  await listed({ 'photo.jpg': 9, 'new.jpg': 3 }, 'added');
  await rename(join(folder, 'new.jpg'), join(folder, 'renamed.jpg'));
  await listed({ 'photo.jpg': 9, 'renamed.jpg': 3 }, 'renamed');
  await rm(join(folder, 'photo.jpg'));
  await listed({ 'renamed.jpg': 3 }, 'removed');
  await utimes(join(folder, 'renamed.jpg'), new Date(), new Date(1_000_000_000_000));
  await eventually(
    async () => (await infosOf(store, ['album', '2024']))[0]!.modified.getTime() === 1_000_000_000_000,
    'its time changed',
  );
});

test('entries that can change without an event in their folder are looked at again every time', async (t) => {
  const { outer, root, store } = await silentSetup(t);
  await mkdir(join(root, 'other'));
  await writeFile(join(root, 'other', 'target.jpg'), 'target');
  await link(join(root, 'other', 'target.jpg'), join(root, 'hard.jpg'));
  await symlink(join(root, 'other', 'target.jpg'), join(root, 'soft.jpg'));
  await symlink(join(root, 'other', 'later.jpg'), join(root, 'dangling.jpg'));
  await symlink(join(outer, 'outside', 'secret.txt'), join(root, 'out.txt'));
  const first = await infosOf(store, []);
  assert.deepEqual(first.map((info) => info.name).sort(), ['album', 'hard.jpg', 'other', 'soft.jpg', 'top.jpg']);
  const album = first.find((info) => info.name === 'album')!;
  await writeFile(join(root, 'other', 'target.jpg'), 'a changed target');
  await writeFile(join(root, 'other', 'later.jpg'), 'now there');
  await writeFile(join(root, 'album', 'in-album.jpg'), 'x');
  await utimes(join(root, 'album'), new Date(), new Date(album.modified.getTime() - 60_000));
  await writeFile(join(outer, 'outside', 'secret.txt'), 'SECRET, longer');
  const again = await sizes(store, []);
  assert.equal(again['hard.jpg'], 16, 'written under its other name');
  assert.equal(again['soft.jpg'], 16, 'the file a link leads to');
  assert.equal(again['dangling.jpg'], 9, 'a dangling link that now leads inside');
  assert.equal(again['out.txt'], undefined, 'a link leading outside stays out');
  const albumAgain = (await infosOf(store, [])).find((info) => info.name === 'album')!;
  assert.notEqual(albumAgain.modified.getTime(), album.modified.getTime(), 'a folder changed inside');
  assert.equal(again['top.jpg'], 3);
});

test('a listing that raced a change is not kept', async (t) => {
  const { root, store, watchers } = await silentSetup(t);
  const folder = join(root, 'many');
  await mkdir(folder);
  for (let i = 0; i < 300; i++) await writeFile(join(folder, `p${i}.jpg`), 'x');
  const partly = store.list(['many'])[Symbol.asyncIterator]();
  assert.ok((await partly.next()).value.length > 0);
  watchers.fire(folder, 'change', 'p1.jpg');
  while (!(await partly.next()).done);
  await writeFile(join(folder, 'p1.jpg'), 'longer');
  assert.equal((await sizes(store, ['many']))['p1.jpg'], 6, 'read again');
  await writeFile(join(folder, 'p1.jpg'), 'longer still');
  assert.equal((await sizes(store, ['many']))['p1.jpg'], 6, 'read whole without a change: kept');
});

test('the store’s own changes are listed at once, without waiting for their events', async (t) => {
  const { store } = await silentSetup(t);
  assert.deepEqual(await names(store, ['album', '2024']), ['photo.jpg']);
  await store.write(['album', '2024', 'new.jpg'], body('new'));
  assert.deepEqual(await names(store, ['album', '2024']), ['new.jpg', 'photo.jpg']);
  await store.write(['album', '2024', 'new.jpg'], body('newer'));
  assert.equal((await sizes(store, ['album', '2024']))['new.jpg'], 5);
  await store.rename(['album', '2024', 'new.jpg'], ['album', '2024', 'moved.jpg']);
  assert.deepEqual(await names(store, ['album', '2024']), ['moved.jpg', 'photo.jpg']);
  await store.removeOne(['album', '2024', 'moved.jpg']);
  await store.makeCollection(['album', '2024', 'sub']);
  assert.deepEqual(await names(store, ['album', '2024']), ['photo.jpg', 'sub']);
  await store.setModified(['album', '2024', 'photo.jpg'], new Date(1_000_000_000_000));
  const photo = (await infosOf(store, ['album', '2024'])).find((info) => info.name === 'photo.jpg')!;
  assert.equal(photo.modified.getTime(), 1_000_000_000_000);
});

test('listings are bounded: a folder too big is not kept; close() keeps nothing more', async (t) => {
  const { root, store } = await silentSetup(t, { listings: { maxFolderEntries: 1 } });
  await writeFile(join(root, 'album', '2024', 'second.jpg'), '2');
  assert.deepEqual(await sizes(store, ['album', '2024']), { 'photo.jpg': 7, 'second.jpg': 1 });
  await writeFile(join(root, 'album', '2024', 'second.jpg'), '22');
  assert.deepEqual(await sizes(store, ['album', '2024']), { 'photo.jpg': 7, 'second.jpg': 2 }, 'not kept');
  assert.deepEqual(await sizes(store, ['album']), { '2024': 0 });
  assert.ok(Object.isFrozen((await infosOf(store, ['album']))[0]), 'what is handed out cannot be changed');
  store.close();
  await writeFile(join(root, 'top.jpg'), 'changed');
  assert.equal((await sizes(store, []))['top.jpg'], 7, 'a closed store reads the disk');
});

test('a kept listing never shows what is outside: its folder swapped for a link leading out', async (t) => {
  const { outer, root, store } = await setup(t);
  assert.deepEqual(await names(store, ['album', '2024']), ['photo.jpg']);
  await mkdir(join(outer, 'outside', '2024'));
  await writeFile(join(outer, 'outside', '2024', 'secret.jpg'), 'SECRET');
  await rename(join(root, 'album'), join(root, 'album-old'));
  await symlink(join(outer, 'outside'), join(root, 'album'));
  // Until the event arrives, the listing kept may still show what was inside; never what is outside.
  await names(store, ['album', '2024']).then(
    (found) => assert.deepEqual(found, ['photo.jpg']),
    (error) => assert.ok(isOutside(error)),
  );
  await eventually(
    () => names(store, ['album', '2024']).then(() => false, isOutside),
    'refused once the event arrived',
  );
});

test('a small file is kept open between reads; written in place, replaced or deleted, it is seen at once without an event', async (t) => {
  const { root, store } = await silentSetup(t);
  const file = join(root, 'album', '2024', 'photo.jpg');
  const path = ['album', '2024', 'photo.jpg'];
  const before = openFiles(process.pid);
  assert.equal(await content(store, path), 'a photo');
  assert.equal(openFiles(process.pid), before + 1, 'kept open after the read');
  assert.equal(await content(store, path), 'a photo');
  assert.equal(openFiles(process.pid), before + 1, 'the same descriptor read again');
  await writeFile(file, 'a longer photo');
  const inPlace = await store.open(path);
  assert.equal(inPlace?.info.size, 14, 'a fresh fstat: new size');
  assert.equal(inPlace?.info.etag, (await store.stat(path))?.etag);
  assert.equal((await inPlace!.bytes()).toString(), 'a longer photo');
  inPlace!.close();
  await writeFile(join(root, 'next.jpg'), 'the next version');
  await rename(join(root, 'next.jpg'), file);
  assert.equal(await content(store, path), 'the next version', 'the old file has no name left: opened again');
  await rm(file);
  assert.equal(await content(store, path), null);
  assert.equal(openFiles(process.pid), before, 'nothing left open for a deleted file');
});

test('a kept file moved away is served at most until its event or 5 s; close() lets every kept file go', async (t) => {
  const { root, store, watchers, advance } = await silentSetup(t);
  const folder = join(root, 'album', '2024');
  const path = ['album', '2024', 'photo.jpg'];
  const before = openFiles(process.pid);
  assert.equal(await content(store, path), 'a photo');
  await rename(join(folder, 'photo.jpg'), join(root, 'moved.jpg'));
  assert.equal(await content(store, path), 'a photo', 'no event yet: the kept file');
  watchers.fire(folder, 'rename', 'photo.jpg');
  assert.equal(await content(store, path), null, 'the event let it go');
  await rename(join(root, 'moved.jpg'), join(folder, 'photo.jpg'));
  assert.equal(await content(store, path), 'a photo');
  await rename(join(folder, 'photo.jpg'), join(root, 'moved.jpg'));
  advance(4999);
  assert.equal(await content(store, path), 'a photo');
  advance(1);
  assert.equal(await content(store, path), null, 'looked at again after 5 s');
  await rename(join(root, 'moved.jpg'), join(folder, 'photo.jpg'));
  assert.equal(await content(store, path), 'a photo');
  assert.equal(openFiles(process.pid), before + 1);
  store.close();
  assert.equal(openFiles(process.pid), before, 'close() closed it');
});

test('only plain files are kept open, not one reached through a symbolic link', async (t) => {
  const { root, store } = await silentSetup(t);
  await symlink(join(root, 'top.jpg'), join(root, 'link.jpg'));
  const before = openFiles(process.pid);
  assert.equal(await content(store, ['link.jpg']), 'top');
  await eventually(() => openFiles(process.pid) === before, 'nothing kept open');
});

test('a large file is kept open too, and a file that grows past 64 KiB is opened again', async (t) => {
  const { root, store } = await silentSetup(t);
  const big = join(root, 'big.bin');
  await writeFile(big, Buffer.alloc(64 * 1024 + 1, 1));
  const before = openFiles(process.pid);
  assert.equal((await content(store, ['big.bin']))?.length, 64 * 1024 + 1);
  assert.equal(openFiles(process.pid), before + 1, 'kept open after the read');
  assert.equal((await content(store, ['big.bin']))?.length, 64 * 1024 + 1);
  assert.equal(openFiles(process.pid), before + 1, 'the same descriptor read again');
  const photo = join(root, 'album', '2024', 'photo.jpg');
  assert.equal(await content(store, ['album', '2024', 'photo.jpg']), 'a photo');
  assert.equal(openFiles(process.pid), before + 2);
  await writeFile(photo, Buffer.alloc(200 * 1024, 2));
  assert.deepEqual(await content(store, ['album', '2024', 'photo.jpg']), Buffer.alloc(200 * 1024, 2).toString());
  await eventually(() => openFiles(process.pid) === before + 2, 'the small one let go, the grown one kept');
  await rm(big);
  assert.equal(await content(store, ['big.bin']), null);
  await eventually(() => openFiles(process.pid) === before + 1, 'nothing left open for the deleted file');
  store.close();
  await eventually(() => openFiles(process.pid) === before, 'close() lets every kept file go');
});
