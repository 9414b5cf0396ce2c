/**
 * The inbox (plugin/inbox/inbox-filer.ts) on real folders: settled files go
 * to `YYYY/YYYY-MM/` by the capture time the injected reader gives, names
 * collide into ` (2)`, duplicates are dropped, unsettled, locked and
 * temporary files stay; ZIP files are unpacked, or refused into `failed/`
 * with a note. Killing the filer half-way is tested in
 * test/reliability/inbox-crash.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, realpath, rm, stat, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InboxFiler, type InboxEvent, type InboxOptions } from '../../plugin/inbox/inbox-filer.js';
import { tree } from '../helpers/dav-fixtures.js';
import { captureByModified, silentLog } from '../helpers/inbox.js';
import { sha256, temporaries, tempFolder } from '../helpers/system.js';
import { craftZip, SYMLINK_ATTRIBUTES, writeZeroBomb, writeZip } from '../helpers/zip-fixtures.js';

type TestContext = { after(fn: () => Promise<void> | void): void };

const DAY = 24 * 3600_000;
const MAY = new Date('2024-05-17T12:00:00Z');
const DECEMBER = new Date('2023-12-24T18:00:00Z');
const JANUARY = new Date('2022-01-02T08:00:00Z');

interface Logged {
  level: string;
  object: object | string;
  message?: string;
}

async function setUp(t: TestContext, options: Partial<InboxOptions> = {}) {
  const root = await realpath(await tempFolder(t, 'inbox-filer-'));
  const inbox = join(root, 'Inbox');
  await mkdir(inbox);
  const events: InboxEvent[] = [];
  const locked = new Set<string>();
  const logs: Logged[] = [];
  const log = Object.fromEntries(
    ['debug', 'info', 'warn', 'error'].map((level) => [
      level,
      (object: object | string, message?: string) => logs.push({ level, object, message }),
    ]),
  ) as unknown as InboxOptions['log'];
  // Everything written so far is a day old by this clock, so settled.
  const clock = { now: Date.now() + DAY };
  const filer = new InboxFiler({
    root,
    inbox: ['Inbox'],
    settleMs: 30_000,
    isLocked: async (path) => locked.has(path.join('/')),
    captureTime: captureByModified,
    onEvent: (event) => events.push(event),
    log,
    now: () => clock.now,
    ...options,
  });
  t.after(() => filer.stop());
  /** Writes a file below the inbox, with `modified` as its mtime. */
  const drop = async (path: string, content: string | Buffer, modified = MAY) => {
    const file = join(inbox, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    await utimes(file, modified, modified);
    return file;
  };
  return { root, inbox, events, locked, logs, clock, filer, drop };
}

/** Files below `folder` (no folders), sorted. */
async function files(folder: string): Promise<string[]> {
  return (await tree(folder)).filter((path) => !path.endsWith('/'));
}

