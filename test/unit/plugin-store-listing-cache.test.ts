import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FolderCache, type Folder } from '../../plugin/store/folder-cache.js';
import { ListingCache, type ListingCacheOptions, type Slot } from '../../plugin/store/listing-cache.js';
import type { ListingStamp, ResourceInfo } from '../../plugin/store/store.js';
import { FakeWatchers } from '../helpers/fake-watchers.js';

function setup(options: ListingCacheOptions = {}) {
  const watchers = new FakeWatchers();
  let now = 0;
  const folders = new FolderCache('/share', {
    watch: watchers.watch,
    now: () => now,
    onChange: (folder) => listings.drop(folder),
  });
  const listings = new ListingCache(folders, { now: () => now, ...options });
  const root = folders.top()!;
  const folder = (name: string): Folder =>
    folders.child(root, name) ?? folders.add(root, name, `/share/${name}`, folders.changesOf(root))!;
  /** Records a whole listing of `count` entries, as a listing read from disk would. */
  const read = (at: Folder, count: number): void => {
    const recording = listings.record(at);
    for (let i = 0; i < count; i++) recording.add(`p${i}.jpg`);
    recording.end();
  };
  return { folders, listings, watchers, root, folder, read, advance: (ms: number) => (now += ms) };
}

test('a listing read whole is kept, entries in their order', () => {
  const { listings, root, read } = setup();
  assert.equal(listings.get(root), undefined);
  read(root, 3);
  assert.deepEqual(listings.get(root), ['p0.jpg', 'p1.jpg', 'p2.jpg']);
  assert.equal(listings.entries, 4, 'three entries and the listing itself');
});

test('a listing not read to its end is not kept', () => {
  const { listings, root } = setup();
  const recording = listings.record(root);
  recording.add('p0.jpg');
  assert.equal(listings.get(root), undefined);
});

test('any event in the folder drops its listing, whatever the name; other folders keep theirs', () => {
  const { listings, watchers, root, folder, read } = setup();
  const a = folder('a');
  for (const [event, name] of [
    ['change', 'p1.jpg'],
    ['rename', 'new.jpg'],
    ['change', 'unrelated'],
    ['rename', null],
  ] as const) {
    read(root, 2);
    read(a, 2);
    watchers.fire('/share', event, name);
    assert.equal(listings.get(root), undefined, `${event} ${name}`);
    if (name !== null) assert.ok(listings.get(a), 'a sibling folder keeps its listing');
  }
});

test('the folder dropped (event in its parent, watcher error, another folder in its place) or forget() of an entry drops its listing', () => {
  const { folders, listings, watchers, root, folder, read, advance } = setup();
  read(folder('a'), 2);
  watchers.fire('/share', 'rename', 'a');
  assert.equal(folders.child(root, 'a'), undefined);
  assert.equal(listings.entries, 0);

  read(folder('a'), 2);
  watchers.open.get('/share/a')!.fail();
  assert.equal(listings.entries, 0, 'a watcher error');

  const a = folder('a');
  read(a, 2);
  folders.forget('/share/a/p0.jpg');
  assert.equal(listings.get(a), undefined, 'the store’s own change');

  read(a, 2);
  advance(10_001);
  assert.equal(folders.child(root, 'a'), undefined, 'the folder is past its age');
  const replaced = folders.add(root, 'a', '/share/a', folders.changesOf(root), { dev: 1n, ino: 99n });
  assert.notEqual(replaced, a, 'another folder found there');
  assert.equal(listings.entries, 0);
});

