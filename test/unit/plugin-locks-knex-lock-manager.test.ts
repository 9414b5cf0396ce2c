/**
 * The lock store on its own (plugin/locks/knex-lock-manager.ts) over a real
 * SQLite database, migrated like the plugin does it: subtree selection with
 * names that LIKE would get wrong, what DELETE and MOVE handlers make it
 * forget, expiry and purging, and two instances (two connections to one
 * database file) granting locks at the same time. On a shared database
 * every read and check asks the database, so another instance's writes show
 * at once; on a database exclusive to this process each mount's locks are
 * kept in memory, every write of ours shows at once, and the answers from
 * memory must be exactly those of the queries.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex, { type Knex } from 'knex';
import fc from 'fast-check';
import { migrate } from '../../plugin/store/migrations.js';
import { KnexLockManager, type KnexLockManagerOptions } from '../../plugin/locks/knex-lock-manager.js';
import type { ActiveLock, LockRequest } from '../../plugin/locks/model.js';
import { statements } from '../helpers/sql.js';
import { openDatabase } from '../../host/db.js';
import { postgresForThisFile, postgresSuites } from '../helpers/postgres.js';

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

/** The databases the lock store runs on: SQLite shared, SQLite exclusive, and a real PostgreSQL when this machine has one. */
const VARIANTS: Array<{ label: string; exclusive: boolean; open: () => Promise<Knex> }> = [
  { label: '', exclusive: false, open: async () => memoryDb() },
  { label: ' on an exclusive database', exclusive: true, open: async () => memoryDb() },
  ...(postgresSuites()
    ? [
        {
          label: ' on PostgreSQL',
          exclusive: false,
          open: async () => openDatabase('', (await postgresForThisFile()).url),
        },
      ]
    : []),
];
if (!postgresSuites())
  it('KnexLockManager on PostgreSQL', (t) => t.skip('PostgreSQL is not installed (Debian package postgresql)'));

