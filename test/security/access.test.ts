/**
 * Who reaches which share, through the real host.
 *
 * First as a user sees it: a member of `WebDAV.<mount>` lists and reads the
 * share, /webdav/ lists only the caller's shares, OPTIONS needs no
 * credentials, and changes made with the CLI (another process) or in the
 * admin panel take effect within the 5 seconds README.md promises.
 *
 * Then attacked: every method but OPTIONS, on every share, for callers
 * without credentials, with a wrong password, with a malformed Authorization
 * header, outside the share's group, in another share's group, and with the
 * plugin switched off; COPY and MOVE into a share the caller may not write.
 * Whatever the answer, nothing on disk may change.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, login, setPluginEnabled, startHost, type HostProcess } from '../helpers/host-process.js';
import { LOCK_BODY, PROPPATCH_BODY, basic, send } from '../helpers/raw-http.js';
import { snapshot } from '../helpers/system.js';

const ALICE = basic('alice', 'alice-pw');
const BOB = basic('bob', 'bob-pw');

/** Every method a client may send; OPTIONS is the only one answered without access. */
const CLIENT_METHODS = [
  'GET',
  'HEAD',
  'PUT',
  'DELETE',
  'MKCOL',
  'COPY',
  'MOVE',
  'PROPFIND',
  'PROPPATCH',
  'LOCK',
  'UNLOCK',
  'POST',
];

/** The same and PATCH: what the attacks below try. */
const METHODS = [
  'GET',
  'HEAD',
  'PUT',
  'DELETE',
  'MKCOL',
  'COPY',
  'MOVE',
  'PROPFIND',
  'PROPPATCH',
  'LOCK',
  'UNLOCK',
  'POST',
  'PATCH',
];
const SHARES = ['main', 'scans', 'archive'];

/** Everything a method needs to get past parsing, so that only access decides. */
function requestFor(method: string, share: string, target: string, authorization: string | undefined) {
  const headers: Record<string, string> = { depth: '0' };
  if (authorization !== undefined) headers['authorization'] = authorization;
  if (method === 'COPY' || method === 'MOVE') headers['destination'] = `/webdav/${share}/copied-${method}.txt`;
  if (method === 'UNLOCK') headers['lock-token'] = '<urn:uuid:00000000-0000-0000-0000-000000000000>';
  let body: string | undefined;
  if (method === 'PUT' || method === 'POST' || method === 'PATCH') body = 'overwritten by an intruder';
  if (method === 'PROPPATCH') body = PROPPATCH_BODY;
  if (method === 'LOCK') body = LOCK_BODY;
  if (body !== undefined) headers['content-type'] = method === 'PUT' ? 'text/plain' : 'application/xml';
  return { method, path: `/webdav/${share}/${target}`, headers, body };
}

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
    const alice = await (
      await dav('/webdav/', { method: 'PROPFIND', headers: { authorization: ALICE, depth: '1' } })
    ).text();
    assert.match(alice, /<D:href>\/webdav\/main\/<\/D:href>/);
    const bob = await dav('/webdav/', { method: 'PROPFIND', headers: { authorization: BOB, depth: '1' } });
    assert.equal(bob.status, 207);
    assert.doesNotMatch(await bob.text(), /\/webdav\/main\//);
  });

  it('answers 403 to a non-member for every method but OPTIONS, whether the path exists or not', async () => {
    for (const method of CLIENT_METHODS) {
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
    assert.ok(
      answers.every((answer) => JSON.stringify(answer) === JSON.stringify(answers[0])),
      JSON.stringify(answers),
    );
    assert.match(String(answers[0]![0]), /^1\b/);
  });

  it('takes a group removal made with the CLI into account within 5 seconds', async () => {
    const carol = basic('carol', 'carol-pw');
    assert.equal(
      (await dav('/webdav/main/', { method: 'PROPFIND', headers: { authorization: carol, depth: '0' } })).status,
      207,
    );
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
      assert.equal(
        (await dav('/webdav/main/', { method: 'PROPFIND', headers: { authorization: dave.old, depth: '0' } })).status,
        207,
      );
    });
    assert.equal((await host.cli(['user', 'passwd', 'dave', '--password', 'new-pw'])).code, 0);
    const start = Date.now();
    await eventually(async () => {
      assert.equal(
        (await dav('/webdav/main/', { method: 'PROPFIND', headers: { authorization: dave.old, depth: '0' } })).status,
        401,
      );
      assert.equal(
        (await dav('/webdav/main/', { method: 'PROPFIND', headers: { authorization: dave.next, depth: '0' } })).status,
        207,
      );
    }, 6_000);
    assert.ok(Date.now() - start <= 5_000, `took ${Date.now() - start} ms`);
  });

  it('adds a share when the settings change, creates its group, and logs a bad one by key', async () => {
    const scans = join(host.dataDir, 'scans');
    await mkdir(scans);
    await writeFile(join(scans, 'scan-001.pdf'), 'pdf');
    for (const [key, value] of [
      ['webdav.0.path', scans],
      ['webdav.0.webdavmount', 'scans'],
      ['webdav.1.path', join(host.dataDir, 'does-not-exist')],
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
    // webdav.1 may be applied by a later reload than the one that served scans: wait for its line.
    await host.waitForLog(
      (r) => String(r['msg']).includes('webdav.1.path') && String(r['msg']).includes('does not exist'),
      10_000,
    );
    // The share with the bad folder is not served, and the others still are.
    assert.equal(
      (await dav('/webdav/ghost/', { method: 'PROPFIND', headers: { authorization: ALICE, depth: '0' } })).status,
      403,
    );
    assert.equal(
      (await dav('/webdav/main/', { method: 'PROPFIND', headers: { authorization: ALICE, depth: '0' } })).status,
      207,
    );
  });

  it('disabling the plugin in the admin panel makes /webdav 404 and OPTIONS / stop advertising DAV; enabling brings it back', async () => {
    const admin = await login(host.url, 'admin', host.adminPassword!);
    const setEnabled = (enabled: boolean) => setPluginEnabled(host.url, admin, 'webdav-shares', enabled);
    assert.equal((await setEnabled(false)).status, 200);
    try {
      assert.equal((await dav('/webdav/main/', { method: 'PROPFIND', headers: { authorization: ALICE } })).status, 404);
      assert.equal((await dav('/webdav/main/', { method: 'OPTIONS' })).status, 404);
      const root = await dav('/', { method: 'OPTIONS' });
      assert.equal(root.status, 404);
      assert.equal(root.headers.get('dav'), null);
    } finally {
      assert.equal((await setEnabled(true)).status, 200);
    }
    const res = await dav('/webdav/main/', { method: 'PROPFIND', headers: { authorization: ALICE, depth: '0' } });
    assert.equal(res.status, 207);
    assert.equal((await dav('/', { method: 'OPTIONS' })).headers.get('ms-author-via'), 'DAV');
  });
});

