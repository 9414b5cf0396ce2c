import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, fstatSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FolderCache, type Folder } from '../../plugin/store/folder-cache.js';
import { KeptDescriptors, type KeptDescriptorsOptions } from '../../plugin/store/kept-descriptors.js';
import { FakeWatchers } from '../helpers/fake-watchers.js';
import { tempFolder } from '../helpers/system.js';

/** Real descriptors of real files; `isOpen` tells whether one still refers to its file (numbers are reused). */
async function setup(t: Parameters<typeof tempFolder>[0], options: KeptDescriptorsOptions = {}) {
  const dir = await tempFolder(t, 'kept-');
  const watchers = new FakeWatchers();
  let now = 0;
  const folders = new FolderCache('/share', {
    watch: watchers.watch,
    now: () => now,
    onChange: (folder) => kept.drop(folder),
  });
  const kept = new KeptDescriptors(folders, { now: () => now, ...options });
  t.after(() => kept.close());
  const root = folders.top()!;
  const folder = (name: string): Folder =>
    folders.child(root, name) ?? folders.add(root, name, `/share/${name}`, folders.changesOf(root))!;
  const inodes = new Map<number, bigint>();
  let files = 0;
  const openFile = (): number => {
    const file = join(dir, `f${files++}`);
    writeFileSync(file, 'x');
    const fd = openSync(file, 'r');
    inodes.set(fd, fstatSync(fd, { bigint: true }).ino);
    return fd;
  };
  const isOpen = (fd: number): boolean => {
    try {
      return fstatSync(fd, { bigint: true }).ino === inodes.get(fd);
    } catch {
      return false;
    }
  };
  /** Opens a file and offers it as `name` in `at`, as the store does after looking the folder up. */
  const offer = (at: Folder, name: string) => {
    const seen = folders.changesOf(at);
    const fd = openFile();
    return { fd, use: kept.offer(at, name, fd, seen) };
  };
  return { folders, kept, watchers, root, folder, openFile, isOpen, offer, advance: (ms: number) => (now += ms) };
}

test('an offered descriptor is kept open for the next uses, and closes when let go and no longer used', async (t) => {
  const { kept, root, isOpen, offer } = await setup(t);
  const { fd, use } = offer(root, 'a.jpg');
  assert.ok(use);
  use.release();
  assert.ok(isOpen(fd), 'kept after the first reader is done');
  const again = kept.use(root, 'a.jpg');
  assert.equal(again?.fd, fd);
  kept.drop(root);
  assert.equal(kept.use(root, 'a.jpg'), undefined);
  assert.ok(isOpen(fd), 'still open for the reader that has it');
  again!.release();
  again!.release(); // a second release changes nothing
  assert.equal(isOpen(fd), false, 'closed after the last reader');
  assert.equal(kept.size, 0);
});

test('any event in the folder lets every descriptor kept there go; other folders keep theirs', async (t) => {
  const { kept, watchers, root, folder, isOpen, offer } = await setup(t);
  const a = folder('a');
  for (const [event, name] of [
    ['change', 'one.jpg'],
    ['rename', 'other.jpg'],
    ['rename', null],
  ] as const) {
    const one = offer(a, 'one.jpg');
    const two = offer(a, 'two.jpg');
    const sibling = offer(root, 'top.jpg');
    for (const { use } of [one, two, sibling]) use!.release();
    watchers.fire('/share/a', event, name);
    assert.equal(kept.use(a, 'one.jpg'), undefined, `${event} ${name}`);
    assert.equal(kept.use(a, 'two.jpg'), undefined, `${event} ${name}`);
    assert.equal(isOpen(one.fd) || isOpen(two.fd), false);
    const top = kept.use(root, 'top.jpg');
    assert.equal(top?.fd, sibling.fd, 'the parent keeps its own');
    top!.release();
    kept.drop(root);
  }
});