describe('InboxFiler', () => {
  it('creates the inbox folder when started', async (t) => {
    const root = await realpath(await tempFolder(t, 'inbox-start-'));
    const filer = new InboxFiler({
      root,
      inbox: ['Photos', 'Inbox'],
      settleMs: 30_000,
      isLocked: async () => false,
      captureTime: captureByModified,
      onEvent: () => undefined,
      log: silentLog,
    });
    await filer.start(3600_000);
    t.after(() => filer.stop());
    assert.equal((await stat(join(root, 'Photos', 'Inbox'))).isDirectory(), true);
  });

  it('refuses an inbox inside the year folders, where a file could be moved onto itself', () => {
    const options = {
      root: '/srv/photos',
      settleMs: 0,
      isLocked: async () => false,
      captureTime: captureByModified,
      onEvent: () => undefined,
      log: silentLog,
    };
    assert.throws(() => new InboxFiler({ ...options, inbox: ['2024', '2024-05'] }), /year folders/);
    assert.throws(() => new InboxFiler({ ...options, inbox: ['..'] }), /not a folder/);
  });

  it('files settled files into the month of their capture time, other files by their modification time', async (t) => {
    const { root, inbox, events, drop, filer } = await setUp(t);
    await drop('IMG_0001.jpg', 'may photo', MAY);
    await drop('clip.mov', 'december video', DECEMBER);
    await drop('notes.txt', 'some text', JANUARY);
    const done = await filer.fileSettled();
    assert.deepEqual(await files(root), [
      '2022/2022-01/notes.txt',
      '2023/2023-12/clip.mov',
      '2024/2024-05/IMG_0001.jpg',
    ]);
    assert.equal(await readFile(join(root, '2024/2024-05/IMG_0001.jpg'), 'utf8'), 'may photo');
    assert.equal((await stat(join(root, '2023/2023-12/clip.mov'))).mtime.toISOString(), DECEMBER.toISOString());
    assert.deepEqual(await readdir(inbox), []);
    assert.deepEqual(done, events);
    assert.deepEqual(
      events.map((e) => [e.kind, e.from.join('/'), e.to?.join('/')]),
      [
        ['filed', 'Inbox/IMG_0001.jpg', '2024/2024-05/IMG_0001.jpg'],
        ['filed', 'Inbox/clip.mov', '2023/2023-12/clip.mov'],
        ['filed', 'Inbox/notes.txt', '2022/2022-01/notes.txt'],
      ],
    );
  });

  it('files nothing through a symbolic link that leads out of the share, as inbox or as month folder', async (t) => {
    const outside = await realpath(await tempFolder(t, 'inbox-outside-'));
    const { root, inbox, drop, filer } = await setUp(t);
    await drop('IMG_0001.jpg', 'may photo', MAY);
    await mkdir(join(root, '2024'));
    await symlink(outside, join(root, '2024', '2024-05'));
    await filer.fileSettled();
    assert.deepEqual(await readdir(outside), [], 'nothing was carried out of the share');
    assert.deepEqual(await readdir(inbox), ['IMG_0001.jpg']);
    assert.match((await filer.status()).lastError ?? '', /leads outside the share/);

    const { root: other, filer: linked } = await setUp(t);
    await rm(join(other, 'Inbox'), { recursive: true });
    await writeFile(join(outside, 'private.jpg'), "not the share's");
    await symlink(outside, join(other, 'Inbox'));
    await assert.rejects(linked.fileSettled(), /leads outside the share/);
    assert.deepEqual(await readdir(outside), ['private.jpg']);
  });

  it('gives a name taken by other content " (2)", " (3)"', async (t) => {
    const { root, drop, events, filer } = await setUp(t);
    await mkdir(join(root, '2024/2024-05'), { recursive: true });
    await writeFile(join(root, '2024/2024-05/IMG_0001.jpg'), 'the first photo');
    await writeFile(join(root, '2024/2024-05/IMG_0001 (2).jpg'), 'the second photo');
    await drop('IMG_0001.jpg', 'the third photo');
    await filer.fileSettled();
    assert.equal(await readFile(join(root, '2024/2024-05/IMG_0001.jpg'), 'utf8'), 'the first photo');
    assert.equal(await readFile(join(root, '2024/2024-05/IMG_0001 (3).jpg'), 'utf8'), 'the third photo');
    assert.deepEqual(events[0]?.to, ['2024', '2024-05', 'IMG_0001 (3).jpg']);
  });

  it('drops a file whose content is already there under its name, and says so', async (t) => {
    const { root, inbox, drop, events, filer } = await setUp(t);
    await mkdir(join(root, '2024/2024-05'), { recursive: true });
    await writeFile(join(root, '2024/2024-05/IMG_0001.jpg'), 'same photo');
    await writeFile(join(root, '2024/2024-05/IMG_0002.jpg'), 'abcdefghij'); // same size as the drop, other bytes
    await drop('IMG_0001.jpg', 'same photo');
    await drop('IMG_0002.jpg', 'jihgfedcba');
    await filer.fileSettled();
    assert.deepEqual(await readdir(inbox), []);
    assert.deepEqual(await files(root), [
      '2024/2024-05/IMG_0001.jpg',
      '2024/2024-05/IMG_0002 (2).jpg',
      '2024/2024-05/IMG_0002.jpg',
    ]);
    assert.deepEqual(events[0], {
      kind: 'duplicate',
      from: ['Inbox', 'IMG_0001.jpg'],
      to: ['2024', '2024-05', 'IMG_0001.jpg'],
    });
    assert.equal(events[1]?.kind, 'filed');
  });

  it('leaves files written within the settle time, and locked files, until they settle and are unlocked', async (t) => {
    const { root, drop, locked, clock, filer, events } = await setUp(t);
    await drop('locked.jpg', 'being edited');
    locked.add('Inbox/locked.jpg');
    clock.now = Date.now() + 1000; // the drop's ctime is now: 1 s old, settleMs is 30 s
    await drop('fresh.jpg', 'just written');
    assert.deepEqual(await filer.fileSettled(), []);
    assert.deepEqual((await filer.status()).waiting, 2);
    clock.now = Date.now() + DAY;
    await filer.fileSettled();
    assert.deepEqual(await files(root), ['2024/2024-05/fresh.jpg', 'Inbox/locked.jpg']);
    locked.clear();
    await filer.fileSettled();
    assert.deepEqual(await files(root), ['2024/2024-05/fresh.jpg', '2024/2024-05/locked.jpg']);
    assert.deepEqual(
      events.map((e) => e.from.join('/')),
      ['Inbox/fresh.jpg', 'Inbox/locked.jpg'],
    );
  });

  it('leaves upload temporaries, hidden files, Thumbs.db, desktop.ini and failed/ alone', async (t) => {
    const { root, drop, filer } = await setUp(t);
    const left = [
      '.~webdav-upload-0b7e2c4a.part',
      '.DS_Store',
      '._IMG_0001.jpg',
      '.~lock.notes.odt#',
      'Thumbs.db',
      'desktop.ini',
      'failed/old.zip',
      'failed/old.zip.txt',
    ];
    for (const name of left) await drop(name, 'x');
    assert.deepEqual(await filer.fileSettled(), []);
    assert.deepEqual(await files(root), left.map((name) => `Inbox/${name}`).sort());
  });

  it('files the files of a dropped folder and removes the emptied folders, not the inbox', async (t) => {
    const { root, inbox, drop, filer, events } = await setUp(t);
    await drop('Trip/day 1/IMG_0001.jpg', 'one');
    await drop('Trip/day 1/.DS_Store', 'finder');
    await drop('Trip/day 2/IMG_0001.jpg', 'two');
    await drop('Trip/Thumbs.db', 'explorer');
    await drop('Kept/.~lock.notes.odt#', 'a document is open');
    await drop('Kept/notes.odt', 'notes');
    await filer.fileSettled();
    assert.deepEqual(await files(root), [
      '2024/2024-05/IMG_0001 (2).jpg',
      '2024/2024-05/IMG_0001.jpg',
      '2024/2024-05/notes.odt',
      'Inbox/Kept/.~lock.notes.odt#',
    ]);
    assert.deepEqual(await readdir(inbox), ['Kept'], 'Trip and its folders are gone; Kept holds a lock file');
    assert.deepEqual(events[0]?.from, ['Inbox', 'Kept', 'notes.odt']);
  });

  it('leaves a folder just made by a client, which is about to receive files', async (t) => {
    const { inbox, clock, filer } = await setUp(t);
    await mkdir(join(inbox, 'New folder'));
    clock.now = Date.now() + 1000;
    await filer.fileSettled();
    assert.deepEqual(await readdir(inbox), ['New folder']);
    clock.now = Date.now() + DAY;
    await filer.fileSettled();
    assert.deepEqual(await readdir(inbox), []);
  });

  it('retries an item that fails after a minute, then less often, logging it once', async (t) => {
    let reads = 0;
    const { root, drop, clock, logs, filer } = await setUp(t, {
      captureTime: async (file, modified) => {
        if (file.endsWith('unreadable.jpg')) {
          reads += 1;
          throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        }
        return captureByModified(file, modified);
      },
    });
    await drop('unreadable.jpg', 'x');
    await drop('fine.jpg', 'y');
    await filer.fileSettled();
    assert.deepEqual(await files(root), ['2024/2024-05/fine.jpg', 'Inbox/unreadable.jpg'], 'the pass went on');
    assert.match((await filer.status()).lastError ?? '', /unreadable\.jpg: EACCES/);
    await filer.fileSettled();
    assert.equal(reads, 1, 'not tried again at once');
    clock.now += 61_000;
    await filer.fileSettled();
    assert.equal(reads, 2, 'tried again after a minute');
    await filer.fileSettled();
    assert.equal(reads, 2);
    assert.equal(logs.filter((l) => l.level === 'warn').length, 1, 'logged once');
  });

  it('goes on when the event handler throws, and logs it', async (t) => {
    const { root, drop, logs, filer } = await setUp(t, {
      onEvent: () => {
        throw new Error('index is down');
      },
    });
    await drop('a.jpg', 'a');
    await drop('b.jpg', 'b');
    await filer.fileSettled();
    assert.deepEqual(await files(root), ['2024/2024-05/a.jpg', '2024/2024-05/b.jpg']);
    assert.equal(logs.filter((l) => l.level === 'error').length, 2);
  });

  it('never runs two passes at once', async (t) => {
    let running = 0;
    let most = 0;
    const { root, drop, filer } = await setUp(t, {
      captureTime: async (file, modified) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setImmediate(resolve));
        running -= 1;
        return captureByModified(file, modified);
      },
    });
    for (let i = 0; i < 5; i++) await drop(`IMG_${i}.jpg`, `photo ${i}`);
    const [first, second] = await Promise.all([filer.fileSettled(), filer.fileSettled()]);
    assert.equal(most, 1);
    assert.equal(first.length, 5);
    assert.equal(second.length, 0, 'the second pass found nothing left');
    assert.equal((await files(root)).length, 5);
  });

  it('reports what waits, what failed and when it last ran', async (t) => {
    const { inbox, drop, clock, filer } = await setUp(t);
    assert.deepEqual(await filer.status(), { waiting: 0, failed: 0, lastPassAt: null, lastError: null });
    await drop('broken.zip', 'not a zip at all');
    await drop('Folder/a.jpg', 'a');
    assert.equal((await filer.status()).waiting, 2);
    clock.now = Date.now() + 1000;
    await filer.fileSettled();
    clock.now = Date.now() + DAY;
    await filer.fileSettled();
    const status = await filer.status();
    assert.deepEqual(await readdir(join(inbox, 'failed')), ['broken.zip', 'broken.zip.txt']);
    assert.deepEqual(
      { ...status, lastPassAt: status.lastPassAt?.getTime() },
      {
        waiting: 0,
        failed: 1,
        lastPassAt: clock.now,
        lastError: null,
      },
    );
  });
});

