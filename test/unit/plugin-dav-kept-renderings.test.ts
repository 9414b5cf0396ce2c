import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeptRenderings, RECORD_FROM_BYTES } from '../../plugin/dav/kept-renderings.js';
import { propfindQueryOf } from '../../plugin/dav/propfind-query.js';

const query = propfindQueryOf(
  '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:getcontentlength/></D:prop></D:propfind>',
);
const other = propfindQueryOf('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>');

/** What a listing of `count` members writes: text pieces, and now and then bytes kept from earlier. */
function pieces(count: number, tag = 'x'): (string | Uint8Array)[] {
  return Array.from({ length: count }, (_, i) => {
    const xml = `<D:response><D:href>/webdav/main/big/IMG_${i}.jpg</D:href><D:propstat>${tag}${i * 7}é</D:propstat></D:response>`;
    return i % 5 === 0 ? Buffer.from(xml) : xml;
  });
}

const joined = (parts: (string | Uint8Array)[]): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));

async function sent(found: AsyncIterable<Buffer> | undefined): Promise<Buffer> {
  assert.ok(found, 'kept');
  const chunks: Buffer[] = [];
  for await (const chunk of found) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function record(kept: KeptRenderings, href: string, parts: (string | Uint8Array)[], stamp: object | null): void {
  const recorder = kept.recorder(href, query)!;
  for (const part of parts) recorder.add(part);
  if (stamp) recorder.keepAs(stamp);
  else recorder.drop();
}

test('a big listing written once is sent again byte for byte, for the same folder, stamp and query only', async () => {
  const kept = new KeptRenderings();
  const parts = pieces(30_000);
  assert.ok(joined(parts).length > 2 * RECORD_FROM_BYTES);
  const stamp = {};
  record(kept, '/webdav/main/big/', parts, stamp);
  assert.ok(kept.bytes > 0 && kept.bytes < joined(parts).length / 5, `compressed to ${kept.bytes} bytes`);
  assert.deepEqual(await sent(kept.find('/webdav/main/big/', stamp, query)), joined(parts));
  assert.equal(kept.find('/webdav/main/big/', {}, query), undefined, 'another listing of the folder');
  assert.equal(kept.find('/webdav/main/big/', stamp, other), undefined, 'another query');
  assert.equal(kept.find('/webdav/main/other/', stamp, query), undefined, 'another folder');
});

test('nothing is kept of a small listing, a listing the store did not vouch for, or a query for quota', () => {
  const kept = new KeptRenderings();
  record(kept, '/a/', pieces(100), {});
  record(kept, '/b/', pieces(30_000), null);
  assert.equal(kept.bytes, 0);
  const quota = propfindQueryOf(
    '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:quota-available-bytes/></D:prop></D:propfind>',
  );
  assert.equal(kept.recorder('/c/', quota), null);
});

test('a listing recorded again replaces the one before; at most maxBytes are kept, least recently used first', async () => {
  const one = new KeptRenderings();
  record(one, '/x/', pieces(30_000), {});
  const size = one.bytes;
  const kept = new KeptRenderings(Math.floor(size * 2.5));
  const [a, b, c] = [{}, {}, {}];
  record(kept, '/a/', pieces(30_000), a);
  record(kept, '/b/', pieces(30_000), b);
  const newer = {};
  record(kept, '/a/', pieces(30_000, 'y'), newer);
  assert.equal(kept.find('/a/', a, query), undefined, 'replaced');
  assert.deepEqual(await sent(kept.find('/a/', newer, query)), joined(pieces(30_000, 'y')));
  record(kept, '/c/', pieces(30_000), c);
  assert.equal(kept.find('/b/', b, query), undefined, 'the least recently used went');
  assert.ok(kept.find('/a/', newer, query));
  assert.ok(kept.find('/c/', c, query));
  assert.ok(kept.bytes <= size * 2.5);
  const tiny = new KeptRenderings(size);
  record(tiny, '/a/', pieces(30_000), {});
  assert.equal(tiny.bytes, 0, 'one listing may take at most half');
});