test('not kept when the folder changed or was dropped since it was looked up: the caller keeps the descriptor', async (t) => {
  const { folders, kept, watchers, folder, openFile, isOpen } = await setup(t);
  const a = folder('a');
  const seen = folders.changesOf(a);
  watchers.fire('/share/a', 'change', 'a.jpg');
  const fd = openFile();
  assert.equal(kept.offer(a, 'a.jpg', fd, seen), null);
  assert.ok(isOpen(fd), 'left to the caller');
  const b = folder('b');
  const seenB = folders.changesOf(b);
  watchers.fire('/share', 'rename', 'b');
  assert.equal(folders.holds(b), false);
  assert.equal(kept.offer(b, 'b.jpg', fd, seenB), null);
  assert.equal(kept.size, 0);
});

test('a kept descriptor is let go after its age, and the least recently used beyond capacity', async (t) => {
  const { kept, root, isOpen, offer, advance } = await setup(t, { capacity: 2, maxAgeMs: 1000 });
  const first = offer(root, '1.jpg');
  const second = offer(root, '2.jpg');
  first.use!.release();
  second.use!.release();
  kept.use(root, '1.jpg')!.release(); // 1 is now the most recently used
  const third = offer(root, '3.jpg');
  third.use!.release();
  assert.equal(kept.size, 2);
  assert.equal(isOpen(second.fd), false, 'the least recently used went');
  assert.ok(isOpen(first.fd) && isOpen(third.fd));
  advance(1000);
  assert.equal(kept.use(root, '1.jpg'), undefined, 'too old');
  assert.equal(isOpen(first.fd), false);
});

test('offering a name again replaces the kept one, and the new one still goes with its folder', async (t) => {
  const { kept, root, isOpen, offer } = await setup(t);
  const old = offer(root, 'a.jpg');
  const fresh = offer(root, 'a.jpg');
  assert.ok(isOpen(old.fd), 'the old one is still being read');
  old.use!.release();
  assert.equal(isOpen(old.fd), false);
  fresh.use!.release();
  assert.equal(kept.use(root, 'a.jpg')?.fd, fresh.fd);
  kept.drop(root);
  assert.equal(kept.size, 0);
});

test('discard() lets the descriptor go at once for later uses, and it closes after the readers release it', async (t) => {
  const { kept, root, isOpen, offer } = await setup(t);
  const { fd, use } = offer(root, 'a.jpg');
  const second = kept.use(root, 'a.jpg')!;
  second.discard();
  assert.equal(kept.use(root, 'a.jpg'), undefined);
  use!.release();
  assert.ok(isOpen(fd));
  second.release();
  assert.equal(isOpen(fd), false);
});

test('random uses, offers, events, ages and releases: a descriptor in use is never closed, and all close in the end', async (t) => {
  const { kept, watchers, root, folder, isOpen, offer, advance } = await setup(t, { capacity: 5, maxAgeMs: 50 });
  const folders = [root, folder('a'), folder('b')];
  const paths = ['/share', '/share/a', '/share/b'];
  const inUse: { fd: number; release(): void }[] = [];
  const everOpened = new Set<number>();
  let seed = 42;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let step = 0; step < 3000; step++) {
    const at = random(3);
    const name = `${random(4)}.jpg`;
    switch (random(6)) {
      case 0:
      case 1: {
        const use = kept.use(folders[at]!, name);
        if (use) inUse.push(use);
        else {
          const offered = offer(folders[at]!, name);
          if (offered.use) {
            everOpened.add(offered.fd);
            inUse.push(offered.use);
          } else closeSync(offered.fd);
        }
        break;
      }
      case 2:
        if (inUse.length > 0) inUse.splice(random(inUse.length), 1)[0]!.release();
        break;
      case 3:
        watchers.fire(paths[at]!, 'change', name);
        break;
      case 4:
        advance(random(30));
        break;
      case 5: {
        const use = kept.use(folders[at]!, name);
        if (use) {
          use.discard();
          use.release();
        }
        break;
      }
    }
    for (const use of inUse) assert.ok(isOpen(use.fd), `step ${step}: a descriptor in use was closed`);
    assert.ok(kept.size <= 5);
  }
  kept.close();
  for (const use of inUse) use.release();
  for (const fd of everOpened) assert.equal(isOpen(fd), false, 'every kept descriptor closed in the end');
});
