/**
 * Dead properties on their own (plugin/props/knex-dead-properties.ts) over
 * an in-memory SQLite database, migrated like the plugin does it: what they
 * keep and where trees take them; on a database exclusive to this process,
 * the index of which resources have any, which answers "none" without a
 * query and shows every write of ours at once, and tree removals, copies and
 * moves with nothing to do that cost no statement; on a shared database,
 * another instance's writes at once.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import knex, { type Knex } from 'knex';
import { migrate } from '../../plugin/store/migrations.js';
import { KnexDeadProperties, type KnexDeadPropertiesOptions } from '../../plugin/props/knex-dead-properties.js';
import type { DeadProperty } from '../../plugin/props/dead-properties.js';
import { statements } from '../helpers/sql.js';
import { openDatabase } from '../../host/db.js';
import { postgresForThisFile, postgresSuites } from '../helpers/postgres.js';

const memoryDb = (): Knex =>
  knex({ client: 'sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true, pool: { min: 1, max: 1 } });

const at = (...path: string[]) => ({ mount: 'main', path });
const prop = (local: string, value: string): DeadProperty => ({
  ns: 'urn:x',
  local,
  xml: `<x:${local} xmlns:x="urn:x">${value}</x:${local}>`,
});
const values = (props: readonly DeadProperty[]) => props.map((p) => `${p.local}=${p.xml.replace(/<[^>]*>/g, '')}`);

/** SQLite, and a real PostgreSQL when this machine has one (never exclusive: other instances share it). */
const DATABASES: Array<{ label: string; onPg: boolean; open: () => Promise<Knex> }> = [
  { label: '', onPg: false, open: async () => memoryDb() },
  ...(postgresSuites()
    ? [{ label: ' on PostgreSQL', onPg: true, open: async () => openDatabase('', (await postgresForThisFile()).url) }]
    : []),
];
if (!postgresSuites())
  it('KnexDeadProperties on PostgreSQL', (t) => t.skip('PostgreSQL is not installed (Debian package postgresql)'));

