import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  eventually,
  FIXTURE_PLUGIN,
  login,
  REPO_ROOT,
  setPluginEnabled,
  startHost,
  type HostProcess,
  type WebLogin,
} from '../helpers/host-process.js';

let host: HostProcess;
let admin: WebLogin;
let alice: WebLogin;

/** GET with a path and headers sent exactly as given (fetch normalises "../" and adds Cache-Control to conditional requests). */
function rawGet(port: number, rawPath: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: rawPath, headers }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      })
      .on('error', reject);
  });
}

const get = (p: string, session?: WebLogin): Promise<Response> =>
  fetch(`${host.url}${p}`, { headers: session ? { cookie: session.cookie } : {}, redirect: 'manual' });

describe('host web UI', () => {
  before(async () => {
    host = await startHost({
      plugins: [FIXTURE_PLUGIN],
      users: [{ name: 'alice', password: 'alice pw', groups: ['WebDAV.main'] }],
    });
    admin = await login(host.url, 'admin', host.adminPassword!);
    alice = await login(host.url, 'alice', 'alice pw');
  });
  after(() => host.stop());

  it('sets an HttpOnly, SameSite=Lax session cookie for the whole site, without Secure over plain HTTP', () => {
    assert.match(admin.setCookie, /^mediahost_session=[A-Za-z0-9_-]{43};/);
    assert.match(admin.setCookie, /; path=\//i);
    assert.match(admin.setCookie, /; httponly/i);
    assert.match(admin.setCookie, /; samesite=lax/i);
    assert.doesNotMatch(admin.setCookie, /; secure/i);
    assert.notEqual(admin.cookie, alice.cookie);
  });

  it('stores only a hash of the session token', async () => {
    const token = admin.cookie.split('=')[1]!;
    const files = (await readdir(host.dataDir)).filter((f) => f.startsWith('mediahost.sqlite3'));
    for (const f of files) assert.ok(!(await readFile(path.join(host.dataDir, f), 'latin1')).includes(token), f);
  });

  it('refuses a wrong password with 401, no cookie, and the form again', async () => {
    const res = await fetch(`${host.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=alice&password=wrong',
      redirect: 'manual',
    });
    assert.equal(res.status, 401);
    assert.deepEqual(res.headers.getSetCookie(), []);
    const html = await res.text();
    assert.match(html, /Wrong user name or password/);
    assert.match(html, /<label for="password">/);
    assert.match(html, /value="alice"/);
  });

  it('throttles repeated failures for one name and address', async () => {
    const attempt = (): Promise<Response> =>
      fetch(`${host.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=mallory&password=x',
        redirect: 'manual',
      });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt()).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
  });

  it('redirects after login only to local paths', async () => {
    const post = (next: string): Promise<Response> =>
      fetch(`${host.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ name: 'alice', password: 'alice pw', next }).toString(),
        redirect: 'manual',
      });
    assert.equal((await post('/about')).headers.get('location'), '/about');
    assert.equal((await post('//evil.example/')).headers.get('location'), '/');
    assert.equal((await post('https://evil.example/')).headers.get('location'), '/');
  });

  it('sends anonymous visitors of private pages to the login form', async () => {
    for (const p of ['/admin', '/about']) {
      const res = await get(p);
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), `/login?next=${encodeURIComponent(p)}`);
    }
    const form = await (await get('/login')).text();
    assert.match(form, /<meta name="viewport"/);
    assert.match(form, /<label for="name">User name<\/label>/);
  });

  it('answers 403 to non-admins on the admin panel and the host API, 401 to anonymous API calls', async () => {
    assert.equal((await get('/admin', alice)).status, 403);
    assert.equal((await get('/api/host/plugins', alice)).status, 403);
    assert.equal((await get('/api/host/plugins')).status, 401);
    assert.deepEqual(await (await get('/api/host/plugins')).json(), { error: 'log in first' });
  });

  it('lists plugins with a CSRF-protected switch and their admin pages on the admin panel', async () => {
    const res = await get('/admin', admin);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    const html = await res.text();
    assert.match(html, /Fixture plugin/);
    assert.match(html, /1\.2\.3/);
    assert.match(html, /Enabled/);
    assert.match(html, /<form method="post" action="\/admin\/plugins\/fixture">/);
    assert.ok(html.includes(`name="_csrf" value="${admin.csrfToken}"`));
    assert.match(html, /<a href="\/admin\/pages\/0">Fixture settings<\/a>/);

    const pageHtml = await (await get('/admin/pages/0', admin)).text();
    assert.match(pageHtml, /<script type="module" src="\/plugins\/fixture\/assets\/admin\.js"><\/script>/);
    assert.match(pageHtml, /<fixture-admin csrf-token="[^"]+"><\/fixture-admin>/);
    assert.equal((await get('/admin/pages/0', alice)).status, 403);
    assert.equal((await get('/admin/pages/7', admin)).status, 404);
  });

  it('shows the host version and every About control with its module to logged-in users', async () => {
    const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const html = await (await get('/about', alice)).text();
    assert.ok(html.includes(`mediahost ${pkg.version} (host-api 1.1.0)`));
    assert.match(html, /<script type="module" src="\/plugins\/fixture\/ui\/about\/0\/about\.js"><\/script>/);
    assert.match(html, /<h2>Fixture status<\/h2><fixture-about/);
    assert.match(html, /Fixture plugin 1\.2\.3/);
  });

  it('serves plugin assets and UI modules with their content types', async () => {
    const expect = async (p: string, type: RegExp, body: RegExp): Promise<void> => {
      const res = await get(p);
      assert.equal(res.status, 200, p);
      assert.match(res.headers.get('content-type') ?? '', type, p);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.match(await res.text(), body, p);
    };
    await expect('/plugins/fixture/assets/admin.js', /^text\/javascript/, /customElements\.define\('fixture-admin'/);
    await expect('/plugins/fixture/assets/label.js', /^text\/javascript/, /export const label/);
    await expect('/plugins/fixture/assets/style.css', /^text\/css/, /fixture-admin/);
    await expect('/plugins/fixture/ui/about/0/about.js', /^text\/javascript/, /fixture-about/);
    const etag = (await get('/plugins/fixture/assets/label.js')).headers.get('etag')!;
    assert.equal(await rawGet(host.port, '/plugins/fixture/assets/label.js', { 'if-none-match': etag }), 304);
  });

  it('never serves files outside a plugin’s asset folder', async () => {
    for (const p of [
      '/plugins/fixture/assets/../index.js',
      '/plugins/fixture/assets/%2e%2e/index.js',
      '/plugins/fixture/assets/..%2findex.js',
      '/plugins/fixture/assets/..%5cindex.js',
      '/plugins/fixture/assets/%00admin.js',
      '/plugins/fixture/assets/',
      '/plugins/fixture/assets0/admin.js',
      '/plugins/fixture/assets1/admin.js',
      '/plugins/fixture/ui/about/0/index.js',
      '/plugins/fixture/ui/admin/5/admin.js',
      '/plugins/nope/assets/admin.js',
    ]) {
      assert.equal(await rawGet(host.port, p), 404, p);
    }
  });

  it('shows the photo roots on the home page, with server paths only for admins', async () => {
    const forAlice = await (await get('/', alice)).text();
    assert.match(forAlice, /3 files/);
    // No plugin here serves /webdav/ (only the fixture is loaded): nothing to link to.
    assert.match(forAlice, /<td><span class="muted">not available<\/span><\/td>/);
    assert.doesNotMatch(forAlice, /href="\/webdav\//);
    assert.ok(!forAlice.includes(host.dataDir));
    const forAdmin = await (await get('/', admin)).text();
    assert.ok(forAdmin.includes(path.join(host.dataDir, 'photos')));
    const anonymous = await (await get('/')).text();
    assert.match(anonymous, /Log in/);
    assert.ok(!anonymous.includes('files'));
  });

  it('logs out only with the CSRF token, and the old cookie stops working', async () => {
    const bob = await login(host.url, 'alice', 'alice pw');
    const post = (body: string): Promise<Response> =>
      fetch(`${host.url}/logout`, {
        method: 'POST',
        headers: { cookie: bob.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body,
        redirect: 'manual',
      });
    assert.equal((await post('')).status, 403);
    assert.equal((await get('/about', bob)).status, 200);
    const res = await post(`_csrf=${encodeURIComponent(bob.csrfToken)}`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/login');
    assert.match(res.headers.getSetCookie().join('\n'), /mediahost_session=;/);
    assert.equal((await get('/about', bob)).status, 303);
    assert.equal((await get('/about', alice)).status, 200, 'other sessions of the same user stay');
  });

  it('serves a favicon that every page links, and sends /favicon.ico to it', async () => {
    const icon = await get('/favicon.svg');
    assert.equal(icon.status, 200);
    assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
    assert.match(icon.headers.get('cache-control') ?? '', /^public, max-age=(\d+)$/);
    assert.ok(
      Number(/max-age=(\d+)/.exec(icon.headers.get('cache-control')!)![1]) >= 86_400,
      'cached for a day at least',
    );
    assert.equal(icon.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(icon.headers.get('content-security-policy'), "default-src 'none'");
    const svg = await icon.text();
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 32 32">/);
    assert.match(svg, /<\/svg>\s*$/);

    const ico = await get('/favicon.ico');
    assert.equal(ico.status, 301);
    assert.equal(ico.headers.get('location'), '/favicon.svg');
    assert.equal((await fetch(`${host.url}/favicon.ico`)).headers.get('content-type'), 'image/svg+xml');

    for (const [p, session] of [['/login'], ['/', alice], ['/about', alice], ['/admin', admin]] as const) {
      const html = await (await get(p, session)).text();
      assert.match(html, /<link rel="icon" href="\/favicon\.svg" type="image\/svg\+xml">/, p);
    }
  });

  it('answers 404 for unknown paths', async () => {
    const res = await get('/no/such/page');
    assert.equal(res.status, 404);
    assert.equal(await res.text(), 'Not Found');
  });
});

describe('the home page and the admin page with the WebDAV plugin', () => {
  let dav: HostProcess;
  const sessions: Record<string, WebLogin> = {};
  const home = async (name: string): Promise<string> => {
    const res = await fetch(`${dav.url}/`, { headers: { cookie: sessions[name]!.cookie } });
    assert.equal(res.status, 200);
    const html = await res.text();
    // The row of the photo root "main", so that an absent link is not a missing page.
    const row = /<tr><td>main[\s\S]*?<\/tr>/.exec(html)?.[0];
    assert.ok(row, `the home page of ${name} lists the photo root main:\n${html}`);
    return row;
  };
  const LINK = /<a href="\/webdav\/main\/">\/webdav\/main\/<\/a>/;

  before(async () => {
    dav = await startHost({
      users: [
        { name: 'member', password: 'member pw', groups: ['WebDAV.main'] },
        { name: 'stranger', password: 'stranger pw', groups: ['WebDAV.other'] },
        { name: 'boss', password: 'boss pw', admin: true },
      ],
    });
    sessions['admin'] = await login(dav.url, 'admin', dav.adminPassword!);
    for (const name of ['member', 'stranger', 'boss']) sessions[name] = await login(dav.url, name, `${name} pw`);
  });
  after(() => dav.stop());

  it('links the share for its members and for admins, and tells others it is not theirs', async () => {
    assert.match(await home('admin'), LINK, 'the first-run admin is a member of WebDAV.main');
    assert.doesNotMatch(await home('admin'), /not in the group/);
    assert.match(await home('member'), LINK);
    const boss = await home('boss');
    assert.match(boss, LINK, 'an admin sees the share they manage');
    assert.match(boss, /You are not in the group WebDAV\.main: add yourself to use it\./);
    const stranger = await home('stranger');
    assert.match(stranger, /<span class="muted">not shared with you<\/span>/);
    assert.doesNotMatch(stranger, /\/webdav\/main\//);

    // Membership is read on every page load: the CLI's change shows at once.
    assert.equal((await dav.cli(['group', 'add-member', 'WebDAV.main', 'stranger'])).code, 0);
    assert.match(await home('stranger'), LINK);
    assert.equal((await dav.cli(['group', 'remove-member', 'WebDAV.main', 'stranger'])).code, 0);
    assert.doesNotMatch(await home('stranger'), LINK);
  });

  it('links no share while the WebDAV plugin is switched off', async () => {
    assert.equal((await setPluginEnabled(dav.url, sessions['admin']!, 'webdav-shares', false)).status, 200);
    try {
      assert.equal((await fetch(`${dav.url}/webdav/main/`)).status, 404, 'the share is really gone');
      const admin = await home('admin');
      assert.doesNotMatch(admin, LINK);
      assert.match(admin, /not served: the WebDAV plugin is switched off \(<a href="\/admin">plugins<\/a>\)/);
      for (const name of ['member', 'stranger']) {
        const row = await home(name);
        assert.match(row, /<span class="muted">not available<\/span>/, name);
        assert.doesNotMatch(row, /href=/, name);
      }
    } finally {
      assert.equal((await setPluginEnabled(dav.url, sessions['admin']!, 'webdav-shares', true)).status, 200);
    }
    assert.match(await home('member'), LINK);
  });

  it('explains /admin/pages/0 of a host that started with the plugin off (its manifest names the page)', async () => {
    assert.equal((await dav.cli(['plugin', 'disable', 'webdav-shares'])).code, 0);
    const second = await startHost({ dataDir: dav.dataDir });
    try {
      const admin = await login(second.url, 'admin', dav.adminPassword!);
      const res = await fetch(`${second.url}/admin/pages/0`, { headers: { cookie: admin.cookie } });
      assert.equal(res.status, 404);
      const html = await res.text();
      assert.match(html, /<h1>WebDAV shares<\/h1>/);
      assert.match(html, /<p>The plugin WebDAV shares is switched off\.<\/p>/);
      assert.match(html, /<p>Switch it on in the <a href="\/admin">host's plugin list<\/a>\.<\/p>/);
    } finally {
      await second.stop();
      assert.equal((await dav.cli(['plugin', 'enable', 'webdav-shares'])).code, 0);
    }
    await eventually(async () => assert.match(await home('member'), LINK));
  });
});
