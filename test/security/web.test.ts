/**
 * The host's web pages and JSON APIs (its own and the plugin's), attacked:
 * admin-only endpoints refuse everybody else, every state change needs the
 * session's CSRF token (a forged cross-site request has none), session
 * cookies are HttpOnly and SameSite (and Secure over HTTPS, also behind a
 * trusted proxy), and a non-admin never sees a server folder.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { login, startHost, type HostProcess, type WebLogin } from '../helpers/host-process.js';
import { send } from '../helpers/raw-http.js';

interface Endpoint {
  readonly method: string;
  readonly path: string;
  /** What a legitimate call would send. */
  readonly body?: string;
  readonly form?: boolean;
}

const API = '/api/plugins/webdav/admin';

/** Endpoints only an admin may use. */
const ADMIN_READS: Endpoint[] = [
  { method: 'GET', path: '/api/host/plugins' },
  { method: 'GET', path: `${API}/status` },
  { method: 'GET', path: `${API}/shares` },
  { method: 'GET', path: `${API}/users` },
  { method: 'GET', path: `${API}/audit` },
];

/** Endpoints that change something: admin only, and only with the session's CSRF token. */
const ADMIN_WRITES: Endpoint[] = [
  { method: 'POST', path: '/api/host/plugins/webdav-shares', body: JSON.stringify({ enabled: false }) },
  { method: 'POST', path: '/admin/plugins/webdav-shares', body: 'enabled=false', form: true },
  { method: 'POST', path: `${API}/shares`, body: JSON.stringify({ mount: 'evil', folder: '/' }) },
  { method: 'PUT', path: `${API}/shares/main`, body: JSON.stringify({ readonly: true }) },
  { method: 'DELETE', path: `${API}/shares/main` },
  { method: 'POST', path: `${API}/shares/main/members/mallory` },
  { method: 'DELETE', path: `${API}/shares/main/members/alice` },
];

