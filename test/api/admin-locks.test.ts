/**
 * GET admin/locks and DELETE admin/locks/:token against the real host: an
 * admin sees every active lock with its owner, path, depth and expiry, and
 * removes a stale one; the lock is then gone for WebDAV clients (a PUT
 * without its token succeeds) and the removal is in the audit log. Anyone
 * else, a call without the CSRF token, and an unknown lock are refused and
 * change nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertSchema, call } from '../helpers/api.js';
import { lockInfo } from '../helpers/locks.js';
import { login, startHost, type HostProcess, type WebLogin } from '../helpers/host-process.js';
import { basic } from '../helpers/raw-http.js';

const ANNA = basic('anna', 'anna-pw');

interface LockView {
  token: string;
  mount: string;
  path: string;
  depth: string;
  scope: string;
  user: string;
  owner: string | null;
  expiresAt: string;
  secondsLeft: number;
}

describe('admin API: WebDAV locks', () => {
  let host: HostProcess;
  let admin: WebLogin;
  let anna: WebLogin;
  const api = (method: string, pathname: string, options: Parameters<typeof call>[3] = {}) =>
    call(host.url, method, pathname, options);
  const dav = (method: string, pathname: string, headers: Record<string, string> = {}, body?: string) =>
    fetch(`${host.url}${pathname}`, { method, headers: { authorization: ANNA, ...headers }, body });
  const lockOf = async (pathname: string, owner: string, headers: Record<string, string>) => {
    const res = await dav(
      'LOCK',
      pathname,
      { 'content-type': 'application/xml', ...headers },
      lockInfo('exclusive', owner),
    );
    assert.ok(res.status === 200 || res.status === 201, `LOCK ${pathname}: ${res.status} ${await res.text()}`);
    return (res.headers.get('lock-token') ?? '').replace(/^<|>$/g, '');
  };
  const listed = async (): Promise<LockView[]> => {
    const res = await api('GET', '/admin/locks', { as: admin });
    assert.equal(res.status, 200, res.text);
    assertSchema('admin-locks-response.schema.json', res.json);
    return res.json.locks;
  };

  let fileToken: string;
  let folderToken: string;

  before(async () => {
    host = await startHost({
      users: [{ name: 'anna', password: 'anna-pw', groups: ['WebDAV.main'] }],
      settings: { 'user.log.webdav': 'true' },
    });
    admin = await login(host.url, 'admin', host.adminPassword!);
    anna = await login(host.url, 'anna', 'anna-pw');
    assert.equal((await dav('MKCOL', '/webdav/main/Bücher/')).status, 201);
    fileToken = await lockOf(
      '/webdav/main/Bericht%20M%C3%A4rz.docx',
      'Anna’s laptop &amp; <D:href>mailto:anna@example.org</D:href>',
      {
        depth: '0',
        timeout: 'Second-600',
      },
    );
    folderToken = await lockOf('/webdav/main/B%C3%BCcher/', 'rclone', { depth: 'infinity', timeout: 'Second-3600' });
  });
  after(() => host?.stop());

  it('lists every active lock with owner, path, depth, scope and expiry', async () => {
    const locks = await listed();
    const file = locks.find((l) => l.token === fileToken);
    const folder = locks.find((l) => l.token === folderToken);
    assert.ok(file && folder, JSON.stringify(locks));
    assert.deepEqual(
      [file.mount, file.path, file.depth, file.scope, file.user, file.owner],
      ['main', '/webdav/main/Bericht März.docx', '0', 'exclusive', 'anna', 'Anna’s laptop & mailto:anna@example.org'],
    );
    assert.deepEqual([folder.path, folder.depth, folder.owner], ['/webdav/main/Bücher/', 'infinity', 'rclone']);
    assert.ok(file.secondsLeft > 500 && file.secondsLeft <= 600, String(file.secondsLeft));
    const expires = Date.parse(file.expiresAt) - Date.now();
    assert.ok(expires > 500_000 && expires <= 600_000, file.expiresAt);
  });

  it('refuses anonymous callers (401), non-admins (403) and calls without the right CSRF token (403); the lock stays', async () => {
    const token = encodeURIComponent(fileToken);
    assert.equal((await api('GET', '/admin/locks')).status, 401);
    assert.equal((await api('DELETE', `/admin/locks/${token}`)).status, 401);
    const annaList = await api('GET', '/admin/locks', { as: anna });
    assert.equal(annaList.status, 403);
    assert.match(annaList.json.error, /administrators only/);
    assert.equal((await api('DELETE', `/admin/locks/${token}`, { as: anna })).status, 403);
    for (const csrf of [false, 'wrong-token', anna.csrfToken] as const) {
      const res = await api('DELETE', `/admin/locks/${token}`, { as: admin, csrf });
      assert.equal(res.status, 403, res.text);
      assert.match(res.json.error, /CSRF/);
    }
    assert.ok(
      (await listed()).some((l) => l.token === fileToken),
      'still listed',
    );
    const put = await dav('PUT', '/webdav/main/Bericht%20M%C3%A4rz.docx', {}, 'new text');
    assert.equal(put.status, 423, 'still locked for WebDAV clients');
  });

  it('answers 404 for a lock that is not there, naming it', async () => {
    for (const token of ['urn:uuid:00000000-0000-4000-8000-000000000000', 'not-a-token']) {
      const res = await api('DELETE', `/admin/locks/${encodeURIComponent(token)}`, { as: admin });
      assert.equal(res.status, 404, res.text);
      assert.ok(res.json.error.includes(token), res.json.error);
    }
    assert.equal((await listed()).length, 2);
  });

  it('removes a lock: gone from the list, a PUT without the token succeeds, and the audit log says who removed it', async () => {
    const res = await api('DELETE', `/admin/locks/${encodeURIComponent(fileToken)}`, { as: admin });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.removed.token, fileToken);
    assert.equal(res.json.removed.path, '/webdav/main/Bericht März.docx');
    assert.deepEqual(
      (await listed()).map((l) => l.token),
      [folderToken],
    );

    // The client that held it learns at its next write that its token is no longer good.
    const stale = await dav('PUT', '/webdav/main/Bericht%20M%C3%A4rz.docx', { if: `(<${fileToken}>)` }, 'old');
    assert.equal(stale.status, 412);
    const put = await dav('PUT', '/webdav/main/Bericht%20M%C3%A4rz.docx', {}, 'new text');
    assert.equal(put.status, 204, `the lock is really gone: ${put.status}`);
    // The folder's lock still holds.
    assert.equal((await dav('PUT', '/webdav/main/B%C3%BCcher/a.txt', {}, 'x')).status, 423);
    // A second removal of the same lock: it is not there any more.
    assert.equal((await api('DELETE', `/admin/locks/${encodeURIComponent(fileToken)}`, { as: admin })).status, 404);

    const audit = await api('GET', '/admin/audit?q=admin%20page', { as: admin });
    assert.equal(audit.status, 200, audit.text);
    assert.equal(audit.json.total, 1, audit.text);
    const [entry] = audit.json.entries;
    assert.deepEqual(
      [entry.user, entry.method, entry.path, entry.status],
      ['admin', 'UNLOCK (admin page)', '/webdav/main/Bericht März.docx', 200],
    );
    const line = host.logRecords().find((r) => r['audit'] === true && r['method'] === 'UNLOCK (admin page)');
    assert.equal(line?.['user'], 'admin');
  });
});
