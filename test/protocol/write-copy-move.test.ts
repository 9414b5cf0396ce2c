/**
 * COPY (RFC 4918 §9.8) and MOVE (§9.9): files and trees, Depth, Overwrite,
 * Destination spellings, shares, dead properties, and partial failures
 * (through a store that fails on purpose: the tests run as root, which
 * ignores file permissions).
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';
import { dav, exists, build, tree, setNote, note, responses } from '../helpers/dav-fixtures.js';
import { Faults, faultyStores } from '../helpers/faulty-store.js';
import { send } from '../helpers/raw-http.js';

describe('COPY and MOVE', () => {
  const faults = new Faults();
  const folders: Record<string, string> = {};
  let h: Harness;
  let main: string;

  const copy = (from: string, to: string, headers: Record<string, string> = {}) =>
    h.fetch(from, { method: 'COPY', headers: { Destination: to, ...headers } });
  const move = (from: string, to: string, headers: Record<string, string> = {}) =>
    h.fetch(from, { method: 'MOVE', headers: { Destination: to, ...headers } });

  before(async () => {
    for (const name of ['other', 'secret', 'ro'])
      folders[name] = await mkdtemp(join(tmpdir(), `webdav-write-${name}-`));
    h = await startPlugin({
      storeFactory: faultyStores(faults),
      settings: {
        'webdav.0.path': folders.other!,
        'webdav.0.webdavmount': 'other',
        'webdav.1.path': folders.secret!,
        'webdav.1.webdavmount': 'secret',
        'webdav.2.path': folders.ro!,
        'webdav.2.webdavmount': 'ro',
        'webdav.2.readonly': 'true',
      },
      users: {
        alice: { password: 'alice-pw', groups: ['WebDAV.main', 'WebDAV.other', 'WebDAV.ro'] },
        bob: { password: 'bob-pw', groups: ['WebDAV.secret'] },
      },
    });
    main = h.root;
  });
  beforeEach(() => faults.clear());
  after(async () => {
    await h.stop();
    for (const folder of Object.values(folders)) await rm(folder, { recursive: true, force: true });
  });

  describe('files', () => {
    it('COPY creates the copy with 201 and keeps the source', async () => {
      await build(main, ['c1.txt']);
      const res = await copy(dav('c1.txt'), dav('c1-copy.txt'));
      assert.equal(res.status, 201);
      assert.equal(await readFile(join(main, 'c1-copy.txt'), 'utf8'), 'content of c1.txt');
      assert.equal(await readFile(join(main, 'c1.txt'), 'utf8'), 'content of c1.txt');
    });

    it('Overwrite: F onto an existing file answers 412 and changes nothing; T replaces it with 204', async () => {
      await build(main, ['c2.txt', 'c2-dest.txt']);
      assert.equal((await copy(dav('c2.txt'), dav('c2-dest.txt'), { Overwrite: 'F' })).status, 412);
      assert.equal(await readFile(join(main, 'c2-dest.txt'), 'utf8'), 'content of c2-dest.txt');
      assert.equal((await move(dav('c2.txt'), dav('c2-dest.txt'), { Overwrite: 'F' })).status, 412);
      assert.ok(await exists(join(main, 'c2.txt')));

      assert.equal((await copy(dav('c2.txt'), dav('c2-dest.txt'), { Overwrite: 'T' })).status, 204);
      assert.equal(await readFile(join(main, 'c2-dest.txt'), 'utf8'), 'content of c2.txt');
      // Absent means T (§10.6).
      await writeFile(join(main, 'c2.txt'), 'newer');
      assert.equal((await move(dav('c2.txt'), dav('c2-dest.txt'))).status, 204);
      assert.equal(await readFile(join(main, 'c2-dest.txt'), 'utf8'), 'newer');
      assert.equal(await exists(join(main, 'c2.txt')), false);
    });

    it('MOVE renames with 201', async () => {
      await build(main, ['m1.txt']);
      assert.equal((await move(dav('m1.txt'), dav('m1-moved.txt'))).status, 201);
      assert.equal(await exists(join(main, 'm1.txt')), false);
      assert.equal(await readFile(join(main, 'm1-moved.txt'), 'utf8'), 'content of m1.txt');
    });

    it('a file replaces a collection, and a collection a file, with Overwrite: T', async () => {
      await build(main, [
        'f-over.txt',
        'coll-under/',
        'coll-under/x.txt',
        'coll-over/',
        'coll-over/y.txt',
        'file-under.txt',
      ]);
      assert.equal((await copy(dav('f-over.txt'), dav('coll-under/'))).status, 204);
      assert.equal(await readFile(join(main, 'coll-under'), 'utf8'), 'content of f-over.txt');
      assert.equal((await move(dav('coll-over/'), dav('file-under.txt'))).status, 204);
      assert.deepEqual(await tree(join(main, 'file-under.txt')), ['y.txt']);
      assert.equal(await exists(join(main, 'coll-over')), false);
    });

    it('accepts the Destination as an absolute path and as a full URL of another scheme', async () => {
      await build(main, ['d1.txt']);
      assert.equal((await copy(dav('d1.txt'), dav('d1-path.txt'))).status, 201);
      // Windows behind a TLS proxy sends https:// although we are reached over http.
      assert.equal((await copy(dav('d1.txt'), `https://127.0.0.1:${h.port}${dav('d1-https.txt')}`)).status, 201);
      assert.equal((await move(dav('d1.txt'), `${h.url}${dav('d1-url.txt')}`)).status, 201);
      assert.deepEqual((await readdir(main)).filter((name) => name.startsWith('d1')).sort(), [
        'd1-https.txt',
        'd1-path.txt',
        'd1-url.txt',
      ]);
    });

    it('answers 502 for a Destination on another server and 400 without one', async () => {
      await build(main, ['d2.txt']);
      assert.equal((await copy(dav('d2.txt'), `http://photos.example.org${dav('d2-far.txt')}`)).status, 502);
      assert.equal((await move(dav('d2.txt'), `http://127.0.0.1:1${dav('d2-far.txt')}`)).status, 502);
      assert.equal((await h.fetch(dav('d2.txt'), { method: 'COPY' })).status, 400);
      assert.equal((await copy(dav('d2.txt'), 'relative/path.txt')).status, 400);
      assert.deepEqual(
        (await readdir(main)).filter((name) => name.startsWith('d2')),
        ['d2.txt'],
      );
    });

    it('answers 403 when source and destination are the same', async () => {
      await build(main, ['same.txt']);
      assert.equal((await copy(dav('same.txt'), dav('same.txt'))).status, 403);
      assert.equal((await move(dav('same.txt'), `${h.url}${dav('same.txt')}`)).status, 403);
      assert.equal(await readFile(join(main, 'same.txt'), 'utf8'), 'content of same.txt');
    });

    it('answers 409 when the destination’s parent is missing, creating nothing', async () => {
      await build(main, ['orphan.txt']);
      assert.equal((await copy(dav('orphan.txt'), dav('no-parent/orphan.txt'))).status, 409);
      assert.equal((await move(dav('orphan.txt'), dav('no-parent/orphan.txt'))).status, 409);
      assert.equal(await exists(join(main, 'no-parent')), false);
      assert.ok(await exists(join(main, 'orphan.txt')));
    });

    it('answers 404 for a missing source', async () => {
      assert.equal((await copy(dav('not-there.txt'), dav('anything.txt'))).status, 404);
      assert.equal(await exists(join(main, 'anything.txt')), false);
    });

    it('reaches a Windows-1252 spelled destination as UTF-8', async () => {
      await build(main, ['ansi.txt']);
      assert.equal((await move(dav('ansi.txt'), '/webdav/main/M%E4dchen-2.txt')).status, 201);
      assert.ok(await exists(join(main, 'Mädchen-2.txt')));
    });
  });

  describe('trees', () => {
    it('COPY copies a tree with 201, the source stays', async () => {
      await build(main, ['t1/', 't1/a.txt', 't1/sub/', 't1/sub/b.txt', 't1/empty/']);
      assert.equal((await copy(dav('t1/'), dav('t1-copy/'))).status, 201);
      assert.deepEqual(await tree(join(main, 't1-copy')), ['a.txt', 'empty/', 'sub/', 'sub/b.txt']);
      assert.deepEqual(await tree(join(main, 't1')), ['a.txt', 'empty/', 'sub/', 'sub/b.txt']);
      assert.equal(await readFile(join(main, 't1-copy', 'sub', 'b.txt'), 'utf8'), 'content of t1/sub/b.txt');
    });

    it('COPY with Depth 0 copies just the collection', async () => {
      await build(main, ['t2/', 't2/a.txt', 't2/sub/']);
      assert.equal((await copy(dav('t2/'), dav('t2-shallow/'), { Depth: '0' })).status, 201);
      assert.deepEqual(await tree(join(main, 't2-shallow')), []);
      assert.equal((await copy(dav('t2/'), dav('t2-deep/'), { Depth: 'infinity' })).status, 201);
      assert.deepEqual(await tree(join(main, 't2-deep')), ['a.txt', 'sub/']);
      assert.equal((await copy(dav('t2/'), dav('t2-one/'), { Depth: '1' })).status, 400);
      assert.equal(await exists(join(main, 't2-one')), false);
    });

    it('MOVE moves a tree with 201; Depth other than infinity is a 400', async () => {
      await build(main, ['t3/', 't3/a.txt', 't3/sub/', 't3/sub/b.txt']);
      assert.equal((await move(dav('t3/'), dav('t3-moved/'), { Depth: '0' })).status, 400);
      assert.equal((await move(dav('t3/'), dav('t3-moved/'), { Depth: '1' })).status, 400);
      assert.ok(await exists(join(main, 't3', 'sub', 'b.txt')));
      assert.equal((await move(dav('t3/'), dav('t3-moved/'))).status, 201);
      assert.equal(await exists(join(main, 't3')), false);
      assert.deepEqual(await tree(join(main, 't3-moved')), ['a.txt', 'sub/', 'sub/b.txt']);
    });

    it('Overwrite: T replaces a whole tree (the old one is deleted first) with 204; F answers 412', async () => {
      await build(main, [
        't4/',
        't4/new.txt',
        't4-dest/',
        't4-dest/old.txt',
        't4-dest/old-sub/',
        't4-dest/old-sub/x.txt',
      ]);
      assert.equal((await copy(dav('t4/'), dav('t4-dest/'), { Overwrite: 'F' })).status, 412);
      assert.deepEqual(await tree(join(main, 't4-dest')), ['old-sub/', 'old-sub/x.txt', 'old.txt']);
      assert.equal((await copy(dav('t4/'), dav('t4-dest/'), { Overwrite: 'T' })).status, 204);
      assert.deepEqual(await tree(join(main, 't4-dest')), ['new.txt']);
      await build(main, ['t4-dest/extra.txt']);
      assert.equal((await move(dav('t4/'), dav('t4-dest/'))).status, 204);
      assert.deepEqual(await tree(join(main, 't4-dest')), ['new.txt']);
      assert.equal(await exists(join(main, 't4')), false);
    });

    it('refuses a destination inside the source, or a source inside the destination it would delete (403)', async () => {
      await build(main, ['t5/', 't5/sub/', 't5/sub/a.txt']);
      assert.equal((await copy(dav('t5/'), dav('t5/sub/copy/'))).status, 403);
      assert.equal((await move(dav('t5/'), dav('t5/sub/moved/'))).status, 403);
      assert.equal((await move(dav('t5/sub/'), dav('t5/'))).status, 403);
      assert.equal((await copy(dav('t5/sub/'), dav('t5/'))).status, 403);
      assert.deepEqual(await tree(join(main, 't5')), ['sub/', 'sub/a.txt']);
    });

    it('never moves or replaces a share root, but copies one elsewhere', async () => {
      await build(main, ['root-marker.txt']);
      assert.equal((await move('/webdav/main/', dav('moved-root/', 'other'))).status, 403);
      assert.equal((await copy(dav('root-marker.txt'), '/webdav/other/')).status, 403);
      assert.ok(await exists(folders.other!));
      assert.equal((await copy('/webdav/main/', dav('copy-of-main/', 'other'))).status, 201);
      assert.ok(await exists(join(folders.other!, 'copy-of-main', 'root-marker.txt')));
      await rm(join(folders.other!, 'copy-of-main'), { recursive: true });
    });
  });

  describe('shares', () => {
    it('copies and moves across shares the caller belongs to', async () => {
      await build(main, ['x1/', 'x1/a.txt', 'x1/sub/', 'x1/sub/b.txt', 'x2.txt']);
      assert.equal((await copy(dav('x1/'), dav('x1/', 'other'))).status, 201);
      assert.deepEqual(await tree(join(folders.other!, 'x1')), ['a.txt', 'sub/', 'sub/b.txt']);
      assert.ok(await exists(join(main, 'x1', 'sub', 'b.txt')));

      assert.equal((await move(dav('x1/'), dav('x1-moved/', 'other'))).status, 201);
      assert.deepEqual(await tree(join(folders.other!, 'x1-moved')), ['a.txt', 'sub/', 'sub/b.txt']);
      assert.equal(await exists(join(main, 'x1')), false);

      assert.equal((await move(dav('x2.txt'), `${h.url}${dav('x2.txt', 'other')}`)).status, 201);
      assert.equal(await readFile(join(folders.other!, 'x2.txt'), 'utf8'), 'content of x2.txt');
      assert.equal(await exists(join(main, 'x2.txt')), false);
    });

    it('refuses a destination share the caller is not a member of (403), nothing written', async () => {
      await build(main, ['x3.txt']);
      assert.equal((await copy(dav('x3.txt'), dav('x3.txt', 'secret'))).status, 403);
      assert.equal((await move(dav('x3.txt'), dav('x3.txt', 'secret'))).status, 403);
      assert.equal((await copy(dav('x3.txt'), dav('x3.txt', 'no-such-share'))).status, 403);
      assert.equal((await copy(dav('x3.txt'), '/webdav/x3.txt')).status, 403);
      assert.equal((await copy(dav('x3.txt'), '/elsewhere/x3.txt')).status, 403);
      assert.deepEqual(await readdir(folders.secret!), []);
      assert.ok(await exists(join(main, 'x3.txt')));
    });

    it('refuses a read-only destination share (403), nothing written', async () => {
      await build(main, ['x4.txt']);
      assert.equal((await copy(dav('x4.txt'), dav('x4.txt', 'ro'))).status, 403);
      assert.equal((await move(dav('x4.txt'), dav('x4.txt', 'ro'))).status, 403);
      assert.deepEqual(await readdir(folders.ro!), []);
      assert.ok(await exists(join(main, 'x4.txt')));
    });
  });

  describe('dead properties', () => {
    it('follow COPY (duplicated) and MOVE (moved), also across shares', async () => {
      await build(main, ['p1/', 'p1/a.txt', 'p1/sub/', 'p1/sub/b.txt']);
      await setNote(h, dav('p1/'), 'p1-note');
      await setNote(h, dav('p1/sub/b.txt'), 'b-note');

      assert.equal((await copy(dav('p1/'), dav('p1-copy/'))).status, 201);
      assert.equal(await note(h, dav('p1-copy/')), 'p1-note');
      assert.equal(await note(h, dav('p1-copy/sub/b.txt')), 'b-note');
      assert.equal(await note(h, dav('p1/sub/b.txt')), 'b-note');

      assert.equal((await move(dav('p1/'), dav('p1-moved/'))).status, 201);
      assert.equal(await note(h, dav('p1-moved/')), 'p1-note');
      assert.equal(await note(h, dav('p1-moved/sub/b.txt')), 'b-note');
      await build(main, ['p1/', 'p1/sub/', 'p1/sub/b.txt']);
      assert.equal(await note(h, dav('p1/')), null);
      assert.equal(await note(h, dav('p1/sub/b.txt')), null);

      assert.equal((await move(dav('p1-moved/'), dav('p1/', 'other'))).status, 201);
      assert.equal(await note(h, dav('p1/sub/b.txt', 'other')), 'b-note');
      assert.equal(await note(h, dav('p1/', 'other')), 'p1-note');
      await rm(join(folders.other!, 'p1'), { recursive: true });
    });

    it('Depth 0 COPY copies only the collection’s own properties', async () => {
      await build(main, ['p2/', 'p2/a.txt']);
      await setNote(h, dav('p2/'), 'p2-note');
      await setNote(h, dav('p2/a.txt'), 'a-note');
      assert.equal((await copy(dav('p2/'), dav('p2-shallow/'), { Depth: '0' })).status, 201);
      assert.equal(await note(h, dav('p2-shallow/')), 'p2-note');
      await build(main, ['p2-shallow/a.txt']);
      assert.equal(await note(h, dav('p2-shallow/a.txt')), null);
    });

    it('an overwritten destination loses its own properties', async () => {
      await build(main, ['p3.txt', 'p3-dest.txt']);
      await setNote(h, dav('p3-dest.txt'), 'old-note');
      assert.equal((await copy(dav('p3.txt'), dav('p3-dest.txt'))).status, 204);
      assert.equal(await note(h, dav('p3-dest.txt')), null);
    });
  });

  describe('when the store cannot rename or fails part way', () => {
    it('MOVE falls back to copy and delete when the rename would cross devices', async () => {
      await build(main, ['xd/', 'xd/a.txt', 'xd/sub/', 'xd/sub/b.txt']);
      await setNote(h, dav('xd/sub/b.txt'), 'xd-note');
      faults.add({ op: 'rename', path: 'xd', status: 'cross-device' });
      assert.equal((await move(dav('xd/'), dav('xd-moved/'))).status, 201);
      assert.ok(faults.calls.includes('write xd-moved/sub/b.txt'), 'the move copied');
      assert.equal(await exists(join(main, 'xd')), false);
      assert.deepEqual(await tree(join(main, 'xd-moved')), ['a.txt', 'sub/', 'sub/b.txt']);
      assert.equal(await note(h, dav('xd-moved/sub/b.txt')), 'xd-note');
    });

    it('COPY answers 207 naming what could not be written (507), copying everything else', async () => {
      await build(main, ['pc/', 'pc/a.txt', 'pc/sub/', 'pc/sub/b.txt', 'pc/sub/c.txt', 'pc/full/', 'pc/full/d.txt']);
      await setNote(h, dav('pc/sub/b.txt'), 'b-note');
      faults.add(
        { op: 'write', path: 'pc-copy/sub/b.txt', status: 507 },
        { op: 'makeCollection', path: 'pc-copy/full', status: 507 },
      );
      const res = await copy(dav('pc/'), dav('pc-copy/'));
      assert.equal(res.status, 207);
      assert.deepEqual(responses(await res.text()), [
        { href: '/webdav/main/pc-copy/full/', status: 507 },
        { href: '/webdav/main/pc-copy/sub/b.txt', status: 507 },
      ]);
      assert.deepEqual(await tree(join(main, 'pc-copy')), ['a.txt', 'sub/', 'sub/c.txt']);
      assert.deepEqual(await tree(join(main, 'pc')), [
        'a.txt',
        'full/',
        'full/d.txt',
        'sub/',
        'sub/b.txt',
        'sub/c.txt',
      ]);
      const rows = await h.db('webdav_properties').where({ mount: 'main' }).select('path');
      assert.deepEqual(
        rows.map((row: { path: string }) => row.path).filter((path: string) => path.startsWith('pc')),
        ['pc/sub/b.txt'],
      );
    });

    it('COPY names the source when reading it fails half way', async () => {
      await build(main, ['pr/']);
      await writeFile(join(main, 'pr', 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
      await build(main, ['pr/small.txt']);
      faults.add({ op: 'read', path: 'pr/big.bin', status: 500, afterBytes: 1024 * 1024 });
      const res = await copy(dav('pr/'), dav('pr-copy/'));
      assert.equal(res.status, 207);
      assert.deepEqual(responses(await res.text()), [{ href: '/webdav/main/pr/big.bin', status: 500 }]);
      assert.deepEqual(await tree(join(main, 'pr-copy')), ['small.txt']);
    });

    it('COPY names a source folder it could not list', async () => {
      await build(main, ['pl/', 'pl/a.txt', 'pl/sub/', 'pl/sub/b.txt']);
      faults.add({ op: 'list', path: 'pl/sub', status: 403 });
      const res = await copy(dav('pl/'), dav('pl-copy/'));
      assert.equal(res.status, 207);
      assert.deepEqual(responses(await res.text()), [{ href: '/webdav/main/pl/sub/', status: 403 }]);
      assert.deepEqual(await tree(join(main, 'pl-copy')), ['a.txt', 'sub/']);
    });

    it('MOVE by copying removes only what was copied: a failed write keeps its source', async () => {
      await build(main, ['pm/', 'pm/a.txt', 'pm/sub/', 'pm/sub/b.txt', 'pm/sub/c.txt']);
      await setNote(h, dav('pm/sub/b.txt'), 'pm-b-note');
      await setNote(h, dav('pm/sub/c.txt'), 'pm-c-note');
      faults.add(
        { op: 'rename', path: 'pm', status: 'cross-device' },
        { op: 'write', path: 'pm-moved/sub/b.txt', status: 507 },
      );
      const res = await move(dav('pm/'), dav('pm-moved/'));
      assert.equal(res.status, 207);
      assert.deepEqual(responses(await res.text()), [{ href: '/webdav/main/pm-moved/sub/b.txt', status: 507 }]);
      assert.deepEqual(await tree(join(main, 'pm')), ['sub/', 'sub/b.txt']);
      assert.deepEqual(await tree(join(main, 'pm-moved')), ['a.txt', 'sub/', 'sub/c.txt']);
      assert.equal(await readFile(join(main, 'pm', 'sub', 'b.txt'), 'utf8'), 'content of pm/sub/b.txt');
      assert.equal(await note(h, dav('pm/sub/b.txt')), 'pm-b-note');
      assert.equal(await note(h, dav('pm-moved/sub/c.txt')), 'pm-c-note');
      const rows = await h.db('webdav_properties').where({ mount: 'main' }).select('path');
      assert.deepEqual(
        rows
          .map((row: { path: string }) => row.path)
          .filter((path: string) => path.startsWith('pm'))
          .sort(),
        ['pm-moved/sub/c.txt', 'pm/sub/b.txt'],
      );
    });

    it('MOVE by copying names a source it could not remove, keeping both copies', async () => {
      await build(main, ['pk/', 'pk/a.txt', 'pk/b.txt']);
      faults.add(
        { op: 'rename', path: 'pk', status: 'cross-device' },
        { op: 'removeOne', path: 'pk/b.txt', status: 403 },
      );
      const res = await move(dav('pk/'), dav('pk-moved/'));
      assert.equal(res.status, 207);
      assert.deepEqual(responses(await res.text()), [{ href: '/webdav/main/pk/b.txt', status: 403 }]);
      assert.deepEqual(await tree(join(main, 'pk')), ['b.txt']);
      assert.deepEqual(await tree(join(main, 'pk-moved')), ['a.txt', 'b.txt']);
    });

    it('a MOVE across shares fails part way without losing anything', async () => {
      await build(main, ['ps/', 'ps/a.txt', 'ps/b.txt']);
      faults.add({ op: 'write', path: 'ps/b.txt', root: folders.other!, status: 507 });
      const res = await move(dav('ps/'), dav('ps/', 'other'));
      assert.equal(res.status, 207);
      assert.deepEqual(responses(await res.text()), [{ href: '/webdav/other/ps/b.txt', status: 507 }]);
      assert.deepEqual(await tree(join(main, 'ps')), ['b.txt']);
      assert.deepEqual(await tree(join(folders.other!, 'ps')), ['a.txt']);
      await rm(join(folders.other!, 'ps'), { recursive: true });
    });

    it('answers the status alone when the resource itself could not be copied', async () => {
      await build(main, ['solo.txt']);
      faults.add({ op: 'write', path: 'solo-copy.txt', status: 507 });
      assert.equal((await copy(dav('solo.txt'), dav('solo-copy.txt'))).status, 507);
      assert.equal(await exists(join(main, 'solo-copy.txt')), false);
    });

    it('keeps a file that was to be replaced, with its properties, when the copy fails', async () => {
      await build(main, ['keep-src.txt', 'keep-dest.txt']);
      await setNote(h, dav('keep-dest.txt'), 'keep-note');
      faults.add({ op: 'write', path: 'keep-dest.txt', status: 507 });
      assert.equal((await copy(dav('keep-src.txt'), dav('keep-dest.txt'))).status, 507);
      assert.equal(await readFile(join(main, 'keep-dest.txt'), 'utf8'), 'content of keep-dest.txt');
      assert.equal(await note(h, dav('keep-dest.txt')), 'keep-note');
    });

    it('stops when an overwritten destination cannot be deleted completely, copying nothing', async () => {
      await build(main, ['ow/', 'ow/new.txt', 'ow-dest/', 'ow-dest/old.txt', 'ow-dest/stuck.txt']);
      faults.add({ op: 'removeOne', path: 'ow-dest/stuck.txt', status: 423 });
      const res = await copy(dav('ow/'), dav('ow-dest/'));
      assert.equal(res.status, 207);
      assert.deepEqual(responses(await res.text()), [{ href: '/webdav/main/ow-dest/stuck.txt', status: 423 }]);
      assert.deepEqual(await tree(join(main, 'ow-dest')), ['stuck.txt']);
    });
  });
});

describe('COPY and MOVE behind a TLS-terminating proxy', () => {
  // nginx with TLS on a non-default port that passes `Host $host` (no port):
  // only the forwarded headers tell the origin the client used.
  const forwarded = {
    host: 'photos.example.org',
    'x-forwarded-host': 'photos.example.org:8443',
    'x-forwarded-proto': 'https',
  };
  const publicUrl = (name: string): string => `https://photos.example.org:8443${dav(name)}`;
  const harnesses: Harness[] = [];
  after(() => Promise.all(harnesses.map((h) => h.stop())));

  async function harness(trustProxy: boolean): Promise<Harness> {
    const h = await startPlugin({ trustProxy });
    harnesses.push(h);
    return h;
  }
  const transfer = (h: Harness, method: string, from: string, to: string, headers: Record<string, string> = {}) =>
    send(h.port, {
      method,
      path: dav(from),
      headers: { ...forwarded, authorization: h.auth(), destination: to, ...headers },
    });

  it('take the https Destination of the public origin when the host trusts the proxy', async () => {
    const h = await harness(true);
    await build(h.root, ['p1.txt']);
    assert.equal((await transfer(h, 'COPY', 'p1.txt', publicUrl('p1-copy.txt'))).status, 201);
    assert.equal((await transfer(h, 'MOVE', 'p1.txt', publicUrl('p1-moved.txt'))).status, 201);
    assert.deepEqual((await readdir(h.root)).filter((name) => name.startsWith('p1')).sort(), [
      'p1-copy.txt',
      'p1-moved.txt',
    ]);
    assert.equal(
      (await transfer(h, 'COPY', 'p1-copy.txt', `https://photos.example.org:9443${dav('p1-far.txt')}`)).status,
      502,
    );
  });

  it('name a locked resource in an If tag by its public URL', async () => {
    const h = await harness(true);
    await build(h.root, ['p2.txt']);
    const locked = await h.fetch(dav('p2-dest.txt'), {
      method: 'LOCK',
      headers: { 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>',
    });
    assert.equal(locked.status, 201);
    const token = locked.headers.get('lock-token')!;
    assert.equal((await transfer(h, 'COPY', 'p2.txt', publicUrl('p2-dest.txt'), { overwrite: 'T' })).status, 423);
    const ifHeader = `<${publicUrl('p2-dest.txt')}> (${token})`;
    assert.equal(
      (await transfer(h, 'COPY', 'p2.txt', publicUrl('p2-dest.txt'), { overwrite: 'T', if: ifHeader })).status,
      204,
    );
    assert.equal(await readFile(join(h.root, 'p2-dest.txt'), 'utf8'), 'content of p2.txt');
  });

  it("refuse the forwarded origin, the client's word, when the host does not trust a proxy", async () => {
    const h = await harness(false);
    await build(h.root, ['p3.txt']);
    assert.equal((await transfer(h, 'COPY', 'p3.txt', publicUrl('p3-copy.txt'))).status, 502);
    assert.equal(await exists(join(h.root, 'p3-copy.txt')), false);
  });
});
