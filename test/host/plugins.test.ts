import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  BROKEN_PLUGIN,
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

const fixtureStatus = async (): Promise<number> => (await fetch(`${host.url}/fixture`)).status;

const panel = async (p: string): Promise<string> =>
  (await fetch(`${host.url}${p}`, { headers: { cookie: admin.cookie } })).text();

function setEnabled(id: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${host.url}/api/host/plugins/${id}`, {
    method: 'POST',
    headers: { cookie: admin.cookie, 'content-type': 'application/json', 'x-csrf-token': admin.csrfToken, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('plugins in the host', () => {
  before(async () => {
    host = await startHost({ plugins: [FIXTURE_PLUGIN, BROKEN_PLUGIN] });
    admin = await login(host.url, 'admin', host.adminPassword!);
  });
  after(() => host.stop());

  it('runs the plugin’s filters before its routes', async () => {
    const res = await fetch(`${host.url}/fixture`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-fixture-filter'), 'ran');
    const blocked = await fetch(`${host.url}/fixture/blocked`);
    assert.equal(blocked.status, 403);
    assert.equal(await blocked.text(), 'blocked by the fixture filter');
    // The filter sees every request that reaches the plugin, not only the plugin's routes.
    assert.equal((await fetch(`${host.url}/elsewhere`)).headers.get('x-fixture-filter'), 'ran');
    // Host pages are answered before the plugins.
    const hostPage = await fetch(`${host.url}/login`);
    assert.equal(hostPage.status, 200);
    assert.equal(hostPage.headers.get('x-fixture-filter'), null);
  });

  it('lets OPTIONS on / reach the plugin', async () => {
    const res = await fetch(`${host.url}/`, { method: 'OPTIONS' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('dav'), '1');
  });

  it('keeps running when a plugin throws in activate, and reports it', async () => {
    assert.equal((await fetch(`${host.url}/broken`)).status, 404);
    const list = (await (
      await fetch(`${host.url}/api/host/plugins`, { headers: { cookie: admin.cookie } })
    ).json()) as Array<Record<string, unknown>>;
    assert.deepEqual(
      list.map((p) => [p['id'], p['state'], p['enabled'], p['error']]),
      [
        ['fixture', 'active', true, undefined],
        ['broken', 'failed', true, 'broken on purpose'],
      ],
    );
    assert.ok(
      host
        .logRecords()
        .some((r) => r['plugin'] === 'broken' && r['msg'] === 'plugin failed to activate; it stays inactive'),
    );
    assert.match(
      await (await fetch(`${host.url}/admin`, { headers: { cookie: admin.cookie } })).text(),
      /broken on purpose/,
    );
  });

  it('gives the plugin the host info, the session and a logger named after it', async () => {
    const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.deepEqual(await (await fetch(`${host.url}/fixture/info`)).json(), {
      name: 'mediahost',
      version: pkg.version,
      apiVersion: '1.1.0',
    });
    assert.deepEqual(await (await fetch(`${host.url}/fixture/session`, { headers: { cookie: admin.cookie } })).json(), {
      user: { name: 'admin', admin: true },
    });
    assert.deepEqual(await (await fetch(`${host.url}/fixture/session`)).json(), { user: null });
    assert.ok(host.logRecords().some((r) => r['plugin'] === 'fixture' && r['msg'] === 'fixture activated'));
  });

  it('lets the plugin check the CSRF token without loading the session itself', async () => {
    const csrf = (headers: Record<string, string>): Promise<unknown> =>
      fetch(`${host.url}/fixture/csrf`, { method: 'POST', headers }).then((r) => r.json());
    assert.deepEqual(await csrf({ cookie: admin.cookie, 'x-csrf-token': admin.csrfToken }), { ok: true });
    assert.deepEqual(await csrf({ cookie: admin.cookie, 'x-csrf-token': admin.csrfToken.slice(1) }), { ok: false });
    assert.deepEqual(await csrf({ cookie: admin.cookie }), { ok: false });
    assert.deepEqual(await csrf({ 'x-csrf-token': admin.csrfToken }), { ok: false });
  });

  it('never parses the bodies of plugin requests', async () => {
    const res = await fetch(`${host.url}/fixture/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    assert.deepEqual(await res.json(), { bytes: 7, parsedBody: null });
    const form = await fetch(`${host.url}/fixture/upload`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(300_000),
    });
    assert.deepEqual(await form.json(), { bytes: 300_000, parsedBody: null });
  });

  it('refuses to switch a plugin without the CSRF token, or with a bad body', async () => {
    assert.equal((await setEnabled('fixture', { enabled: false }, { 'x-csrf-token': '' })).status, 403);
    assert.equal((await setEnabled('fixture', { enabled: false }, { 'x-csrf-token': 'forged' })).status, 403);
    assert.equal(await fixtureStatus(), 200);
    for (const body of ['{"enabled":"no"}', '{}', '[true]', '{"enabled":false,"more":1}', 'not json']) {
      const res = await setEnabled('fixture', body);
      assert.equal(res.status, 400, body);
      assert.match(((await res.json()) as { error: string }).error, /./, body);
    }
    const text = await setEnabled('fixture', '{"enabled":false}', { 'content-type': 'text/plain' });
    assert.equal(text.status, 400);
    assert.equal((await setEnabled('nope', { enabled: false })).status, 404);
    assert.equal(await fixtureStatus(), 200);
  });

  it('disables and enables a plugin at run time through the JSON API', async () => {
    const off = await setEnabled('fixture', { enabled: false });
    assert.equal(off.status, 200);
    assert.deepEqual(await off.json(), {
      id: 'fixture',
      name: 'Fixture plugin',
      version: '1.2.3',
      description: "A plugin for the host's own tests: one of everything the host contract offers.",
      enabled: false,
      state: 'inactive',
    });
    assert.equal(await fixtureStatus(), 404);
    assert.equal((await fetch(`${host.url}/plugins/fixture/assets/admin.js`)).status, 404, 'assets go with the plugin');
    const options = await fetch(`${host.url}/`, { method: 'OPTIONS' });
    assert.equal(options.status, 404);
    assert.equal(options.headers.get('dav'), null);
    const elsewhere = await fetch(`${host.url}/elsewhere`);
    assert.equal(elsewhere.status, 404);
    assert.equal(elsewhere.headers.get('x-fixture-filter'), null, 'filters go with the plugin');
    const about = await fetch(`${host.url}/about`, { headers: { cookie: admin.cookie } });
    const aboutPage = await about.text();
    assert.equal(about.status, 200, aboutPage);
    assert.doesNotMatch(aboutPage, /fixture-about/);
    assert.match((await host.cli(['plugin', 'list'])).stdout, /^fixture: disabled$/m);

    const on = await setEnabled('fixture', { enabled: true });
    assert.equal(((await on.json()) as { state: string }).state, 'active');
    const status = (await (await fetch(`${host.url}/fixture`)).json()) as {
      activations: number;
      deactivations: number;
    };
    assert.equal(status.activations, 2);
    assert.equal(status.deactivations, 1);
    assert.equal((await fetch(`${host.url}/plugins/fixture/assets/admin.js`)).status, 200);
  });

  it('switches a plugin with the admin panel’s form', async () => {
    const post = (body: Record<string, string>): Promise<Response> =>
      fetch(`${host.url}/admin/plugins/fixture`, {
        method: 'POST',
        headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body).toString(),
        redirect: 'manual',
      });
    assert.equal((await post({ enabled: 'false' })).status, 403);
    assert.equal(await fixtureStatus(), 200);
    const res = await post({ enabled: 'false', _csrf: admin.csrfToken });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/admin?disabled=fixture');
    assert.equal(await fixtureStatus(), 404);
    const html = await panel('/admin?disabled=fixture');
    assert.match(
      html,
      /<input type="hidden" name="enabled" value="true">\s*<button type="submit" aria-label="Enable Fixture plugin">Enable<\/button>/,
    );
    assert.match(html, /<p class="notice" role="status">Fixture plugin is switched off\.<\/p>/);

    const on = await post({ enabled: 'true', _csrf: admin.csrfToken });
    assert.equal(on.headers.get('location'), '/admin?enabled=fixture');
    assert.equal(await fixtureStatus(), 200);
    assert.match(
      await panel('/admin?enabled=fixture'),
      /<p class="notice" role="status">Fixture plugin is switched on\.<\/p>/,
    );
    assert.doesNotMatch(await panel('/admin'), /class="notice"/, 'no notice without a switch');
    assert.doesNotMatch(
      await panel('/admin?disabled=fixture'),
      /class="notice"/,
      'an old address does not claim what is not so',
    );
  });

  it('shows a plugin that fails to start when switched on in its row, not as a confirmation', async () => {
    const post = (enabled: string): Promise<Response> =>
      fetch(`${host.url}/admin/plugins/broken`, {
        method: 'POST',
        headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ enabled, _csrf: admin.csrfToken }).toString(),
        redirect: 'manual',
      });
    assert.equal((await post('false')).headers.get('location'), '/admin?disabled=broken');
    assert.equal((await post('true')).headers.get('location'), '/admin?enabled=broken');
    const html = await panel('/admin?enabled=broken');
    assert.doesNotMatch(html, /class="notice"/);
    const row = /<tr data-plugin="broken">[\s\S]*?<\/tr>/.exec(html)?.[0] ?? '';
    assert.match(row, /Enabled, but failed to start/);
    assert.match(row, /<div class="error" role="alert">It did not start: broken on purpose<\/div>/);
  });

  it('keeps a plugin page’s number while its plugin is off, and says so on that page', async () => {
    const page = async (n: string): Promise<{ status: number; html: string }> => {
      const res = await fetch(`${host.url}/admin/pages/${n}`, { headers: { cookie: admin.cookie } });
      return { status: res.status, html: await res.text() };
    };
    assert.match((await page('0')).html, /<fixture-admin /);
    assert.equal((await setPluginEnabled(host.url, admin, 'fixture', false)).status, 200);
    try {
      const off = await page('0');
      assert.equal(off.status, 404);
      assert.match(off.html, /<h1>Fixture settings<\/h1>/);
      assert.match(off.html, /<p>The plugin Fixture plugin is switched off\.<\/p>/);
      assert.match(off.html, /<a href="\/admin">host's plugin list<\/a>/);
      assert.doesNotMatch(off.html, /fixture-admin/);
      const list = await panel('/admin');
      assert.match(
        list,
        /<li>Fixture settings <span class="muted">\(the plugin Fixture plugin is switched off\)<\/span><\/li>/,
      );
      assert.doesNotMatch(list, /href="\/admin\/pages\/0"/);
    } finally {
      assert.equal((await setPluginEnabled(host.url, admin, 'fixture', true)).status, 200);
    }
    assert.match((await page('0')).html, /<fixture-admin /);
    for (const n of ['1', '01x', '99999999999999999999']) {
      const missing = await page(n);
      assert.equal(missing.status, 404, n);
      assert.match(missing.html, /There is no plugin page/, n);
    }
  });

  it('follows `mediahost plugin disable/enable` while running', async () => {
    const off = await host.cli(['plugin', 'disable', 'fixture']);
    assert.equal(off.code, 0, off.stderr);
    await eventually(async () => assert.equal(await fixtureStatus(), 404), 5000);
    const on = await host.cli(['plugin', 'enable', 'fixture']);
    assert.equal(on.code, 0, on.stderr);
    await eventually(async () => assert.equal(await fixtureStatus(), 200), 5000);
    const unknown = await host.cli(['plugin', 'disable', 'nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /there is no plugin "nope" \(plugins: fixture, broken\)/);
  });
});