test('a listing past its age is renewed by its folder’s unchanged state, up to trustMs after it was read', () => {
  const { folders, listings, watchers, folder, read, advance } = setup({ maxAgeMs: 5000, trustMs: 20_000 });
  const a = folder('a');
  const readIn = (state: string) => {
    const recording = listings.record(a, state);
    recording.add('p0.jpg');
    recording.end();
  };
  readIn('state-1');
  assert.equal(listings.due(a), null, 'within its age');
  advance(5000);
  assert.equal(listings.get(a), undefined, 'not given once past its age');
  let due = listings.due(a)!;
  assert.equal(due.folderState, 'state-1');
  listings.renew(a, due, folders.changesOf(a), 'state-1');
  assert.deepEqual(listings.get(a), ['p0.jpg'], 'renewed');

  advance(5000);
  due = listings.due(a)!;
  listings.renew(a, due, folders.changesOf(a), 'state-2');
  assert.equal(listings.get(a), undefined, 'the folder changed');
  assert.equal(listings.entries, 0);

  readIn('state-1');
  advance(5000);
  due = listings.due(a)!;
  const seen = folders.changesOf(a);
  watchers.fire('/share/a', 'change', 'p0.jpg');
  readIn('state-1');
  listings.renew(a, due, seen, 'state-1');
  assert.equal(listings.due(a), null, 'a check that raced an event leaves the listing read since alone');
  assert.ok(listings.get(a));

  advance(5000);
  due = listings.due(a)!;
  listings.renew(a, due, folders.changesOf(a), null);
  assert.equal(listings.entries, 0, 'the folder is gone');

  readIn('state-1');
  for (let at = 5000; at < 20_000; at += 5000) {
    advance(5000);
    listings.renew(a, listings.due(a)!, folders.changesOf(a), 'state-1');
    assert.ok(listings.get(a), `renewed at ${at} ms`);
  }
  advance(5000);
  assert.equal(listings.due(a), null, 'past trustMs: read again whole');
  assert.equal(listings.entries, 0);

  const unknown = folder('unknown');
  read(unknown, 1);
  advance(5000);
  assert.equal(listings.due(unknown), null, 'a listing read without its folder’s state is never renewed');
});

test('a listing that raced a change is not kept: an event or forget() while it was read', () => {
  const { folders, listings, watchers, root } = setup();
  let recording = listings.record(root);
  recording.add('p0.jpg');
  watchers.fire('/share', 'change', 'p0.jpg');
  recording.add('p1.jpg');
  recording.end();
  assert.equal(listings.get(root), undefined);

  recording = listings.record(root);
  folders.forget('/share/p9.jpg');
  recording.end();
  assert.equal(listings.get(root), undefined);

  recording = listings.record(root);
  recording.end();
  assert.deepEqual(listings.get(root), [], 'without a change, kept (an empty folder too)');
});

test('a listing of a folder dropped while it was read is not kept', () => {
  const { listings, watchers, folder } = setup();
  const a = folder('a');
  const recording = listings.record(a);
  watchers.fire('/share', 'rename', 'a');
  recording.end();
  assert.equal(listings.get(a), undefined);
  assert.equal(listings.entries, 0);
});

test('listings are read again after maxAgeMs, even without an event', () => {
  const { listings, root, read, advance } = setup({ maxAgeMs: 3000 });
  read(root, 1);
  advance(2999);
  assert.ok(listings.get(root));
  advance(1);
  assert.equal(listings.get(root), undefined);
  assert.equal(listings.entries, 0);
});

test('bounded: no folder above maxFolderEntries, at most maxEntries in all, least recently used first', () => {
  const { listings, root, folder, read } = setup({ maxEntries: 100, maxFolderEntries: 50 });
  read(root, 51);
  assert.equal(listings.get(root), undefined, 'too big');
  read(root, 50);
  assert.ok(listings.get(root));
  const a = folder('a');
  const b = folder('b');
  read(a, 30);
  listings.get(root);
  read(b, 30);
  assert.ok(listings.entries <= 100, `${listings.entries} entries`);
  assert.equal(listings.get(a), undefined, 'a was used least recently');
  assert.ok(listings.get(root));
  assert.ok(listings.get(b));
  for (let i = 0; i < 50; i++) read(folder(`f${i}`), 0);
  assert.ok(listings.entries <= 100, `${listings.entries} entries, empty folders counted`);
});

test('close() drops every listing and keeps nothing more, even a listing under way', () => {
  const { folders, listings, root, folder, read } = setup();
  read(root, 2);
  const recording = listings.record(folder('a'));
  listings.close();
  folders.close();
  recording.end();
  read(root, 2);
  assert.equal(listings.get(root), undefined);
  assert.equal(listings.entries, 0);
});

test('the slots handed out are what was recorded: descriptions stay the same objects', () => {
  const { listings, root } = setup();
  const info = Object.freeze({
    name: 'p.jpg',
    isCollection: false,
    size: 1,
    modified: new Date(0),
    created: new Date(0),
    etag: '"1"',
  });
  const recording = listings.record(root);
  recording.add(info);
  recording.add('link');
  recording.end();
  const slots: readonly Slot[] = listings.get(root)!;
  assert.equal(slots[0], info);
  assert.equal(slots[1], 'link');
});

