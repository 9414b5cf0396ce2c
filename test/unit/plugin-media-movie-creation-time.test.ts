import { test } from 'node:test';
import assert from 'node:assert/strict';
import { movieCreationTime } from '../../plugin/media/movie-creation-time.js';
import { mp4WithCreationTime, writeFixture } from '../helpers/media-fixtures.js';
import { tempFolder } from '../helpers/system.js';

const FILMED = new Date('2023-08-09T10:11:12Z');

test('creation_time of mvhd, version 0 and 1, with mdat before or after moov', async (t) => {
  const dir = await tempFolder(t, 'movie-creation-time-');
  for (const version of [0, 1] as const) {
    for (const mdatFirst of [true, false]) {
      const file = await writeFixture(
        dir,
        `v${version}-${mdatFirst}`,
        mp4WithCreationTime(FILMED, { version, mdatFirst }),
      );
      assert.deepEqual(await movieCreationTime(file), FILMED, `version ${version}, mdatFirst ${mdatFirst}`);
    }
  }
});

test('the 1904 epoch: its first second, and a time past 2040 in 64 bits', async (t) => {
  const dir = await tempFolder(t, 'movie-creation-time-');
  const epoch = await writeFixture(dir, 'epoch', mp4WithCreationTime(new Date('1904-01-01T00:00:01Z')));
  assert.deepEqual(await movieCreationTime(epoch), new Date('1904-01-01T00:00:01Z'));
  const late = new Date('2100-06-01T00:00:00Z');
  const file = await writeFixture(dir, 'late', mp4WithCreationTime(late, { version: 1 }));
  assert.deepEqual(await movieCreationTime(file), late);
});

test('null for creation_time 0, an mvhd version it does not know, or a file that is no ISO BMFF', async (t) => {
  const dir = await tempFolder(t, 'movie-creation-time-');
  assert.equal(await movieCreationTime(await writeFixture(dir, 'unset', mp4WithCreationTime(null))), null);
  const video = mp4WithCreationTime(FILMED);
  video[video.indexOf('mvhd') + 4] = 2;
  assert.equal(await movieCreationTime(await writeFixture(dir, 'v2', video)), null);
  const binary = Buffer.from([0, 0, 0, 16, 0xff, 0xfe, 0x00, 0x01, ...new Array<number>(8).fill(0)]);
  assert.equal(await movieCreationTime(await writeFixture(dir, 'binary', binary)), null);
  assert.equal(await movieCreationTime(`${dir}/gone`), null);
});