for (const { label, exclusive, open } of VARIANTS)
  describe(`KnexLockManager${label}`, () => {
    let db: Knex;
    let clock: number;
    let locks: KnexLockManager;
    before(async () => {
      db = await open();
      await migrate(db);
    });
    after(() => db.destroy());
    beforeEach(async () => {
      await db('webdav_locks').delete();
      clock = 1_700_000_000_000;
      locks = new KnexLockManager(db, { now: () => clock, exclusive });
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

    it('lists the active locks of every share by share and path, up to a limit, and a released lock is gone everywhere', async () => {
      const photo = await grant(locks, request(['b', 'photo.jpg']));
      const folder = await grant(locks, request(['a'], { depth: 'infinity', collection: true, user: 'carol' }));
      const scans = await grant(locks, request([], { mount: 'scans', depth: 'infinity', collection: true }));
      await grant(locks, request(['expiring.jpg'], { timeoutSeconds: 5 }));
      clock += 5_000;
      const listed = await locks.list(100);
      assert.deepEqual(
        listed.map((lock) => [lock.mount, lock.path.join('/'), lock.user]),
        [
          ['main', 'a', 'carol'],
          ['main', 'b/photo.jpg', 'alice'],
          ['scans', '', 'alice'],
        ],
        'expired locks are not listed',
      );
      assert.deepEqual(listed[0], folder);
      assert.deepEqual(
        (await locks.list(2)).map((lock) => lock.token),
        [folder.token, photo.token],
      );

      // Whatever was kept in memory, the released lock stops counting at once.
      assert.equal((await locks.blocking({ mount: 'main', path: ['a', 'x.jpg'] }, 0, [], 'alice')).length, 1);
      assert.equal(await locks.release(folder.token), true);
      assert.equal(await locks.release(folder.token), false, 'gone already');
      assert.deepEqual(await locks.blocking({ mount: 'main', path: ['a', 'x.jpg'] }, 0, [], 'alice'), []);
      assert.deepEqual(await locks.discover({ mount: 'main', path: ['a'] }), []);
      assert.deepEqual(
        (await locks.list(100)).map((lock) => lock.token),
        [photo.token, scans.token],
      );
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

const at = (...path: string[]) => ({ mount: 'main', path });
const tokensOf = (locks: readonly ActiveLock[]) => locks.map((lock) => lock.token).sort();

describe('the locks kept in memory', () => {
  let db: Knex;
  let clock: number;
  const manager = (options: KnexLockManagerOptions = {}) => new KnexLockManager(db, { now: () => clock, ...options });
  before(async () => {
    db = memoryDb();
    await migrate(db);
  });
  after(() => db.destroy());
  beforeEach(async () => {
    await db('webdav_locks').delete();
    clock = 1_700_000_000_000;
  });

  it('cost one query per mount and lifetime for PROPFIND, and for the write checks on an exclusive database', async () => {
    const locks = manager({ exclusive: true });
    const asked = await statements(db, async () => {
      for (let i = 0; i < 5; i++) {
        await locks.discover(at('a.jpg'));
        await locks.discoverMembers(at('album'));
        await locks.blocking(at('album'), 'infinity', [], 'alice');
        await locks.tokensCovering(at('album', 'b.jpg'));
        await locks.removed(at('album', 'gone.jpg'));
        await locks.moved(at('x.jpg'), at('y.jpg'));
      }
    });
    assert.equal(asked.length, 1, asked.join('\n'));
    clock += 1000;
    assert.equal((await statements(db, () => locks.discover(at('a.jpg')))).length, 1, 'read again after a second');
  });

  it('ask the database for every read and check when it may be shared', async () => {
    const locks = manager();
    const asked = await statements(db, async () => {
      await Promise.all([locks.discover(at('a.jpg')), locks.discoverMembers(at('album'))]);
      await locks.blocking(at('a.jpg'), 0, [], 'alice');
      await locks.tokensCovering(at('a.jpg'));
      await locks.removed(at('a.jpg'));
    });
    assert.equal(asked.length, 5, asked.join('\n'));
  });

  it('let a burst of requests share one query (exclusive database)', async () => {
    const locks = manager({ exclusive: true });
    const asked = await statements(db, () =>
      Promise.all(Array.from({ length: 20 }, (_, i) => locks.discover(at(`p${i}.jpg`)))),
    );
    assert.equal(asked.length, 1);
  });

  for (const exclusive of [false, true]) {
    it(`show each of our own writes at once${exclusive ? ' (exclusive database)' : ''}`, async () => {
      const locks = manager({ exclusive });
      const seen = async (...path: string[]) => {
        const [discovered, members, covering] = await Promise.all([
          locks.discover(at(...path)),
          locks.discoverMembers(at(...path.slice(0, -1))),
          locks.tokensCovering(at(...path)),
        ]);
        assert.deepEqual(tokensOf(members.of(path[path.length - 1]!)), tokensOf(discovered));
        assert.deepEqual(covering.sort(), tokensOf(discovered));
        return discovered;
      };
      assert.deepEqual(await seen('d', 'a.jpg'), []);
      const granted = await grant(locks, request(['d', 'a.jpg']));
      assert.deepEqual(tokensOf(await seen('d', 'a.jpg')), [granted.token], 'create');
      assert.equal((await locks.blocking(at('d'), 'infinity', [], 'carol')).length, 1);

      clock += 500;
      await locks.refresh(at('d', 'a.jpg'), [granted.token], 'alice', 600);
      assert.equal((await seen('d', 'a.jpg'))[0]!.expiresAt, clock + 600_000, 'refresh');

      assert.equal(await locks.release(granted.token), true);
      assert.deepEqual(await seen('d', 'a.jpg'), [], 'release');
      assert.deepEqual(await locks.blocking(at('d'), 'infinity', [], 'carol'), []);

      await grant(locks, request(['d', 'a.jpg']));
      assert.equal((await seen('d', 'a.jpg')).length, 1);
      await locks.removed(at('d'));
      assert.deepEqual(await seen('d', 'a.jpg'), [], 'removed');

      await grant(locks, request(['d', 'a.jpg']));
      await grant(locks, request(['e', 'b.jpg'], { mount: 'other' }));
      assert.equal((await seen('d', 'a.jpg')).length, 1);
      assert.equal((await locks.discover({ mount: 'other', path: ['e', 'b.jpg'] })).length, 1);
      await locks.moved(at('d'), { mount: 'other', path: ['e'] });
      assert.deepEqual(await seen('d', 'a.jpg'), [], 'moved: the source');
      assert.deepEqual(await locks.discover({ mount: 'other', path: ['e', 'b.jpg'] }), [], 'moved: the destination');
    });
  }

  it('show another instance’s writes at once, on the read path and the write path', async () => {
    const here = manager();
    const there = manager();
    assert.deepEqual(await here.discover(at('a.jpg')), []);
    const granted = await grant(there, request(['a.jpg'], { user: 'carol' }));
    assert.equal((await here.blocking(at('a.jpg'), 0, [], 'alice')).length, 1, 'blocking asks the database');
    assert.deepEqual(await here.tokensCovering(at('a.jpg')), [granted.token]);
    assert.deepEqual(tokensOf(await here.discover(at('a.jpg'))), [granted.token], 'lockdiscovery asks the database');
    assert.ok('conflicts' in (await here.create(request(['a.jpg']))), 'a new lock asks the database');

    await there.release(granted.token);
    assert.deepEqual(await here.blocking(at('a.jpg'), 0, [], 'alice'), []);
    assert.deepEqual(await here.discover(at('a.jpg')), []);
  });

  it('count a lock that expires while kept for nothing, by the clock', async () => {
    const locks = manager({ exclusive: true, cacheTtlMs: 60_000 });
    await grant(locks, request(['a.jpg'], { timeoutSeconds: 10, user: 'carol' }));
    assert.equal((await locks.blocking(at('a.jpg'), 0, [], 'alice')).length, 1);
    clock += 10_000;
    const asked = await statements(db, async () => {
      assert.deepEqual(await locks.blocking(at('a.jpg'), 0, [], 'alice'), []);
      assert.deepEqual(await locks.discover(at('a.jpg')), []);
      assert.deepEqual(await locks.tokensCovering(at('a.jpg')), []);
    });
    assert.deepEqual(asked, [], 'answered from memory');
  });

  it('are not kept for a mount with more than maxCachedLocks: its requests query', async () => {
    const locks = manager({ exclusive: true, maxCachedLocks: 2 });
    const granted: ActiveLock[] = [];
    for (const name of ['a.jpg', 'b.jpg', 'c.jpg']) granted.push(await grant(locks, request([name])));
    const asked = await statements(db, async () => {
      for (const lock of granted) {
        assert.deepEqual(tokensOf(await locks.discover(at(...lock.path))), [lock.token]);
        assert.equal((await locks.blocking(at(...lock.path), 0, [], 'carol')).length, 1);
      }
      assert.equal((await locks.discoverMembers(at())).of('b.jpg').length, 1);
    });
    // One load that found too many, then one query per question.
    assert.equal(asked.length, 1 + 3 * 2 + 1, asked.join('\n'));
    const kept = (locks as unknown as { cache: { entries: Map<string, { value: unknown }> } }).cache.entries;
    assert.equal(kept.get('main')?.value, null, 'nothing of the mount is held in memory');

    await locks.release(granted[0]!.token);
    await locks.release(granted[1]!.token);
    assert.equal((await statements(db, () => locks.discover(at('c.jpg')))).length, 1, 'still marked too big');
    clock += 30_000;
    await locks.discover(at('c.jpg'));
    assert.equal((await statements(db, () => locks.discover(at('c.jpg')))).length, 0, 'counted again, kept');
  });

  it('answer on an exclusive database exactly what the queries answer', async () => {
    const names = ['a', 'b', 'c'];
    const pathArb = fc.array(fc.constantFrom(...names), { maxLength: 3 });
    const lockArb = fc.record({
      path: pathArb,
      depth: fc.constantFrom<0 | 'infinity'>(0, 'infinity'),
      scope: fc.constantFrom<'exclusive' | 'shared'>('exclusive', 'shared'),
      user: fc.constantFrom('alice', 'carol'),
      timeoutSeconds: fc.constantFrom(10, 60),
    });
    const universe: string[][] = [[]];
    for (const a of names) {
      universe.push([a]);
      for (const b of names) {
        universe.push([a, b]);
        for (const c of names) universe.push([a, b, c]);
      }
    }
    await fc.assert(
      fc.asyncProperty(
        fc.array(lockArb, { maxLength: 12 }),
        fc.integer({ min: 0, max: 30_000 }),
        fc.subarray([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
        async (wanted, elapsed, submittedIndexes) => {
          await db('webdav_locks').delete();
          clock = 1_700_000_000_000;
          // Kept for a minute: what expires while kept is judged in memory.
          const memory = manager({ exclusive: true, cacheTtlMs: 60_000 });
          const queries = manager({ maxCachedLocks: 0 });
          const granted: ActiveLock[] = [];
          for (const lock of wanted) {
            const result = await memory.create(request(lock.path, { ...lock, collection: true }));
            if ('lock' in result) granted.push(result.lock);
          }
          await memory.discover(at());
          clock += elapsed;
          const submitted = submittedIndexes.flatMap((i) => (granted[i] ? [granted[i].token] : []));
          for (const path of universe) {
            const where = at(...path);
            assert.deepEqual(tokensOf(await memory.discover(where)), tokensOf(await queries.discover(where)));
            assert.deepEqual((await memory.tokensCovering(where)).sort(), (await queries.tokensCovering(where)).sort());
            const [mine, theirs] = [await memory.discoverMembers(where), await queries.discoverMembers(where)];
            for (const name of names) assert.deepEqual(tokensOf(mine.of(name)), tokensOf(theirs.of(name)));
            for (const depth of [0, 'infinity'] as const) {
              for (const user of ['alice', 'carol']) {
                assert.deepEqual(
                  tokensOf(await memory.blocking(where, depth, submitted, user)),
                  tokensOf(await queries.blocking(where, depth, submitted, user)),
                  `blocking ${path.join('/')} ${depth} ${user}`,
                );
              }
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
