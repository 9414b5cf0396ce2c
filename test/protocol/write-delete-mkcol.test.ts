/**
 * MKCOL (RFC 4918 §9.3) and DELETE (§9.6), including a DELETE of a tree that
 * fails part way (through a store that fails on purpose: the tests run as
 * root, which ignores file permissions).
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';
import { dav, exists, build, setNote, responses } from '../helpers/dav-fixtures.js';
import { Faults, faultyStores } from '../helpers/faulty-store.js';

/** The paths that have dead properties stored, in share "main". */
async function pathsWithProperties(h: Harness): Promise<string[]> {
  const rows = await h.db('webdav_properties').where({ mount: 'main' }).distinct('path').orderBy('path');
  return rows.map((row: { path: string }) => row.path);
}

describe('MKCOL', () => {
  let h: Harness;
  before(async () => {
    h = await startPlugin();
  });
  after(async () => {
    await h.stop();
  });

  it('creates a collection with 201', async () => {
    const res = await h.fetch(dav('albums/'), { method: 'MKCOL' });
    assert.equal(res.status, 201);
    assert.ok((await stat(join(h.root, 'albums'))).isDirectory());
  });

  it('answers 405 where something exists, changing nothing', async () => {
    await build(h.root, ['taken/', 'taken/keep.txt', 'plain.txt']);
    assert.equal((await h.fetch(dav('taken/'), { method: 'MKCOL' })).status, 405);
    assert.equal((await h.fetch(dav('plain.txt'), { method: 'MKCOL' })).status, 405);
    assert.equal(await readFile(join(h.root, 'taken', 'keep.txt'), 'utf8'), 'content of taken/keep.txt');
    assert.equal(await readFile(join(h.root, 'plain.txt'), 'utf8'), 'content of plain.txt');
    assert.equal((await h.fetch('/webdav/main/', { method: 'MKCOL' })).status, 405);
  });

  it('answers 409 when the parent is missing, creating no intermediate collection', async () => {
    assert.equal((await h.fetch(dav('nowhere/deeper/'), { method: 'MKCOL' })).status, 409);
    assert.equal(await exists(join(h.root, 'nowhere')), false);
  });

  it('answers 415 to a body, creating nothing', async () => {
    const res = await h.fetch(dav('with-body/'), {
      method: 'MKCOL',
      body: '<x/>',
      headers: { 'Content-Type': 'text/xml' },
    });
    assert.equal(res.status, 415);
    assert.equal(await exists(join(h.root, 'with-body')), false);

    const req = httpRequest({
      host: '127.0.0.1',
      port: h.port,
      method: 'MKCOL',
      path: dav('chunked-body/'),
      headers: { authorization: h.auth(), 'transfer-encoding': 'chunked' },
    });
    req.end('something');
    const [chunked] = (await once(req, 'response')) as [IncomingMessage];
    chunked.resume();
    assert.equal(chunked.statusCode, 415);
    assert.equal(await exists(join(h.root, 'chunked-body')), false);
  });
});

