/**
 * LOCK (RFC 4918 §9.10): creating exclusive and shared write locks, Depth,
 * conflicts (§6.2, §7.4), refresh (§9.10.2), the Timeout header (§10.7)
 * capped by `webdav.lock.maxtimeout`, and LOCK of an unmapped URL (§7.3,
 * §9.10.4).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';
import { USERS, conditionHrefs, dav, lock, locked, propfind, refresh, tokensIn, unlock } from '../helpers/locks.js';

const timeoutIn = (xml: string): number => Number(/<D:timeout>Second-(\d+)<\/D:timeout>/.exec(xml)?.[1]);

describe('LOCK creates write locks', () => {
  let h: Harness;
  before(async () => {
    h = await startPlugin({ users: USERS });
    await mkdir(join(h.root, 'folder', 'sub'), { recursive: true });
    for (const name of [
      'a.jpg',
      'b.jpg',
      'c.jpg',
      'd.jpg',
      'e.jpg',
      'f.jpg',
      'folder/inside.jpg',
      'folder/sub/deep.jpg',
    ]) {
      await writeFile(join(h.root, name), 'photo');
    }
  });
  after(() => h.stop());

  it('grants an exclusive Depth 0 lock: 200, Lock-Token header, and the lockdiscovery of the new lock', async () => {
    const answer = await lock(h, dav('a.jpg'), { depth: '0', timeout: 'Second-600' });
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/xml/);
    assert.match(answer.token, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const body = answer.body;
    assert.match(body, /^<\?xml[^>]*>\s*<D:prop xmlns:D="DAV:"><D:lockdiscovery><D:activelock>/);
    assert.match(body, /<D:locktype><D:write\/><\/D:locktype>/);
    assert.match(body, /<D:lockscope><D:exclusive\/><\/D:lockscope>/);
    assert.match(body, /<D:depth>0<\/D:depth>/);
    assert.match(body, /<D:owner xmlns:D="DAV:"><D:href>mailto:alice@example.org<\/D:href><\/D:owner>/);
    assert.ok(timeoutIn(body) > 590 && timeoutIn(body) <= 600, body);
    assert.deepEqual(tokensIn(body), [answer.token]);
    assert.match(body, /<D:lockroot><D:href>\/webdav\/main\/a\.jpg<\/D:href><\/D:lockroot>/);
    assert.equal((await unlock(h, dav('a.jpg'), answer.token)).status, 204);
  });

  it('takes a missing Depth header as infinity, and refuses Depth 1 (400)', async () => {
    const answer = await lock(h, dav('folder/'));
    assert.equal(answer.status, 200);
    assert.match(answer.body, /<D:depth>infinity<\/D:depth>/);
    assert.match(answer.body, /<D:lockroot><D:href>\/webdav\/main\/folder\/<\/D:href><\/D:lockroot>/);
    assert.equal((await unlock(h, dav('folder/'), answer.token)).status, 204);

    const one = await lock(h, dav('folder/'), { depth: '1' });
    assert.equal(one.status, 400);
    assert.equal(one.token, '');
  });

  it('lets shared locks coexist, also between users, and refuses an exclusive one beside them (423, no-conflicting-lock)', async () => {
    const first = await locked(h, dav('b.jpg'), { scope: 'shared', depth: '0' });
    const second = await locked(h, dav('b.jpg'), { scope: 'shared', depth: '0', user: 'carol' });
    assert.notEqual(first, second);
    const exclusive = await lock(h, dav('b.jpg'), { depth: '0' });
    assert.equal(exclusive.status, 423);
    assert.deepEqual(conditionHrefs(exclusive.body, 'no-conflicting-lock'), ['/webdav/main/b.jpg']);
    const discovered = await propfind(h, dav('b.jpg'), '0', '<D:lockdiscovery/>');
    assert.deepEqual(tokensIn(discovered).sort(), [first, second].sort());
    assert.equal((await unlock(h, dav('b.jpg'), first)).status, 204);
    assert.equal((await unlock(h, dav('b.jpg'), second, 'carol')).status, 204);
  });

  it('refuses any second lock beside an exclusive one, even for its owner', async () => {
    const token = await locked(h, dav('c.jpg'), { depth: '0' });
    for (const scope of ['exclusive', 'shared'] as const) {
      for (const user of ['alice', 'carol']) {
        const answer = await lock(h, dav('c.jpg'), { scope, depth: '0', user });
        assert.equal(answer.status, 423, `${user} ${scope}`);
        assert.deepEqual(conditionHrefs(answer.body, 'no-conflicting-lock'), ['/webdav/main/c.jpg']);
      }
    }
    await unlock(h, dav('c.jpg'), token);
  });

  it('sees conflicts through a depth-infinity lock on an ancestor, naming its root; a Depth 0 lock on the folder does not cover members', async () => {
    const tree = await locked(h, dav('folder/'), { depth: 'infinity' });
    const member = await lock(h, dav('folder/sub/deep.jpg'), { depth: '0', user: 'carol' });
    assert.equal(member.status, 423);
    assert.deepEqual(conditionHrefs(member.body, 'no-conflicting-lock'), ['/webdav/main/folder/']);
    await unlock(h, dav('folder/'), tree);

    const shallow = await locked(h, dav('folder/'), { depth: '0' });
    const inside = await locked(h, dav('folder/inside.jpg'), { depth: '0', user: 'carol' });
    await unlock(h, dav('folder/'), shallow);
    await unlock(h, dav('folder/inside.jpg'), inside, 'carol');
  });

  it('refuses a depth-infinity lock over a locked member (423 naming the member), but grants Depth 0', async () => {
    const member = await locked(h, dav('folder/sub/deep.jpg'), { depth: '0', user: 'carol' });
    const tree = await lock(h, dav('folder/'), { depth: 'infinity' });
    assert.equal(tree.status, 423);
    assert.deepEqual(conditionHrefs(tree.body, 'no-conflicting-lock'), ['/webdav/main/folder/sub/deep.jpg']);
    const shallow = await locked(h, dav('folder/'), { depth: '0' });
    await unlock(h, dav('folder/'), shallow);
    await unlock(h, dav('folder/sub/deep.jpg'), member, 'carol');
  });

  it('refreshes a lock named in the If header: 200, a new timeout, the same token, no new lock', async () => {
    const token = await locked(h, dav('d.jpg'), { depth: '0', timeout: 'Second-100' });
    const res = await refresh(h, dav('d.jpg'), `(<${token}>)`, 'Second-1000');
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.deepEqual(tokensIn(body), [token]);
    assert.ok(timeoutIn(body) > 990, body);
    const discovered = await propfind(h, dav('d.jpg'), '0', '<D:lockdiscovery/>');
    assert.deepEqual(tokensIn(discovered), [token]);
    assert.ok(timeoutIn(discovered) > 990, discovered);
    await unlock(h, dav('d.jpg'), token);
  });

  it('refreshes a depth-infinity lock through a member (litmus indirect_refresh)', async () => {
    const token = await locked(h, dav('folder/'), { timeout: 'Second-100' });
    const res = await refresh(h, dav('folder/sub/deep.jpg'), `(<${token}>)`, 'Second-500');
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.deepEqual(tokensIn(body), [token]);
    assert.match(body, /<D:lockroot><D:href>\/webdav\/main\/folder\/<\/D:href><\/D:lockroot>/);
    await unlock(h, dav('folder/'), token);
  });

  it('refuses a refresh by another user, with an unknown token, or with a token for another resource (412); without If (400)', async () => {
    const token = await locked(h, dav('e.jpg'), { depth: '0', timeout: 'Second-100' });
    const other = await locked(h, dav('f.jpg'), { depth: '0' });

    const byCarol = await refresh(h, dav('e.jpg'), `(<${token}>)`, 'Second-1000', 'carol');
    assert.equal(byCarol.status, 412);
    assert.match(await byCarol.text(), /lock-token-matches-request-uri/);
    assert.equal((await refresh(h, dav('e.jpg'), '(<urn:uuid:00000000-0000-0000-0000-000000000000>)')).status, 412);
    // The If header holds (its tagged list names f.jpg, which that token locks), but no lock of it covers e.jpg.
    const elsewhere = await refresh(h, dav('e.jpg'), `<${h.url}${dav('f.jpg')}> (<${other}>)`);
    assert.equal(elsewhere.status, 412);
    assert.match(await elsewhere.text(), /lock-token-matches-request-uri/);
    assert.equal((await h.fetch(dav('e.jpg'), { method: 'LOCK' })).status, 400);

    const discovered = await propfind(h, dav('e.jpg'), '0', '<D:lockdiscovery/>');
    assert.ok(timeoutIn(discovered) <= 100, 'the failed refreshes changed nothing');
    await unlock(h, dav('e.jpg'), token);
    await unlock(h, dav('f.jpg'), other);
  });

  it('refuses the share root (403) and bodies that are not a write lockinfo', async () => {
    assert.equal((await lock(h, dav(''))).status, 403);
    const send = (body: string) =>
      h.fetch(dav('a.jpg'), { method: 'LOCK', headers: { 'Content-Type': 'application/xml' }, body });
    assert.equal((await send('<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>')).status, 400);
    assert.equal(
      (await send('<D:lockinfo xmlns:D="DAV:"><D:locktype><D:write/></D:locktype></D:lockinfo>')).status,
      400,
    );
    assert.equal(
      (
        await send(
          '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>',
        )
      ).status,
      400,
    );
    assert.equal(
      (
        await send(
          '<D:lockinfo xmlns:D="DAV:" xmlns:x="urn:x"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><x:read/></D:locktype></D:lockinfo>',
        )
      ).status,
      422,
    );
    assert.equal((await send('<D:lockinfo xmlns:D="DAV:"><D:lockscope>')).status, 400);
    assert.equal((await propfind(h, dav('a.jpg'), '0', '<D:lockdiscovery/>')).includes('activelock'), false);
  });
});

describe('LOCK timeouts (RFC 4918 §10.7)', () => {
  let h: Harness;
  before(async () => {
    h = await startPlugin({ users: USERS, settings: { 'webdav.lock.maxtimeout': '120' } });
    await writeFile(join(h.root, 'photo.jpg'), 'photo');
  });
  after(() => h.stop());

  const granted = async (timeout: string | undefined): Promise<number> => {
    const answer = await lock(h, dav('photo.jpg'), { depth: '0', timeout });
    assert.equal(answer.status, 200, answer.body);
    await unlock(h, dav('photo.jpg'), answer.token);
    return timeoutIn(answer.body);
  };

  it('grants what the client asks up to the maximum setting', async () => {
    const short = await granted('Second-30');
    assert.ok(short > 25 && short <= 30, String(short));
    assert.equal(await granted('Second-100000'), 120);
    assert.equal(await granted('Second-4100000000'), 120);
  });

  it('honours Infinite as the maximum, takes the first value it understands, and uses the maximum when none is usable', async () => {
    assert.equal(await granted('Infinite, Second-4100000000'), 120);
    const listed = await granted('Extended-Forever, Second-0, Second-45');
    assert.ok(listed > 40 && listed <= 45, String(listed));
    assert.equal(await granted(undefined), 120);
    assert.equal(await granted('garbage'), 120);
  });

  it('caps refreshes too', async () => {
    const token = await locked(h, dav('photo.jpg'), { depth: '0', timeout: 'Second-10' });
    const res = await refresh(h, dav('photo.jpg'), `(<${token}>)`, 'Infinite');
    assert.equal(res.status, 200);
    assert.equal(timeoutIn(await res.text()), 120);
    await unlock(h, dav('photo.jpg'), token);
  });
});

describe('LOCK of an unmapped URL (RFC 4918 §7.3, §9.10.4)', () => {
  let h: Harness;
  before(async () => {
    h = await startPlugin({ users: USERS });
    await mkdir(join(h.root, 'folder'));
  });
  after(() => h.stop());

  it('creates an empty, locked file and answers 201 with the Lock-Token', async () => {
    const answer = await lock(h, dav('folder/new.txt'), { depth: '0' });
    assert.equal(answer.status, 201, answer.body);
    assert.match(answer.token, /^urn:uuid:/);
    assert.deepEqual(tokensIn(answer.body), [answer.token]);
    assert.equal((await readFile(join(h.root, 'folder', 'new.txt'))).length, 0);

    const get = await h.fetch(dav('folder/new.txt'));
    assert.equal(get.status, 200);
    assert.equal(await get.text(), '');
    const listing = await propfind(h, dav('folder/'), '1', '<D:getcontentlength/><D:resourcetype/>');
    assert.match(listing, /<D:href>\/webdav\/main\/folder\/new\.txt<\/D:href>/);

    // Locked: another user cannot write it; the lock's owner can.
    assert.equal((await h.fetch(dav('folder/new.txt'), { method: 'PUT', body: 'x', user: 'carol' })).status, 423);
    assert.equal(
      (await h.fetch(dav('folder/new.txt'), { method: 'PUT', body: 'x', headers: { If: `(<${answer.token}>)` } }))
        .status,
      204,
    );

    // "Later on, the lock may go away but the empty resource remains."
    assert.equal((await unlock(h, dav('folder/new.txt'), answer.token)).status, 204);
    assert.equal((await stat(join(h.root, 'folder', 'new.txt'))).isFile(), true);
  });

  it('answers 409 when the parent collection is missing, and creates nothing', async () => {
    const answer = await lock(h, dav('missing/new.txt'), { depth: '0' });
    assert.equal(answer.status, 409);
    assert.deepEqual(await readdir(h.root), ['folder']);
    assert.equal((await propfind(h, dav(''), '0', '<D:lockdiscovery/>')).includes('activelock'), false);
  });

  it('refuses to create a file in a folder someone else locked (423) and leaves nothing behind', async () => {
    const tree = await locked(h, dav('folder/'), { scope: 'shared', user: 'carol' });
    const answer = await lock(h, dav('folder/other.txt'), { scope: 'shared', depth: '0' });
    assert.equal(answer.status, 423);
    assert.deepEqual(conditionHrefs(answer.body, 'lock-token-submitted'), ['/webdav/main/folder/']);
    assert.equal(await stat(join(h.root, 'folder', 'other.txt')).catch(() => null), null);
    await unlock(h, dav('folder/'), tree, 'carol');
  });
});

describe('LOCK and the upload switch', () => {
  let h: Harness;
  before(async () => {
    h = await startPlugin({ users: USERS, settings: { 'webdav.uploadallowed': 'false' } });
    await writeFile(join(h.root, 'photo.jpg'), 'photo');
  });
  after(() => h.stop());

  it('refuses LOCK of an unmapped URL (an upload) but locks existing files', async () => {
    const answer = await lock(h, dav('new.txt'), { depth: '0' });
    assert.equal(answer.status, 403);
    assert.deepEqual(await readdir(h.root), ['photo.jpg']);
    const token = await locked(h, dav('photo.jpg'), { depth: '0' });
    assert.equal((await unlock(h, dav('photo.jpg'), token)).status, 204);
  });
});

describe('LOCK on a read-only share', () => {
  let h: Harness;
  before(async () => {
    h = await startPlugin({ users: USERS, settings: { 'robot.root.0.webdavreadonly': 'true' } });
    await writeFile(join(h.root, 'photo.jpg'), 'photo');
  });
  after(() => h.stop());

  it('refuses LOCK and UNLOCK (403)', async () => {
    assert.equal((await lock(h, dav('photo.jpg'), { depth: '0' })).status, 403);
    assert.equal((await unlock(h, dav('photo.jpg'), 'urn:uuid:00000000-0000-0000-0000-000000000000')).status, 403);
  });
});

describe('OPTIONS advertises Class 2', () => {
  let h: Harness;
  before(async () => {
    h = await startPlugin({ users: USERS });
  });
  after(() => h.stop());

  it('answers DAV: 1, 2 and allows LOCK and UNLOCK', async () => {
    for (const path of ['/', '/webdav/', dav('')]) {
      const res = await h.fetch(path, { method: 'OPTIONS', user: null });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('dav'), '1, 2');
      const allow = (res.headers.get('allow') ?? '').split(/,\s*/);
      assert.ok(allow.includes('LOCK') && allow.includes('UNLOCK'), allow.join());
    }
  });
});
