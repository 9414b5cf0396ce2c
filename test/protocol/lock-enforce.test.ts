/**
 * What a lock protects (RFC 4918 §7, §10.4): every modifying method on a
 * locked resource needs the lock's token in the If header, submitted by the
 * lock's creator (§6.4); missing → 423 with `lock-token-submitted` naming the
 * lock root (§16). The If header itself is evaluated first: all lists false
 * → 412. Read methods are never affected.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';
import { USERS, conditionHrefs, dav, etagOf, locked, put, unlock } from '../helpers/locks.js';

const PROPPATCH_BODY =
  '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:x="urn:x"><D:set><D:prop><x:tag>sunset</x:tag></D:prop></D:set></D:propertyupdate>';

describe('a locked file', () => {
  let h: Harness;
  let token: string;
  before(async () => {
    h = await startPlugin({ users: USERS });
  });
  after(() => h.stop());
  beforeEach(async () => {
    await rm(join(h.root, 'locked.jpg'), { force: true });
    await rm(join(h.root, 'moved.jpg'), { force: true });
    await writeFile(join(h.root, 'locked.jpg'), 'original');
    await writeFile(join(h.root, 'other.jpg'), 'other');
    // Locks are kept on URLs; a test that moved or deleted the file leaves its lock behind until here.
    await h.db('webdav_locks').delete();
    token = await locked(h, dav('locked.jpg'), { depth: '0' });
  });

  const refusedWith423 = async (res: Response, what: string): Promise<void> => {
    const body = await res.text();
    assert.equal(res.status, 423, `${what}: ${res.status} ${body}`);
    assert.deepEqual(conditionHrefs(body, 'lock-token-submitted'), ['/webdav/main/locked.jpg'], what);
  };

  it('refuses PUT, PROPPATCH, DELETE, MOVE and COPY onto it without the token (423, lock-token-submitted)', async () => {
    await refusedWith423(await put(h, dav('locked.jpg'), 'changed'), 'PUT');
    await refusedWith423(await h.fetch(dav('locked.jpg'), { method: 'PROPPATCH', body: PROPPATCH_BODY }), 'PROPPATCH');
    await refusedWith423(await h.fetch(dav('locked.jpg'), { method: 'DELETE' }), 'DELETE');
    await refusedWith423(
      await h.fetch(dav('locked.jpg'), { method: 'MOVE', headers: { Destination: `${h.url}${dav('moved.jpg')}` } }),
      'MOVE',
    );
    await refusedWith423(
      await h.fetch(dav('other.jpg'), {
        method: 'COPY',
        headers: { Destination: `${h.url}${dav('locked.jpg')}`, Overwrite: 'T' },
      }),
      'COPY onto',
    );
    assert.equal(await readFile(join(h.root, 'locked.jpg'), 'utf8'), 'original');
  });

  it('still serves GET, HEAD, PROPFIND, and COPY from it (the source is not changed)', async () => {
    assert.equal((await h.fetch(dav('locked.jpg'))).status, 200);
    assert.equal((await h.fetch(dav('locked.jpg'), { method: 'HEAD', user: 'carol' })).status, 200);
    assert.equal((await h.fetch(dav('locked.jpg'), { method: 'PROPFIND', headers: { Depth: '0' } })).status, 207);
    const copy = await h.fetch(dav('locked.jpg'), {
      method: 'COPY',
      headers: { Destination: dav('copy.jpg') },
      user: 'carol',
    });
    assert.equal(copy.status, 201);
  });

  it('lets its owner write with the token in an untagged list', async () => {
    const If = `(<${token}>)`;
    assert.equal((await put(h, dav('locked.jpg'), 'changed', { If })).status, 204);
    assert.equal(await readFile(join(h.root, 'locked.jpg'), 'utf8'), 'changed');
    assert.equal(
      (await h.fetch(dav('locked.jpg'), { method: 'PROPPATCH', body: PROPPATCH_BODY, headers: { If } })).status,
      207,
    );
    const move = await h.fetch(dav('locked.jpg'), { method: 'MOVE', headers: { If, Destination: dav('moved.jpg') } });
    assert.equal(move.status, 201);
    assert.equal(await readFile(join(h.root, 'moved.jpg'), 'utf8'), 'changed');
  });

  it('lets its owner DELETE with the token in a list tagged with the absolute URL (as neon sends it)', async () => {
    const If = `<${h.url}${dav('locked.jpg')}> (<${token}>)`;
    assert.equal((await h.fetch(dav('locked.jpg'), { method: 'DELETE', headers: { If } })).status, 204);
  });

  it('refuses the token when another user submits it (423): only the lock creator may use it', async () => {
    const If = `(<${token}>)`;
    await refusedWith423(await put(h, dav('locked.jpg'), 'carol was here', { If }, 'carol'), 'PUT by carol');
    await refusedWith423(
      await h.fetch(dav('locked.jpg'), { method: 'DELETE', headers: { If }, user: 'carol' }),
      'DELETE by carol',
    );
    assert.equal(await readFile(join(h.root, 'locked.jpg'), 'utf8'), 'original');
  });

  it('combines the token with an entity tag: both must match (litmus cond_put, fail_complex_cond_put)', async () => {
    const etag = await etagOf(h, dav('locked.jpg'));
    assert.equal((await put(h, dav('locked.jpg'), 'v2', { If: `(<${token}> [${etag}])` })).status, 204);
    // The ETag changed with the content: the same condition now fails as a whole.
    assert.equal((await put(h, dav('locked.jpg'), 'v3', { If: `(<${token}> [${etag}])` })).status, 412);
    const current = await etagOf(h, dav('locked.jpg'));
    assert.equal(
      (await put(h, dav('locked.jpg'), 'v3', { If: `(<${token}> [${current}]) (Not <DAV:no-lock> [${current}])` }))
        .status,
      204,
    );
    assert.equal(await readFile(join(h.root, 'locked.jpg'), 'utf8'), 'v3');
  });

  it('answers 412 when no list holds, and 423 when a list holds without the token (litmus fail_cond_put, cond_put_corrupt_token)', async () => {
    const etag = await etagOf(h, dav('locked.jpg'));
    assert.equal((await put(h, dav('locked.jpg'), 'x', { If: `(<DAV:no-lock> [${etag}])` })).status, 412);
    assert.equal((await put(h, dav('locked.jpg'), 'x', { If: `(<${token}x>)` })).status, 412);
    await refusedWith423(
      await put(h, dav('locked.jpg'), 'x', { If: `(<${token}x>) (Not <DAV:no-lock>)` }),
      'corrupt token',
    );
    await refusedWith423(await put(h, dav('locked.jpg'), 'x', { If: `([${etag}])` }), 'etag only');
    assert.equal(await readFile(join(h.root, 'locked.jpg'), 'utf8'), 'original');
  });

  it('leaves other files alone', async () => {
    assert.equal((await put(h, dav('other.jpg'), 'changed', {}, 'carol')).status, 204);
  });

  it('is writable again once unlocked', async () => {
    assert.equal((await unlock(h, dav('locked.jpg'), token)).status, 204);
    assert.equal((await put(h, dav('locked.jpg'), 'free', {}, 'carol')).status, 204);
  });
});

describe('shared locks', () => {
  let h: Harness;
  before(async () => {
    h = await startPlugin({ users: USERS });
    await writeFile(join(h.root, 'shared.jpg'), 'original');
  });
  after(() => h.stop());

  it('let each holder write with their own token; without any, 423 names the lock root once', async () => {
    const alice = await locked(h, dav('shared.jpg'), { scope: 'shared', depth: '0' });
    const carol = await locked(h, dav('shared.jpg'), { scope: 'shared', depth: '0', user: 'carol' });
    // §7.5: a token "for all locked resources that a method may change"; one lock of the resource suffices.
    assert.equal((await put(h, dav('shared.jpg'), 'alice', { If: `(<${alice}>)` })).status, 204);
    assert.equal((await put(h, dav('shared.jpg'), 'carol', { If: `(<${carol}>)` }, 'carol')).status, 204);
    // Swapped tokens: each If holds (the token locks the resource), but neither user created that lock.
    assert.equal((await put(h, dav('shared.jpg'), 'x', { If: `(<${carol}>)` })).status, 423);
    const res = await put(h, dav('shared.jpg'), 'x');
    assert.equal(res.status, 423);
    assert.deepEqual(conditionHrefs(await res.text(), 'lock-token-submitted'), ['/webdav/main/shared.jpg']);
    assert.equal(await readFile(join(h.root, 'shared.jpg'), 'utf8'), 'carol');
  });
});

describe('a depth-infinity lock on a collection', () => {
  let h: Harness;
  let token: string;
  before(async () => {
    h = await startPlugin({ users: USERS });
    await mkdir(join(h.root, 'album', 'sub'), { recursive: true });
    await writeFile(join(h.root, 'album', 'one.jpg'), 'one');
    await writeFile(join(h.root, 'album', 'sub', 'two.jpg'), 'two');
    token = await locked(h, dav('album/'), { depth: 'infinity' });
  });
  after(() => h.stop());

  const refused = async (res: Response, what: string): Promise<void> => {
    const body = await res.text();
    assert.equal(res.status, 423, `${what}: ${res.status} ${body}`);
    assert.deepEqual(conditionHrefs(body, 'lock-token-submitted'), ['/webdav/main/album/'], what);
  };

  it('protects every member, new ones included, naming the collection as the lock root', async () => {
    await refused(await put(h, dav('album/one.jpg'), 'x'), 'PUT member');
    await refused(await put(h, dav('album/sub/new.jpg'), 'x'), 'PUT new member');
    await refused(await h.fetch(dav('album/sub/new/'), { method: 'MKCOL' }), 'MKCOL');
    await refused(await h.fetch(dav('album/sub/two.jpg'), { method: 'DELETE' }), 'DELETE member');
    await refused(await h.fetch(dav('album/'), { method: 'DELETE' }), 'DELETE collection');
    await refused(
      await h.fetch(dav('album/one.jpg'), { method: 'MOVE', headers: { Destination: dav('out.jpg') } }),
      'MOVE out',
    );
    assert.equal(await readFile(join(h.root, 'album', 'one.jpg'), 'utf8'), 'one');
  });

  it('lets the owner write below it with the collection token', async () => {
    const If = `(<${token}>)`;
    assert.equal((await put(h, dav('album/sub/new.jpg'), 'new', { If })).status, 201);
    assert.equal((await h.fetch(dav('album/sub/folder/'), { method: 'MKCOL', headers: { If } })).status, 201);
    // neon tags the list with the lock root, not with the resource written.
    assert.equal(
      (await put(h, dav('album/one.jpg'), 'changed', { If: `<${h.url}${dav('album/')}> (<${token}>)` })).status,
      204,
    );
  });
});

describe('deleting a tree with a locked member', () => {
  let h: Harness;
  before(async () => {
    h = await startPlugin({ users: USERS });
    await mkdir(join(h.root, 'trip', 'day1'), { recursive: true });
    await writeFile(join(h.root, 'trip', 'day1', 'beach.jpg'), 'beach');
    await writeFile(join(h.root, 'trip', 'map.jpg'), 'map');
  });
  after(() => h.stop());

  it('needs the token of every locked resource below (423 naming the member), then succeeds', async () => {
    const member = await locked(h, dav('trip/day1/beach.jpg'), { depth: '0', user: 'carol' });
    const res = await h.fetch(dav('trip/'), { method: 'DELETE' });
    assert.equal(res.status, 423);
    assert.deepEqual(conditionHrefs(await res.text(), 'lock-token-submitted'), ['/webdav/main/trip/day1/beach.jpg']);
    // Someone else's token does not help, even in a tagged list that holds.
    const withCarols = await h.fetch(dav('trip/'), {
      method: 'DELETE',
      headers: { If: `<${dav('trip/day1/beach.jpg')}> (<${member}>)` },
    });
    assert.equal(withCarols.status, 423);
    assert.equal(await readFile(join(h.root, 'trip', 'map.jpg'), 'utf8'), 'map');
    const byCarol = await h.fetch(dav('trip/'), {
      method: 'DELETE',
      headers: { If: `<${dav('trip/day1/beach.jpg')}> (<${member}>)` },
      user: 'carol',
    });
    assert.equal(byCarol.status, 204);
  });
});

describe('expired locks', () => {
  let h: Harness;
  before(async () => {
    h = await startPlugin({ users: USERS });
    await writeFile(join(h.root, 'brief.jpg'), 'brief');
    await writeFile(join(h.root, 'aged.jpg'), 'aged');
  });
  after(() => h.stop());

  it('stop protecting once their timeout has passed (Second-1, real time)', async () => {
    await locked(h, dav('brief.jpg'), { depth: '0', timeout: 'Second-1' });
    assert.equal((await put(h, dav('brief.jpg'), 'x', {}, 'carol')).status, 423);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await put(h, dav('brief.jpg'), 'x', {}, 'carol')).status, 204);
    // And an expired lock conflicts with nothing.
    await locked(h, dav('brief.jpg'), { depth: '0', user: 'carol' });
  });

  it('count for nothing when their expiry lies in the past in the table (another instance’s clock)', async () => {
    const token = await locked(h, dav('aged.jpg'), { depth: '0' });
    await h
      .db('webdav_locks')
      .where({ token })
      .update({ expires_at: Date.now() - 1000 });
    assert.equal((await put(h, dav('aged.jpg'), 'x', {}, 'carol')).status, 204);
    const refresh = await h.fetch(dav('aged.jpg'), { method: 'LOCK', headers: { If: `(<${token}>)` } });
    assert.equal(refresh.status, 412);
    assert.equal((await unlock(h, dav('aged.jpg'), token)).status, 409);
  });
});

describe('locks follow their resources', () => {
  it('a depth-0 lock on a folder guards its membership; DELETE and MOVE destroy the locks rooted on what they remove', async () => {
    const harness = await startPlugin();
    try {
      await mkdir(join(harness.root, 'album'));
      await writeFile(join(harness.root, 'album', 'a.jpg'), 'a');
      const lockinfo =
        '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';
      const folderLock = await harness.fetch('/webdav/main/album/', {
        method: 'LOCK',
        headers: { depth: '0', 'content-type': 'application/xml' },
        body: lockinfo,
      });
      assert.equal(folderLock.status, 200);
      const token = folderLock.headers.get('lock-token')!;
      // Adding or removing members needs the folder's token (RFC 4918 §7.4); changing one does not.
      assert.equal((await harness.fetch('/webdav/main/album/b.jpg', { method: 'PUT', body: 'b' })).status, 423);
      assert.equal((await harness.fetch('/webdav/main/album/a.jpg', { method: 'DELETE' })).status, 423);
      assert.equal((await harness.fetch('/webdav/main/album/sub', { method: 'MKCOL' })).status, 423);
      assert.equal((await harness.fetch('/webdav/main/album/a.jpg', { method: 'PUT', body: 'a2' })).status, 204);
      // The folder's token is submitted for the folder: a tagged list (an untagged one applies to the new file).
      assert.equal(
        (await harness.fetch('/webdav/main/album/b.jpg', { method: 'PUT', body: 'b', headers: { if: `(${token})` } }))
          .status,
        412,
      );
      const tagged = `</webdav/main/album/> (${token})`;
      assert.equal(
        (await harness.fetch('/webdav/main/album/b.jpg', { method: 'PUT', body: 'b', headers: { if: tagged } })).status,
        201,
      );

      const fileLock = await harness.fetch('/webdav/main/album/b.jpg', {
        method: 'LOCK',
        headers: { 'content-type': 'application/xml' },
        body: lockinfo,
      });
      const fileToken = fileLock.headers.get('lock-token')!;
      assert.equal(fileLock.status, 200);
      const both = `</webdav/main/album/> (${token}) </webdav/main/album/b.jpg> (${fileToken})`;
      assert.equal(
        (
          await harness.fetch('/webdav/main/album/b.jpg', {
            method: 'MOVE',
            headers: { destination: '/webdav/main/b.jpg', if: both },
          })
        ).status,
        201,
      );
      // The lock did not move with the file (§7.6) and is gone.
      assert.equal((await harness.db('webdav_locks').where({ path: 'album/b.jpg' })).length, 0);
      assert.equal((await harness.db('webdav_locks').where({ path: 'b.jpg' })).length, 0);
      assert.equal(
        (await harness.fetch('/webdav/main/album/', { method: 'DELETE', headers: { if: tagged } })).status,
        204,
      );
      assert.equal((await harness.db('webdav_locks').select('*')).length, 0);
    } finally {
      await harness.stop();
    }
  });
});
