import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  FIXTURE_PLUGIN,
  canLogin as canLoginAt,
  login,
  startHost,
  type CliResult,
  type HostProcess,
} from '../helpers/host-process.js';

let host: HostProcess;

const ok = (r: CliResult): CliResult => {
  assert.equal(r.code, 0, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
};

function fails(r: CliResult, message: RegExp): void {
  assert.equal(r.code, 1, `expected a failure, got stdout: ${r.stdout}`);
  assert.match(r.stderr, message);
}

/** What the running server (through the fixture plugin's host.users / host.groups) knows about a user. */
async function seen(
  name: string,
): Promise<{ user: { name: string; admin: boolean } | null; groups: string[]; fixtureMember: boolean }> {
  return (await (await fetch(`${host.url}/fixture/users/${encodeURIComponent(name)}`)).json()) as never;
}

const canLogin = (name: string, password: string): Promise<boolean> => canLoginAt(host.url, name, password);

describe('mediahost CLI while the server runs', () => {
  before(async () => {
    host = await startHost({ plugins: [FIXTURE_PLUGIN] });
  });
  after(() => host.stop());

  it('adds a user with a non-ASCII name who can log in at once, under either Unicode form', async () => {
    assert.equal(
      ok(await host.cli(['user', 'add', 'Jürgen', '--password', 'pä:ss wörd'])).stdout,
      'created user Jürgen\n',
    );
    assert.deepEqual((await seen('Jürgen')).user, { name: 'Jürgen', admin: false });
    assert.ok(await canLogin('Jürgen', 'pä:ss wörd'));
    assert.ok(await canLogin('Ju\u0308rgen', 'pä:ss wörd'), 'a decomposed name is the same user');
    assert.ok(!(await canLogin('Jürgen', 'pä:ss')));
    fails(await host.cli(['user', 'add', 'Ju\u0308rgen', '--password', 'x']), /user "Jürgen" already exists/);
  });

  it('adds a user to several groups at once, and refuses a missing group before creating anything', async () => {
    fails(
      await host.cli(['user', 'add', 'bob', '--password', 'pw', '--group', 'WebDAV.main', 'NoSuchGroup']),
      /there is no group "NoSuchGroup"/,
    );
    assert.equal((await seen('bob')).user, null);
    ok(await host.cli(['user', 'add', 'bob', '--password', 'pw', '--group', 'WebDAV.main', 'Fixture.group']));
    const bob = await seen('bob');
    assert.deepEqual(bob.groups, ['Fixture.group', 'WebDAV.main']);
    assert.equal(bob.fixtureMember, true);
  });

  it('adds an admin', async () => {
    ok(await host.cli(['user', 'add', 'root2', '--password', 'pw', '--admin']));
    assert.deepEqual((await seen('root2')).user, { name: 'root2', admin: true });
    const session = await login(host.url, 'root2', 'pw');
    assert.equal((await fetch(`${host.url}/admin`, { headers: { cookie: session.cookie } })).status, 200);
  });

  it('changes group membership, and the server sees it on the next request', async () => {
    ok(await host.cli(['user', 'add', 'carol', '--password', 'pw']));
    assert.match(
      ok(await host.cli(['group', 'add-member', 'WebDAV.main', 'carol'])).stdout,
      /carol is a member of WebDAV\.main/,
    );
    assert.deepEqual((await seen('carol')).groups, ['WebDAV.main']);
    ok(await host.cli(['group', 'add-member', 'WebDAV.main', 'carol'])); // twice is fine
    assert.match(ok(await host.cli(['group', 'list'])).stdout, /^WebDAV\.main: admin, bob, carol$/m);
    ok(await host.cli(['group', 'remove-member', 'WebDAV.main', 'carol']));
    assert.deepEqual((await seen('carol')).groups, []);
    assert.match(ok(await host.cli(['group', 'list'])).stdout, /^WebDAV\.main: admin, bob$/m);
    assert.match(ok(await host.cli(['group', 'list'])).stdout, /^Fixture\.group: bob$/m);
  });

  it('removes a user with their memberships', async () => {
    ok(await host.cli(['user', 'add', 'gone', '--password', 'pw', '--group', 'Fixture.group']));
    assert.match(ok(await host.cli(['group', 'list'])).stdout, /^Fixture\.group: bob, gone$/m);
    ok(await host.cli(['user', 'remove', 'gone']));
    assert.equal((await seen('gone')).user, null);
    assert.match(ok(await host.cli(['group', 'list'])).stdout, /^Fixture\.group: bob$/m);
    fails(await host.cli(['user', 'remove', 'gone']), /there is no user "gone"/);
  });

  it('explains what is wrong and exits 1', async () => {
    fails(
      await host.cli(['group', 'add-member', 'NoSuchGroup', 'carol']),
      /^mediahost: there is no group "NoSuchGroup" \(groups: Fixture\.group, WebDAV\.main\)\n$/,
    );
    fails(await host.cli(['group', 'add-member', 'WebDAV.main', 'nobody']), /there is no user "nobody"/);
    fails(await host.cli(['group', 'remove-member', 'WebDAV.main', 'carol']), /carol is not a member of WebDAV\.main/);
    fails(await host.cli(['group', 'remove-member', 'WebDAV.main', 'nobody']), /there is no user "nobody"/);
    fails(await host.cli(['group', 'remove-member', 'NoSuchGroup', 'carol']), /there is no group "NoSuchGroup"/);
    fails(await host.cli(['user', 'passwd', 'nobody', '--password', 'x']), /there is no user "nobody"/);
    fails(await host.cli(['user', 'add', 'a:b', '--password', 'x']), /may not contain ':'/);
    fails(await host.cli(['user', 'add', 'dave', '--password', '']), /may not be empty/);
    fails(await host.cli(['user', 'add', 'dave', '--password', 'x'.repeat(73)]), /longer than 72 bytes/);
    fails(await host.cli(['user', 'add', 'dave']), /required option '--password <password>' not specified/);
    fails(await host.cli(['settings', 'get', 'no.such.key']), /setting no\.such\.key is not set/);
  });

  it('changes a password: the old one stops working and the user’s web sessions end', async () => {
    ok(await host.cli(['user', 'add', 'erin', '--password', 'old']));
    const session = await login(host.url, 'erin', 'old');
    assert.equal(
      (await fetch(`${host.url}/about`, { headers: { cookie: session.cookie }, redirect: 'manual' })).status,
      200,
    );
    ok(await host.cli(['user', 'passwd', 'erin', '--password', 'new']));
    assert.ok(!(await canLogin('erin', 'old')));
    assert.ok(await canLogin('erin', 'new'));
    assert.equal(
      (await fetch(`${host.url}/about`, { headers: { cookie: session.cookie }, redirect: 'manual' })).status,
      303,
    );
  });

  it('lists users, admins marked', async () => {
    const lines = ok(await host.cli(['user', 'list']))
      .stdout.trim()
      .split('\n');
    assert.deepEqual(lines, [...lines].sort());
    assert.ok(lines.includes('admin (admin)'));
    assert.ok(lines.includes('Jürgen'));
    assert.ok(lines.includes('root2 (admin)'));
  });

  it('runs concurrent commands while the server is busy', async () => {
    const load = Array.from({ length: 20 }, () => fetch(`${host.url}/fixture/users/bob`).then((r) => r.status));
    const results = await Promise.all(
      ['f1', 'f2', 'f3', 'f4'].map((n) => host.cli(['user', 'add', n, '--password', 'pw', '--group', 'WebDAV.main'])),
    );
    for (const r of results) ok(r);
    assert.ok((await Promise.all(load)).every((s) => s === 200));
    assert.match(ok(await host.cli(['group', 'list'])).stdout, /^WebDAV\.main: admin, bob, f1, f2, f3, f4$/m);
  });
});
