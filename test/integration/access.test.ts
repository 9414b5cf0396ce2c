/**
 * End to end through the real host: who reaches which share, and how fast
 * changes made with the CLI (another process) take effect.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, login, setPluginEnabled, startHost, type HostProcess } from '../helpers/host-process.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ALICE = basic('alice', 'alice-pw');
const BOB = basic('bob', 'bob-pw');

/** Every method a client may send; OPTIONS is the only one answered without access. */
const METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'MKCOL', 'COPY', 'MOVE', 'PROPFIND', 'PROPPATCH', 'LOCK', 'UNLOCK', 'POST'];

describe('access to shares through the reference host', () => {
  let host: HostProcess;
  const dav = (pathname: string, init: RequestInit = {}) => fetch(`${host.url}${pathname}`, init);

  before(async () => {
    host = await startHost({
      users: [
        { name: 'alice', password: 'alice-pw', groups: ['WebDAV.main'] },
        { name: 'bob', password: 'bob-pw' },
        { name: 'carol', password: 'carol-pw', groups: ['WebDAV.main'] },
      ],
    });
  });
  after(() => host.stop());

  it('lets a member of WebDAV.main list the share (207) and read a sample photo', async () => {
    const res = await dav('/webdav/main/', { method: 'PROPFIND', headers: { authorization: ALICE, depth: '1' } });
    assert.equal(res.status, 207);
    const body = await res.text();
    const photos = [...body.matchAll(/<D:href>\/webdav\/main\/([^<]+\.jpg)<\/D:href>/g)].map((m) => m[1]!);
    assert.ok(photos.length >= 3, body);
    const photo = await dav(`/webdav/main/${photos[0]}`, { headers: { authorization: ALICE } });
    assert.equal(photo.status, 200);
    assert.equal(photo.headers.get('content-type'), 'image/jpeg');
    const bytes = Buffer.from(await photo.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  });

  it('lists at /webdav/ only the shares the caller belongs to', async () => {
    const alice = await (await dav('/webdav/', { method: 'PROPFIND', headers: { authorization: ALICE, depth: '1' } })).text();
    assert.match(alice, /<D:href>\/webdav\/main\/<\/D:href>/);
    const bob = await dav('/webdav/', { method: 'PROPFIND', headers: { authorization: BOB, depth: '1' } });
    assert.equal(bob.status, 207);
    assert.doesNotMatch(await bob.text(), /\/webdav\/main\//);
  });

  it('answers 403 to a non-member for every method but OPTIONS, whether the path exists or not', async () => {
    for (const method of METHODS) {
      for (const target of ['/webdav/main/', '/webdav/main/no-such-file.jpg', '/webdav/no-such-share/']) {
        const res = await dav(target, {
          method,
          headers: { authorization: BOB, destination: `${host.url}/webdav/main/copy.jpg` },
        });
        assert.equal(res.status, 403, `${method} ${target}`);
        await res.arrayBuffer();
      }
    }
  });

  it('answers 401 with a Basic challenge to a wrong password, a stranger, and no credentials', async () => {
    for (const authorization of [basic('alice', 'wrong'), basic('nobody', 'x'), 'Basic !!!', undefined]) {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      const res = await dav('/webdav/main/', { method: 'PROPFIND', headers });
      assert.equal(res.status, 401, String(authorization));
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm="[^"]+"/);
    }
  });

  it('answers OPTIONS without credentials, identically for existing and missing paths', async () => {
    const answers: (string | null)[][] = [];
    for (const target of ['/', '/webdav/', '/webdav/main/', '/webdav/main/missing/x.jpg', '/webdav/nope/']) {
      const res = await dav(target, { method: 'OPTIONS' });
      assert.equal(res.status, 200, target);
      assert.equal(res.headers.get('ms-author-via'), 'DAV', target);
      answers.push([res.headers.get('dav'), res.headers.get('allow')]);
    }
    assert.ok(answers.every((answer) => JSON.stringify(answer) === JSON.stringify(answers[0])), JSON.stringify(answers));
    assert.match(String(answers[0]![0]), /^1\b/);
  });

  it('takes a group removal made with the CLI into account within 5 seconds', async () => {
    const carol = basic('carol', 'carol-pw');
    assert.equal((await dav('/webdav/main/', { method: 'PROPFIND', headers: { authorization: carol, depth: '0' } })).status, 207);
    const removed = await host.cli(['group', 'remove-member', 'WebDAV.main', 'carol']);
    assert.equal(removed.code, 0, removed.stderr);
    const start = Date.now();
    await eventually(async () => {
      const res = await dav('/webdav/main/', { method: 'PROPFIND', headers: { authorization: carol, depth: '0' } });
      assert.equal(res.status, 403);
    }, 6_000);
    assert.ok(Date.now() - start <= 5_000, `took ${Date.now() - start} ms`);
  });

  it('takes a password change made with the CLI into account within 5 seconds', async () => {
    const dave = { name: 'dave', old: basic('dave', 'old-pw'), next: basic('dave', 'new-pw') };
    assert.equal((await host.cli(['user', 'add', 'dave', '--password', 'old-pw', '--group', 'WebDAV.main'])).code, 0);
    await eventually(async () => {
      assert.equal((await dav('/webdav/main/', { method: 'PROPFIND', headers: { authorization: dave.old, depth: '0' } })).status, 207);
    });
    assert.equal((await host.cli(['user', 'passwd', 'dave', '--password', 'new-pw'])).code, 0);
    const start = Date.now();
    await eventually(async () => {
      assert.equal((await dav('/webdav/main/', { method: 'PROPFIND', headers: { authorization: dave.old, depth: '0' } })).status, 401);
      assert.equal((await dav('/webdav/main/', { method: 'PROPFIND', headers: { authorization: dave.next, depth: '0' } })).status, 207);
    }, 6_000);
    assert.ok(Date.now() - start <= 5_000, `took ${Date.now() - start} ms`);
  });

  it('adds a share when the settings change, creates its group, and logs a bad one by key', async () => {
    const scans = path.join(host.dataDir, 'scans');
    await mkdir(scans);
    await writeFile(path.join(scans, 'scan-001.pdf'), 'pdf');
    for (const [key, value] of [
      ['webdav.0.path', scans],
      ['webdav.0.webdavmount', 'scans'],
      ['webdav.1.path', path.join(host.dataDir, 'does-not-exist')],
      ['webdav.1.webdavmount', 'ghost'],
    ] as const) {
      const result = await host.cli(['settings', 'set', key, value]);
      assert.equal(result.code, 0, result.stderr);
    }
    await eventually(async () => {
      const groups = await host.cli(['group', 'list']);
      assert.match(groups.stdout, /WebDAV\.scans/);
    }, 10_000);
    assert.equal((await host.cli(['group', 'add-member', 'WebDAV.scans', 'alice'])).code, 0);
    await eventually(async () => {
      const res = await dav('/webdav/scans/', { method: 'PROPFIND', headers: { authorization: ALICE, depth: '1' } });
      assert.equal(res.status, 207);
      assert.match(await res.text(), /scan-001\.pdf/);
    }, 10_000);
    assert.ok(
      host.logRecords().some((r) => String(r['msg']).includes('webdav.1.path') && String(r['msg']).includes('does not exist')),
      'the missing folder is logged with its key',
    );
    // The share with the bad folder is not served, and the others still are.
    assert.equal((await dav('/webdav/ghost/', { method: 'PROPFIND', headers: { authorization: ALICE, depth: '0' } })).status, 403);
    assert.equal((await dav('/webdav/main/', { method: 'PROPFIND', headers: { authorization: ALICE, depth: '0' } })).status, 207);
  });

  it('disabling the plugin in the admin panel makes /webdav 404 and OPTIONS / stop advertising DAV; enabling brings it back', async () => {
    const admin = await login(host.url, 'admin', host.adminPassword!);
    const setEnabled = (enabled: boolean) => setPluginEnabled(host.url, admin, 'webdav-shares', enabled);
    assert.equal((await setEnabled(false)).status, 200);
    try {
      assert.equal((await dav('/webdav/main/', { method: 'PROPFIND', headers: { authorization: ALICE } })).status, 404);
      assert.equal((await dav('/webdav/main/', { method: 'OPTIONS' })).status, 404);
      assert.equal((await dav('/', { method: 'OPTIONS' })).headers.get('dav'), null);
    } finally {
      assert.equal((await setEnabled(true)).status, 200);
    }
    const res = await dav('/webdav/main/', { method: 'PROPFIND', headers: { authorization: ALICE, depth: '0' } });
    assert.equal(res.status, 207);
    assert.equal((await dav('/', { method: 'OPTIONS' })).headers.get('ms-author-via'), 'DAV');
  });
});
