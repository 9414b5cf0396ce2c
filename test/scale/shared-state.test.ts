/**
 * Two instances on one PostgreSQL database and one data folder, behind nginx
 * configured from docs/deploy.md: whatever one instance is told, the other
 * knows (issue 12, README.md "Running several instances"). Requests go to an
 * instance directly where the test must choose it (A or B), through nginx
 * where it does not matter which one answers.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { requireScale, scaleToolsPresent, startScaleCluster, type ScaleCluster } from '../helpers/cluster.js';
import { eventually, login, setPluginEnabled, type HostProcess } from '../helpers/host-process.js';
import { runLitmus } from '../helpers/litmus.js';
import { startNginx } from '../helpers/nginx.js';
import { tempFolder } from '../helpers/system.js';
import { basic, LOCK_BODY, send } from '../helpers/raw-http.js';
import { requireTool } from '../helpers/tools.js';

const ALICE = { name: 'alice', password: 'alice-pw', groups: ['WebDAV.main'] };
const ADMIN = { name: 'boss', password: 'boss-pw', admin: true };
const LITMUS = { name: 'litmus', password: 'litmus-pw', groups: ['WebDAV.main'] };
/** Logs in only in the throttle test: right credentials already checked skip the throttle (plugin/access/authenticator.ts). */
const EVE = { name: 'eve', password: 'eve-pw', groups: ['WebDAV.main'] };

const asAlice = { authorization: basic(ALICE.name, ALICE.password) };

function propfind(host: { url: string }, path: string, user = ALICE): Promise<Response> {
  return fetch(`${host.url}${path}`, {
    method: 'PROPFIND',
    headers: { authorization: basic(user.name, user.password), depth: '0' },
  });
}

