import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memberPropstatsXml, propstats, writtenResponse, type Listed } from '../../plugin/dav/propstats.js';
import { propfindQueryOf } from '../../plugin/dav/propfind-query.js';
import type { ResourceInfo } from '../../plugin/store/store.js';
import type { ActiveLock } from '../../plugin/locks/model.js';
import { propstatsXml, responseXml } from '../../plugin/dav/xml/writer.js';

const ALLPROP = propfindQueryOf(null);
const SIZE_ONLY = propfindQueryOf(
  '<D:propfind xmlns:D="DAV:"><D:prop><D:getcontentlength/><D:getetag/></D:prop></D:propfind>',
);

function info(size: number): ResourceInfo {
  return {
    name: 'IMG_0001.jpg',
    isCollection: false,
    size,
    modified: new Date('2026-11-20T10:00:00Z'),
    created: new Date('2026-11-20T09:00:00Z'),
    etag: `"1-2-${size}"`,
  };
}

function member(
  described: ResourceInfo,
  extra: Partial<Pick<Listed, 'dead'>> & { active?: ActiveLock[]; lockable?: boolean } = {},
): Listed {
  return {
    href: '/webdav/main/IMG_0001.jpg',
    target: {
      info: described,
      displayName: described.name,
      quota: null,
      locks: { active: extra.active ?? [], lockable: extra.lockable ?? true },
    },
    dead: extra.dead ?? [],
  };
}

const fresh = (listed: Listed): string => propstatsXml(propstats(ALLPROP, listed) as never);

test('a member writes what propstats says of it', () => {
  const listed = member(Object.freeze(info(2048)));
  assert.equal(memberPropstatsXml(ALLPROP, listed), fresh(listed));
  assert.match(memberPropstatsXml(ALLPROP, listed) as string, /<D:getcontentlength>2048<\/D:getcontentlength>/);
});

test('the same frozen description with the same query gives the same XML, once written', () => {
  const described = Object.freeze(info(4096));
  const first = memberPropstatsXml(ALLPROP, member(described));
  assert.equal(memberPropstatsXml(ALLPROP, member(described)), first);
  // Another query is written for itself, not taken from the first.
  const sizes = memberPropstatsXml(SIZE_ONLY, member(described)) as string;
  assert.notEqual(sizes, first);
  assert.match(sizes, /getcontentlength>4096</);
  assert.doesNotMatch(sizes, /getlastmodified/);
});

test('a description that can change is written afresh every time', () => {
  const described: { -readonly [K in keyof ResourceInfo]: ResourceInfo[K] } = info(100);
  memberPropstatsXml(ALLPROP, member(described));
  described.size = 200;
  assert.match(memberPropstatsXml(ALLPROP, member(described)) as string, /getcontentlength>200</);
});

test('dead properties and locks are never taken from an earlier listing', () => {
  const described = Object.freeze(info(300));
  memberPropstatsXml(ALLPROP, member(described));
  const withDead = memberPropstatsXml(
    ALLPROP,
    member(described, { dead: [{ ns: 'urn:x', local: 'rating', xml: '<x:rating xmlns:x="urn:x">5</x:rating>' }] }),
  ) as string;
  assert.match(withDead, /<x:rating xmlns:x="urn:x">5<\/x:rating>/);
  const lock: ActiveLock = {
    mount: 'main',
    path: ['IMG_0001.jpg'],
    collection: false,
    depth: 0,
    scope: 'exclusive',
    ownerXml: null,
    user: 'anna',
    timeoutSeconds: 600,
    token: 'urn:uuid:0b7e4d5c-1f00-4b8e-9d6c-5a1e2f3a4b5c',
    expiresAt: Date.now() + 600_000,
    createdAt: Date.now(),
  };
  const locked = memberPropstatsXml(ALLPROP, member(described, { active: [lock] })) as string;
  assert.match(locked, /urn:uuid:0b7e4d5c/);
  // And once the lock is gone, the plain XML again.
  assert.doesNotMatch(memberPropstatsXml(ALLPROP, member(described)) as string, /urn:uuid:/);
});

test('a member that may not be locked (a read-only share, a date view) is reused too, never with the other supportedlock', () => {
  const described = Object.freeze(info(500));
  const readOnly = memberPropstatsXml(ALLPROP, member(described, { lockable: false })) as string;
  assert.match(readOnly, /<D:supportedlock\/>/);
  assert.equal(memberPropstatsXml(ALLPROP, member(described, { lockable: false })), readOnly);
  const lockable = memberPropstatsXml(ALLPROP, member(described)) as string;
  assert.match(lockable, /<D:supportedlock><D:lockentry>/);
  assert.equal(memberPropstatsXml(ALLPROP, member(described, { lockable: false })), readOnly);
});

test('an unchanged member is kept as the bytes of its whole response from its second listing on, for that query, href and lockability only', () => {
  const described = Object.freeze(info(8192));
  const listing = (): Uint8Array | undefined => {
    const kept = writtenResponse(ALLPROP, member(described));
    if (!kept) memberPropstatsXml(ALLPROP, member(described));
    return kept;
  };
  assert.equal(listing(), undefined, 'first listing');
  assert.equal(listing(), undefined, 'second listing: written, and now kept');
  const kept = listing();
  assert.ok(kept);
  assert.equal(Buffer.from(kept).toString(), responseXml('/webdav/main/IMG_0001.jpg', fresh(member(described))));
  assert.equal(writtenResponse(SIZE_ONLY, member(described)), undefined, 'another query');
  assert.equal(writtenResponse(ALLPROP, { ...member(described), href: '/webdav/other/IMG_0001.jpg' }), undefined);
  assert.equal(writtenResponse(ALLPROP, member(described, { lockable: false })), undefined);
  assert.equal(
    writtenResponse(ALLPROP, member(described, { dead: [{ ns: 'urn:x', local: 'y', xml: '<y xmlns="urn:x"/>' }] })),
    undefined,
  );
  const changing = info(8192);
  memberPropstatsXml(ALLPROP, member(changing));
  memberPropstatsXml(ALLPROP, member(changing));
  assert.equal(writtenResponse(ALLPROP, member(changing)), undefined, 'a description that can change');
});