for (const { label, onPg, open } of DATABASES)
  describe(`KnexDeadProperties${label}`, () => {
    let db: Knex;
    let clock: number;
    const store = (options: KnexDeadPropertiesOptions = {}) =>
      new KnexDeadProperties(db, { now: () => clock, ...options });
    /** Tests of the exclusive mode, which a database other processes share never uses: not registered on PostgreSQL. */
    const itExclusive = (name: string, fn: () => Promise<void>): void => {
      if (!onPg) it(name, fn);
    };
    before(async () => {
      db = await open();
      await migrate(db);
    });
    after(() => db.destroy());
    beforeEach(async () => {
      await db('webdav_properties').delete();
      clock = 1_700_000_000_000;
    });

    for (const exclusive of onPg ? [false] : [false, true]) {
      describe(exclusive ? 'on an exclusive database' : 'on a shared database', () => {
        it('keeps properties per resource; a set then a remove of one name leaves it removed (§9.2)', async () => {
          const props = store({ exclusive });
          await props.patch(at('a.jpg'), [{ set: prop('rating', '4') }, { set: prop('note', 'n') }]);
          await props.patch(at('a.jpg'), [{ set: prop('note', 'again') }, { remove: prop('note', '') }]);
          assert.deepEqual(values(await props.get(at('a.jpg'))), ['rating=4']);
          assert.deepEqual(await props.get(at('b.jpg')), []);
          assert.deepEqual(
            [...(await props.childrenOf(at()))].map(([name, list]) => [name, values(list)]),
            [['a.jpg', ['rating=4']]],
          );
        });

        it('shows each of our own writes at once, the index loaded before them', async () => {
          const props = store({ exclusive });
          assert.deepEqual(await props.get(at('d', 'a.jpg')), []);
          assert.equal((await props.childrenOf(at('d'))).size, 0);

          await props.patch(at('d', 'a.jpg'), [{ set: prop('rating', '1') }]);
          assert.deepEqual(values(await props.get(at('d', 'a.jpg'))), ['rating=1'], 'patch');
          assert.deepEqual([...(await props.childrenOf(at('d'))).keys()], ['a.jpg']);

          await props.copyTree(at('d'), at('e'));
          assert.deepEqual(values(await props.get(at('e', 'a.jpg'))), ['rating=1'], 'copyTree');
          assert.deepEqual([...(await props.childrenOf(at('e'))).keys()], ['a.jpg']);

          await props.moveTree(at('e'), { mount: 'other', path: ['f'] });
          assert.deepEqual(await props.get(at('e', 'a.jpg')), [], 'moveTree: the source');
          assert.deepEqual(values(await props.get({ mount: 'other', path: ['f', 'a.jpg'] })), ['rating=1']);

          await props.removeTree(at('d'));
          assert.deepEqual(await props.get(at('d', 'a.jpg')), [], 'removeTree');
          assert.equal((await props.childrenOf(at('d'))).size, 0);

          await props.patch(at('d', 'a.jpg'), [{ set: prop('rating', '2') }]);
          await props.patch(at('d', 'a.jpg'), [{ remove: prop('rating', '') }]);
          assert.deepEqual(await props.get(at('d', 'a.jpg')), [], 'patch that removes');
        });

        it('copies and moves trees onto a destination, replacing what was there', async () => {
          const props = store({ exclusive });
          await props.patch(at('src', 'x', 'a.jpg'), [{ set: prop('note', 'a') }]);
          await props.patch(at('src'), [{ set: prop('note', 'root') }]);
          await props.patch(at('dst', 'old.jpg'), [{ set: prop('note', 'old') }]);
          await props.copyTree(at('src'), at('dst'));
          assert.deepEqual(await props.get(at('dst', 'old.jpg')), []);
          assert.deepEqual(values(await props.get(at('dst', 'x', 'a.jpg'))), ['note=a']);
          assert.deepEqual(values(await props.get(at('dst'))), ['note=root']);
          await props.moveTree(at('src', 'x'), at('moved'));
          assert.deepEqual(await props.get(at('src', 'x', 'a.jpg')), []);
          assert.deepEqual(values(await props.get(at('moved', 'a.jpg'))), ['note=a']);
          const rows = await db('webdav_properties').where({ path: 'moved/a.jpg' }).first();
          assert.equal(rows.parent, 'moved');
        });
      });
    }

    itExclusive(
      'answers a resource or folder without properties with no query, once the index is loaded (exclusive database)',
      async () => {
        const props = store({ exclusive: true });
        await props.patch(at('album', 'a.jpg'), [{ set: prop('rating', '4') }]);
        await props.get(at('x'));
        const asked = await statements(db, async () => {
          for (let i = 0; i < 5; i++) {
            assert.deepEqual(await props.get(at('album', `p${i}.jpg`)), []);
            assert.deepEqual(await props.get(at('album')), []);
            assert.equal((await props.childrenOf(at('other'))).size, 0);
            assert.equal((await props.childrenOf(at('album', 'a.jpg'))).size, 0);
          }
        });
        assert.deepEqual(asked, []);
        const withProperties = await statements(db, async () => {
          await props.get(at('album', 'a.jpg'));
          await props.childrenOf(at('album'));
        });
        assert.equal(withProperties.length, 2, 'where the index names something, the database answers');
        clock += 1000;
        assert.equal(
          (await statements(db, () => props.get(at('x')))).length,
          1,
          'the index is loaded again after a second',
        );
      },
    );

    itExclusive('lets a burst of requests share one load of the index (exclusive database)', async () => {
      const props = store({ exclusive: true });
      const asked = await statements(db, () =>
        Promise.all(Array.from({ length: 20 }, (_, i) => props.get(at(`p${i}.jpg`)))),
      );
      assert.equal(asked.length, 1);
    });

    it('on a shared database, shows another instance’s writes at once: every read asks the database', async () => {
      const here = store();
      const there = store();
      assert.deepEqual(await here.get(at('a.jpg')), []);
      await there.patch(at('a.jpg'), [{ set: prop('rating', '5') }]);
      assert.deepEqual(values(await here.get(at('a.jpg'))), ['rating=5']);
      assert.equal((await here.childrenOf(at())).size, 1);
      await there.removeTree(at('a.jpg'));
      assert.deepEqual(await here.get(at('a.jpg')), []);
      const asked = await statements(db, () => Promise.all([here.get(at('b.jpg')), here.childrenOf(at())]));
      assert.equal(asked.length, 2, asked.join('\n'));
    });

    it('on a shared database, removes a tree with one statement even where the index names nothing', async () => {
      const here = store();
      const there = store();
      await here.get(at('new.jpg'));
      await there.patch(at('new.jpg'), [{ set: prop('stale', 'left behind') }]);
      const asked = await statements(db, () => here.removeTree(at('new.jpg')));
      assert.equal(asked.length, 1, asked.join('\n'));
      assert.match(asked[0]!, /^delete /);
      assert.equal((await db('webdav_properties').count({ n: '*' }))[0]!.n, 0);
    });

    itExclusive(
      'on an exclusive database, removes, copies and moves trees the index names nothing in without a statement',
      async () => {
        const props = store({ exclusive: true });
        await props.patch(at('album', 'a.jpg'), [{ set: prop('rating', '4') }]);
        await props.get(at('x'));
        const asked = await statements(db, async () => {
          await props.removeTree(at('new.jpg'));
          await props.removeTree(at('album', 'b.jpg'));
          await props.copyTree(at('plain'), at('plain-copy'));
          await props.moveTree(at('plain'), at('album-not'));
        });
        assert.deepEqual(asked, []);
        const needed = await statements(db, async () => {
          await props.removeTree(at('album', 'a.jpg', 'nothing-below'));
          await props.copyTree(at('plain'), at('album'));
        });
        assert.ok(
          needed.some((sql) => /^delete /.test(sql)),
          'a copy onto a tree with properties clears it',
        );
        assert.deepEqual(await props.get(at('album', 'a.jpg')), []);
      },
    );

    itExclusive(
      'keeps no index for a mount with more than maxIndexedPaths resources with properties, and stays right',
      async () => {
        const props = store({ exclusive: true, maxIndexedPaths: 2 });
        await props.get(at('x'));
        for (const name of ['a.jpg', 'b.jpg', 'c.jpg']) await props.patch(at(name), [{ set: prop('n', name) }]);
        const kept = (props as unknown as { index: { entries: Map<string, { value: unknown }> } }).index.entries;
        assert.equal(kept.get('main')?.value, null, 'grown past its bound by our own writes');
        assert.deepEqual(values(await props.get(at('c.jpg'))), ['n=c.jpg']);
        assert.equal((await statements(db, () => props.get(at('none.jpg')))).length, 1, 'every request queries');
        assert.equal((await statements(db, () => props.removeTree(at('none.jpg')))).length, 1);

        const fresh = store({ exclusive: true, maxIndexedPaths: 2 });
        const asked = await statements(db, () => fresh.get(at('none.jpg')));
        assert.equal(asked.length, 2, 'the load that found too many, then the query');
        assert.equal((await statements(db, () => fresh.get(at('none.jpg')))).length, 1);
      },
    );
  });
