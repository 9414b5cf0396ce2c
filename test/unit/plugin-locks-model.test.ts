/**
 * The locking rules of plugin/locks/model.ts: which locks cover a resource
 * (RFC 4918 §6.1, §7.4), which conflict (§6.2, §9.10.3), and which locks a
 * modifying request still lacks tokens for (§6.4, §7.5).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conflictsWith, covers, locksLackingTokens, secondsLeft, type ActiveLock } from '../../plugin/locks/model.js';

let n = 0;
const lock = (path: string, overrides: Partial<ActiveLock> = {}): ActiveLock => ({
  token: `urn:uuid:${++n}`,
  mount: 'main',
  path: path === '' ? [] : path.split('/'),
  collection: false,
  depth: 0,
  scope: 'exclusive',
  ownerXml: null,
  user: 'alice',
  timeoutSeconds: 60,
  expiresAt: 60_000,
  createdAt: 0,
  ...overrides,
});
const p = (path: string): string[] => (path === '' ? [] : path.split('/'));

describe('covers', () => {
  it('a lock covers its root; with depth infinity everything below too', () => {
    assert.ok(covers(lock('a/b'), p('a/b')));
    assert.ok(!covers(lock('a/b'), p('a/b/c')));
    assert.ok(covers(lock('a/b', { depth: 'infinity' }), p('a/b/c/d')));
    assert.ok(!covers(lock('a/b', { depth: 'infinity' }), p('a')));
    assert.ok(!covers(lock('a/b', { depth: 'infinity' }), p('a/bc')));
    assert.ok(covers(lock('', { depth: 'infinity' }), p('x')));
  });
});

describe('conflictsWith', () => {
  const existing = [
    lock('dir', { depth: 'infinity', scope: 'shared' }),
    lock('dir/file', { scope: 'shared' }),
    lock('other', { depth: 0 }),
  ];

  it('shared beside shared never conflicts', () => {
    assert.deepEqual(conflictsWith({ path: p('dir/file'), depth: 0, scope: 'shared' }, existing), []);
    assert.deepEqual(conflictsWith({ path: p('dir'), depth: 'infinity', scope: 'shared' }, existing), []);
  });

  it('exclusive conflicts with a lock on the resource, an ancestor’s depth-infinity lock, and for depth infinity any lock below', () => {
    assert.deepEqual(conflictsWith({ path: p('dir/file'), depth: 0, scope: 'exclusive' }, existing), [
      existing[0],
      existing[1],
    ]);
    assert.deepEqual(conflictsWith({ path: p('dir/new'), depth: 0, scope: 'exclusive' }, existing), [existing[0]]);
    assert.deepEqual(conflictsWith({ path: p(''), depth: 'infinity', scope: 'exclusive' }, existing), existing);
    assert.deepEqual(conflictsWith({ path: p(''), depth: 0, scope: 'exclusive' }, existing), []);
  });

  it('a depth-0 lock on a folder does not reach its members', () => {
    assert.deepEqual(conflictsWith({ path: p('other/x'), depth: 0, scope: 'exclusive' }, existing), []);
    assert.deepEqual(conflictsWith({ path: p('other'), depth: 0, scope: 'shared' }, existing), [existing[2]]);
  });
});

describe('locksLackingTokens', () => {
  it('nothing covers the resource: nothing lacking', () => {
    assert.deepEqual(locksLackingTokens([lock('a')], p('b'), 0, new Set(), 'alice'), []);
  });

  it('the owner’s token clears the resource; someone else’s token does not', () => {
    const l = lock('a');
    assert.deepEqual(locksLackingTokens([l], p('a'), 0, new Set([l.token]), 'alice'), []);
    assert.deepEqual(locksLackingTokens([l], p('a'), 0, new Set([l.token]), 'carol'), [l]);
    assert.deepEqual(locksLackingTokens([l], p('a'), 0, new Set(), 'alice'), [l]);
  });

  it('one of several shared locks on a resource is enough', () => {
    const mine = lock('f', { scope: 'shared' });
    const carols = lock('f', { scope: 'shared', user: 'carol' });
    assert.deepEqual(locksLackingTokens([mine, carols], p('f'), 0, new Set([mine.token]), 'alice'), []);
    assert.deepEqual(locksLackingTokens([mine, carols], p('f'), 0, new Set(), 'alice'), [mine, carols]);
  });

  it('an inherited lock is cleared by the collection’s token', () => {
    const tree = lock('d', { depth: 'infinity' });
    assert.deepEqual(locksLackingTokens([tree], p('d/x/y'), 0, new Set([tree.token]), 'alice'), []);
    assert.deepEqual(locksLackingTokens([tree], p('d/x/y'), 0, new Set(), 'alice'), [tree]);
  });

  it('a depth-infinity change needs a token for every locked resource below', () => {
    const a = lock('d/a');
    const b = lock('d/sub/b', { user: 'carol' });
    assert.deepEqual(locksLackingTokens([a, b], p('d'), 'infinity', new Set([a.token]), 'alice'), [b]);
    assert.deepEqual(locksLackingTokens([a, b], p('d'), 'infinity', new Set([a.token, b.token]), 'alice'), [b]);
    assert.deepEqual(locksLackingTokens([a, b], p('d'), 0, new Set(), 'alice'), []);
    // A depth-infinity lock above covers them all: its token clears every one.
    const tree = lock('', { depth: 'infinity', scope: 'shared' });
    const shared = [tree, lock('d/a', { scope: 'shared', user: 'carol' })];
    assert.deepEqual(locksLackingTokens(shared, p('d'), 'infinity', new Set([tree.token]), 'alice'), []);
  });
});

describe('secondsLeft', () => {
  it('rounds up and never goes below zero', () => {
    assert.equal(secondsLeft({ expiresAt: 10_000 }, 0), 10);
    assert.equal(secondsLeft({ expiresAt: 10_000 }, 1), 10);
    assert.equal(secondsLeft({ expiresAt: 10_000 }, 9_999), 1);
    assert.equal(secondsLeft({ expiresAt: 10_000 }, 10_000), 0);
    assert.equal(secondsLeft({ expiresAt: 10_000 }, 20_000), 0);
  });
});
