import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import exifr from 'exifr';
import jpeg from 'jpeg-js';
import { readCaptureTime } from '../../plugin/media/capture-time.js';
import { jpegWithExif, jpegWithoutExif, mp4WithCreationTime, writeFixture } from '../helpers/media-fixtures.js';
import { tempFolder } from '../helpers/system.js';

/** The EXIF dates of `bytes` as the file holds them (strings, not revived into Dates). */
async function exifDates(bytes: Buffer): Promise<Record<string, unknown> | undefined> {
  return (await exifr.parse(bytes, { reviveValues: false })) as Record<string, unknown> | undefined;
}

test('jpegWithExif is a JPEG that decodes, of the size asked for', () => {
  const image = jpeg.decode(jpegWithExif({ dateTimeOriginal: '2024:05:17 14:03:22', width: 24, height: 10 }));
  assert.equal(image.width, 24);
  assert.equal(image.height, 10);
  const plain = jpeg.decode(jpegWithoutExif());
  assert.equal(plain.width, 16);
  assert.equal(plain.height, 16);
});

test('the seed picks the pixels: different seeds differ, the same seed is the same file', () => {
  const one = jpegWithExif({ dateTimeOriginal: '2024:05:17 14:03:22', seed: 1 });
  const two = jpegWithExif({ dateTimeOriginal: '2024:05:17 14:03:22', seed: 2 });
  assert.notDeepEqual(jpeg.decode(one).data, jpeg.decode(two).data);
  assert.deepEqual(jpegWithExif({ dateTimeOriginal: '2024:05:17 14:03:22', seed: 1 }), one);
  assert.notDeepEqual(jpeg.decode(jpegWithoutExif(1)).data, jpeg.decode(jpegWithoutExif(2)).data);
  assert.deepEqual(jpegWithoutExif(3), jpegWithoutExif(3));
});

test('exifr reads back the dates and the offset written', async () => {
  const tags = await exifDates(
    jpegWithExif({
      dateTimeOriginal: '2024:05:17 14:03:22',
      createDate: '2023:01:02 03:04:05',
      offsetTimeOriginal: '+02:00',
    }),
  );
  assert.equal(tags?.DateTimeOriginal, '2024:05:17 14:03:22');
  assert.equal(tags?.CreateDate, '2023:01:02 03:04:05');
  assert.equal(tags?.OffsetTimeOriginal, '+02:00');
  const createOnly = await exifDates(jpegWithExif({ createDate: '2023:01:02 03:04:05' }));
  assert.equal(createOnly?.CreateDate, '2023:01:02 03:04:05');
  assert.equal(createOnly?.DateTimeOriginal, undefined);
});

test('jpegWithoutExif has no EXIF dates', async () => {
  const tags = await exifDates(jpegWithoutExif());
  assert.equal(tags?.DateTimeOriginal, undefined);
  assert.equal(tags?.CreateDate, undefined);
});

test('mp4WithCreationTime: the capture time reader finds its creation time, in every layout', async (t) => {
  const dir = await tempFolder(t, 'media-fixtures-');
  const at = new Date('2023-08-09T10:11:12Z');
  const modified = new Date('2021-03-04T05:06:07Z');
  for (const version of [0, 1] as const) {
    for (const mdatFirst of [true, false]) {
      const file = await writeFixture(
        dir,
        `v${version}-${mdatFirst}.mp4`,
        mp4WithCreationTime(at, { version, mdatFirst }),
      );
      const capture = await readCaptureTime(file, modified);
      assert.equal(capture.source, 'video', `version ${version}, mdatFirst ${mdatFirst}`);
      assert.deepEqual(capture.at, at);
    }
  }
  const unset = await writeFixture(dir, 'unset.mp4', mp4WithCreationTime(null));
  assert.equal((await readCaptureTime(unset, modified)).source, 'mtime');
});

test('mp4WithCreationTime: the layout asked for', () => {
  const at = new Date('2023-08-09T10:11:12Z');
  const types = (bytes: Buffer) => {
    const out: string[] = [];
    for (let offset = 0; offset < bytes.length; offset += bytes.readUInt32BE(offset)) {
      out.push(bytes.toString('latin1', offset + 4, offset + 8));
    }
    return out;
  };
  assert.deepEqual(types(mp4WithCreationTime(at)), ['ftyp', 'mdat', 'moov']);
  assert.deepEqual(types(mp4WithCreationTime(at, { mdatFirst: false })), ['ftyp', 'moov', 'mdat']);
  assert.deepEqual(types(mp4WithCreationTime(at, { mdatBytes: 0 })), ['ftyp', 'moov']);
  const big = mp4WithCreationTime(at, { mdatBytes: 5000 });
  assert.equal(big.readUInt32BE(big.indexOf('mdat') - 4), 8 + 5000);
  assert.throws(() => mp4WithCreationTime(new Date('2041-01-01T00:00:00Z'), { version: 0 }), RangeError);
  assert.doesNotThrow(() => mp4WithCreationTime(new Date('2041-01-01T00:00:00Z'), { version: 1 }));
});

test('writeFixture writes the bytes, makes the folders, sets the modification time, returns an absolute path', async (t) => {
  const dir = await tempFolder(t, 'media-fixtures-');
  const mtime = new Date('2020-02-03T04:05:06Z');
  const bytes = jpegWithoutExif(7);
  const file = await writeFixture(dir, 'Camera/2020/a.jpg', bytes, mtime);
  assert.ok(isAbsolute(file));
  assert.equal(file, join(dir, 'Camera/2020/a.jpg'));
  const stats = await stat(file);
  assert.equal(stats.size, bytes.length);
  assert.equal(stats.mtime.getTime(), mtime.getTime());
});