const described = (name: string): ResourceInfo =>
  Object.freeze({ name, isCollection: false, size: 1, modified: new Date(0), created: new Date(0), etag: `"${name}"` });

/** Records a whole listing of descriptions (plain) or with one name to look at again. */
function readPlain(listings: ListingCache, at: Folder, count: number, lookAgain = false): ListingStamp | null {
  const recording = listings.record(at);
  for (let i = 0; i < count; i++) recording.add(lookAgain && i === 0 ? 'link.jpg' : described(`p${i}.jpg`));
  return recording.end();
}

test('a listing of descriptions only is stamped, kept or too big to keep; one with an entry to look at again is not', () => {
  const { listings, folder } = setup({ maxEntries: 100, maxFolderEntries: 10 });
  const [small, big, mixed, bigMixed] = ['small', 'big', 'mixed', 'bigmixed'].map(folder) as [
    Folder,
    Folder,
    Folder,
    Folder,
  ];
  const smallStamp = readPlain(listings, small, 5);
  assert.ok(smallStamp);
  assert.equal(listings.stampOf(small), smallStamp, 'the kept listing is its own stamp');
  const bigStamp = readPlain(listings, big, 50);
  assert.ok(bigStamp);
  assert.equal(listings.get(big), undefined, 'too big: only its stamp is kept');
  assert.equal(listings.stampOf(big), bigStamp);
  assert.equal(readPlain(listings, mixed, 5, true), null);
  assert.equal(listings.stampOf(mixed), null);
  assert.ok(listings.get(mixed), 'kept as before, with its name to look at again');
  assert.equal(readPlain(listings, bigMixed, 50, true), null);
  assert.equal(listings.stampOf(bigMixed), null);
  assert.notEqual(readPlain(listings, big, 50), bigStamp, 'read again: a new stamp');
});

test('a stamp ends with any change in its folder, its age, and close(); one that raced a change is never given', () => {
  const { listings, folders, watchers, folder, advance } = setup({ maxEntries: 100, maxFolderEntries: 10 });
  const big = folder('big');
  readPlain(listings, big, 50);
  watchers.fire('/share/big', 'change', 'p3.jpg');
  assert.equal(listings.stampOf(big), null, 'an event in the folder');
  const again = folder('big');
  readPlain(listings, again, 50);
  advance(4999);
  assert.ok(listings.stampOf(again));
  advance(1);
  assert.equal(listings.stampOf(again), null, 'after maxAgeMs');

  const raced = folder('raced');
  const recording = listings.record(raced);
  for (let i = 0; i < 50; i++) recording.add(described(`p${i}.jpg`));
  folders.forget('/share/raced/p1.jpg');
  assert.equal(recording.end(), null);
  assert.equal(listings.stampOf(raced), null);

  const last = folder('last');
  readPlain(listings, last, 50);
  listings.close();
  assert.equal(listings.stampOf(last), null);
});

test('a stamp kept alone is renewed the same way, and stays the same stamp', () => {
  const { folders, listings, folder, advance } = setup({ maxEntries: 100, maxFolderEntries: 10 });
  const big = folder('big');
  const recording = listings.record(big, 'state');
  for (let i = 0; i < 50; i++) recording.add(described(`p${i}.jpg`));
  const stamp = recording.end();
  assert.ok(stamp);
  advance(5000);
  assert.equal(listings.stampOf(big), null);
  listings.renew(big, listings.due(big)!, folders.changesOf(big), 'state');
  assert.equal(listings.stampOf(big), stamp);
});

test('a folder read again too big to keep keeps only its stamp: the listing read before it goes', () => {
  const { folders, listings, folder, advance } = setup({ maxEntries: 100, maxFolderEntries: 10 });
  const grown = folder('grown');
  readPlain(listings, grown, 5);
  assert.equal(listings.entries, 6);
  advance(5000);
  const stamp = readPlain(listings, grown, 50);
  assert.ok(stamp);
  assert.equal(listings.entries, 0, 'the small listing read before is gone');
  assert.equal(listings.get(grown), undefined);
  assert.equal(listings.stampOf(grown), stamp);
  advance(5000);
  assert.equal(listings.due(grown), null, 'read without its folder’s state: not renewed');
  assert.equal(listings.stampOf(grown), null);
  assert.equal(folders.holds(grown), true);
});
