/** The incremental scan that brings the capture-date index up to date with the folder. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import knex, { type Knex } from 'knex';
import { MediaIndex } from '../../plugin/media/media-index.js';
import { MediaScanner } from '../../plugin/media/media-scan.js';
import { migrate } from '../../plugin/store/migrations.js';
import { jpegWithExif, jpegWithoutExif, writeFixture } from '../helpers/media-fixtures.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('MediaScanner', () => {
  let db: Knex;
  let root: string;
  let outside: string;
  let index: MediaIndex;
  let scanner: MediaScanner;
  before(async () => {
    db = knex({
      client: 'sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
      pool: { min: 1, max: 1 },
    });
    await migrate(db);
    root = await mkdtemp(join(tmpdir(), 'webdav-scan-'));
    outside = await mkdtemp(join(tmpdir(), 'webdav-scan-outside-'));
    index = new MediaIndex(db, { exclusive: true });
    scanner = new MediaScanner(index, { mount: 'main', root, excluded: [['Inbox']] }, quiet);
  });
  after(async () => {
    await db.destroy();
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  const indexed = async () => [...(await index.stamps('main')).keys()].sort();

  it('indexes photos and videos, and leaves out other files, hidden ones, uploads in progress, the inbox and links', async () => {
    await writeFixture(root, 'a.jpg', jpegWithExif({ dateTimeOriginal: '2024:05:17 10:00:00' }));
    await writeFixture(root, 'deep/er/b.JPG', jpegWithoutExif(1));
    await writeFixture(root, 'notes.txt', Buffer.from('x'));
    await writeFixture(root, '.hidden.jpg', jpegWithoutExif(2));
    await writeFixture(root, '._a.jpg', Buffer.from('apple double'));
    await writeFixture(root, '.~webdav-upload-1234.part', Buffer.from('upload'));
    await writeFixture(root, 'Inbox/waiting.jpg', jpegWithoutExif(3));
    await writeFixture(outside, 'secret.jpg', jpegWithoutExif(4));
    await symlink(join(outside, 'secret.jpg'), join(root, 'link.jpg'));
    await symlink(outside, join(root, 'linked-folder'));
    await scanner.scan();
    assert.deepEqual(await indexed(), ['a.jpg', 'deep/er/b.JPG']);
    const status = scanner.status();
    assert.equal(status.completed, true);
    assert.equal(status.filesSeen, 2);
    assert.equal(status.filesRead, 2);
    assert.equal((await index.filesIn('main', { month: '2024-05' }))[0]?.source, 'exif');
  });

  it('reads only what changed since the last scan, and forgets what is gone', async () => {
    await scanner.scan();
    assert.equal(scanner.status().filesRead, 0, 'an unchanged share costs no file reads');
    await writeFixture(root, 'new.jpg', jpegWithExif({ dateTimeOriginal: '2019:01:01 00:00:00' }));
    await utimes(join(root, 'a.jpg'), new Date(), new Date('2030-01-01T00:00:00Z'));
    await rm(join(root, 'deep'), { recursive: true });
    await scanner.scan();
    assert.equal(scanner.status().filesRead, 2);
    assert.equal(scanner.status().filesRemoved, 1);
    assert.deepEqual(await indexed(), ['a.jpg', 'new.jpg']);
    assert.equal((await index.filesIn('main', { month: '2019-01' })).length, 1);
  });

  it('scans called together share one walk', async () => {
    await writeFile(join(root, 'c.jpg'), jpegWithoutExif(5));
    const [one, two] = [scanner.scan(), scanner.scan()];
    assert.equal(one, two);
    await one;
    assert.deepEqual(await indexed(), ['a.jpg', 'c.jpg', 'new.jpg']);
  });

  it('a share folder that is missing fails the scan and keeps the index: a disk not mounted is not "all photos gone"', async () => {
    await index.put('lost', [
      { path: ['x.jpg'], size: 1, mtimeMs: 1, captureMs: 1, month: '2024-01', source: 'exif', kind: 'photo' },
    ]);
    const lost = new MediaScanner(index, { mount: 'lost', root: join(root, 'nope'), excluded: [] }, quiet);
    await lost.scan();
    assert.equal(lost.status().completed, false);
    assert.match(lost.status().lastError ?? '', /ENOENT/);
    assert.equal((await index.stamps('lost')).size, 1);
  });
});
