import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FolderCache, type Folder, type FolderCacheOptions } from '../../plugin/store/folder-cache.js';
import { FakeWatchers } from '../helpers/fake-watchers.js';

function setup(options: FolderCacheOptions = {}) {
  const watchers = new FakeWatchers();
  let now = 0;
  const cache = new FolderCache('/share', { watch: watchers.watch, now: () => now, ...options });
  const root = cache.top()!;
  /** Caches the folders of a path, as a lookup that found them on disk would. */
  const cachePath = (...names: string[]): Folder => {
    let folder = root;
    for (const name of names) {
      folder =
        cache.child(folder, name) ??
        cache.add(folder, name, `${folder.real}/${name}`, cache.changesOf(folder)) ??
        assert.fail(`${name} could not be cached`);
    }
    return folder;
  };
  /** The cached folder at a path, or undefined. */
  const lookup = (...names: string[]): Folder | undefined => {
    let folder: Folder | undefined = root;
    for (const name of names) folder = folder && cache.child(folder, name);
    return folder;
  };
  return { cache, watchers, root, cachePath, lookup, advance: (ms: number) => (now += ms) };
}

test('a cached folder is found again, and it and its ancestors are watched', () => {
  const { cache, watchers, cachePath, lookup } = setup();
  const folder = cachePath('a', 'b', 'c');
  assert.equal(folder.real, '/share/a/b/c');
  assert.equal(lookup('a', 'b', 'c'), folder);
  assert.deepEqual([...watchers.open.keys()].sort(), ['/share', '/share/a', '/share/a/b', '/share/a/b/c']);
  assert.equal(cache.size, 4);
});

test('an event about an entry drops the cached folder of that name and everything below it', () => {
  const { watchers, cachePath, lookup } = setup();
  cachePath('a', 'b', 'c');
  cachePath('a', 'x');
  watchers.fire('/share/a', 'rename', 'b');
  assert.equal(lookup('a', 'b'), undefined);
  assert.ok(lookup('a', 'x'), 'a sibling stays');
  assert.ok(!watchers.open.has('/share/a/b') && !watchers.open.has('/share/a/b/c'), 'their watchers are closed');
  // A change to a file (not a cached folder) drops nothing.
  watchers.fire('/share/a', 'change', 'photo.jpg');
  assert.ok(lookup('a', 'x'));
});

test('an event without a name, or about the folder itself, drops the folder', () => {
  const { watchers, cachePath, lookup } = setup();
  cachePath('a', 'b');
  watchers.fire('/share/a', 'rename', null);
  assert.equal(lookup('a'), undefined);
  cachePath('a', 'b');
  // Linux reports the watched folder's own removal or move with the folder's own name.
  watchers.fire('/share/a/b', 'rename', 'b');
  assert.equal(lookup('a', 'b'), undefined);
  assert.ok(lookup('a'));
  cachePath('a', 'b');
  watchers.open.get('/share/a')!.fail();
  assert.equal(lookup('a'), undefined, 'a watcher error drops the folder');
});

test('an event about the root drops everything; the root is watched again on the next lookup', () => {
  const { cache, watchers, cachePath, lookup } = setup();
  cachePath('a', 'b');
  watchers.fire('/share', 'rename', 'share');
  assert.equal(cache.size, 0);
  assert.ok(cache.top(), 'a new root');
  assert.equal(lookup('a'), undefined);
  assert.ok(watchers.open.has('/share'));
});

test('names are matched in NFC: an event with the NFD spelling on disk drops the folder asked in NFC', () => {
  const { cache, watchers, root } = setup();
  const nfc = 'caf\u00e9';
  const nfd = 'cafe\u0301';
  cache.add(root, nfc, `/share/${nfd}`, cache.changesOf(root));
  assert.equal(cache.child(root, nfc)?.real, `/share/${nfd}`);
  watchers.fire('/share', 'rename', nfd);
  assert.equal(cache.child(root, nfc), undefined);
});

test('a lookup that raced an event about its name does not cache what it saw; other names do not stop it', () => {
  const { cache, watchers, root } = setup();
  const seen = cache.changesOf(root);
  watchers.fire('/share', 'rename', 'a');
  assert.equal(cache.add(root, 'a', '/share/a', seen), null);
  watchers.fire('/share', 'change', 'other.jpg');
  const again = cache.changesOf(root);
  watchers.fire('/share', 'change', 'photo.jpg');
  assert.ok(cache.add(root, 'a', '/share/a', again));
  // An event without a name stops every lookup under way in that folder.
  const before = cache.changesOf(root);
  watchers.fire('/share/a', 'rename', null);
  assert.equal(cache.child(root, 'a'), undefined);
  cache.add(root, 'b', '/share/b', before);
  const b = cache.child(root, 'b')!;
  const seenInB = cache.changesOf(b);
  watchers.fire('/share/b', 'rename', null);
  assert.equal(cache.add(b, 'c', '/share/b/c', seenInB), null);
});