describe('who gets in: every method, every share, every kind of stranger', () => {
  let host: HostProcess;
  let folders: string;
  const roots: Record<string, string> = {};

  const everything = async (): Promise<string> => {
    const all: Record<string, [string, string][]> = {};
    for (const share of SHARES) all[share] = [...(await snapshot(roots[share]!))];
    return JSON.stringify(all);
  };

  before(async () => {
    folders = await mkdtemp(join(tmpdir(), 'access-shares-'));
    for (const share of ['scans', 'archive']) {
      roots[share] = join(folders, share);
      await mkdir(join(roots[share]!, 'sub'), { recursive: true });
      await writeFile(join(roots[share]!, 'file.txt'), `${share} file`);
    }
    host = await startHost({
      settings: {
        'webdav.0.path': roots['scans']!,
        'webdav.0.webdavmount': 'scans',
        'webdav.1.path': roots['archive']!,
        'webdav.1.webdavmount': 'archive',
        'webdav.1.readonly': 'true',
      },
      users: [
        { name: 'alice', password: 'alice-pw', groups: ['WebDAV.main', 'WebDAV.archive'] },
        { name: 'sam', password: 'sam-pw', groups: ['WebDAV.scans'] },
        { name: 'bob', password: 'bob-pw' },
      ],
    });
    roots['main'] = join(host.dataDir, 'photos');
    await writeFile(join(roots['main'], 'file.txt'), 'main file');
    await mkdir(join(roots['main'], 'sub'));
  });
  after(async () => {
    await host?.stop();
    await rm(folders, { recursive: true, force: true });
  });

  const strangers: {
    readonly who: string;
    readonly auth: (share: string) => string | undefined;
    readonly expect: number[];
    readonly from?: string;
  }[] = [
    { who: 'no credentials', auth: () => undefined, expect: [401] },
    // Failed logins are throttled: after a few, 429 is the refusal (from an address of their own, so the others are not throttled).
    { who: 'a wrong password', auth: () => basic('alice', 'not-her-password'), expect: [401, 429], from: '127.0.0.2' },
    { who: 'an unknown user', auth: () => basic('mallory', 'guess'), expect: [401, 429], from: '127.0.0.3' },
    {
      who: 'a member of another share’s group',
      auth: (share) => (share === 'scans' ? basic('alice', 'alice-pw') : basic('sam', 'sam-pw')),
      expect: [403],
    },
    { who: 'a user in no group', auth: () => basic('bob', 'bob-pw'), expect: [403] },
  ];

  for (const stranger of strangers) {
    it(`refuses ${stranger.who} for every method on every share, existing path or not, changing nothing`, async () => {
      const before = await everything();
      for (const share of SHARES) {
        for (const method of METHODS) {
          for (const target of ['file.txt', 'sub/', 'missing.txt', '']) {
            const res = await send(host.port, {
              ...requestFor(method, share, target, stranger.auth(share)),
              localAddress: stranger.from,
            });
            assert.ok(
              stranger.expect.includes(res.status),
              `${method} /webdav/${share}/${target} as ${stranger.who}: ${res.status} ${res.text}`,
            );
            if (res.status === 401)
              assert.match(String(res.headers['www-authenticate']), /^Basic realm="[^"]*", charset="UTF-8"$/);
            assert.doesNotMatch(res.text, /(main|scans|archive) file/, 'no content leaks');
          }
        }
      }
      assert.equal(await everything(), before);
    });
  }

  it('treats every malformed Authorization header as no credentials (401), changing nothing', async () => {
    const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');
    const malformed = [
      '',
      'Basic',
      'Basic ',
      'Basic !!!!',
      'Basic YWxpY2U6YWxpY2UtcHc', // valid credentials without their padding
      `Basic ${b64('alice')}`, // no colon
      `Basic ${b64(':alice-pw')}`, // no user
      `Basic ${b64('ali\u0000ce:alice-pw')}`, // NUL in the user name
      `Basic ${b64('alice\r\nX-Injected: 1:alice-pw')}`,
      `Bearer ${b64('alice:alice-pw')}`,
      `Digest username="alice", realm="WebDAV", nonce="x", uri="/", response="0"`,
      `Basic ${b64('alice:alice-pw')} trailing`,
      `Basic ${b64('alice:alice-pw')}, Basic ${b64('alice:alice-pw')}`,
      `Basic ${'A'.repeat(8000)}`,
      `Basic ${b64(`alice:${'x'.repeat(5000)}`)}`,
    ];
    const before = await everything();
    for (const authorization of malformed) {
      for (const method of ['PROPFIND', 'PUT', 'DELETE', 'MOVE']) {
        const res = await send(host.port, requestFor(method, 'main', 'file.txt', authorization));
        assert.equal(res.status, 401, `${method} with ${JSON.stringify(authorization.slice(0, 60))}: ${res.status}`);
        assert.equal(res.headers['x-injected'], undefined);
      }
    }
    assert.equal(await everything(), before);
  });

  it('refuses writes on a read-only share to its own members, for every method but OPTIONS, GET, HEAD and PROPFIND', async () => {
    const before = await everything();
    for (const method of METHODS) {
      const res = await send(host.port, requestFor(method, 'archive', 'file.txt', basic('alice', 'alice-pw')));
      if (['GET', 'HEAD', 'PROPFIND'].includes(method)) assert.ok(res.status < 300, `${method}: ${res.status}`);
      else assert.ok([403, 405].includes(res.status), `${method} on a read-only share: ${res.status} ${res.text}`);
    }
    assert.equal(await everything(), before);
  });

  it('refuses COPY and MOVE into a share the caller may not write: not a member, read-only, outside /webdav/<share>/', async () => {
    const destinations = [
      `/webdav/scans/stolen.txt`, // alice is not in WebDAV.scans
      `${host.url}/webdav/scans/stolen.txt`,
      `http://${new URL(host.url).host}/webdav/scans/sub/stolen.txt`,
      `/webdav/archive/stolen.txt`, // a member, but read-only
      `/webdav/archive/sub/stolen.txt`,
      `/webdav/no-such-share/stolen.txt`,
      `/webdav/stolen.txt`, // /webdav/ itself holds no files
      `/webdav/`,
      `/stolen.txt`,
      `/api/plugins/webdav/stolen.txt`,
    ];
    const before = await everything();
    for (const method of ['COPY', 'MOVE']) {
      for (const destination of destinations) {
        for (const source of ['file.txt', 'sub/']) {
          const res = await send(host.port, {
            method,
            path: `/webdav/main/${source}`,
            headers: { authorization: basic('alice', 'alice-pw'), destination, overwrite: 'T' },
          });
          assert.equal(res.status, 403, `${method} ${source} → ${destination}: ${res.status} ${res.text}`);
        }
      }
    }
    // And the other way round: out of a share the caller cannot read, into one they can write.
    for (const method of ['COPY', 'MOVE']) {
      const res = await send(host.port, {
        method,
        path: '/webdav/scans/file.txt',
        headers: { authorization: basic('alice', 'alice-pw'), destination: '/webdav/main/taken.txt' },
      });
      assert.equal(res.status, 403, `${method} out of scans: ${res.status}`);
    }
    assert.equal(await everything(), before);
  });

  it('a disabled plugin answers nothing under /webdav (404) to anyone, for every method, and changes nothing', async () => {
    const admin = await login(host.url, 'admin', host.adminPassword!);
    const setEnabled = async (enabled: boolean) => {
      const res = await setPluginEnabled(host.url, admin, 'webdav-shares', enabled);
      assert.equal(res.status, 200, await res.text());
    };
    const before = await everything();
    await setEnabled(false);
    try {
      for (const share of SHARES) {
        for (const method of [...METHODS, 'OPTIONS']) {
          const res = await send(host.port, requestFor(method, share, 'file.txt', basic('alice', 'alice-pw')));
          assert.equal(res.status, 404, `${method} /webdav/${share}/file.txt with the plugin off: ${res.status}`);
        }
      }
      const root = await send(host.port, { method: 'OPTIONS', path: '/' });
      assert.equal(root.status, 404);
      assert.equal(root.headers['dav'], undefined);
    } finally {
      await setEnabled(true);
    }
    assert.equal(await everything(), before);
    assert.equal((await send(host.port, requestFor('PROPFIND', 'main', '', basic('alice', 'alice-pw')))).status, 207);
  });
});
