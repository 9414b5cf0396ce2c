/**
 * UNLOCK (RFC 4918 §9.11): 204 when the lock is gone; 400 without a
 * Lock-Token header; 409 with `lock-token-matches-request-uri` when no such
 * lock covers the Request-URI; 403 when the caller did not create the lock.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';
import { USERS, dav, locked, propfind, put, tokensIn, unlock } from '../helpers/locks.js';

describe('UNLOCK', () => {
  let h: Harness;
  before(async () => {
    h = await startPlugin({ users: USERS });
    await mkdir(join(h.root, 'album', 'sub'), { recursive: true });
    for (const name of ['one.jpg', 'two.jpg', 'album/sub/deep.jpg']) await writeFile(join(h.root, name), 'photo');
  });
  after(() => h.stop());

  it('removes the lock (204): the resource is writable and lockdiscovery is empty', async () => {
    const token = await locked(h, dav('one.jpg'), { depth: '0' });
    const res = await unlock(h, dav('one.jpg'), token);
    assert.equal(res.status, 204);
    assert.equal(await res.text(), '');
    assert.deepEqual(tokensIn(await propfind(h, dav('one.jpg'), '0', '<D:lockdiscovery/>')), []);
    assert.equal((await put(h, dav('one.jpg'), 'x', {}, 'carol')).status, 204);
    // A second UNLOCK finds nothing to remove.
    assert.equal((await unlock(h, dav('one.jpg'), token)).status, 409);
  });

  it('answers 400 without a Lock-Token header, or with one that is not a Coded-URL', async () => {
    const token = await locked(h, dav('two.jpg'), { depth: '0' });
    assert.equal((await unlock(h, dav('two.jpg'), null)).status, 400);
    for (const header of [token, `<${token}`, '<>', `<${token}> <${token}>`, '<not a uri>']) {
      const res = await h.fetch(dav('two.jpg'), { method: 'UNLOCK', headers: { 'Lock-Token': header } });
      assert.equal(res.status, 400, header);
    }
    assert.deepEqual(tokensIn(await propfind(h, dav('two.jpg'), '0', '<D:lockdiscovery/>')), [token]);
    assert.equal((await unlock(h, dav('two.jpg'), token)).status, 204);
  });

  it('answers 409 lock-token-matches-request-uri for an unknown token or a lock elsewhere', async () => {
    const token = await locked(h, dav('one.jpg'), { depth: '0' });
    for (const [path, candidate] of [
      [dav('one.jpg'), 'urn:uuid:00000000-0000-0000-0000-000000000000'],
      [dav('one.jpg'), 'opaquelocktoken:foobar'],
      [dav('two.jpg'), token],
      [dav(''), token],
    ] as const) {
      const res = await unlock(h, path, candidate);
      assert.equal(res.status, 409, `${path} ${candidate}`);
      assert.match(await res.text(), /<D:lock-token-matches-request-uri\/>/);
    }
    assert.deepEqual(tokensIn(await propfind(h, dav('one.jpg'), '0', '<D:lockdiscovery/>')), [token]);
    assert.equal((await unlock(h, dav('one.jpg'), token)).status, 204);
  });

  it('refuses to remove another user’s lock (403) and keeps it', async () => {
    const token = await locked(h, dav('one.jpg'), { depth: '0' });
    const res = await unlock(h, dav('one.jpg'), token, 'carol');
    assert.equal(res.status, 403);
    assert.deepEqual(tokensIn(await propfind(h, dav('one.jpg'), '0', '<D:lockdiscovery/>')), [token]);
    assert.equal((await put(h, dav('one.jpg'), 'x', {}, 'carol')).status, 423);
    assert.equal((await unlock(h, dav('one.jpg'), token)).status, 204);
  });

  it('removes a depth-infinity lock as a whole through any resource it covers', async () => {
    const token = await locked(h, dav('album/'), { depth: 'infinity' });
    assert.equal((await unlock(h, dav('album/sub/deep.jpg'), token)).status, 204);
    assert.deepEqual(tokensIn(await propfind(h, dav('album/'), '0', '<D:lockdiscovery/>')), []);
    assert.equal((await put(h, dav('album/sub/new.jpg'), 'x', {}, 'carol')).status, 201);
  });

  it('is refused to a user outside the share (403), whatever the token', async () => {
    const token = await locked(h, dav('two.jpg'), { depth: '0' });
    assert.equal((await unlock(h, dav('two.jpg'), token, 'bob')).status, 403);
    assert.equal((await unlock(h, dav('two.jpg'), token)).status, 204);
  });
});