test('forget(): the store’s own change drops the folder and stops lookups of that name under way', () => {
  const { cache, watchers, root, cachePath, lookup } = setup();
  cachePath('a', 'b');
  const seen = cache.changesOf(root);
  cache.forget('/share/a');
  assert.equal(lookup('a'), undefined);
  assert.ok(!watchers.open.has('/share/a/b'));
  assert.equal(cache.add(root, 'a', '/share/a', seen), null);
  cache.forget('/share/not-cached');
  assert.ok(cache.add(root, 'a', '/share/a', cache.changesOf(root)));
});

test('folders are looked at again after maxAgeMs, and never outlive their ancestors', () => {
  const { cache, cachePath, lookup, advance } = setup({ maxAgeMs: 1000 });
  cachePath('a');
  advance(600);
  cachePath('a', 'b');
  advance(500);
  assert.equal(lookup('a'), undefined, 'a is past its age');
  assert.equal(cache.child(cache.top()!, 'a'), undefined);
  cachePath('a', 'b');
  advance(999);
  assert.ok(lookup('a', 'b'));
});

test('a folder found again on disk past its age is renewed with what is below it; another folder there replaces it', () => {
  const { cache, watchers, root, advance } = setup({ maxAgeMs: 1000 });
  const same = { dev: 1n, ino: 7n };
  const a = cache.add(root, 'a', '/share/a', cache.changesOf(root), same)!;
  const b = cache.add(a, 'b', '/share/a/b', cache.changesOf(a), { dev: 1n, ino: 8n })!;
  advance(1000);
  assert.equal(cache.child(root, 'a'), undefined, 'past its age');
  assert.equal(cache.add(root, 'a', '/share/a', cache.changesOf(root), same), a, 'the same folder: renewed');
  assert.equal(cache.child(root, 'a'), a);
  assert.equal(cache.child(a, 'b'), undefined, 'its child is looked at in its turn');
  assert.equal(cache.add(a, 'b', '/share/a/b', cache.changesOf(a), { dev: 1n, ino: 8n }), b);
  assert.ok(cache.holds(b) && watchers.open.has('/share/a/b'));

  advance(1000);
  const other = cache.add(root, 'a', '/share/a', cache.changesOf(root), { dev: 1n, ino: 9n })!;
  assert.notEqual(other, a, 'another inode: a new entry');
  assert.ok(!cache.holds(a) && !cache.holds(b), 'the old one and what was below it are dropped');
  assert.equal(cache.child(other, 'b'), undefined);
});

test('never more folders (and watchers) than the capacity; the least recently used folder without cached children goes first', () => {
  const { cache, watchers, cachePath, lookup } = setup({ capacity: 4 });
  cachePath('a', 'b');
  cachePath('c');
  cachePath('d');
  assert.equal(cache.size, 4);
  assert.equal(lookup('a', 'b'), undefined, 'b was the oldest leaf');
  assert.ok(lookup('a'), 'a stayed while it had a cached child');
  assert.ok(lookup('c') && lookup('d'));
  cache.touch(lookup('a')!);
  cachePath('e');
  assert.equal(lookup('c'), undefined);
  for (let i = 0; i < 100; i++) cachePath(`f${i}`);
  assert.ok(cache.size <= 4 && watchers.open.size <= 4, `${cache.size} folders, ${watchers.open.size} watchers`);
});

test('a folder that cannot be watched is not cached', () => {
  const { cache, watchers, root } = setup();
  watchers.refuse = true;
  assert.equal(cache.add(root, 'a', '/share/a', cache.changesOf(root)), null);
  assert.equal(cache.child(root, 'a'), undefined);
  const unwatched = new FolderCache('/other', { watch: watchers.watch });
  assert.equal(unwatched.top(), null);
});

test('close() stops every watcher and caches nothing more', () => {
  const { cache, watchers, root, cachePath } = setup();
  cachePath('a', 'b');
  cache.close();
  assert.equal(watchers.open.size, 0);
  assert.equal(cache.size, 0);
  assert.equal(cache.top(), null);
  assert.equal(cache.add(root, 'x', '/share/x', cache.changesOf(root)), null);
  assert.equal(watchers.open.size, 0);
});

test('onChange hears of every change in a folder and of every folder dropped; holds() tells which are live', () => {
  const heard: string[] = [];
  const { cache, watchers, root, cachePath } = setup({ onChange: (folder) => heard.push(folder.real) });
  const b = cachePath('a', 'b');
  watchers.fire('/share/a/b', 'change', 'photo.jpg');
  assert.deepEqual(heard.splice(0), ['/share/a/b'], 'an event about an entry');
  cache.forget('/share/a/b/new.jpg');
  assert.deepEqual(heard.splice(0), ['/share/a/b'], 'the store’s own change of an entry');
  assert.ok(cache.holds(b));
  watchers.fire('/share/a', 'rename', 'b');
  assert.deepEqual(heard.splice(0).sort(), ['/share/a', '/share/a/b'], 'the event in a, and b dropped');
  assert.equal(cache.holds(b), false);
  cachePath('a', 'c');
  cache.close();
  assert.deepEqual(heard.splice(0).sort(), ['/share', '/share/a', '/share/a/c'], 'close() drops them all');
  assert.equal(cache.holds(root), false);
});
