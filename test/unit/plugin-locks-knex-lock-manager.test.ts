/**
 * The lock store on its own (plugin/locks/knex-lock-manager.ts) over a real
 * SQLite database, migrated like the plugin does it: subtree selection with
 * names that LIKE would get wrong, what DELETE and MOVE handlers make it
 * forget, expiry and purging, and two instances (two connections to one
 * database file) granting locks at the same time.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex, { type Knex } from 'knex';
import { migrate } from '../../plugin/store/migrations.js';
import { KnexLockManager } from '../../plugin/locks/knex-lock-manager.js';
import type { ActiveLock, LockRequest } from '../../plugin/locks/model.js';

const memoryDb = (): Knex =>
  knex({ client: 'sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true, pool: { min: 1, max: 1 } });

const request = (path: string[], overrides: Partial<LockRequest> = {}): LockRequest => ({
  mount: 'main',
  path,
  collection: false,
  depth: 0,
  scope: 'exclusive',
  ownerXml: null,
  user: 'alice',
  timeoutSeconds: 60,
  ...overrides,
});

async function grant(locks: KnexLockManager, req: LockRequest): Promise<ActiveLock> {
  const result = await locks.create(req);
  assert.ok('lock' in result, `conflict: ${JSON.stringify(req)}`);
  return result.lock;
}

describe('KnexLockManager', () => {
  let db: Knex;
  let clock: number;
  let locks: KnexLockManager;
  before(async () => {
    db = memoryDb();
    await migrate(db);
  });
  after(() => db.destroy());
  beforeEach(async () => {
    await db('webdav_locks').delete();
    clock = 1_700_000_000_000;
    locks = new KnexLockManager(db, { now: () => clock });
  });

  it('selects subtrees by exact path prefix: case, `%`, `_` and non-ASCII names are taken literally', async () => {
    await grant(locks, request(['Photos', 'x.jpg']));
    await grant(locks, request(['a%b', 'x.jpg']));
    await grant(locks, request(['a_c', 'x.jpg']));
    await grant(locks, request(['Mädchen😀', 'x.jpg']));
    await grant(locks, request(['Mädchen😀x'], { user: 'carol' }));
    // The roots of the blocking locks, as paths below the share root.
    const blockedBy = async (path: string[]) =>
      (await locks.blocking({ mount: 'main', path }, 'infinity', [], 'alice')).map((lock) => lock.path.join('/'));
    assert.deepEqual(await blockedBy(['photos']), []);
    assert.deepEqual(await blockedBy(['Photos']), ['Photos/x.jpg']);
    assert.deepEqual(await blockedBy(['aXb']), []);
    assert.deepEqual(await blockedBy(['abc']), []);
    assert.deepEqual(await blockedBy(['a%b']), ['a%b/x.jpg']);
    assert.deepEqual(await blockedBy(['Mädchen😀']), ['Mädchen😀/x.jpg']);
    assert.equal((await blockedBy([])).length, 5, 'the share root covers them all');

    await locks.removed({ mount: 'main', path: ['Mädchen😀'] });
    assert.deepEqual(await blockedBy(['Mädchen😀']), []);
    assert.equal(
      (await locks.discover({ mount: 'main', path: ['Mädchen😀x'] })).length,
      1,
      'a sibling whose name starts alike keeps its lock',
    );
  });

  it('keeps shares apart', async () => {
    await grant(locks, request(['x.jpg']));
    assert.deepEqual(await locks.blocking({ mount: 'other', path: ['x.jpg'] }, 0, [], 'alice'), []);
    assert.ok('lock' in (await locks.create(request(['x.jpg'], { mount: 'other' }))));
  });

  it('forgets locks rooted at or below a removed resource, keeps those above it', async () => {
    const above = await grant(locks, request(['a'], { depth: 'infinity', scope: 'shared', collection: true }));
    await grant(locks, request(['a', 'b'], { scope: 'shared', collection: true }));
    await grant(locks, request(['a', 'b', 'c.jpg'], { scope: 'shared' }));
    await grant(locks, request(['a', 'bc.jpg'], { scope: 'shared' }));
    await locks.removed({ mount: 'main', path: ['a', 'b'] });
    const left = (await db('webdav_locks').select('path').orderBy('path')).map((row: { path: string }) => row.path);
    assert.deepEqual(left, ['a', 'a/bc.jpg']);
    assert.deepEqual(
      (await locks.discover({ mount: 'main', path: ['a', 'b', 'new.jpg'] })).map((lock) => lock.token),
      [above.token],
    );
  });

  it('does not move locks with a MOVE (RFC 4918 §7.6), and clears the overwritten destination', async () => {
    await grant(locks, request(['from', 'x.jpg']));
    await grant(locks, request(['to', 'old.jpg'], { scope: 'shared' }));
    const destinationParent = await grant(
      locks,
      request(['to'], { depth: 'infinity', scope: 'shared', collection: true, user: 'carol' }),
    );
    await locks.moved({ mount: 'main', path: ['from'] }, { mount: 'main', path: ['to', 'old.jpg'] });
    assert.deepEqual(
      (await db('webdav_locks').select('path')).map((row: { path: string }) => row.path),
      ['to'],
    );
    // The moved resource is in the destination's lock scope by its URL alone.
    assert.deepEqual(
      (await locks.discover({ mount: 'main', path: ['to', 'old.jpg'] })).map((lock) => lock.token),
      [destinationParent.token],
    );
  });

  it('lets expired locks count for nothing and purges them', async () => {
    const lock = await grant(locks, request(['x.jpg'], { timeoutSeconds: 10 }));
    clock += 9_000;
    assert.equal((await locks.discover({ mount: 'main', path: ['x.jpg'] }))[0]?.timeoutSeconds, 10);
    assert.equal(await locks.find(lock.token).then((found) => found?.token), lock.token);
    clock += 1_000;
    assert.deepEqual(await locks.discover({ mount: 'main', path: ['x.jpg'] }), []);
    assert.equal(await locks.find(lock.token), null);
    assert.deepEqual(await locks.blocking({ mount: 'main', path: ['x.jpg'] }, 0, [], 'carol'), []);
    assert.deepEqual(await locks.tokensCovering({ mount: 'main', path: ['x.jpg'] }), []);
    assert.deepEqual(await locks.refresh({ mount: 'main', path: ['x.jpg'] }, [lock.token], 'alice', 60), []);
    assert.ok('lock' in (await locks.create(request(['x.jpg'], { user: 'carol' }))));
    assert.equal(await locks.purgeExpired(), 1);
    assert.equal((await db('webdav_locks').count({ n: '*' }))[0]!.n, 1);
  });

  it('refreshes only the caller’s own locks that cover the resource', async () => {
    const mine = await grant(locks, request(['d'], { depth: 'infinity', scope: 'shared', collection: true }));
    const carols = await grant(locks, request(['d', 'x.jpg'], { scope: 'shared', user: 'carol' }));
    clock += 30_000;
    const refreshed = await locks.refresh(
      { mount: 'main', path: ['d', 'x.jpg'] },
      [mine.token, carols.token],
      'alice',
      100,
    );
    assert.deepEqual(
      refreshed.map((lock) => lock.token),
      [mine.token],
    );
    assert.equal(refreshed[0]!.expiresAt, clock + 100_000);
    const stored = await locks.find(carols.token);
    assert.equal(stored!.expiresAt, carols.expiresAt, 'carol’s lock keeps its expiry');
  });

  it('lists the locks of a folder’s members from one query: inherited, own, and nothing of the folder’s Depth 0 lock', async () => {
    const root = await grant(locks, request(['a'], { depth: 'infinity', scope: 'shared', collection: true }));
    await grant(locks, request(['a', 'b'], { depth: 0, scope: 'shared', collection: true }));
    const member = await grant(locks, request(['a', 'b', 'c.jpg'], { scope: 'shared' }));
    await grant(locks, request(['a', 'b', 'c.jpg', 'deeper'], { scope: 'shared' }));
    const members = await locks.discoverMembers({ mount: 'main', path: ['a', 'b'] });
    assert.deepEqual(
      members.of('c.jpg').map((lock) => lock.token),
      [root.token, member.token],
    );
    assert.deepEqual(
      members.of('other.jpg').map((lock) => lock.token),
      [root.token],
    );
  });
});

describe('two instances on one database file', () => {
  let dir: string;
  let first: Knex;
  let second: Knex;
  const open = (file: string): Knex =>
    knex({
      client: 'sqlite3',
      connection: { filename: file },
      useNullAsDefault: true,
      pool: {
        // As the reference host opens its database (host/db.ts).
        afterCreate(
          conn: { exec(sql: string, cb: (err: Error | null) => void): void },
          done: (err: Error | null, conn: unknown) => void,
        ) {
          conn.exec('PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;', (err) => done(err, conn));
        },
      },
    });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'webdav-locks-'));
    first = open(join(dir, 'db.sqlite3'));
    second = open(join(dir, 'db.sqlite3'));
    await migrate(first);
    await migrate(second);
  });
  after(async () => {
    await first.destroy();
    await second.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('grant exactly one of many exclusive locks asked for at once, and each sees the other’s locks', async () => {
    const managers = [new KnexLockManager(first), new KnexLockManager(second)];
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        managers[i % 2]!.create(request(['race.jpg'], { user: i % 2 ? 'carol' : 'alice' })),
      ),
    );
    const granted = results.filter((result) => 'lock' in result);
    assert.equal(granted.length, 1);
    const token = (granted[0] as { lock: ActiveLock }).lock.token;
    for (const manager of managers)
      assert.deepEqual(await manager.tokensCovering({ mount: 'main', path: ['race.jpg'] }), [token]);
  });
});
