/** The capture-date index's queries, on SQLite and on a real PostgreSQL when this machine has one. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import knex, { type Knex } from 'knex';
import { openDatabase } from '../../host/db.js';
import { MediaIndex, type IndexedFile } from '../../plugin/media/media-index.js';
import { migrate } from '../../plugin/store/migrations.js';
import { postgresForThisFile, postgresSuites } from '../helpers/postgres.js';

const memoryDb = (): Knex =>
  knex({ client: 'sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true, pool: { min: 1, max: 1 } });

const file = (path: string, month: string, captureMs: number, overrides: Partial<IndexedFile> = {}): IndexedFile => ({
  path: path.split('/'),
  size: 100,
  mtimeMs: 1_700_000_000_000,
  captureMs,
  month,
  source: 'exif',
  kind: 'photo',
  ...overrides,
});

const VARIANTS: Array<{ label: string; open: () => Promise<Knex> }> = [
  { label: 'SQLite', open: async () => memoryDb() },
  ...(postgresSuites()
    ? [{ label: 'PostgreSQL', open: async () => openDatabase('', (await postgresForThisFile()).url) }]
    : []),
];
if (!postgresSuites())
  it('MediaIndex on PostgreSQL', (t) => t.skip('PostgreSQL is not installed (Debian package postgresql)'));

for (const { label, open } of VARIANTS)
  describe(`MediaIndex on ${label}`, () => {
    let db: Knex;
    let index: MediaIndex;
    before(async () => {
      db = await open();
      await migrate(db);
    });
    after(() => db.destroy());
    beforeEach(async () => {
      await db('webdav_media').delete();
      index = new MediaIndex(db, { exclusive: false });
    });

    it('groups files by month, undated apart, with counts; keeps shares apart', async () => {
      await index.put('main', [
        file('a.jpg', '2024-05', Date.UTC(2024, 4, 17)),
        file('b/a.jpg', '2024-05', Date.UTC(2024, 4, 20)),
        file('c.jpg', '2023-12', Date.UTC(2023, 11, 1)),
        file('scan.png', '2020-01', Date.UTC(2020, 0, 1), { source: 'mtime' }),
      ]);
      await index.put('other', [file('x.jpg', '1999-01', Date.UTC(1999, 0, 1))]);
      const folders = await index.folders('main');
      assert.deepEqual(
        folders.map((f) => [f.month, f.files]),
        [
          [null, 1],
          ['2023-12', 1],
          ['2024-05', 2],
        ],
      );
      assert.deepEqual(await index.counts('main'), { files: 4, undated: 1 });
      assert.deepEqual((await index.filesIn('main', { month: '2024-05' })).map((f) => f.path.join('/')).sort(), [
        'a.jpg',
        'b/a.jpg',
      ]);
      assert.deepEqual(
        (await index.filesIn('main', { undated: true })).map((f) => f.path.join('/')),
        ['scan.png'],
      );
    });

    it('put replaces what was known of a file; generation counts every write', async () => {
      const before = index.generation('main');
      await index.put('main', [file('a.jpg', '2024-05', 1)]);
      await index.put('main', [file('a.jpg', '2021-02', 2, { size: 7 })]);
      assert.equal(index.generation('main'), before + 2);
      assert.deepEqual(await index.stamps('main'), new Map([['a.jpg', { size: 7, mtimeMs: 1_700_000_000_000 }]]));
      assert.equal((await index.filesIn('main', { month: '2021-02' })).length, 1);
    });

    it('removeUnder takes a folder and everything below it, literally: case, %, _ and names that start alike stay', async () => {
      await index.put('main', [
        file('Trip/a.jpg', '2024-05', 1),
        file('Trip/deep/b.jpg', '2024-05', 2),
        file('trip/c.jpg', '2024-05', 3),
        file('Trip2/d.jpg', '2024-05', 4),
        file('T%p/e.jpg', '2024-05', 5),
        file('T_ip/f.jpg', '2024-05', 6),
        file('Trip.jpg', '2024-05', 7),
      ]);
      await index.removeUnder('main', ['Trip']);
      await index.removeUnder('main', ['T%p']);
      const left = [...(await index.stamps('main')).keys()].sort();
      assert.deepEqual(left, ['T_ip/f.jpg', 'Trip.jpg', 'Trip2/d.jpg', 'trip/c.jpg']);
      await index.removeUnder('main', ['Trip.jpg']);
      await index.removePaths('main', [['T_ip', 'f.jpg']]);
      assert.deepEqual([...(await index.stamps('main')).keys()].sort(), ['Trip2/d.jpg', 'trip/c.jpg']);
      await index.removeUnder('main', []);
      assert.equal((await index.stamps('main')).size, 0);
    });

    it('stores a large batch in several statements', async () => {
      const many = Array.from({ length: 450 }, (_, i) => file(`p/${i}.jpg`, '2024-05', i));
      await index.put('main', many);
      assert.equal((await index.counts('main')).files, 450);
    });
  });
