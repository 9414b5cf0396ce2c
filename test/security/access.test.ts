/**
 * Who gets in, attacked through the real host: every method but OPTIONS, on
 * every share, for callers without credentials, with a wrong password, with
 * a malformed Authorization header, outside the share's group, in another
 * share's group, and with the plugin switched off; COPY and MOVE into a
 * share the caller may not write. Whatever the answer, nothing on disk may
 * change.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { login, setPluginEnabled, startHost, type HostProcess } from '../helpers/host-process.js';
import { LOCK_BODY, PROPPATCH_BODY, basic, send } from '../helpers/raw-http.js';
import { snapshot } from '../helpers/system.js';

const METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'MKCOL', 'COPY', 'MOVE', 'PROPFIND', 'PROPPATCH', 'LOCK', 'UNLOCK', 'POST', 'PATCH'];
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

  const strangers: { readonly who: string; readonly auth: (share: string) => string | undefined; readonly expect: number[]; readonly from?: string }[] = [
    { who: 'no credentials', auth: () => undefined, expect: [401] },
    // Failed logins are throttled: after a few, 429 is the refusal (from an address of their own, so the others are not throttled).
    { who: 'a wrong password', auth: () => basic('alice', 'not-her-password'), expect: [401, 429], from: '127.0.0.2' },
    { who: 'an unknown user', auth: () => basic('mallory', 'guess'), expect: [401, 429], from: '127.0.0.3' },
    { who: 'a member of another share’s group', auth: (share) => (share === 'scans' ? basic('alice', 'alice-pw') : basic('sam', 'sam-pw')), expect: [403] },
    { who: 'a user in no group', auth: () => basic('bob', 'bob-pw'), expect: [403] },
  ];

  for (const stranger of strangers) {
    it(`refuses ${stranger.who} for every method on every share, existing path or not, changing nothing`, async () => {
      const before = await everything();
      for (const share of SHARES) {
        for (const method of METHODS) {
          for (const target of ['file.txt', 'sub/', 'missing.txt', '']) {
            const res = await send(host.port, { ...requestFor(method, share, target, stranger.auth(share)), localAddress: stranger.from });
            assert.ok(stranger.expect.includes(res.status), `${method} /webdav/${share}/${target} as ${stranger.who}: ${res.status} ${res.text}`);
            if (res.status === 401) assert.match(String(res.headers['www-authenticate']), /^Basic realm="[^"]*", charset="UTF-8"$/);
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
      assert.equal(root.headers['dav'], undefined);
    } finally {
      await setEnabled(true);
    }
    assert.equal(await everything(), before);
    assert.equal((await send(host.port, requestFor('PROPFIND', 'main', '', basic('alice', 'alice-pw')))).status, 207);
  });
});