describe('web pages and JSON APIs', () => {
  let host: HostProcess;
  let admin: WebLogin;
  let alice: WebLogin;
  let mallory: WebLogin;
  let settingsBefore: string;

  const call = (
    endpoint: Endpoint,
    session: WebLogin | null,
    extra: Record<string, string> = {},
    body = endpoint.body,
  ) =>
    send(host.port, {
      method: endpoint.method,
      path: endpoint.path,
      headers: {
        ...(session ? { cookie: session.cookie } : {}),
        ...(body !== undefined
          ? { 'content-type': endpoint.form ? 'application/x-www-form-urlencoded' : 'application/json' }
          : {}),
        ...extra,
      },
      body,
    });

  /** What admins see, unchanged: the settings file, the plugin's state, the members of WebDAV.main. */
  const state = async (): Promise<string> => {
    const settings = await readFile(join(host.dataDir, 'settings.properties'), 'utf8');
    const groups = (await host.cli(['group', 'list'])).stdout;
    const plugins = (await host.cli(['plugin', 'list'])).stdout;
    return JSON.stringify({ settings, groups, plugins });
  };

  before(async () => {
    host = await startHost({
      users: [
        { name: 'alice', password: 'alice-pw', groups: ['WebDAV.main'] },
        { name: 'mallory', password: 'mallory-pw' },
      ],
    });
    admin = await login(host.url, 'admin', host.adminPassword!);
    alice = await login(host.url, 'alice', 'alice-pw');
    mallory = await login(host.url, 'mallory', 'mallory-pw');
    settingsBefore = await state();
  });
  after(() => host?.stop());

  it('admin-only endpoints refuse anonymous callers (401 or the login page) and non-admins (403)', async () => {
    for (const endpoint of [
      ...ADMIN_READS,
      ...ADMIN_WRITES,
      { method: 'GET', path: '/admin' },
      { method: 'GET', path: '/admin/pages/0' },
    ]) {
      const anonymous = await call(endpoint, null);
      if (endpoint.path.startsWith('/api/'))
        assert.equal(anonymous.status, 401, `${endpoint.method} ${endpoint.path} anonymous: ${anonymous.text}`);
      else
        assert.ok(
          [303, 401].includes(anonymous.status),
          `${endpoint.method} ${endpoint.path} anonymous: ${anonymous.status}`,
        );
      for (const user of [alice, mallory]) {
        // With the user's own CSRF token: being logged in is not being an admin.
        const res = await call(endpoint, user, { 'x-csrf-token': user.csrfToken });
        assert.equal(res.status, 403, `${endpoint.method} ${endpoint.path} as a non-admin: ${res.status} ${res.text}`);
        assert.doesNotMatch(
          res.text,
          new RegExp(host.dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
          'no server path',
        );
      }
    }
    assert.equal(await state(), settingsBefore);
  });

  it('every state change needs the session’s CSRF token: none, an empty one, a forged one or another session’s are refused', async () => {
    const forged = [
      undefined,
      '',
      'x'.repeat(43),
      alice.csrfToken,
      `${admin.csrfToken}x`,
      admin.csrfToken.slice(0, -1),
    ];
    for (const endpoint of ADMIN_WRITES) {
      for (const token of forged) {
        const headers: Record<string, string> = {
          // What a cross-site form or fetch() would carry besides the cookie.
          origin: 'https://evil.example',
          referer: 'https://evil.example/attack.html',
        };
        if (token !== undefined) headers['x-csrf-token'] = token;
        const res = await call(endpoint, admin, headers);
        assert.equal(
          res.status,
          403,
          `${endpoint.method} ${endpoint.path} with token ${JSON.stringify(token)}: ${res.status} ${res.text}`,
        );
      }
      // A token in a form field is accepted only where forms are, and only the right one.
      if (endpoint.form) {
        const res = await call(endpoint, admin, {}, `${endpoint.body}&_csrf=${encodeURIComponent(alice.csrfToken)}`);
        assert.equal(res.status, 403);
      }
    }
    // A simple cross-site form post (no preflight) of JSON-looking text.
    const simple = await send(host.port, {
      method: 'POST',
      path: '/api/host/plugins/webdav-shares',
      headers: { cookie: admin.cookie, 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: '{"enabled":false}',
    });
    assert.equal(simple.status, 403);
    assert.equal(await state(), settingsBefore);
  });

  it('logging out needs the CSRF token too (no forced logout), and the token belongs to one session', async () => {
    const victim = await login(host.url, 'alice', 'alice-pw');
    assert.notEqual(victim.csrfToken, alice.csrfToken);
    const forced = await send(host.port, {
      method: 'POST',
      path: '/logout',
      headers: { cookie: victim.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    assert.equal(forced.status, 403);
    const stillIn = await send(host.port, { path: '/about', headers: { cookie: victim.cookie } });
    assert.equal(stillIn.status, 200);
  });

  it('the admin with the right token gets through (the refusals above were not for another reason)', async () => {
    const res = await call(ADMIN_WRITES[5]!, admin, { 'x-csrf-token': admin.csrfToken });
    // mallory is a user: adding her to WebDAV.main works, then she is removed again.
    assert.equal(res.status, 200, res.text);
    const undo = await call({ method: 'DELETE', path: `${API}/shares/main/members/mallory` }, admin, {
      'x-csrf-token': admin.csrfToken,
    });
    assert.equal(undo.status, 200, undo.text);
    for (const endpoint of ADMIN_READS) assert.equal((await call(endpoint, admin)).status, 200, endpoint.path);
    assert.equal(await state(), settingsBefore);
  });

  it('session cookies are HttpOnly, SameSite and scoped to the site; Secure when the client used HTTPS through a trusted proxy', async () => {
    for (const session of [admin, alice]) {
      assert.match(session.setCookie, /;\s*httponly/i);
      assert.match(session.setCookie, /;\s*samesite=(lax|strict)/i);
      assert.match(session.setCookie, /;\s*path=\//i);
      assert.doesNotMatch(session.setCookie, /;\s*secure/i, 'plain HTTP: no Secure, or the browser would drop it');
    }
    const viaProxy = async () => {
      const res = await send(host.port, {
        method: 'POST',
        path: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' },
        body: 'name=alice&password=alice-pw',
      });
      assert.equal(res.status, 303, res.text);
      const cookie = String([res.headers['set-cookie']].flat().find((c) => c?.startsWith('mediahost_session=')));
      assert.match(cookie, /^mediahost_session=/, 'the login set a session cookie');
      return cookie;
    };
    // Without server.trustproxy the header is the client's word: ignored.
    assert.doesNotMatch(await viaProxy(), /;\s*secure/i);
    assert.equal((await host.cli(['settings', 'set', 'server.trustproxy', 'true'])).code, 0);
    try {
      const deadline = Date.now() + 5_000;
      let cookie = await viaProxy();
      while (!/;\s*secure/i.test(cookie) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        cookie = await viaProxy();
      }
      assert.match(cookie, /;\s*secure/i);
      assert.match(cookie, /;\s*httponly/i);
    } finally {
      assert.equal((await host.cli(['settings', 'unset', 'server.trustproxy'])).code, 0);
    }
  });

  it('regression "Secure cookie refused mid-request": switching server.trustproxy while users log in through an HTTPS proxy never fails a login', async () => {
    let running = true;
    const statuses: number[] = [];
    const loginLoop = async () => {
      while (running) {
        const res = await send(host.port, {
          method: 'POST',
          path: '/login',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' },
          body: 'name=alice&password=alice-pw',
        });
        statuses.push(res.status);
      }
    };
    const loops = Array.from({ length: 8 }, loginLoop);
    try {
      for (let flip = 0; flip < 4; flip++) {
        const result = await host.cli(
          flip % 2 === 0
            ? ['settings', 'set', 'server.trustproxy', 'true']
            : ['settings', 'unset', 'server.trustproxy'],
        );
        assert.equal(result.code, 0, result.stderr);
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
    } finally {
      running = false;
      await Promise.all(loops);
    }
    assert.ok(statuses.length > 20, `${statuses.length} logins`);
    assert.deepEqual(
      [...new Set(statuses)],
      [303],
      `a login failed while the setting changed: ${JSON.stringify(statuses.filter((s) => s !== 303))}`,
    );
  });

  it('a non-admin never sees a server folder: About API, home page, WebDAV answers', async () => {
    const about = await send(host.port, { path: '/api/plugins/webdav/about', headers: { cookie: alice.cookie } });
    assert.equal(about.status, 200, about.text);
    const home = await send(host.port, { path: '/', headers: { cookie: alice.cookie } });
    assert.equal(home.status, 200, home.text);
    const listing = await send(host.port, {
      method: 'PROPFIND',
      path: '/webdav/main/',
      headers: { authorization: `Basic ${Buffer.from('alice:alice-pw').toString('base64')}`, depth: '1' },
    });
    assert.equal(listing.status, 207, listing.text);
    for (const text of [about.text, home.text, listing.text]) {
      assert.ok(!text.includes(host.dataDir), `a server path is shown: ${text.slice(0, 300)}`);
    }
    // The admin does see it (the admin page's business).
    const shares = await send(host.port, { path: `${API}/shares`, headers: { cookie: admin.cookie } });
    assert.ok(shares.text.includes(host.dataDir));
  });
});