describe('DELETE', () => {
  const faults = new Faults();
  let h: Harness;
  before(async () => {
    h = await startPlugin({ storeFactory: faultyStores(faults) });
  });
  beforeEach(() => faults.clear());
  after(async () => {
    await h.stop();
  });

  it('removes a file with 204', async () => {
    await build(h.root, ['gone.txt']);
    assert.equal((await h.fetch(dav('gone.txt'), { method: 'DELETE' })).status, 204);
    assert.equal(await exists(join(h.root, 'gone.txt')), false);
  });

  it('removes a whole tree with 204, and its dead properties', async () => {
    await build(h.root, [
      'tree/',
      'tree/a.txt',
      'tree/sub/',
      'tree/sub/b.txt',
      'tree/sub/deeper/',
      'tree/sub/deeper/c.txt',
    ]);
    await setNote(h, dav('tree/'), 'tree-note');
    await setNote(h, dav('tree/sub/b.txt'), 'b-note');
    const res = await h.fetch(dav('tree/'), { method: 'DELETE' });
    assert.equal(res.status, 204);
    assert.equal(await exists(join(h.root, 'tree')), false);
    assert.deepEqual(
      (await pathsWithProperties(h)).filter((path) => path.startsWith('tree')),
      [],
    );
  });

  it('answers 404 for nothing', async () => {
    assert.equal((await h.fetch(dav('never-was.txt'), { method: 'DELETE' })).status, 404);
  });

  it('refuses the share root with 403', async () => {
    await build(h.root, ['survivor.txt']);
    assert.equal((await h.fetch('/webdav/main/', { method: 'DELETE' })).status, 403);
    assert.equal((await h.fetch('/webdav/main', { method: 'DELETE' })).status, 403);
    assert.ok(await exists(join(h.root, 'survivor.txt')));
  });

  it('refuses a Depth other than infinity on a collection with 400', async () => {
    await build(h.root, ['shallow/', 'shallow/x.txt']);
    for (const depth of ['0', '1']) {
      assert.equal((await h.fetch(dav('shallow/'), { method: 'DELETE', headers: { Depth: depth } })).status, 400);
    }
    assert.ok(await exists(join(h.root, 'shallow', 'x.txt')));
    assert.equal((await h.fetch(dav('shallow/'), { method: 'DELETE', headers: { Depth: 'infinity' } })).status, 204);
    assert.equal(await exists(join(h.root, 'shallow')), false);
  });

  it('honours If-Match', async () => {
    await build(h.root, ['guarded.txt']);
    assert.equal(
      (await h.fetch(dav('guarded.txt'), { method: 'DELETE', headers: { 'If-Match': '"stale"' } })).status,
      412,
    );
    assert.ok(await exists(join(h.root, 'guarded.txt')));
  });

  it('answers 207 naming what could not be removed, and removes everything else', async () => {
    await build(h.root, [
      'part/',
      'part/a.txt',
      'part/sub/',
      'part/sub/b.txt',
      'part/sub/c.txt',
      'part/other/',
      'part/other/d.txt',
      'part/locked.txt',
    ]);
    await setNote(h, dav('part/'), 'part-note');
    await setNote(h, dav('part/a.txt'), 'a-note');
    await setNote(h, dav('part/sub/b.txt'), 'b-note');
    await setNote(h, dav('part/other/d.txt'), 'd-note');
    faults.add(
      { op: 'removeOne', path: 'part/sub/b.txt', status: 403 },
      { op: 'removeOne', path: 'part/locked.txt', status: 423 },
    );

    const res = await h.fetch(dav('part/'), { method: 'DELETE' });
    assert.equal(res.status, 207);
    const body = await res.text();
    // Only the resources that failed on their own; not their ancestors (no 424, §9.6.1).
    assert.deepEqual(
      responses(body).sort((a, b) => a.href.localeCompare(b.href)),
      [
        { href: '/webdav/main/part/locked.txt', status: 423 },
        { href: '/webdav/main/part/sub/b.txt', status: 403 },
      ],
    );
    assert.deepEqual((await readdir(join(h.root, 'part'))).sort(), ['locked.txt', 'sub']);
    assert.deepEqual(await readdir(join(h.root, 'part', 'sub')), ['b.txt']);
    assert.deepEqual(
      (await pathsWithProperties(h)).filter((path) => path.startsWith('part')),
      ['part', 'part/sub/b.txt'],
    );
  });

  it('answers the status alone when the only failure is the resource itself', async () => {
    await build(h.root, ['stuck.txt', 'stuck-folder/']);
    faults.add(
      { op: 'removeOne', path: 'stuck.txt', status: 403 },
      { op: 'removeOne', path: 'stuck-folder', status: 403 },
    );
    assert.equal((await h.fetch(dav('stuck.txt'), { method: 'DELETE' })).status, 403);
    assert.equal((await h.fetch(dav('stuck-folder/'), { method: 'DELETE' })).status, 403);
    assert.ok(await exists(join(h.root, 'stuck.txt')));
    assert.ok(await exists(join(h.root, 'stuck-folder')));
  });

  it('reports a folder it could not list, and keeps it', async () => {
    await build(h.root, ['unlistable/', 'unlistable/inner/', 'unlistable/inner/x.txt', 'unlistable/y.txt']);
    faults.add({ op: 'list', path: 'unlistable/inner', status: 403 });
    const res = await h.fetch(dav('unlistable/'), { method: 'DELETE' });
    assert.equal(res.status, 207);
    assert.deepEqual(responses(await res.text()), [{ href: '/webdav/main/unlistable/inner/', status: 403 }]);
    assert.ok(await exists(join(h.root, 'unlistable', 'inner', 'x.txt')));
    assert.equal(await exists(join(h.root, 'unlistable', 'y.txt')), false);
  });
});
