import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FsStore, etagOf, type FsStoreOptions } from '../../plugin/store/fs-store.js';
import { StoreError } from '../../plugin/store/errors.js';
import type { ResourceInfo, StorePath } from '../../plugin/store/store.js';
import type { Logger } from '../../plugin/host-api.js';
import { openFiles, tempFolder } from '../helpers/system.js';

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