describe('InboxFiler: ZIP files', () => {
  it('unpacks a ZIP, files each member by its base name and capture time, then removes the ZIP', async (t) => {
    const { root, inbox, events, filer } = await setUp(t);
    await writeZip(join(inbox, 'holiday.zip'), [
      { name: 'DCIM/100/IMG_0001.jpg', data: 'first', mtime: new Date(2024, 4, 17, 12) },
      { name: 'DCIM/101/IMG_0001.jpg', data: 'second', mtime: new Date(2024, 4, 18, 12) },
      { name: 'clip.mov', data: 'video', mtime: new Date(2023, 11, 24, 12) },
      { name: '__MACOSX/DCIM/100/._IMG_0001.jpg', data: 'resource fork' },
      { name: '.DS_Store', data: 'finder' },
    ]);
    await filer.fileSettled();
    assert.deepEqual(await files(root), [
      '2023/2023-12/clip.mov',
      '2024/2024-05/IMG_0001 (2).jpg',
      '2024/2024-05/IMG_0001.jpg',
    ]);
    assert.equal(await readFile(join(root, '2024/2024-05/IMG_0001 (2).jpg'), 'utf8'), 'second');
    assert.equal(
      (await stat(join(root, '2023/2023-12/clip.mov'))).mtime.getTime(),
      new Date(2023, 11, 24, 12).getTime(),
      "a member keeps the ZIP's modification time",
    );
    assert.deepEqual(await readdir(inbox), [], 'the ZIP is gone, and no temporary file is left');
    assert.deepEqual(
      events.map((e) => [e.kind, e.from.join('/'), e.member, e.to?.join('/')]),
      [
        ['filed', 'Inbox/holiday.zip', 'DCIM/100/IMG_0001.jpg', '2024/2024-05/IMG_0001.jpg'],
        ['filed', 'Inbox/holiday.zip', 'DCIM/101/IMG_0001.jpg', '2024/2024-05/IMG_0001 (2).jpg'],
        ['filed', 'Inbox/holiday.zip', 'clip.mov', '2023/2023-12/clip.mov'],
        ['unzipped', 'Inbox/holiday.zip', undefined, undefined],
      ],
    );
  });

  it('unpacks a ZIP again without doubling what an interrupted run already filed', async (t) => {
    const { root, inbox, events, filer } = await setUp(t);
    const members = [
      { name: 'a.jpg', data: 'photo a' },
      { name: 'b.jpg', data: 'photo b' },
    ];
    await mkdir(join(root, '2024/2024-05'), { recursive: true });
    await writeFile(join(root, '2024/2024-05/a.jpg'), 'photo a'); // filed before the crash
    await writeZip(join(inbox, 'two.zip'), members);
    await filer.fileSettled();
    assert.deepEqual(await files(root), ['2024/2024-05/a.jpg', '2024/2024-05/b.jpg']);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['duplicate', 'filed', 'unzipped'],
    );
  });

  /** Each ZIP the inbox refuses, and what its note must say. */
  const refused: { what: string; make: (file: string) => Promise<void>; reason: RegExp; limits?: object }[] = [
    {
      what: 'a member whose path climbs out with ..',
      make: (file) => writeFile(file, craftZip([{ name: 'ok.jpg', data: Buffer.from('ok') }, { name: '../evil.jpg' }])),
      reason: /"\.\.\/evil\.jpg" has a path with "\.\."/,
    },
    {
      what: 'a member whose path climbs out with backslashes',
      make: (file) => writeFile(file, craftZip([{ name: '..\\..\\evil.jpg', data: Buffer.from('x') }])),
      reason: /"\.\.\/\.\.\/evil\.jpg" has a path with "\.\."/,
    },
    {
      what: 'an absolute path',
      make: (file) => writeFile(file, craftZip([{ name: '/etc/x', data: Buffer.from('x') }])),
      reason: /"\/etc\/x" has an absolute path/,
    },
    {
      what: 'a drive letter',
      make: (file) => writeFile(file, craftZip([{ name: 'C:/Windows/x.jpg', data: Buffer.from('x') }])),
      reason: /"C:\/Windows\/x\.jpg" has an absolute path/,
    },
    {
      what: 'a symbolic link',
      make: (file) =>
        writeFile(
          file,
          craftZip([{ name: 'link.jpg', data: Buffer.from('/etc/passwd'), externalAttributes: SYMLINK_ATTRIBUTES }]),
        ),
      reason: /"link\.jpg" is a symbolic link/,
    },
    {
      what: 'a password-protected member',
      make: (file) =>
        writeFile(file, craftZip([{ name: 'secret.jpg', data: Buffer.alloc(20), flags: 1, uncompressedSize: 8 }])),
      reason: /"secret\.jpg" is password-protected/,
    },
    {
      what: 'more entries than the limit',
      make: (file) =>
        writeZip(
          file,
          ['a', 'b', 'c', 'd'].map((name) => ({ name: `${name}.jpg`, data: name })),
        ),
      limits: { maxEntries: 3 },
      reason: /it holds 4 entries, more than the 3 an inbox unpacks/,
    },
    {
      what: 'more bytes in total than the limit',
      make: (file) =>
        writeZip(file, [
          { name: 'a.jpg', data: Buffer.alloc(600, 1) },
          { name: 'b.jpg', data: Buffer.alloc(600, 2) },
        ]),
      limits: { maxTotalBytes: 1000 },
      reason: /more than 1000 bytes unpacked/,
    },
    {
      what: 'a ZIP bomb (200 MiB of zeros), by its compression ratio',
      make: (file) => writeZeroBomb(file, 200 * 1024 * 1024),
      reason: /"zeros\.jpg" would unpack from .* KiB to 200 MiB, more than 100 times its packed size/,
    },
    {
      what: 'a member that unpacks to more than its header declares',
      make: async (file) => {
        const { deflateRawSync } = await import('node:zlib');
        const big = Buffer.alloc(64 * 1024, 7);
        await writeFile(
          file,
          craftZip([{ name: 'liar.jpg', data: deflateRawSync(big), method: 8, uncompressedSize: 100 }]),
        );
      },
      reason: /"liar\.jpg" (unpacks to more bytes than its header declares|is damaged and cannot be unpacked)/,
    },
    {
      what: 'a truncated ZIP',
      make: async (file) => {
        await writeZip(file, [{ name: 'a.jpg', data: 'a photo' }]);
        await truncate(file, (await stat(file)).size - 30);
      },
      reason: /the file is damaged or incomplete, or not a ZIP file/,
    },
    {
      what: 'a member whose bytes were damaged (after a good member)',
      make: async (file) => {
        const bytes = craftZip([
          { name: 'good.jpg', data: Buffer.from('a good photo') },
          { name: 'bad.jpg', data: Buffer.from('a damaged photo') },
        ]);
        bytes[bytes.indexOf('a damaged photo') + 2] = 0x21;
        await writeFile(file, bytes);
      },
      reason: /"bad\.jpg" is damaged: its content does not match its checksum/,
    },
  ];

  for (const { what, make, reason, limits } of refused) {
    it(`refuses ${what}: into failed/ with a note, nothing filed`, async (t) => {
      const zipLimits = limits ? { maxTotalBytes: 2 ** 40, maxRatio: 100, maxEntries: 10_000, ...limits } : undefined;
      const { root, inbox, events, filer } = await setUp(t, { zipLimits });
      const zip = join(inbox, 'Upload.ZIP');
      await make(zip);
      await utimes(zip, MAY, MAY);
      const before = sha256(await readFile(zip));
      await filer.fileSettled();
      assert.deepEqual(await readdir(root), ['Inbox'], 'no year folder: nothing was filed');
      assert.deepEqual(await readdir(inbox), ['failed']);
      assert.deepEqual(await readdir(join(inbox, 'failed')), ['Upload.ZIP', 'Upload.ZIP.txt']);
      assert.equal(sha256(await readFile(join(inbox, 'failed/Upload.ZIP'))), before, 'the ZIP as it was dropped');
      const note = await readFile(join(inbox, 'failed/Upload.ZIP.txt'), 'utf8');
      assert.match(note, /^Upload\.ZIP was not unpacked: /);
      assert.match(note, reason);
      assert.equal(events.length, 1);
      assert.equal(events[0]?.kind, 'failed');
      assert.deepEqual(events[0]?.to, ['Inbox', 'failed', 'Upload.ZIP']);
      assert.match(events[0]?.reason ?? '', reason);
      assert.deepEqual(await temporaries(root), []);
    });
  }

  it('gives a second refused ZIP of the same name its own name in failed/', async (t) => {
    const { inbox, drop, filer } = await setUp(t);
    await drop('photos.zip', 'not a zip');
    await filer.fileSettled();
    await drop('photos.zip', 'not a zip either');
    await filer.fileSettled();
    assert.deepEqual(await readdir(join(inbox, 'failed')), [
      'photos (2).zip',
      'photos (2).zip.txt',
      'photos.zip',
      'photos.zip.txt',
    ]);
  });
});

