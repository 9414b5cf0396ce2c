/**
 * The admin endpoints under /api/plugins/webdav/admin/, against the real
 * host: who may call them, CSRF on every state-changing call, validation with
 * messages that name the field, and what the calls change.
 */
import assert from 'node:assert/strict';
import { readFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  eventually,
  login,
  setPluginEnabled,
  startHost,
  type HostProcess,
  type WebLogin,
} from '../helpers/host-process.js';
import { API, assertSchema, call } from '../helpers/api.js';
import { jpegWithExif, jpegWithoutExif, writeFixture } from '../helpers/media-fixtures.js';
import { basic } from '../helpers/raw-http.js';

const ANNA = basic('anna', 'anna-pw');

describe('admin API', () => {
  let host: HostProcess;
  let admin: WebLogin;
  let anna: WebLogin;
  let scans: string;
  const api = (method: string, pathname: string, options: Parameters<typeof call>[3] = {}) =>
    call(host.url, method, pathname, options);
  const settingsText = () => readFile(path.join(host.dataDir, 'settings.properties'), 'utf8');
  const propfind = (pathname: string, authorization = ANNA) =>
    fetch(`${host.url}${pathname}`, { method: 'PROPFIND', headers: { authorization, depth: '1' } });

  before(async () => {
    host = await startHost({
      users: [
        { name: 'anna', password: 'anna-pw', groups: ['WebDAV.main'] },
        { name: 'bob', password: 'bob-pw' },
      ],
      settings: {
        'user.log.webdav': 'true',
        // Problems the admin page must show: a share whose folder is missing, a bad switch.
        'webdav.7.path': '/nonexistent/folder/for/the/test',
        'webdav.7.webdavmount': 'ghost',
        'webdav.uploadallowed': 'maybe',
      },
    });
    admin = await login(host.url, 'admin', host.adminPassword!);
    anna = await login(host.url, 'anna', 'anna-pw');
    scans = path.join(host.dataDir, 'scans');
    await mkdir(scans);
    await writeFile(path.join(scans, 'scan-001.txt'), 'scan');
    await writeFile(path.join(host.dataDir, 'a-file.txt'), 'not a folder');
  });
  after(() => host?.stop());

  /** Every admin endpoint with a call that would be valid for an admin. */
  const endpoints = (): Array<[string, string, unknown?]> => [
    ['GET', '/admin/status'],
    ['GET', '/admin/shares'],
    ['POST', '/admin/shares', { mount: 'forbidden', folder: scans }],
    ['PUT', '/admin/shares/main', { readonly: true }],
    ['DELETE', '/admin/shares/main'],
    ['POST', '/admin/shares/main/members/bob'],
    ['DELETE', '/admin/shares/main/members/anna'],
    ['POST', '/admin/shares/main/scan'],
    ['POST', '/admin/shares/main/view/members/bob'],
    ['DELETE', '/admin/shares/main/view/members/anna'],
    ['GET', '/admin/users'],
    ['GET', '/admin/audit?q=&offset=0&limit=10'],
  ];

  it('answers 401 to anonymous callers and 403 to users who are not admins, on every admin endpoint', async () => {
    const before = await settingsText();
    for (const [method, pathname, body] of endpoints()) {
      const anonymous = await api(method, pathname, { body });
      assert.equal(anonymous.status, 401, `${method} ${pathname} anonymous: ${anonymous.text}`);
      assert.match(anonymous.json.error, /log in/);
      // A non-admin with a valid CSRF token of their own session is still refused.
      const user = await api(method, pathname, { as: anna, body });
      assert.equal(user.status, 403, `${method} ${pathname} as anna: ${user.text}`);
      assert.match(user.json.error, /administrators only/);
    }
    assert.equal(await settingsText(), before, 'nothing changed');
    assert.equal((await propfind('/webdav/main/')).status, 207, 'anna still reaches main');
  });

  it('refuses every state-changing call without the CSRF token or with a wrong one (403), and changes nothing', async () => {
    const before = await settingsText();
    const membersBefore = (await api('GET', '/admin/shares', { as: admin })).json.shares.find(
      (s: { mount: string }) => s.mount === 'main',
    ).members;
    for (const [method, pathname, body] of endpoints().filter(([m]) => m !== 'GET')) {
      for (const csrf of [false, 'wrong-token', anna.csrfToken] as const) {
        const res = await api(method, pathname, { as: admin, body, csrf });
        assert.equal(res.status, 403, `${method} ${pathname} with csrf=${String(csrf)}: ${res.text}`);
        assert.match(res.json.error, /CSRF/);
      }
    }
    assert.equal(await settingsText(), before, 'the settings did not change');
    const after = (await api('GET', '/admin/shares', { as: admin })).json;
    assert.deepEqual(after.shares.find((s: { mount: string }) => s.mount === 'main').members, membersBefore);
    assert.equal(
      after.shares.some((s: { mount: string }) => s.mount === 'forbidden'),
      false,
    );
  });

  it('GET admin/status tells the plugin state and where the host switches it', async () => {
    const res = await api('GET', '/admin/status', { as: admin });
    assert.equal(res.status, 200, res.text);
    assertSchema('admin-status-response.schema.json', res.json);
    assert.equal(res.json.plugin.id, 'webdav-shares');
    assert.equal(res.json.plugin.state, 'enabled');
    assert.equal(res.json.pluginListUrl, '/admin');
    assert.equal(res.json.loginUrl, '/login');
    assert.equal(res.json.host.name, 'mediahost');
    assert.equal(res.json.switches.auditEnabled, true);
    assert.ok(res.json.problems >= 2, 'the ghost share and the bad switch are counted');
  });

  it('GET admin/shares lists every share with folder, source, access, group, members, space, URL and problems in plain words', async () => {
    const res = await api('GET', '/admin/shares', { as: admin });
    assert.equal(res.status, 200, res.text);
    assertSchema('admin-shares-response.schema.json', res.json);
    const main = res.json.shares.find((s: { mount: string }) => s.mount === 'main');
    assert.equal(main.source, 'robot.root.0');
    assert.equal(main.kind, 'photo-root');
    assert.equal(main.folder, path.join(host.dataDir, 'photos'));
    assert.equal(main.served, true);
    assert.equal(main.group, 'WebDAV.main');
    assert.deepEqual(main.members, ['admin', 'anna']);
    assert.equal(main.memberCount, 2);
    assert.ok(main.space.freeBytes > 0 && main.space.usedBytes > 0, JSON.stringify(main.space));
    assert.equal(main.url, `${host.url}/webdav/main/`);
    const ghost = res.json.shares.find((s: { mount: string }) => s.mount === 'ghost');
    assert.equal(ghost.served, false);
    assert.equal(ghost.source, 'webdav.7');
    assert.match(ghost.problems.map((p: { message: string }) => p.message).join(' '), /does not exist/);
    // A problem that belongs to no share is listed on its own, naming its key.
    assert.ok(
      res.json.problems.some(
        (p: { key: string; message: string }) => p.key === 'webdav.uploadallowed' && /true or false/.test(p.message),
      ),
    );
  });

  it('GET admin/users lists the user names to pick from', async () => {
    const res = await api('GET', '/admin/users', { as: admin });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.users, ['admin', 'anna', 'bob']);
  });

  it('POST admin/shares refuses bad bodies with 400 naming the field (the start-up checks), and writes nothing', async () => {
    const before = await settingsText();
    const cases: Array<[unknown, string, RegExp]> = [
      [{ folder: scans }, 'mount', /required/],
      [{ mount: 'x' }, 'folder', /required/],
      [{ mount: 'bad name', folder: scans }, 'mount', /letters, digits/],
      [{ mount: '..', folder: scans }, 'mount', /"\."/],
      [{ mount: 'x'.repeat(65), folder: scans }, 'mount', /1 to 64/],
      [{ mount: 'x', folder: 'relative/path' }, 'folder', /absolute path/],
      [{ mount: 'x', folder: path.join(host.dataDir, 'missing') }, 'folder', /does not exist/],
      [{ mount: 'x', folder: path.join(host.dataDir, 'a-file.txt') }, 'folder', /not a folder/],
      [
        { mount: 'MAIN', folder: scans },
        'mount',
        /already used by the share "main" \(robot\.root\.0\) \(names are unique regardless of case\)/,
      ],
      [{ mount: 'ghost', folder: scans }, 'mount', /already used by the share "ghost" \(webdav\.7\)$/],
      [{ mount: 'x', folder: scans, readonly: 'yes' }, 'readonly', /true or false/],
      [{ mount: 'x', folder: scans, extra: 1 }, 'extra', /not a field/],
      [[{ mount: 'x' }], 'body', /JSON object/],
      [{ mount: 7, folder: scans }, 'mount', /text/],
    ];
    for (const [body, field, message] of cases) {
      const res = await api('POST', '/admin/shares', { as: admin, body });
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.ok(
        res.json.error.startsWith(`${field}: `) || res.json.error.includes(`; ${field}: `),
        `${JSON.stringify(body)}: ${res.json.error}`,
      );
      assert.match(res.json.fields[field], message, `${JSON.stringify(body)}: ${res.text}`);
    }
    // Two wrong fields: both are named at once, for the form.
    const both = await api('POST', '/admin/shares', { as: admin, body: { mount: 'a b', folder: 'rel' } });
    assert.equal(both.status, 400);
    assert.ok(both.json.fields.mount && both.json.fields.folder, both.text);
    const dupAndMissing = await api('POST', '/admin/shares', {
      as: admin,
      body: { mount: 'main', folder: '/nowhere/at/all' },
    });
    assert.ok(dupAndMissing.json.fields.mount && dupAndMissing.json.fields.folder, dupAndMissing.text);

    assert.equal(
      (
        await api('POST', '/admin/shares', {
          as: admin,
          raw: '{"mount":',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
      400,
    );
    assert.equal(
      (
        await api('POST', '/admin/shares', {
          as: admin,
          raw: 'mount=x',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
      ).status,
      415,
    );
    const huge = await api('POST', '/admin/shares', {
      as: admin,
      body: { mount: 'x', folder: `/${'a'.repeat(40_000)}` },
    });
    assert.equal(huge.status, 413, huge.text);
    assert.equal(await settingsText(), before, 'nothing was written');
  });

  it('POST admin/shares adds a webdav.N share that a member can use within seconds; membership changes take effect', async () => {
    const created = await api('POST', '/admin/shares', { as: admin, body: { mount: 'scans', folder: scans } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.share.mount, 'scans');
    assert.equal(created.json.share.source, 'webdav.0', 'the lowest free N');
    assert.equal(created.json.share.served, true);
    assert.equal(created.json.share.group, 'WebDAV.scans');
    assert.match(await settingsText(), /webdav\.0\.webdavmount=scans/);

    // Not a member yet: refused like a stranger.
    assert.equal((await propfind('/webdav/scans/')).status, 403);
    const unknown = await api('POST', '/admin/shares/scans/members/nobody', { as: admin });
    assert.equal(unknown.status, 404, unknown.text);
    assert.match(unknown.json.error, /no user "nobody"/);
    assert.equal((await api('POST', '/admin/shares/no-such-share/members/anna', { as: admin })).status, 404);

    const added = await api('POST', '/admin/shares/scans/members/anna', { as: admin });
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(added.json.members, ['anna']);
    const start = Date.now();
    await eventually(async () => {
      const res = await propfind('/webdav/scans/');
      assert.equal(res.status, 207);
      assert.match(await res.text(), /scan-001\.txt/);
    }, 6_000);
    assert.ok(Date.now() - start <= 5_000, `took ${Date.now() - start} ms`);

    const removed = await api('DELETE', '/admin/shares/scans/members/anna', { as: admin });
    assert.equal(removed.status, 200, removed.text);
    assert.deepEqual(removed.json.members, []);
    await eventually(async () => assert.equal((await propfind('/webdav/scans/')).status, 403), 6_000);
    assert.equal((await api('POST', '/admin/shares/scans/members/anna', { as: admin })).status, 200);
    await eventually(async () => assert.equal((await propfind('/webdav/scans/')).status, 207), 6_000);
  });

  it('PUT admin/shares/:id edits a share: read-only applies at once, a rename keeps the members, a photo root keeps its folder', async () => {
    const put = (id: string, body: unknown) => api('PUT', `/admin/shares/${id}`, { as: admin, body });
    assert.equal((await put('no-such-share', { readonly: true })).status, 404);
    const empty = await put('scans', {});
    assert.equal(empty.status, 400);
    assert.match(empty.json.error, /^body: /);
    const rootFolder = await put('main', { folder: scans });
    assert.equal(rootFolder.status, 400);
    assert.match(rootFolder.json.error, /^folder: .*robot\.root\.0\.path/);
    assert.equal((await put('main', { mount: 'scans' })).status, 400, 'a name in use');
    assert.match((await put('scans', { folder: '/nowhere/at/all' })).json.fields.folder, /does not exist/);

    const readonly = await put('scans', { readonly: true });
    assert.equal(readonly.status, 200, readonly.text);
    assert.equal(readonly.json.share.readonly, true);
    assert.match(await settingsText(), /webdav\.0\.readonly=true/);
    const upload = await fetch(`${host.url}/webdav/scans/new.txt`, {
      method: 'PUT',
      headers: { authorization: ANNA },
      body: 'x',
    });
    assert.equal(upload.status, 403);

    const renamed = await put('scans', { mount: 'papers', readonly: false });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.json.share.mount, 'papers');
    assert.deepEqual(renamed.json.share.members, ['anna'], 'the members of WebDAV.scans joined WebDAV.papers');
    await eventually(async () => assert.equal((await propfind('/webdav/papers/')).status, 207), 6_000);
    assert.equal((await propfind('/webdav/scans/')).status, 403, 'the old name is gone');

    // A photo root: only its WebDAV keys are written.
    const root = await put('main', { readonly: true, folder: path.join(host.dataDir, 'photos') });
    assert.equal(root.status, 200, root.text);
    assert.match(await settingsText(), /robot\.root\.0\.webdavreadonly=true/);
    assert.equal((await put('main', { readonly: false })).status, 200);
  });

  it('DELETE admin/shares/:id stops serving the share and keeps its folder and group', async () => {
    assert.equal((await api('DELETE', '/admin/shares/no-such-share', { as: admin })).status, 404);
    const res = await api('DELETE', '/admin/shares/papers', { as: admin });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.removed, { source: 'webdav.0', mount: 'papers' });
    assert.equal(res.json.groupKept, 'WebDAV.papers');
    assert.doesNotMatch(await settingsText(), /webdav\.0\./);
    assert.equal((await propfind('/webdav/papers/')).status, 403);
    assert.equal(await readFile(path.join(scans, 'scan-001.txt'), 'utf8'), 'scan', 'files stay');
    const groups = await host.cli(['group', 'list']);
    assert.match(groups.stdout, /WebDAV\.papers/);
    // The broken share can be removed by its name too, and then its problem is gone.
    assert.equal((await api('DELETE', '/admin/shares/ghost', { as: admin })).status, 200);
    const listing = (await api('GET', '/admin/shares', { as: admin })).json;
    assert.equal(
      listing.shares.some((s: { mount: string }) => s.mount === 'ghost'),
      false,
    );
  });

  it('lists a photo folder that is not shared, and shares it by its settings prefix (only its WebDAV keys are written)', async () => {
    const holiday = path.join(host.dataDir, 'holiday');
    await mkdir(holiday);
    assert.equal((await host.cli(['settings', 'set', 'robot.root.1.path', holiday])).code, 0);
    const root = await eventually(async () => {
      const listing = (await api('GET', '/admin/shares', { as: admin })).json;
      const found = listing.unsharedRoots.find((r: { source: string }) => r.source === 'robot.root.1');
      assert.ok(found, JSON.stringify(listing.unsharedRoots));
      return found;
    }, 6_000);
    assert.deepEqual(root, { id: 'robot.root.1', source: 'robot.root.1', folder: holiday });
    const missingName = await api('PUT', '/admin/shares/robot.root.1', { as: admin, body: { readonly: true } });
    assert.equal(missingName.status, 400);
    assert.match(missingName.json.error, /^mount: /);
    const shared = await api('PUT', '/admin/shares/robot.root.1', { as: admin, body: { mount: 'holiday' } });
    assert.equal(shared.status, 200, shared.text);
    assert.equal(shared.json.share.served, true);
    assert.equal(shared.json.share.kind, 'photo-root');
    const text = await settingsText();
    assert.match(text, /robot\.root\.1\.webdavmount=holiday/);
    assert.equal(text.match(/robot\.root\.1\.path=/g)?.length, 1, 'the folder key is left as it was');
    // Stop sharing: the photo folder stays a photo folder.
    assert.equal((await api('DELETE', '/admin/shares/holiday', { as: admin })).status, 200);
    const after = await settingsText();
    assert.match(after, /robot\.root\.1\.path=/);
    assert.doesNotMatch(after, /robot\.root\.1\.webdavmount/);
  });

  it('GET admin/audit is newest first, paged and searchable, and still readable when auditing is switched off', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await propfind('/webdav/main/')).status, 207);
    const page = await eventually(async () => {
      const res = await api('GET', '/admin/audit?q=anna&limit=2', { as: admin });
      assert.equal(res.status, 200, res.text);
      assert.ok(res.json.total >= 3, res.text);
      return res.json;
    });
    assert.equal(page.enabled, true);
    assert.equal(page.entries.length, 2);
    assert.equal(page.limit, 2);
    const [first, second] = page.entries;
    assert.ok(first.time >= second.time, 'newest first');
    assert.equal(first.user, 'anna');
    assert.equal(first.method, 'PROPFIND');
    assert.equal(first.path, '/webdav/main/');
    assert.equal(first.status, 207);
    assert.equal(first.address, '127.0.0.1');
    assert.ok(first.bytesOut > 0);
    const next = await api('GET', '/admin/audit?q=anna&limit=2&offset=2', { as: admin });
    assert.equal(next.json.offset, 2);
    assert.notDeepEqual(next.json.entries[0], first);
    assert.equal((await api('GET', '/admin/audit?q=no-such-thing-anywhere', { as: admin })).json.total, 0);

    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['offset=-1', 'offset'],
      ['offset=x', 'offset'],
      ['sort=up', 'sort'],
    ]) {
      const res = await api('GET', `/admin/audit?${query}`, { as: admin });
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      assert.ok(res.json.error.startsWith(`${field}: `), `${query}: ${res.json.error}`);
    }

    assert.equal((await host.cli(['settings', 'set', 'user.log.webdav', 'false'])).code, 0);
    await eventually(async () => {
      const res = await api('GET', '/admin/audit?q=anna', { as: admin });
      assert.equal(res.json.enabled, false);
      assert.ok(res.json.total >= 3, res.text);
    }, 6_000);
  });

  it('is gone with the plugin: disabled, the API answers 404; enabled again, it is back', async () => {
    const setEnabled = (enabled: boolean) => setPluginEnabled(host.url, admin, 'webdav-shares', enabled);
    assert.equal((await setEnabled(false)).status, 200);
    try {
      assert.equal((await fetch(`${host.url}${API}/admin/status`, { headers: { cookie: admin.cookie } })).status, 404);
    } finally {
      assert.equal((await setEnabled(true)).status, 200);
    }
    assert.equal((await api('GET', '/admin/status', { as: admin })).status, 200);
  });
});

