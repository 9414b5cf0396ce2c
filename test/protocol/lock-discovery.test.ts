/**
 * The lock properties (RFC 4918 §15.8 lockdiscovery, §15.10 supportedlock)
 * in PROPFIND: the active locks covering a resource, inherited
 * depth-infinity locks included, with what each activelock must carry
 * (§14.1); both in allprop (§9.1: "the live properties defined by this
 * document"); and a listing that asks the database once per folder, never
 * once per member: a Depth 1 PROPFIND of a folder of 10,000 photos, which
 * file managers send on every visit, must not cost 10,000 queries.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';
import { USERS, dav, locked, propfind, responses, tokensIn, unlock } from '../helpers/locks.js';

const SUPPORTED =
  '<D:supportedlock><D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>' +
  '<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry></D:supportedlock>';

describe('lockdiscovery and supportedlock', () => {
  let h: Harness;
  before(async () => {
    h = await startPlugin({ users: USERS });
    await mkdir(join(h.root, 'album', 'sub'), { recursive: true });
    await mkdir(join(h.root, 'plain'));
    for (const name of ['loose.jpg', 'album/one.jpg', 'album/two.jpg', 'album/sub/deep.jpg', 'plain/p.jpg']) {
      await writeFile(join(h.root, name), 'photo');
    }
  });
  after(() => h.stop());

  it('describes each active lock: type, scope, depth, owner verbatim, time left, token and root', async () => {
    const owner =
      '<x:person xmlns:x="urn:example:people" x:role="editor">Ann &amp; Bob <x:mail>ann@example.org</x:mail></x:person>';
    const token = await locked(h, dav('loose.jpg'), { depth: '0', timeout: 'Second-300', owner });
    const body = await propfind(h, dav('loose.jpg'), '0', '<D:lockdiscovery/>');
    const activelock =
      /<D:lockdiscovery><D:activelock>([\s\S]*)<\/D:activelock><\/D:lockdiscovery>/.exec(body)?.[1] ?? '';
    assert.match(
      activelock,
      /^<D:locktype><D:write\/><\/D:locktype><D:lockscope><D:exclusive\/><\/D:lockscope><D:depth>0<\/D:depth>/,
    );
    // Kept verbatim (§14.17), declaring the namespaces it uses wherever it is embedded.
    assert.ok(activelock.includes(`<D:owner xmlns:D="DAV:">${owner}</D:owner>`), activelock);
    const left = Number(/<D:timeout>Second-(\d+)<\/D:timeout>/.exec(activelock)?.[1]);
    assert.ok(left > 290 && left <= 300, activelock);
    assert.match(activelock, new RegExp(`<D:locktoken><D:href>${token}</D:href></D:locktoken>`));
    assert.match(activelock, /<D:lockroot><D:href>\/webdav\/main\/loose\.jpg<\/D:href><\/D:lockroot>$/);
    await unlock(h, dav('loose.jpg'), token);
    assert.match(await propfind(h, dav('loose.jpg'), '0', '<D:lockdiscovery/>'), /<D:lockdiscovery\/>/);
  });

  it('shows an inherited depth-infinity lock on every member of a Depth 1 listing, with the collection as root', async () => {
    const token = await locked(h, dav('album/'), { scope: 'shared' });
    const own = await locked(h, dav('album/one.jpg'), { scope: 'shared', depth: '0', user: 'carol' });
    const listing = responses(await propfind(h, dav('album/'), '1', '<D:lockdiscovery/>'));
    assert.deepEqual([...listing.keys()].sort(), [
      '/webdav/main/album/',
      '/webdav/main/album/one.jpg',
      '/webdav/main/album/sub/',
      '/webdav/main/album/two.jpg',
    ]);
    assert.deepEqual(tokensIn(listing.get('/webdav/main/album/')!), [token]);
    assert.deepEqual(tokensIn(listing.get('/webdav/main/album/two.jpg')!), [token]);
    assert.deepEqual(tokensIn(listing.get('/webdav/main/album/sub/')!), [token]);
    assert.deepEqual(tokensIn(listing.get('/webdav/main/album/one.jpg')!).sort(), [token, own].sort());
    assert.match(
      listing.get('/webdav/main/album/two.jpg')!,
      /<D:lockroot><D:href>\/webdav\/main\/album\/<\/D:href><\/D:lockroot>/,
    );

    // Two levels down, through the listing of the subfolder.
    const deeper = responses(await propfind(h, dav('album/sub/'), '1', '<D:lockdiscovery/>'));
    assert.deepEqual(tokensIn(deeper.get('/webdav/main/album/sub/deep.jpg')!), [token]);
    // And in the share root's listing the folder shows it, the other members do not.
    const top = responses(await propfind(h, dav(''), '1', '<D:lockdiscovery/>'));
    assert.deepEqual(tokensIn(top.get('/webdav/main/album/')!), [token]);
    assert.deepEqual(tokensIn(top.get('/webdav/main/plain/')!), []);
    assert.deepEqual(tokensIn(top.get('/webdav/main/')!), []);
    await unlock(h, dav('album/'), token);
    await unlock(h, dav('album/one.jpg'), own, 'carol');
  });

  it('does not show a Depth 0 lock of a folder on its members', async () => {
    const token = await locked(h, dav('plain/'), { depth: '0' });
    const listing = responses(await propfind(h, dav('plain/'), '1', '<D:lockdiscovery/>'));
    assert.deepEqual(tokensIn(listing.get('/webdav/main/plain/')!), [token]);
    assert.match(listing.get('/webdav/main/plain/')!, /<D:depth>0<\/D:depth>/);
    assert.deepEqual(tokensIn(listing.get('/webdav/main/plain/p.jpg')!), []);
    await unlock(h, dav('plain/'), token);
  });

  it('offers exclusive and shared write locks, except on the share root, which cannot be locked', async () => {
    const listing = responses(await propfind(h, dav(''), '1', '<D:supportedlock/>'));
    assert.ok(listing.get('/webdav/main/loose.jpg')!.includes(SUPPORTED));
    assert.ok(listing.get('/webdav/main/album/')!.includes(SUPPORTED));
    assert.match(listing.get('/webdav/main/')!, /<D:supportedlock\/>/);
  });

  it('returns both with allprop and names them with propname', async () => {
    const token = await locked(h, dav('loose.jpg'), { depth: '0' });
    const allprop = await h.fetch(dav('loose.jpg'), { method: 'PROPFIND', headers: { Depth: '0' } });
    const body = await allprop.text();
    assert.ok(body.includes(SUPPORTED), body);
    assert.deepEqual(tokensIn(body), [token]);
    const propname = await h.fetch(dav('loose.jpg'), {
      method: 'PROPFIND',
      headers: { Depth: '0' },
      body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>',
    });
    const names = await propname.text();
    assert.match(names, /<D:lockdiscovery\/>/);
    assert.match(names, /<D:supportedlock\/>/);
    await unlock(h, dav('loose.jpg'), token);
  });

  it('leaves expired locks out', async () => {
    const token = await locked(h, dav('loose.jpg'), { depth: '0' });
    await h
      .db('webdav_locks')
      .where({ token })
      .update({ expires_at: Date.now() - 1 });
    assert.deepEqual(tokensIn(await propfind(h, dav('loose.jpg'), '0', '<D:lockdiscovery/>')), []);
    assert.deepEqual(tokensIn(await propfind(h, dav(''), '1', '<D:lockdiscovery/>')), []);
  });
});

describe('a listing of a big folder', () => {
  let h: Harness;
  before(async () => {
    h = await startPlugin({ users: USERS });
    await mkdir(join(h.root, 'big'));
    for (let i = 0; i < 300; i++) await writeFile(join(h.root, 'big', `p${String(i).padStart(3, '0')}.jpg`), 'x');
  });
  after(() => h.stop());

  it('reads the locks with at most one query for the folder and one for its members, whatever their number', async () => {
    const tree = await locked(h, dav('big/'), { scope: 'shared' });
    const one = await locked(h, dav('big/p007.jpg'), { scope: 'shared', depth: '0', user: 'carol' });
    const queries: string[] = [];
    const onQuery = (query: { sql: string }): void => {
      if (query.sql.includes('webdav_locks')) queries.push(query.sql);
    };
    h.db.on('query', onQuery);
    try {
      const listing = responses(await propfind(h, dav('big/'), '1', '<D:lockdiscovery/><D:supportedlock/>'));
      assert.equal(listing.size, 301);
      assert.deepEqual(tokensIn(listing.get('/webdav/main/big/p299.jpg')!), [tree]);
      assert.deepEqual(tokensIn(listing.get('/webdav/main/big/p007.jpg')!).sort(), [tree, one].sort());
    } finally {
      h.db.removeListener('query', onQuery);
    }
    // Usually one: the mount's locks, loaded once for the folder and kept for its members (plugin/locks/knex-lock-manager.ts).
    assert.ok(queries.length >= 1 && queries.length <= 2, queries.join('\n'));
  });
});