describe('InboxFiler: a refused ZIP whose note a crash kept from being written', () => {
  it('gets a note on the next pass, saying the reason was lost and how to see it', async (t) => {
    const { inbox, filer } = await setUp(t);
    await mkdir(join(inbox, 'failed'), { recursive: true });
    await writeFile(join(inbox, 'failed', 'holiday.zip'), 'moved here, then the server was killed');
    await writeFile(join(inbox, 'failed', 'explained.zip'), 'x');
    await writeFile(join(inbox, 'failed', 'explained.zip.txt'), 'the reason');
    await filer.fileSettled();
    assert.deepEqual(await readdir(join(inbox, 'failed')), [
      'explained.zip',
      'explained.zip.txt',
      'holiday.zip',
      'holiday.zip.txt',
    ]);
    assert.match(await readFile(join(inbox, 'failed', 'holiday.zip.txt'), 'utf8'), /drop it into the inbox again/);
    assert.equal(await readFile(join(inbox, 'failed', 'explained.zip.txt'), 'utf8'), 'the reason');
  });
});

describe('InboxFiler: two filers on one share', () => {
  it('file each item once when two instances of the host pass over one inbox together', async (t) => {
    const { root, inbox, drop, filer, logs } = await setUp(t);
    const other = new InboxFiler({
      root,
      inbox: ['Inbox'],
      settleMs: 30_000,
      isLocked: async () => false,
      captureTime: captureByModified,
      onEvent: () => undefined,
      log: silentLog,
      now: () => Date.now() + DAY,
    });
    const contents = Array.from({ length: 20 }, (_, i) => `photo number ${i}`);
    for (const [i, content] of contents.entries()) await drop(`card-${i}/IMG_0001.jpg`, content);
    await writeZip(join(inbox, 'phone.zip'), [{ name: 'IMG_0001.jpg', data: 'from the phone' }]);
    await Promise.all([filer.fileSettled(), other.fileSettled()]);
    const filed = await files(root);
    assert.equal(filed.length, 21, filed.join('\n'));
    const texts = await Promise.all(filed.map((path) => readFile(join(root, path), 'utf8')));
    assert.deepEqual(texts.sort(), [...contents, 'from the phone'].sort());
    assert.deepEqual(await readdir(inbox), []);
    assert.deepEqual(
      logs.filter((l) => l.level === 'warn'),
      [],
    );
  });
});
