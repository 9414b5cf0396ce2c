/**
 * A big month of a date view is kept between listings like a big real
 * folder (dav/kept-renderings.ts): the view vouches for a month while the
 * index and every real folder behind it are unchanged. A file written in
 * place, or a new photo of the month, shows in the next listing.
 */
import assert from 'node:assert/strict';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { keptRenderings } from '../../plugin/dav/methods/propfind.js';
import { jpegWithExif, writeFixture } from '../helpers/media-fixtures.js';
import { eventually } from '../helpers/host-process.js';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';

const PHOTOS = 1_800;
const MAY = '/webdav/dates/2024/2024-05/';
const photo = (i: number) =>
  jpegWithExif({ dateTimeOriginal: `2024:05:${String(1 + (i % 28)).padStart(2, '0')} 10:00:00`, seed: i });
const name = (i: number) => `IMG_${String(i).padStart(5, '0')}.jpg`;

describe('a big month of a date view, kept between listings', () => {
  let h: Harness;
  const list = async (): Promise<string> => {
    const res = await h.fetch(MAY, { method: 'PROPFIND', headers: { depth: '1' } });
    assert.equal(res.status, 207);
    return res.text();
  };
  /** The listing, or '' while the month is not there yet (the first scan). */
  const look = async (): Promise<string> => {
    const res = await h.fetch(MAY, { method: 'PROPFIND', headers: { depth: '1' } });
    return res.status === 207 ? res.text() : (await res.arrayBuffer(), '');
  };
  const count = (xml: string) => xml.match(/<D:response>/g)?.length ?? 0;
  const until = (check: (xml: string) => boolean, what: string): Promise<string> =>
    eventually(
      async () => {
        const xml = await look();
        assert.ok(check(xml), `the month never showed ${what}`);
        return xml;
      },
      30_000,
      50,
    );

  before(async () => {
    h = await startPlugin({
      settings: { 'robot.root.0.webdavdatemount': 'dates' },
      users: { alice: { password: 'alice-pw', groups: ['WebDAV.main', 'WebDAV.dates'] } },
      prepare: async (root) => {
        for (let i = 0; i < PHOTOS; i++) await writeFixture(root, `camera/${name(i)}`, photo(i));
      },
    });
    await until((xml) => count(xml) === PHOTOS + 1, 'every photo (the first scan)');
  });
  after(() => h.stop());

  it('is kept and sent again byte for byte', async () => {
    const first = await list();
    const second = await list();
    assert.equal(second, first);
    assert.ok(keptRenderings.bytes > 0, 'the month was kept');
    assert.equal(await list(), first);
  });

  it('a photo touched, one written in place, and a new photo of the month show at once', async () => {
    await list();
    const touched = new Date('2025-01-02T03:04:05Z');
    await utimes(join(h.root, 'camera', name(3)), touched, touched);
    await until((xml) => xml.includes(touched.toUTCString()), 'the new modification time');
    const bigger = Buffer.concat([photo(7), Buffer.alloc(1000, 1)]);
    await writeFixture(h.root, `camera/${name(7)}`, bigger);
    await until((xml) => xml.includes(`<D:getcontentlength>${bigger.length}</D:getcontentlength>`), 'the new size');
    await writeFixture(h.root, `camera/${name(PHOTOS)}`, photo(PHOTOS));
    await until((xml) => count(xml) === PHOTOS + 2, 'the new photo');
  });
});