describe('admin API: whether a share is served, checked on every call', () => {
  let host: HostProcess;
  let admin: WebLogin;
  const api = (method: string, pathname: string, body?: unknown) =>
    call(host.url, method, pathname, { as: admin, ...(body !== undefined ? { body } : {}) });
  const listing = async () => {
    const res = await api('GET', '/admin/shares');
    assert.equal(res.status, 200, res.text);
    assertSchema('admin-shares-response.schema.json', res.json);
    return res.json;
  };
  const status = async () => {
    const res = await api('GET', '/admin/status');
    assert.equal(res.status, 200, res.text);
    assertSchema('admin-status-response.schema.json', res.json);
    return res.json;
  };
  const shareOf = async (mount: string) => {
    const share = (await listing()).shares.find((s: { mount: string }) => s.mount === mount);
    assert.ok(share, `no share ${mount}`);
    return share;
  };
  const allProblems = (l: { problems: unknown[]; shares: Array<{ problems: unknown[] }> }) => [
    ...l.problems,
    ...l.shares.flatMap((s) => s.problems),
  ];
  const propfind = (mount: string) =>
    fetch(`${host.url}/webdav/${mount}/`, {
      method: 'PROPFIND',
      headers: { authorization: basic('anna', 'anna-pw'), depth: '0' },
    });

  before(async () => {
    host = await startHost({ users: [{ name: 'anna', password: 'anna-pw' }] });
    admin = await login(host.url, 'admin', host.adminPassword!);
  });
  after(() => host?.stop());

  it('a share whose folder is removed on disk shows "missing" with a plain error and is not counted as served; it is back with its folder', async () => {
    const folder = path.join(host.dataDir, 'extra');
    await mkdir(folder);
    assert.equal((await api('POST', '/admin/shares', { mount: 'extra', folder })).status, 201);
    assert.equal((await api('POST', '/admin/shares/extra/members/anna')).status, 200);
    assert.deepEqual((await status()).shares, { served: 2, configured: 2 });
    assert.equal((await shareOf('extra')).folderState, 'ok');

    await rm(folder, { recursive: true });
    const gone = await shareOf('extra');
    assert.equal(gone.served, false);
    assert.equal(gone.folderState, 'missing');
    assert.equal(gone.space, null);
    assert.deepEqual(
      gone.problems.map((p: { key: string; severity: string }) => [p.key, p.severity]),
      [['webdav.0.path', 'error']],
    );
    assert.match(gone.problems[0].message, /^folder ".*extra" does not exist$/);
    const s = await status();
    assert.deepEqual(s.shares, { served: 1, configured: 2 }, 'only the served share counts');
    assert.equal(s.problems, 1);
    assert.equal((await propfind('extra')).status, 404, 'what a client meets meanwhile');

    // A file where the folder was: a different badge.
    await writeFile(folder, 'not a folder');
    assert.equal((await shareOf('extra')).folderState, 'not-a-folder');
    await rm(folder);

    await mkdir(folder);
    const back = await shareOf('extra');
    assert.equal(back.served, true);
    assert.deepEqual(back.problems, []);
    assert.deepEqual((await status()).shares, { served: 2, configured: 2 });
    assert.equal((await propfind('extra')).status, 207);
  });

  it('a share written while its folder was missing is served once the folder exists, at the next call', async () => {
    const folder = path.join(host.dataDir, 'later');
    assert.equal((await host.cli(['settings', 'set', 'webdav.1.path', folder])).code, 0);
    assert.equal((await host.cli(['settings', 'set', 'webdav.1.webdavmount', 'later'])).code, 0);
    const missing = await eventually(async () => {
      const share = await shareOf('later');
      assert.equal(share.folderState, 'missing');
      return share;
    }, 6_000);
    assert.equal(missing.served, false);
    assert.match(missing.problems.map((p: { message: string }) => p.message).join(), /does not exist/);

    await mkdir(folder);
    const found = await shareOf('later');
    assert.equal(found.served, true, JSON.stringify(found.problems));
    assert.deepEqual(found.problems, []);
    assert.equal((await api('POST', '/admin/shares/later/members/anna')).status, 200);
    await eventually(async () => assert.equal((await propfind('later')).status, 207), 6_000);
  });

  it('deleting a share through the API leaves no settings problem: the gap in the numbering is normal', async () => {
    const l = await listing();
    assert.deepEqual(allProblems(l), [], 'nothing to report before');
    assert.equal((await api('DELETE', '/admin/shares/extra')).status, 200);
    const after = await listing();
    assert.deepEqual(
      after.shares.map((s: { source: string }) => s.source),
      ['robot.root.0', 'webdav.1'],
    );
    assert.deepEqual(allProblems(after), [], 'webdav.0 is free, and that is no problem');
    const s = await status();
    assert.equal(s.problems, 0);
    assert.equal(s.warnings, 0);
    // The next share fills the gap.
    const again = await api('POST', '/admin/shares', { mount: 'again', folder: path.join(host.dataDir, 'later') });
    assert.equal(again.status, 201, again.text);
    assert.equal(again.json.share.source, 'webdav.0');
    assert.equal((await api('DELETE', '/admin/shares/again')).status, 200);
  });

  it("a share inside another share's folder, or on the same folder, is saved with a warning on both that names both", async () => {
    const inner = path.join(host.dataDir, 'photos', 'scans');
    await mkdir(inner);
    const created = await api('POST', '/admin/shares', { mount: 'inner', folder: inner });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.share.served, true, 'a warning does not stop the share');
    const expected = /the share "inner" \(webdav\.0\) serves a folder inside the share "main" \(robot\.root\.0\)/;
    for (const share of [created.json.share, await shareOf('main'), await shareOf('inner')]) {
      assert.deepEqual(
        share.problems.map((p: { severity: string }) => p.severity),
        ['warning'],
        share.mount,
      );
      assert.match(share.problems[0].message, expected);
    }
    const s = await status();
    assert.equal(s.warnings, 2);
    assert.equal(s.problems, 0, 'warnings are not errors');

    const same = await api('PUT', '/admin/shares/later', { folder: inner });
    assert.equal(same.status, 200, same.text);
    assert.match(
      same.json.share.problems.map((p: { message: string }) => p.message).join('\n'),
      /the shares "inner" \(webdav\.0\) and "later" \(webdav\.1\) serve the same folder/,
    );

    assert.equal((await api('DELETE', '/admin/shares/inner')).status, 200);
    assert.equal((await api('DELETE', '/admin/shares/later')).status, 200);
    assert.deepEqual(allProblems(await listing()), []);
  });
});