describe('two instances on one database behind nginx', () => {
  let cluster: ScaleCluster | undefined;
  let a: HostProcess;
  let b: HostProcess;

  before(async () => {
    if (!scaleToolsPresent()) return;
    cluster = await startScaleCluster({ users: [ALICE, ADMIN, LITMUS, EVE] });
    [a, b] = cluster.hosts as [HostProcess, HostProcess];
  });
  after(() => cluster?.stop());

  it('passes all of litmus through nginx, with no warning and nothing skipped', async (t) => {
    if (!cluster || !requireScale(t) || !requireTool(t, 'litmus', 'litmus')) return;
    const groups = ['basic', 'copymove', 'props', 'locks', 'http'];
    const result = await runLitmus(`${cluster.nginx.url}/webdav/main/`, LITMUS.name, LITMUS.password, groups);
    const report = `\n${result.output}`;
    assert.deepEqual(
      result.groups.map((g) => g.group),
      groups,
      report,
    );
    assert.equal(
      result.groups.reduce((sum, g) => sum + g.passed, 0),
      104,
      report,
    );
    assert.deepEqual(result.failures, [], report);
    assert.deepEqual(result.warnings, [], report);
    assert.deepEqual(result.skips, [], report);
  });

  it('a LOCK taken through A holds on B: a PUT without the token is 423, with it 2xx', async (t) => {
    if (!requireScale(t) || !cluster) return;
    const path = '/webdav/main/locked-across.txt';
    const locked = await send(a.port, {
      method: 'LOCK',
      path,
      headers: { ...asAlice, 'content-type': 'application/xml', timeout: 'Second-600' },
      body: LOCK_BODY,
    });
    assert.equal(locked.status, 201, locked.text);
    const token = String(locked.headers['lock-token']);
    const put = (headers: Record<string, string>) =>
      send(b.port, { method: 'PUT', path, headers: { ...asAlice, ...headers }, body: 'from B' });
    assert.equal((await put({})).status, 423);
    const withToken = await put({ if: `(${token})` });
    assert.ok(withToken.status >= 200 && withToken.status < 300, `${withToken.status} ${withToken.text}`);
    assert.equal(await (await fetch(`${a.url}${path}`, { headers: asAlice })).text(), 'from B');
  });

  it('with TLS at nginx as documented, COPY and MOVE take the https:// Destination while the instances speak http', async (t) => {
    if (!requireScale(t) || !requireTool(t, 'openssl', 'openssl') || !cluster) return;
    const certDir = await tempFolder(t, 'nginx-tls-');
    const files = { cert: join(certDir, 'cert.pem'), key: join(certDir, 'key.pem') };
    await promisify(execFile)('openssl', [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', files.key, '-out', files.cert],
    ]);
    const tls = await startNginx(
      cluster.hosts.map((host) => host.port),
      { tls: files },
    );
    t.after(() => tls.stop());
    const ca = await readFile(files.cert);
    const call = (method: string, name: string, headers: Record<string, string> = {}, body = '') =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpsRequest(
          {
            host: '127.0.0.1',
            port: tls.port,
            method,
            path: `/webdav/main/${name}`,
            ca,
            headers: { ...asAlice, ...headers },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (d: string) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode!, text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const publicUrl = (name: string): string => `${tls.url}/webdav/main/${name}`;
    assert.equal((await call('PUT', 'tls-source.txt', {}, 'over tls')).status, 201);
    assert.equal((await call('COPY', 'tls-source.txt', { destination: publicUrl('tls-copy.txt') })).status, 201);
    assert.equal((await call('MOVE', 'tls-copy.txt', { destination: publicUrl('tls-moved.txt') })).status, 201);
    assert.equal((await call('GET', 'tls-moved.txt')).text, 'over tls');
    const elsewhere = await call('COPY', 'tls-source.txt', { destination: 'https://elsewhere.example/webdav/main/x' });
    assert.equal(elsewhere.status, 502);
  });

  it('a dead property set through A is read through B', async (t) => {
    if (!requireScale(t) || !cluster) return;
    const path = '/webdav/main/with-note.txt';
    assert.equal((await send(a.port, { method: 'PUT', path, headers: asAlice, body: 'x' })).status, 201);
    const set = await send(a.port, {
      method: 'PROPPATCH',
      path,
      headers: { ...asAlice, 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:scale:"><D:set><D:prop><Z:note>set on A</Z:note></D:prop></D:set></D:propertyupdate>',
    });
    assert.equal(set.status, 207, set.text);
    const read = await send(b.port, {
      method: 'PROPFIND',
      path,
      headers: { ...asAlice, depth: '0', 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:Z="urn:scale:"><D:prop><Z:note/></D:prop></D:propfind>',
    });
    assert.equal(read.status, 207, read.text);
    assert.match(read.text, /<[^>]*note[^>]*>set on A</);
  });

  it('a user added and a membership removed with the CLI take effect on both within 5 seconds', async (t) => {
    if (!requireScale(t) || !cluster) return;
    const carol = { name: 'carol', password: 'carol-pw', groups: [] };
    const added = await a.cli(['user', 'add', carol.name, `--password=${carol.password}`, '--group', 'WebDAV.main']);
    assert.equal(added.code, 0, added.stderr);
    for (const host of [a, b])
      await eventually(async () => assert.equal((await propfind(host, '/webdav/main/', carol)).status, 207));
    const removed = await b.cli(['group', 'remove-member', 'WebDAV.main', carol.name]);
    assert.equal(removed.code, 0, removed.stderr);
    for (const host of [a, b])
      await eventually(async () => assert.equal((await propfind(host, '/webdav/main/', carol)).status, 403));
  });

  it('a web login on A is valid on B', async (t) => {
    if (!requireScale(t) || !cluster) return;
    const session = await login(a.url, ADMIN.name, ADMIN.password);
    const home = await fetch(`${b.url}/`, { headers: { cookie: session.cookie }, redirect: 'manual' });
    assert.equal(home.status, 200);
    assert.ok((await home.text()).includes(`<meta name="csrf-token" content="${session.csrfToken}">`));
  });

  it('disabling the plugin on the admin panel of A turns /webdav off on B within 5 seconds', async (t) => {
    if (!requireScale(t) || !cluster) return;
    const admin = await login(a.url, ADMIN.name, ADMIN.password);
    assert.equal((await propfind(b, '/webdav/main/')).status, 207);
    assert.equal((await setPluginEnabled(a.url, admin, 'webdav-shares', false)).status, 200);
    try {
      await eventually(async () => assert.equal((await propfind(b, '/webdav/main/')).status, 404));
    } finally {
      assert.equal((await setPluginEnabled(a.url, admin, 'webdav-shares', true)).status, 200);
    }
    await eventually(async () => assert.equal((await propfind(b, '/webdav/main/')).status, 207));
  });

  it('failed logins alternating between A and B are throttled as on one instance', async (t) => {
    if (!requireScale(t) || !cluster) return;
    // The pair (user, address) is locked out after five failures (plugin/access/login-throttle.ts).
    const from = '127.0.0.23';
    const attempt = (host: HostProcess, password: string) =>
      send(host.port, {
        method: 'PROPFIND',
        path: '/webdav/main/',
        headers: { authorization: basic(EVE.name, password), depth: '0' },
        localAddress: from,
      });
    for (let i = 0; i < 5; i++) assert.equal((await attempt(i % 2 === 0 ? a : b, `wrong-${i}`)).status, 401);
    for (const host of [a, b]) {
      const refused = await attempt(host, EVE.password);
      assert.equal(refused.status, 429, `instance on ${host.port} let the sixth attempt through`);
      assert.ok(refused.headers['retry-after']);
    }
    // The rightful user elsewhere is not locked out.
    assert.equal((await propfind(b, '/webdav/main/', EVE)).status, 207);
  });
});
