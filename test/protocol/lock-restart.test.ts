/**
 * Locks live in the database, not in the process (README.md: "exclusive
 * and shared locks kept in the database"), because a client holding a lock
 * (Windows Explorer, davfs2 while a file is open) must not lose it when the
 * server restarts, and a media server may run several instances on one
 * database: locks survive a restart of the reference host on the same data
 * folder, and a second lock manager on the same database (another
 * instance) sees and honours them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';
import { KnexLockManager } from '../../plugin/locks/knex-lock-manager.js';
import { USERS, dav, lock, lockInfo, locked, put, tokensIn } from '../helpers/locks.js';
import { basic } from '../helpers/raw-http.js';

const ALICE = basic('alice', 'alice-pw');
const CAROL = basic('carol', 'carol-pw');

describe('locks across a restart of the reference host', () => {
  let dataDir: string;
  let host: HostProcess | undefined;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'webdav-lock-restart-'));
  });
  after(async () => {
    await host?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps a lock, its owner and its protection after a restart', async () => {
    host = await startHost({
      dataDir,
      users: [
        { name: 'alice', password: 'alice-pw', groups: ['WebDAV.main'] },
        { name: 'carol', password: 'carol-pw', groups: ['WebDAV.main'] },
      ],
    });
    const at = (path: string) => `${host!.url}${path}`;
    const created = await fetch(at(dav('kept.txt')), {
      method: 'PUT',
      headers: { authorization: ALICE },
      body: 'before',
    });
    assert.equal(created.status, 201);
    const granted = await fetch(at(dav('kept.txt')), {
      method: 'LOCK',
      headers: { authorization: ALICE, depth: '0', timeout: 'Second-3600', 'content-type': 'application/xml' },
      body: lockInfo('exclusive', 'restart test'),
    });
    assert.equal(granted.status, 200, await granted.clone().text());
    const token = (granted.headers.get('lock-token') ?? '').replace(/^<|>$/g, '');
    assert.match(token, /^urn:uuid:/);
    await host.stop();

    host = await startHost({ dataDir });
    const discovered = await fetch(at(dav('kept.txt')), {
      method: 'PROPFIND',
      headers: { authorization: CAROL, depth: '0' },
      body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/></D:prop></D:propfind>',
    });
    const body = await discovered.text();
    assert.equal(discovered.status, 207);
    assert.deepEqual(tokensIn(body), [token]);
    assert.match(body, /restart test/);
    assert.equal(
      (await fetch(at(dav('kept.txt')), { method: 'PUT', headers: { authorization: CAROL }, body: 'carol' })).status,
      423,
    );
    assert.equal(
      (
        await fetch(at(dav('kept.txt')), {
          method: 'PUT',
          headers: { authorization: ALICE, if: `(<${token}>)` },
          body: 'after',
        })
      ).status,
      204,
    );
    assert.equal(
      (
        await fetch(at(dav('kept.txt')), {
          method: 'UNLOCK',
          headers: { authorization: CAROL, 'lock-token': `<${token}>` },
        })
      ).status,
      403,
    );
    assert.equal(
      (
        await fetch(at(dav('kept.txt')), {
          method: 'UNLOCK',
          headers: { authorization: ALICE, 'lock-token': `<${token}>` },
        })
      ).status,
      204,
    );
  });
});

describe('locks shared by two lock managers on one database', () => {
  let h: Harness;
  before(async () => {
    h = await startPlugin({ users: USERS });
    await writeFile(join(h.root, 'one.jpg'), 'one');
    await writeFile(join(h.root, 'two.jpg'), 'two');
  });
  after(() => h.stop());

  it('stores a granted lock as a row of webdav_locks', async () => {
    const token = await locked(h, dav('one.jpg'), { depth: '0', timeout: 'Second-600' });
    const rows = await h.db('webdav_locks').where({ token });
    assert.equal(rows.length, 1);
    const row = rows[0] as Record<string, unknown>;
    assert.equal(row['mount'], 'main');
    assert.equal(row['path'], 'one.jpg');
    assert.equal(row['parent'], '');
    assert.equal(row['depth'], '0');
    assert.equal(row['scope'], 'exclusive');
    assert.equal(row['user_name'], 'alice');
    assert.equal(row['timeout_seconds'], 600);
    assert.equal(row['owner'], '<D:owner xmlns:D="DAV:"><D:href>mailto:alice@example.org</D:href></D:owner>');
    const expires = Number(row['expires_at']);
    assert.ok(expires > Date.now() + 590_000 && expires <= Date.now() + 600_000, String(expires));
  });

  it('honours a lock another instance granted, and the other way round', async () => {
    const other = new KnexLockManager(h.db);
    const result = await other.create({
      mount: 'main',
      path: ['two.jpg'],
      collection: false,
      depth: 0,
      scope: 'exclusive',
      ownerXml: null,
      user: 'carol',
      timeoutSeconds: 600,
    });
    assert.ok('lock' in result);
    assert.equal((await put(h, dav('two.jpg'), 'alice')).status, 423);
    assert.equal((await put(h, dav('two.jpg'), 'carol', { If: `(<${result.lock.token}>)` }, 'carol')).status, 204);

    // one.jpg is still locked by the test above; carol's second exclusive lock must conflict.
    assert.equal((await lock(h, dav('one.jpg'), { depth: '0', user: 'carol' })).status, 423);
    const seen = await other.discover({ mount: 'main', path: ['one.jpg'] });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.user, 'alice');
  });
});