describe('admin API: date views, inboxes and the capture-date index', () => {
  let host: HostProcess;
  let admin: WebLogin;
  let album: string;
  const api = (method: string, pathname: string, body?: unknown) =>
    call(host.url, method, pathname, { as: admin, ...(body !== undefined ? { body } : {}) });
  const settingsText = () => readFile(path.join(host.dataDir, 'settings.properties'), 'utf8');
  const shareOf = async (mount: string) => {
    const res = await api('GET', '/admin/shares');
    assert.equal(res.status, 200, res.text);
    assertSchema('admin-shares-response.schema.json', res.json);
    const share = res.json.shares.find((s: { mount: string }) => s.mount === mount);
    assert.ok(share, `no share ${mount}`);
    return share;
  };
  const propfind = (pathname: string, user = 'anna') =>
    fetch(`${host.url}${pathname}`, {
      method: 'PROPFIND',
      headers: { authorization: basic(user, `${user}-pw`), depth: '1' },
    });

  before(async () => {
    host = await startHost({
      users: [
        { name: 'anna', password: 'anna-pw' },
        { name: 'bob', password: 'bob-pw' },
      ],
    });
    admin = await login(host.url, 'admin', host.adminPassword!);
    album = path.join(host.dataDir, 'album');
    await writeFixture(album, 'summer.jpg', jpegWithExif({ dateTimeOriginal: '2023:07:14 18:30:00' }));
  });
  after(() => host?.stop());

  it('a share added with a date view and an inbox: both keys written, the view served, its photos indexed', async () => {
    const created = await api('POST', '/admin/shares', {
      mount: 'album',
      folder: album,
      dateMount: 'album-by-date',
      inbox: '/Inbox/',
    });
    assert.equal(created.status, 201, created.text);
    const text = await settingsText();
    assert.match(text, /webdav\.0\.datemount=album-by-date/);
    assert.match(text, /webdav\.0\.inbox=Inbox$/m, 'written without the slashes around it');
    const { share } = created.json;
    assert.equal(share.dateMount, 'album-by-date');
    assert.equal(share.inboxFolder, 'Inbox');
    assert.deepEqual(share.dateView, {
      mount: 'album-by-date',
      url: `${host.url}/webdav/album-by-date/`,
      group: 'WebDAV.album-by-date',
      members: [],
      served: true,
    });
    assert.deepEqual(share.inbox, { folder: 'Inbox', waiting: 0, failed: 0, lastPassAt: null, lastError: null });

    // The first scan runs in the background: the listing shows it done, with the photo counted.
    const indexed = await eventually(async () => {
      const found = await shareOf('album');
      assert.equal(found.index?.completed, true, JSON.stringify(found.index));
      return found;
    }, 10_000);
    assert.equal(indexed.index.files, 1);
    assert.equal(indexed.index.undated, 0);
    assert.equal(indexed.index.scanning, false);
    assert.ok(indexed.index.finishedAt >= indexed.index.startedAt, JSON.stringify(indexed.index));
    assert.equal(indexed.index.lastError, null);

    // A share without a view or an inbox keeps no index and shows none.
    const main = await shareOf('main');
    assert.deepEqual(
      [main.dateMount, main.inboxFolder, main.dateView, main.index, main.inbox],
      [null, null, null, null, null],
    );
  });

  it('refuses a bad date view name, a name in use by a share or another view, and an inbox outside the share, per field', async () => {
    const before = await settingsText();
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ dateMount: 'by date' }, 'dateMount', /letters, digits, dots, dashes or underscores/],
      [{ dateMount: '..' }, 'dateMount', /may not be "\." or "\.\."/],
      [{ dateMount: 'x'.repeat(65) }, 'dateMount', /1 to 64/],
      [{ dateMount: 7 }, 'dateMount', /must be text/],
      [
        { dateMount: 'MAIN' },
        'dateMount',
        /^the name "MAIN" is already used by the share "main" \(robot\.root\.0\) \(names are unique regardless of case\)$/,
      ],
      [
        { dateMount: 'Album-By-Date' },
        'dateMount',
        /^the name "Album-By-Date" is already used by the date view "album-by-date" of the share "album" \(webdav\.0\) \(names are unique regardless of case\)$/,
      ],
      [{ dateMount: 'Fresh' }, 'dateMount', /^is the share's own name; give the date view a name of its own/],
      [{ mount: 'album-by-date' }, 'mount', /already used by the date view "album-by-date" of the share "album"/],
      [{ inbox: '../outside' }, 'inbox', /must be a folder inside the share, such as "Inbox"; "\.\." is not allowed/],
      [{ inbox: 'Inbox/../../etc' }, 'inbox', /"\.\." is not allowed/],
      [{ inbox: 7 }, 'inbox', /must be text/],
    ];
    for (const [fields, field, message] of cases) {
      const body = { mount: 'fresh', folder: album, ...fields };
      const res = await api('POST', '/admin/shares', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.match(res.json.fields[field] ?? '', message, `${JSON.stringify(body)}: ${res.text}`);
      assert.deepEqual(Object.keys(res.json.fields), [field], `${JSON.stringify(body)}: only ${field} is wrong`);
    }
    // Every wrong field at once, for the form: with a schema error, and with the start-up checks.
    const schemaToo = await api('POST', '/admin/shares', { mount: 'a b', folder: album, dateMount: 'c d' });
    assert.deepEqual(Object.keys(schemaToo.json.fields).sort(), ['dateMount', 'mount'], schemaToo.text);
    const all = await api('POST', '/admin/shares', {
      mount: 'main',
      folder: album,
      dateMount: 'album',
      inbox: 'a/../b',
    });
    assert.deepEqual(Object.keys(all.json.fields).sort(), ['dateMount', 'inbox', 'mount'], all.text);
    // Editing: the photo root may not take the album's name for its view.
    const edit = await api('PUT', '/admin/shares/main', { dateMount: 'album' });
    assert.equal(edit.status, 400, edit.text);
    assert.match(edit.json.fields.dateMount, /already used by the share "album" \(webdav\.0\)$/);
    assert.equal(await settingsText(), before, 'nothing was written');
  });

  it('POST admin/shares/:id/scan finds photos put on disk outside WebDAV, and answers the share as it is then', async () => {
    await writeFixture(album, 'spring/blossom.jpg', jpegWithExif({ dateTimeOriginal: '2024:05:01 10:00:00', seed: 2 }));
    await writeFixture(album, 'scan-17.jpg', jpegWithoutExif(3));
    const res = await api('POST', '/admin/shares/album/scan');
    assert.equal(res.status, 200, res.text);
    const { index } = res.json.share;
    assert.equal(index.files, 3, JSON.stringify(index));
    assert.equal(index.undated, 1, 'the JPEG without EXIF has no capture time of its own');
    assert.equal(index.scanning, false);
    assert.equal(index.completed, true);
    assert.ok(index.filesSeen >= 3 && index.filesRead >= 2, JSON.stringify(index));
    assertSchema('admin-shares-response.schema.json', {
      ...(await api('GET', '/admin/shares')).json,
      shares: [res.json.share],
    });

    const noIndex = await api('POST', '/admin/shares/main/scan');
    assert.equal(noIndex.status, 409, noIndex.text);
    assert.match(noIndex.json.error, /keeps no index of its photos: give it a date view or an inbox first/);
    assert.equal((await api('POST', '/admin/shares/no-such-share/scan')).status, 404);
  });

  it("the date view's members are its own group's, changed through the share: they reach the view, not the share", async () => {
    const added = await api('POST', '/admin/shares/album/view/members/anna');
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(added.json, { group: 'WebDAV.album-by-date', members: ['anna'] });
    const album = await shareOf('album');
    assert.deepEqual(album.dateView.members, ['anna']);
    assert.deepEqual(album.members, [], 'the share itself has no member');
    await eventually(async () => {
      const res = await propfind('/webdav/album-by-date/2024/2024-05/');
      assert.equal(res.status, 207);
      assert.match(await res.text(), /blossom\.jpg/);
    }, 6_000);
    assert.equal((await propfind('/webdav/album/')).status, 403);
    assert.equal((await propfind('/webdav/album-by-date/', 'bob')).status, 403);

    const noView = await api('POST', '/admin/shares/main/view/members/anna');
    assert.equal(noView.status, 409, noView.text);
    assert.match(noView.json.error, /has no date view/);
    assert.equal((await api('POST', '/admin/shares/album/view/members/nobody')).status, 404);

    const removed = await api('DELETE', '/admin/shares/album/view/members/anna');
    assert.equal(removed.status, 200, removed.text);
    assert.deepEqual(removed.json.members, []);
    await eventually(async () => assert.equal((await propfind('/webdav/album-by-date/')).status, 403), 6_000);
  });

  it('a renamed date view keeps its members; an empty name removes the view, an empty inbox the inbox', async () => {
    assert.equal((await api('POST', '/admin/shares/album/view/members/bob')).status, 200);
    const renamed = await api('PUT', '/admin/shares/album', { dateMount: 'album-dates' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.json.share.dateView.mount, 'album-dates');
    assert.deepEqual(renamed.json.share.dateView.members, ['bob']);
    assert.equal(renamed.json.share.inboxFolder, 'Inbox', 'a field not sent is kept');
    assert.match(await settingsText(), /webdav\.0\.datemount=album-dates/);

    const cleared = await api('PUT', '/admin/shares/album', { dateMount: '', inbox: '' });
    assert.equal(cleared.status, 200, cleared.text);
    const { share } = cleared.json;
    assert.deepEqual([share.dateMount, share.dateView, share.inboxFolder, share.inbox], [null, null, null, null]);
    assert.equal(share.index, null, 'no view and no inbox: no index');
    assert.doesNotMatch(await settingsText(), /webdav\.0\.(datemount|inbox)/);
  });

  it("a photo root's view and inbox go to its own keys; read-only, its inbox is not used; stopping sharing removes them", async () => {
    const put = await api('PUT', '/admin/shares/main', { dateMount: 'main-dates', inbox: 'Upload/Phone' });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.share.inbox.folder, 'Upload/Phone');
    assert.equal(put.json.share.dateView.served, true);
    let text = await settingsText();
    assert.match(text, /robot\.root\.0\.webdavdatemount=main-dates/);
    assert.match(text, /robot\.root\.0\.webdavinbox=Upload\/Phone/);

    const readonly = await api('PUT', '/admin/shares/main', { readonly: true });
    assert.equal(readonly.status, 200, readonly.text);
    assert.equal(readonly.json.share.inbox, null);
    assert.equal(readonly.json.share.inboxFolder, 'Upload/Phone', 'kept in the settings');
    assert.match(
      readonly.json.share.problems.map((p: { message: string }) => p.message).join('\n'),
      /share "main" is read-only, so its inbox is not used/,
    );

    assert.equal((await api('DELETE', '/admin/shares/main')).status, 200);
    text = await settingsText();
    assert.match(text, /robot\.root\.0\.path=/);
    assert.doesNotMatch(text, /^robot\.root\.0\.webdav/m);
  });
});
