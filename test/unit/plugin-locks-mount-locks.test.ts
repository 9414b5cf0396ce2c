/**
 * A mount's locks in memory (plugin/locks/mount-locks.ts): the same locks as
 * the queries of knex-lock-manager.ts select, expiry judged by the clock it
 * is given. That it agrees with the queries on every kind of request is
 * checked against the database in plugin-locks-knex-lock-manager.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MountLocks } from '../../plugin/locks/mount-locks.js';
import type { ActiveLock } from '../../plugin/locks/model.js';

const NOW = 1_700_000_000_000;
let serial = 0;
const lock = (path: string[], overrides: Partial<ActiveLock> = {}): ActiveLock => ({
  token: `urn:uuid:${++serial}`,
  mount: 'main',
  path,
  collection: false,
  depth: 0,
  scope: 'shared',
  ownerXml: null,
  user: 'alice',
  timeoutSeconds: 60,
  expiresAt: NOW + 60_000,
  createdAt: NOW,
  ...overrides,
});
const tokens = (locks: readonly ActiveLock[]) => locks.map((found) => found.token).sort();

describe('MountLocks', () => {
  const root = lock([], { depth: 'infinity', collection: true });
  const album = lock(['album'], { collection: true });
  const albumTree = lock(['album'], { depth: 'infinity', collection: true });
  const photo = lock(['album', 'a.jpg']);
  const deep = lock(['album', 'sub', 'b.jpg']);
  const expired = lock(['album', 'c.jpg'], { expiresAt: NOW });
  const locks = new MountLocks([root, album, albumTree, photo, deep, expired]);

  it('answers nothing, cheaply, for a mount without locks', () => {
    const none = new MountLocks([]);
    assert.deepEqual(none.covering(['a', 'b'], NOW), []);
    assert.deepEqual(none.affecting(['a'], true, NOW), []);
    assert.deepEqual(none.members(['a'], NOW).of('x'), []);
    assert.equal(none.anyRootedWithin([]), false);
  });

  it('covering: the resource’s own locks and its ancestors’ depth-infinity locks', () => {
    assert.deepEqual(tokens(locks.covering(['album', 'a.jpg'], NOW)), tokens([root, albumTree, photo]));
    assert.deepEqual(tokens(locks.covering(['album'], NOW)), tokens([root, album, albumTree]));
    assert.deepEqual(tokens(locks.covering(['other.jpg'], NOW)), tokens([root]));
  });

  it('affecting: every lock rooted at the resource or above, and with `below` those under it', () => {
    assert.deepEqual(tokens(locks.affecting(['album', 'sub'], false, NOW)), tokens([root, album, albumTree]));
    assert.deepEqual(
      tokens(locks.affecting(['album'], true, NOW)),
      tokens([root, album, albumTree, photo, deep]),
      'the expired lock below counts for nothing',
    );
  });

  it('leaves out what expired by the clock it is given', () => {
    assert.deepEqual(tokens(locks.covering(['album', 'c.jpg'], NOW - 1)), tokens([root, albumTree, expired]));
    assert.deepEqual(tokens(locks.covering(['album', 'c.jpg'], NOW)), tokens([root, albumTree]));
    assert.deepEqual(locks.covering(['album', 'a.jpg'], NOW + 60_000), []);
  });

  it('members: inherited depth-infinity locks for every member, own locks by name, nothing of a Depth 0 folder lock', () => {
    const members = locks.members(['album'], NOW);
    assert.deepEqual(tokens(members.of('a.jpg')), tokens([root, albumTree, photo]));
    assert.deepEqual(tokens(members.of('sub')), tokens([root, albumTree]));
    assert.deepEqual(tokens(members.of('c.jpg')), tokens([root, albumTree]));
    assert.deepEqual(tokens(locks.members([], NOW).of('album')), tokens([root, album, albumTree]));
  });

  it('anyRootedWithin: whether a removal has locks to delete (expired ones too)', () => {
    assert.equal(locks.anyRootedWithin(['album', 'sub']), true);
    assert.equal(locks.anyRootedWithin(['album', 'c.jpg']), true);
    assert.equal(locks.anyRootedWithin(['album', 'd.jpg']), false);
    assert.equal(locks.anyRootedWithin(['albu']), false);
    assert.equal(new MountLocks([photo]).anyRootedWithin([]), true);
  });
});
