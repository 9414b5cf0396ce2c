import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { captureTimeFromExif, readCaptureTime, type CaptureTime } from '../../plugin/media/capture-time.js';
import { jpegWithExif, jpegWithoutExif, mp4WithCreationTime, writeFixture } from '../helpers/media-fixtures.js';
import { tempFolder } from '../helpers/system.js';

/** The modification time the fixtures get, and the fallback passed in. */
const MODIFIED = new Date('2021-03-04T05:06:07Z');

/** 'YYYY-MM' of `at` in this process's time zone, as the fallbacks compute it. */
const localMonth = (at: Date) => `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}`;

async function captureOf(t: test.TestContext, name: string, bytes: Buffer): Promise<CaptureTime> {
  const dir = await tempFolder(t, 'capture-time-');
  const file = await writeFixture(dir, name, bytes, MODIFIED);
  return readCaptureTime(file, MODIFIED);
}

const modificationTime: CaptureTime = { at: MODIFIED, month: localMonth(MODIFIED), source: 'mtime' };

/**
 * readCaptureTime in a node process whose time zone is `tz`: the file at
 * `file`, with `modified` as its fallback; the result as JSON.
 */
function captureInZone(tz: string, file: string, modified: Date): { at: string; month: string; source: string } {
  const moduleUrl = new URL('../../plugin/media/capture-time.js', import.meta.url).href;
  const script = `
    const { readCaptureTime } = await import(${JSON.stringify(moduleUrl)});
    const capture = await readCaptureTime(${JSON.stringify(file)}, new Date(${JSON.stringify(modified.toISOString())}));
    process.stdout.write(JSON.stringify(capture));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, TZ: tz },
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as { at: string; month: string; source: string };
}

// ---- EXIF ------------------------------------------------------------------

test('DateTimeOriginal with OffsetTimeOriginal: the instant at that offset, the month as written', async (t) => {
  const photo = jpegWithExif({ dateTimeOriginal: '2024:05:17 14:03:22', offsetTimeOriginal: '+02:00' });
  assert.deepEqual(await captureOf(t, 'a.jpg', photo), {
    at: new Date('2024-05-17T12:03:22Z'),
    month: '2024-05',
    source: 'exif',
  });
});

test('DateTimeOriginal without an offset is read as UTC', async (t) => {
  const photo = jpegWithExif({ dateTimeOriginal: '2024:05:17 14:03:22' });
  assert.deepEqual(await captureOf(t, 'a.jpg', photo), {
    at: new Date('2024-05-17T14:03:22Z'),
    month: '2024-05',
    source: 'exif',
  });
});

test('DateTimeOriginal comes before CreateDate; CreateDate stands in when it is missing', async (t) => {
  const both = jpegWithExif({ dateTimeOriginal: '2024:05:17 14:03:22', createDate: '2023:01:02 03:04:05' });
  assert.deepEqual((await captureOf(t, 'both.jpg', both)).at, new Date('2024-05-17T14:03:22Z'));
  const createOnly = jpegWithExif({ createDate: '2023:01:02 03:04:05' });
  assert.deepEqual(await captureOf(t, 'create.jpg', createOnly), {
    at: new Date('2023-01-02T03:04:05Z'),
    month: '2023-01',
    source: 'exif',
  });
});

test('the month is the wall clock written in EXIF, whatever the server time zone', async (t) => {
  const dir = await tempFolder(t, 'capture-time-');
  // Late on the last day of May: in UTC+14 (no offset: read as UTC) or in New
  // York time (offset -05:00: 04:30 UTC on 1 June) a Date in local time says June.
  const noOffset = await writeFixture(dir, 'a.jpg', jpegWithExif({ dateTimeOriginal: '2024:05:31 23:30:00' }));
  const withOffset = await writeFixture(
    dir,
    'b.jpg',
    jpegWithExif({ dateTimeOriginal: '2024:05:31 23:30:00', offsetTimeOriginal: '-05:00' }),
  );
  for (const tz of ['UTC', 'Pacific/Kiritimati', 'America/New_York', 'Asia/Tokyo']) {
    assert.deepEqual(captureInZone(tz, noOffset, MODIFIED), {
      at: '2024-05-31T23:30:00.000Z',
      month: '2024-05',
      source: 'exif',
    });
    assert.deepEqual(captureInZone(tz, withOffset, MODIFIED), {
      at: '2024-06-01T04:30:00.000Z',
      month: '2024-05',
      source: 'exif',
    });
  }
});

test('a date never set, or out of range, falls through to CreateDate, then to the modification time', async (t) => {
  const zero = jpegWithExif({ dateTimeOriginal: '0000:00:00 00:00:00', createDate: '2023:01:02 03:04:05' });
  assert.equal((await captureOf(t, 'zero.jpg', zero)).month, '2023-01');
  const nextYear = new Date().getUTCFullYear() + 2;
  for (const bad of [
    '0000:00:00 00:00:00',
    '1899:12:31 23:59:59',
    `${nextYear}:01:01 00:00:00`,
    '2024:02:30 10:00:00',
  ]) {
    const photo = jpegWithExif({ dateTimeOriginal: bad, createDate: bad });
    assert.deepEqual(await captureOf(t, 'bad.jpg', photo), modificationTime, bad);
  }
  const blank = jpegWithExif({ dateTimeOriginal: '                   ', createDate: 'yesterday' });
  assert.deepEqual(await captureOf(t, 'blank.jpg', blank), modificationTime);
});

test('EXIF date strings: fields in range, the offset applied only when well-formed', () => {
  assert.deepEqual(captureTimeFromExif('1900:01:01 00:00:00', undefined), {
    at: new Date('1900-01-01T00:00:00Z'),
    month: '1900-01',
    source: 'exif',
  });
  assert.deepEqual(captureTimeFromExif('2024:12:31 23:59:59', '+05:30')?.at, new Date('2024-12-31T18:29:59Z'));
  assert.deepEqual(captureTimeFromExif('2024:12:31 23:59:59', 'nonsense')?.at, new Date('2024-12-31T23:59:59Z'));
  assert.deepEqual(captureTimeFromExif('2024-12-31T23:59:59', undefined)?.month, '2024-12');
  for (const bad of ['2024:13:01 00:00:00', '2024:00:10 00:00:00', '2024:01:01 24:00:00', '2024:01:01 00:60:00']) {
    assert.equal(captureTimeFromExif(bad, undefined), null, bad);
  }
  assert.equal(captureTimeFromExif(new Date(), undefined), null);
  assert.equal(captureTimeFromExif(undefined, '+01:00'), null);
});

test('a photo without EXIF, or that is no image at all, gets its modification time', async (t) => {
  assert.deepEqual(await captureOf(t, 'plain.jpg', jpegWithoutExif()), modificationTime);
  assert.deepEqual(await captureOf(t, 'text.jpg', Buffer.from('not a jpeg\n')), modificationTime);
  assert.deepEqual(await captureOf(t, 'empty.heic', Buffer.alloc(0)), modificationTime);
  const cut = jpegWithExif({ dateTimeOriginal: '2024:05:17 14:03:22' }).subarray(0, 30);
  assert.deepEqual(await captureOf(t, 'cut.jpg', cut), modificationTime);
});

test('a file that cannot be read gets the modification time given, without a throw', async (t) => {
  const dir = await tempFolder(t, 'capture-time-');
  assert.deepEqual(await readCaptureTime(`${dir}/gone.jpg`, MODIFIED), modificationTime);
  assert.deepEqual(await readCaptureTime(`${dir}/gone.mp4`, MODIFIED), modificationTime);
  assert.deepEqual(await readCaptureTime(dir, MODIFIED, 'photo'), modificationTime);
});

test('the kind given overrides the name; without one the name decides', async (t) => {
  const dir = await tempFolder(t, 'capture-time-');
  const photo = await writeFixture(dir, 'upload.bin', jpegWithExif({ dateTimeOriginal: '2024:05:17 14:03:22' }));
  assert.equal((await readCaptureTime(photo, MODIFIED)).source, 'mtime');
  assert.equal((await readCaptureTime(photo, MODIFIED, null)).source, 'mtime');
  assert.equal((await readCaptureTime(photo, MODIFIED, 'photo')).source, 'exif');
  const named = await writeFixture(dir, 'IMG_0001.JPG', jpegWithExif({ dateTimeOriginal: '2024:05:17 14:03:22' }));
  assert.equal((await readCaptureTime(named, MODIFIED, null)).source, 'mtime');
  assert.equal((await readCaptureTime(named, MODIFIED, 'video')).source, 'mtime');
});

// ---- videos ------------------------------------------------------------------

const FILMED = new Date('2023-08-09T10:11:12Z');
const filmed: CaptureTime = { at: FILMED, month: localMonth(FILMED), source: 'video' };

test('an MP4 or QuickTime file gives its movie header creation time, 32- or 64-bit', async (t) => {
  assert.deepEqual(await captureOf(t, 'a.mp4', mp4WithCreationTime(FILMED)), filmed);
  assert.deepEqual(await captureOf(t, 'a.MOV', mp4WithCreationTime(FILMED, { version: 1 })), filmed);
  const late = new Date('2026-01-01T00:00:00Z');
  assert.deepEqual((await captureOf(t, 'a.3gp', mp4WithCreationTime(late, { version: 1 }))).at, late);
  for (const name of ['a.m4v', 'a.qt', 'a.3g2']) {
    assert.deepEqual(await captureOf(t, name, mp4WithCreationTime(FILMED)), filmed, name);
  }
});

test('the media data may come before or after the movie box, or not at all', async (t) => {
  for (const mdatFirst of [true, false]) {
    const video = mp4WithCreationTime(FILMED, { mdatFirst, mdatBytes: 100_000 });
    assert.deepEqual(await captureOf(t, 'a.mp4', video), filmed, `mdatFirst ${mdatFirst}`);
  }
  assert.deepEqual(await captureOf(t, 'a.mp4', mp4WithCreationTime(FILMED, { mdatBytes: 0 })), filmed);
});

test('a last box of size 0 runs to the end of the file', async (t) => {
  const video = mp4WithCreationTime(FILMED, { mdatFirst: true });
  const moovAt = video.indexOf('moov') - 4;
  video.writeUInt32BE(0, moovAt);
  assert.deepEqual(await captureOf(t, 'a.mp4', video), filmed);
});

test('a media data box of 5 GiB with a 64-bit size is skipped, not read', async (t) => {
  const dir = await tempFolder(t, 'capture-time-');
  const head = mp4WithCreationTime(FILMED, { mdatBytes: 0 });
  const ftyp = head.subarray(0, head.readUInt32BE(0));
  const moov = head.subarray(ftyp.length);
  const mdatSize = 5 * 1024 ** 3;
  const mdatHeader = Buffer.alloc(16);
  mdatHeader.writeUInt32BE(1);
  mdatHeader.write('mdat', 4, 'latin1');
  mdatHeader.writeBigUInt64BE(BigInt(mdatSize), 8);
  const file = `${dir}/big.mp4`;
  // A sparse file: the media data costs no disk, and reading it would take seconds.
  const handle = await open(file, 'w');
  try {
    await handle.write(ftyp, 0, ftyp.length, 0);
    await handle.write(mdatHeader, 0, 16, ftyp.length);
    await handle.write(moov, 0, moov.length, ftyp.length + mdatSize);
  } finally {
    await handle.close();
  }
  assert.deepEqual(await readCaptureTime(file, MODIFIED), filmed);
});

test('creation time 0, a missing or cut movie header, or no ISO BMFF at all: the modification time', async (t) => {
  assert.deepEqual(await captureOf(t, 'unset.mp4', mp4WithCreationTime(null)), modificationTime);
  const whole = mp4WithCreationTime(FILMED, { mdatFirst: true });
  assert.deepEqual(await captureOf(t, 'cut.mp4', whole.subarray(0, whole.length - 20)), modificationTime);
  const moovBytes = whole.readUInt32BE(whole.indexOf('moov') - 4);
  const noMoov = whole.subarray(0, whole.length - moovBytes);
  assert.deepEqual(await captureOf(t, 'nomoov.mp4', noMoov), modificationTime);
  assert.deepEqual(await captureOf(t, 'text.mov', Buffer.from('hello, this is no movie at all\n')), modificationTime);
  assert.deepEqual(await captureOf(t, 'empty.mp4', Buffer.alloc(0)), modificationTime);
  const tiny = Buffer.alloc(64);
  tiny.writeUInt32BE(4); // a box smaller than its own header
  tiny.write('ftyp', 4, 'latin1');
  assert.deepEqual(await captureOf(t, 'tiny.mp4', tiny), modificationTime);
});

test('a creation time more than a year ahead is no capture time', async (t) => {
  const future = new Date(Date.now() + 2 * 366 * 24 * 3600 * 1000);
  assert.deepEqual(await captureOf(t, 'a.mp4', mp4WithCreationTime(future, { version: 1 })), modificationTime);
});

test('videos other than MP4/QuickTime get their modification time', async (t) => {
  assert.deepEqual(await captureOf(t, 'a.avi', mp4WithCreationTime(FILMED)), modificationTime);
  assert.deepEqual(await captureOf(t, 'a.mkv', Buffer.from([0x1a, 0x45, 0xdf, 0xa3])), modificationTime);
});

test('video and modification-time months are those of the server time zone', async (t) => {
  const dir = await tempFolder(t, 'capture-time-');
  const lateInMay = new Date('2024-05-31T23:30:00Z');
  const video = await writeFixture(dir, 'a.mp4', mp4WithCreationTime(lateInMay));
  const other = await writeFixture(dir, 'a.txt', Buffer.from('x'));
  assert.deepEqual(captureInZone('UTC', video, MODIFIED), {
    at: '2024-05-31T23:30:00.000Z',
    month: '2024-05',
    source: 'video',
  });
  assert.equal(captureInZone('Asia/Tokyo', video, MODIFIED).month, '2024-06');
  assert.deepEqual(captureInZone('UTC', other, lateInMay), {
    at: '2024-05-31T23:30:00.000Z',
    month: '2024-05',
    source: 'mtime',
  });
  assert.equal(captureInZone('Asia/Tokyo', other, lateInMay).month, '2024-06');
});
