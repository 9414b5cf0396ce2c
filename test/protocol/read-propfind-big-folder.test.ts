/**
 * PROPFIND Depth 1 of a big folder: the members' part of the answer is
 * kept (dav/kept-renderings.ts) and sent again while the store vouches the
 * folder is unchanged. Whatever changes (a file written by another
 * program, a dead property, a lock, the query), the next answer shows it.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { keptRenderings } from '../../plugin/dav/methods/propfind.js';
import { eventually } from '../helpers/host-process.js';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';
import { locked, unlock } from '../helpers/locks.js';

const FILES = 4_000;
const FOLDER = '/webdav/main/';
const XML = { 'content-type': 'application/xml; charset=utf-8' };

describe('PROPFIND of a big folder, kept between listings', () => {
  let harness: Harness;

  before(async () => {
    harness = await startPlugin({
      prepare: async (root) => {
        for (let i = 0; i < FILES; i++)
          await writeFile(join(root, `IMG_${String(i).padStart(5, '0')}.jpg`), 'x'.repeat(i % 50));
      },
    });
  });
  after(() => harness.stop());

  const list = async (body?: string): Promise<string> => {
    const res = await harness.fetch(FOLDER, { method: 'PROPFIND', headers: { ...XML, depth: '1' }, body });
    assert.equal(res.status, 207);
    return res.text();
  };
  /** The listing, asked until `check` holds (an event from the kernel takes a moment). */
  const listUntil = (check: (xml: string) => boolean, what: string): Promise<string> =>
    eventually(
      async () => {
        const xml = await list();
        assert.ok(check(xml), `the listing never showed ${what}`);
        return xml;
      },
      2_000,
      20,
    );
  const member = (xml: string, name: string): string => {
    const at = xml.indexOf(`<D:href>${FOLDER}${name}</D:href>`);
    assert.ok(at >= 0, `${name} is listed`);
    return xml.slice(at, xml.indexOf('</D:response>', at));
  };

  it('is kept, and sent again byte for byte', async () => {
    const first = await list();
    assert.equal(first.match(/<D:response>/g)?.length, FILES + 1);
    assert.ok(keptRenderings.bytes > 0, 'the members were kept');
    assert.equal(await list(), first);
    assert.equal(await list(), first);
  });

  it('a file written by another program shows at once', async () => {
    await list();
    await writeFile(join(harness.root, 'IMG_00007.jpg'), 'a new photo, longer than before');
    await listUntil((xml) => member(xml, 'IMG_00007.jpg').includes('<D:getcontentlength>31<'), 'the new size');
  });

  it('a dead property, a lock and a lock gone show at once', async () => {
    await list();
    const patched = await harness.fetch(`${FOLDER}IMG_00011.jpg`, {
      method: 'PROPPATCH',
      headers: XML,
      body: '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:x"><D:set><D:prop><Z:rating>5</Z:rating></D:prop></D:set></D:propertyupdate>',
    });
    assert.equal(patched.status, 207);
    assert.match(member(await list(), 'IMG_00011.jpg'), /rating/);
    const token = await locked(harness, `${FOLDER}IMG_00012.jpg`);
    assert.ok(member(await list(), 'IMG_00012.jpg').includes(token));
    assert.equal((await unlock(harness, `${FOLDER}IMG_00012.jpg`, token)).status, 204);
    assert.ok(!member(await list(), 'IMG_00012.jpg').includes(token));
  });

  it('another query gets its own answer', async () => {
    const all = await list();
    const etags = await list(
      '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>',
    );
    assert.notEqual(etags, all);
    assert.equal(etags.match(/<D:getetag>/g)?.length, FILES);
    assert.ok(!etags.includes('getcontentlength'));
  });
});
