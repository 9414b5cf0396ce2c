/**
 * User management of the reference host, through its JSON API under
 * /api/host/ (what the admin pages at /admin/users do, host/web-users.ts)
 * and through those pages' forms without JavaScript: every operation and
 * every refusal, checked by what a user then can do (log in to the web UI,
 * reach a WebDAV share), and by the audit log (host/admin-audit.ts), which
 * names who changed whom and never holds a password.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  eventually,
  canLogin as canLoginAt,
  login,
  startHost,
  type HostProcess,
  type WebLogin,
} from '../helpers/host-process.js';
import { basic } from '../helpers/raw-http.js';

let host: HostProcess;
let admin: WebLogin;
let carol: WebLogin;
/** Every password the tests set: none may appear in a log, an answer of the audit, or the database. */
const secrets: string[] = [];

interface Answer {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads the fields it expects
  readonly json: any;
  readonly text: string;
  readonly headers: Headers;
}

async function api(
  method: string,
  pathname: string,
  options: { as?: WebLogin | null; body?: unknown; csrf?: string | false; raw?: string; type?: string } = {},
): Promise<Answer> {
  const as = options.as === undefined ? admin : options.as;
  const headers: Record<string, string> = {};
  if (as) headers['cookie'] = as.cookie;
  const csrf = options.csrf ?? (method === 'GET' ? false : (as?.csrfToken ?? false));
  if (csrf !== false) headers['x-csrf-token'] = csrf;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.type ?? 'application/json';
  const res = await fetch(`${host.url}/api/host${pathname}`, { method, headers, body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (204)
  }
  return { status: res.status, json, text, headers: res.headers };
}

const user = (name: string): string => `/users/${encodeURIComponent(name)}`;

const canLogin = (name: string, password: string): Promise<boolean> => canLoginAt(host.url, name, password);

/** The status of a WebDAV PROPFIND of the share main with these credentials: 207 in, 401 wrong login, 403 no member. */
const webdav = async (name: string, password: string): Promise<number> =>
  (
    await fetch(`${host.url}/webdav/main/`, {
      method: 'PROPFIND',
      headers: { authorization: basic(name, password), depth: '0' },
    })
  ).status;

/** Whether a web session still counts (an ended one is sent to the login page). */
const sessionAlive = async (session: WebLogin): Promise<boolean> => {
  const res = await fetch(`${host.url}/about`, { headers: { cookie: session.cookie }, redirect: 'manual' });
  assert.ok(res.status === 200 || res.status === 303, `GET /about: ${res.status}`);
  return res.status === 200;
};

const audit = async (query = ''): Promise<Array<Record<string, unknown>>> => {
  const res = await api('GET', `/audit${query}`);
  assert.equal(res.status, 200, res.text);
  return res.json as Array<Record<string, unknown>>;
};

const newestId = async (): Promise<number> => Number((await audit('?limit=1'))[0]?.['id'] ?? 0);

/** The audit entries written since `sinceId`, oldest first. */
const auditSince = async (sinceId: number): Promise<Array<Record<string, unknown>>> =>
  (await audit('?limit=500')).filter((e) => Number(e['id']) > sinceId).reverse();

describe('user management', () => {
  before(async () => {
    host = await startHost({
      users: [
        { name: 'bob', password: 'bob-pw', groups: ['WebDAV.main'] },
        { name: 'carol', password: 'carol-pw' },
        { name: 'root2', password: 'root2-pw', admin: true },
      ],
    });
    for (const group of ['Family', 'Scans']) assert.equal((await host.cli(['group', 'add', group])).code, 0);
    admin = await login(host.url, 'admin', host.adminPassword!);
    carol = await login(host.url, 'carol', 'carol-pw');
  });
  after(() => host.stop());

  describe('JSON API', apiTests);
  describe('admin pages, as forms without JavaScript', formTests);

  it('logs every change with the host logger, and no password anywhere: log, audit, database', async () => {
    const records = host.logRecords().filter((r) => r['component'] === 'users');
    assert.ok(records.length >= 10, `${records.length} log records of user changes`);
    const created = records.find((r) => r['msg'] === 'admin created anna, in Family, WebDAV.main');
    assert.deepEqual(created?.['audit'], {
      actor: 'admin',
      via: 'api',
      action: 'user.create',
      target: 'anna',
      admin: false,
      groups: ['Family', 'WebDAV.main'],
    });
    const auditText = JSON.stringify(await audit('?limit=500'));
    const files = (await readdir(host.dataDir)).filter((f) => f.startsWith('mediahost.sqlite3'));
    const database = (await Promise.all(files.map((f) => readFile(path.join(host.dataDir, f), 'latin1')))).join('');
    assert.ok(secrets.length >= 6);
    for (const secret of secrets) {
      assert.ok(!host.logs().includes(secret), `the log holds the password ${secret}`);
      assert.ok(!auditText.includes(secret), `the audit holds the password ${secret}`);
      assert.ok(!database.includes(secret), `the database holds the password ${secret}`);
    }
  });
});

function apiTests(): void {
  it('lists users with their groups, and every group', async () => {
    const users = await api('GET', '/users');
    assert.equal(users.status, 200);
    assert.equal(users.headers.get('cache-control'), 'no-store');
    assert.deepEqual(users.json, [
      { name: 'admin', admin: true, groups: ['WebDAV.main'] },
      { name: 'bob', admin: false, groups: ['WebDAV.main'] },
      { name: 'carol', admin: false, groups: [] },
      { name: 'root2', admin: true, groups: [] },
    ]);
    const groups = await api('GET', '/groups');
    assert.deepEqual(
      (groups.json as Array<{ name: string }>).map((g) => g.name),
      ['Family', 'Scans', 'WebDAV.main'],
    );
    assert.deepEqual((await api('GET', user('bob'))).json, { name: 'bob', admin: false, groups: ['WebDAV.main'] });
    const missing = await api('GET', user('nobody'));
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { error: 'there is no user "nobody"' });
  });

  it('creates a user with a typed password who can log in and reach the shares of their groups', async () => {
    const since = await newestId();
    secrets.push('anna secret');
    const res = await api('POST', '/users', {
      body: { name: 'anna', password: 'anna secret', groups: ['WebDAV.main', 'Family'] },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('location'), '/api/host/users/anna');
    assert.deepEqual(res.json, { user: { name: 'anna', admin: false, groups: ['Family', 'WebDAV.main'] } });
    assert.ok(await canLogin('anna', 'anna secret'));
    assert.equal(await webdav('anna', 'anna secret'), 207);
    const [entry, ...more] = await auditSince(since);
    assert.deepEqual(more, []);
    assert.equal(entry!['actor'], 'admin');
    assert.equal(entry!['via'], 'api');
    assert.equal(entry!['action'], 'user.create');
    assert.equal(entry!['user'], 'anna');
    assert.deepEqual(entry!['details'], { admin: false, groups: ['Family', 'WebDAV.main'] });
    assert.equal(entry!['summary'], 'admin created anna, in Family, WebDAV.main');
    assert.ok(Math.abs(Date.parse(String(entry!['at'])) - Date.now()) < 60_000, 'stamped with the time of the change');
  });

  it('creates a user with a generated password, answered once', async () => {
    const since = await newestId();
    const res = await api('POST', '/users', { body: { name: 'Zoë/2', generatePassword: true, admin: true } });
    assert.equal(res.status, 201, res.text);
    const password = res.json.password as string;
    secrets.push(password);
    assert.match(password, /^[A-Za-z0-9_-]{24}$/);
    assert.deepEqual(res.json.user, { name: 'Zoë/2', admin: true, groups: [] });
    assert.equal(res.headers.get('location'), `/api/host/users/${encodeURIComponent('Zoë/2')}`);
    assert.ok(await canLogin('Zoe\u0308/2', password), 'the name in either Unicode form');
    assert.equal(await webdav('Zoë/2', password), 403, 'no group, no share');
    // Nowhere to be read again: neither the user's record nor the audit has it.
    assert.doesNotMatch((await api('GET', user('Zoë/2'))).text, new RegExp(password));
    const [entry] = await auditSince(since);
    assert.deepEqual(entry!['details'], { admin: true, groups: [], generated: true });
  });

  it('refuses a bad name, a bad password, an unknown group or a taken name, naming each field, and creates nothing', async () => {
    const since = await newestId();
    const refused = async (body: unknown, status: number, error: RegExp, fields?: string[]): Promise<void> => {
      const res = await api('POST', '/users', { body });
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${res.text}`);
      assert.match(res.json.error, error);
      if (fields) assert.deepEqual(Object.keys(res.json.fields ?? {}).sort(), fields.sort());
    };
    await refused({ name: 'a:b', password: 'pw' }, 400, /user name "a:b" may not contain ':'/, ['name']);
    await refused({ name: '', password: 'pw' }, 400, /a user name has 1 to 100 characters/, ['name']);
    await refused({ name: ' dave', password: 'pw' }, 400, /may not start or end with spaces/, ['name']);
    await refused({ name: 'x'.repeat(101), password: 'pw' }, 400, /1 to 100 characters/, ['name']);
    await refused({ name: 'tab\there', password: 'pw' }, 400, /control characters/, ['name']);
    await refused({ name: 'dave', password: '' }, 400, /^the password may not be empty$/, ['password']);
    await refused({ name: 'dave', password: 'x'.repeat(73) }, 400, /longer than 72 bytes/, ['password']);
    await refused({ name: 'dave', password: 'ä'.repeat(37) }, 400, /longer than 72 bytes \(UTF-8\)/, ['password']);
    await refused(
      { name: 'dave', password: 'pw', groups: ['WebDAV.main', 'Nope'] },
      400,
      /^there is no group "Nope" \(groups: Family, Scans, WebDAV\.main\)$/,
      ['groups'],
    );
    // Names are case-sensitive, as they are for logins: "Bob" is another user than "bob".
    assert.equal((await api('POST', '/users', { body: { name: 'Bob', password: 'pw' } })).status, 201);
    await refused({ name: 'bob', password: 'pw' }, 409, /^user "bob" already exists$/, ['name']);
    await refused({ name: 'Zoe\u0308/2', password: 'pw' }, 409, /user "Zoë\/2" already exists/, ['name']);
    // Several problems at once: all of them, each at its field.
    await refused({ name: 'a:b', password: '', groups: ['Nope'] }, 400, /':'.*; the password.*; there is no group/, [
      'name',
      'password',
      'groups',
    ]);
    // What the body itself gets wrong.
    await refused({ name: 'dave' }, 400, /send either "password" or "generatePassword": true/);
    await refused({ name: 'dave', password: 'pw', generatePassword: true }, 400, /either "password" or/);
    await refused({ password: 'pw' }, 400, /"name" \(the user name, a string\) is required/);
    await refused({ name: 'dave', password: 'pw', admin: 'yes' }, 400, /"admin" must be true or false/);
    await refused({ name: 'dave', password: 'pw', groups: 'Family' }, 400, /"groups" must be a list of group names/);
    await refused({ name: 'dave', password: 'pw', pasword: 'typo' }, 400, /unknown field "pasword"/);
    const form = await api('POST', '/users', {
      raw: 'name=dave&password=pw',
      type: 'application/x-www-form-urlencoded',
    });
    assert.equal(form.status, 415);
    assert.match(form.json.error, /send a JSON body/);
    const broken = await api('POST', '/users', { raw: '{"name": "dave",' });
    assert.equal(broken.status, 400);

    assert.equal((await api('GET', user('dave'))).status, 404, 'nothing was created');
    assert.deepEqual(
      (await auditSince(since)).map((e) => e['summary']),
      ['admin created Bob'],
      'only the one creation that happened is in the audit',
    );
    assert.equal((await api('DELETE', user('Bob'))).status, 204);
  });

  it('sets a typed password: the old one stops working and the user’s web sessions end', async () => {
    const annaSession = await login(host.url, 'anna', 'anna secret');
    const since = await newestId();
    secrets.push('anna new');
    const res = await api('PUT', `${user('anna')}/password`, { body: { password: 'anna new' } });
    assert.equal(res.status, 200, res.text);
    // anna's sessions: this test's, and the one of the login check when she was created.
    assert.deepEqual(res.json, { sessionsEnded: 2 });
    assert.equal(await sessionAlive(annaSession), false);
    assert.ok(!(await canLogin('anna', 'anna secret')));
    assert.ok(await canLogin('anna', 'anna new'));
    // The plugin caches good credentials for a few seconds (README): the old one is refused within them.
    await eventually(async () => assert.equal(await webdav('anna', 'anna secret'), 401), 10_000);
    assert.equal(await webdav('anna', 'anna new'), 207);
    const [entry] = await auditSince(since);
    assert.equal(entry!['summary'], 'admin set a new password for anna; 2 web sessions ended');
  });

  it('resets a password to a generated one, answered once', async () => {
    const since = await newestId();
    const res = await api('PUT', `${user('anna')}/password`, { body: { generatePassword: true } });
    assert.equal(res.status, 200, res.text);
    const password = res.json.password as string;
    secrets.push(password);
    assert.match(password, /^[A-Za-z0-9_-]{24}$/);
    assert.ok(await canLogin('anna', password));
    assert.ok(!(await canLogin('anna', 'anna new')));
    const [entry] = await auditSince(since);
    assert.equal(entry!['action'], 'user.password');
    assert.equal((entry!['details'] as Record<string, unknown>)['generated'], true);
  });

  it('refuses a bad password or an unknown user, and changes nothing', async () => {
    const since = await newestId();
    const cases: Array<[string, unknown, number, RegExp]> = [
      [user('bob'), { password: '' }, 400, /^the password may not be empty$/],
      [user('bob'), { password: 'ü'.repeat(40) }, 400, /longer than 72 bytes/],
      [user('bob'), {}, 400, /send either "password" or "generatePassword": true/],
      [user('bob'), { password: 'a', generatePassword: true }, 400, /either/],
      [user('nobody'), { password: 'pw' }, 404, /^there is no user "nobody"$/],
      [user('nobody'), { generatePassword: true }, 404, /^there is no user "nobody"$/],
    ];
    for (const [target, body, status, error] of cases) {
      const res = await api('PUT', `${target}/password`, { body });
      assert.equal(res.status, status, `${target} ${JSON.stringify(body)}: ${res.text}`);
      assert.match(res.json.error, error);
    }
    assert.ok(await canLogin('bob', 'bob-pw'));
    assert.deepEqual(await auditSince(since), []);
  });

  it('an admin who changes their own password stays logged in; their other sessions end', async () => {
    const me = await login(host.url, 'root2', 'root2-pw');
    const elsewhere = await login(host.url, 'root2', 'root2-pw');
    secrets.push('root2 new');
    const res = await api('PUT', `${user('root2')}/password`, { as: me, body: { password: 'root2 new' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { sessionsEnded: 1 });
    assert.equal(await sessionAlive(me), true);
    assert.equal(await sessionAlive(elsewhere), false);
  });

  it('sets the user’s groups in one call, and WebDAV follows', async () => {
    const since = await newestId();
    const res = await api('PUT', `${user('bob')}/groups`, { body: { groups: ['Family', 'Scans'] } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, {
      user: { name: 'bob', admin: false, groups: ['Family', 'Scans'] },
      added: ['Family', 'Scans'],
      removed: ['WebDAV.main'],
    });
    // The plugin caches memberships for at most 5 seconds (docs/architecture.md).
    await eventually(async () => assert.equal(await webdav('bob', 'bob-pw'), 403), 10_000);
    const again = await api('PUT', `${user('bob')}/groups`, { body: { groups: ['Scans', 'WebDAV.main', 'Scans'] } });
    assert.deepEqual(again.json.added, ['WebDAV.main']);
    assert.deepEqual(again.json.removed, ['Family']);
    await eventually(async () => assert.equal(await webdav('bob', 'bob-pw'), 207), 10_000);
    const same = await api('PUT', `${user('bob')}/groups`, { body: { groups: ['WebDAV.main', 'Scans'] } });
    assert.deepEqual([same.json.added, same.json.removed], [[], []]);
    assert.deepEqual(
      (await auditSince(since)).map((e) => e['summary']),
      [
        'admin changed the groups of bob: added to Family, Scans; removed from WebDAV.main',
        'admin changed the groups of bob: added to WebDAV.main; removed from Family',
      ],
      'one entry per change, none when nothing changed',
    );
  });

  it('refuses an unknown group or user for groups, and changes nothing', async () => {
    const since = await newestId();
    const unknown = await api('PUT', `${user('bob')}/groups`, { body: { groups: ['Family', 'Nope', 'Nix'] } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.error, /^there are no groups "Nix", "Nope" \(groups: Family, Scans, WebDAV\.main\)$/);
    assert.deepEqual(Object.keys(unknown.json.fields), ['groups']);
    assert.equal((await api('PUT', `${user('nobody')}/groups`, { body: { groups: [] } })).status, 404);
    assert.equal((await api('PUT', `${user('bob')}/groups`, { body: { groups: [1] } })).status, 400);
    assert.equal((await api('PUT', `${user('bob')}/groups`, { body: {} })).status, 400);
    assert.deepEqual((await api('GET', user('bob'))).json.groups, ['Scans', 'WebDAV.main']);
    assert.deepEqual(await auditSince(since), []);
  });

  it('grants and takes admin rights, but no admin takes their own', async () => {
    const since = await newestId();
    assert.equal((await api('PUT', `${user('carol')}/admin`, { body: { admin: true } })).status, 200);
    assert.equal((await api('GET', '/users', { as: carol })).status, 200, 'the same session is an admin now');
    const res = await api('PUT', `${user('carol')}/admin`, { body: { admin: false } });
    assert.deepEqual(res.json, { user: { name: 'carol', admin: false, groups: [] } });
    assert.equal((await api('GET', '/users', { as: carol })).status, 403);
    const own = await api('PUT', `${user('admin')}/admin`, { body: { admin: false } });
    assert.equal(own.status, 409);
    assert.match(own.json.error, /you cannot take away your own administrator rights/);
    assert.equal((await api('PUT', `${user('nobody')}/admin`, { body: { admin: true } })).status, 404);
    assert.equal((await api('PUT', `${user('carol')}/admin`, { body: { admin: 'no' } })).status, 400);
    assert.deepEqual(
      (await auditSince(since)).map((e) => e['summary']),
      ['admin made carol an administrator', 'admin took the administrator rights of carol'],
    );
  });

  it('deletes a user: no more login, no WebDAV, sessions gone; never the admin’s own account', async () => {
    const zoe = (await api('POST', '/users', { body: { name: 'zoe', password: 'zoe-pw', groups: ['WebDAV.main'] } }))
      .json;
    assert.equal(zoe.user.name, 'zoe');
    secrets.push('zoe-pw');
    const session = await login(host.url, 'zoe', 'zoe-pw');
    assert.equal(await webdav('zoe', 'zoe-pw'), 207);
    const since = await newestId();
    const res = await api('DELETE', user('zoe'));
    assert.equal(res.status, 204);
    assert.equal(await sessionAlive(session), false);
    assert.ok(!(await canLogin('zoe', 'zoe-pw')));
    await eventually(async () => assert.equal(await webdav('zoe', 'zoe-pw'), 401), 10_000);
    assert.equal((await api('GET', user('zoe'))).status, 404);
    assert.equal((await api('DELETE', user('zoe'))).status, 404);

    const self = await api('DELETE', user('admin'));
    assert.equal(self.status, 409);
    assert.equal(self.json.error, 'you cannot delete your own account; another administrator can');
    assert.ok(await canLogin('admin', host.adminPassword!));
    // A name that needs encoding in the URL.
    assert.equal((await api('DELETE', user('Zoe\u0308/2'))).status, 204);
    assert.deepEqual(
      (await auditSince(since)).map((e) => e['summary']),
      ['admin deleted zoe', 'admin deleted Zoë/2'],
    );
  });

  it('answers 401 without a login and 403 to a non-admin, on every route, and changes nothing', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/users'],
      ['GET', '/groups'],
      ['GET', '/audit'],
      ['GET', user('bob')],
      ['POST', '/users', { name: 'mallory', password: 'pw' }],
      ['PUT', `${user('carol')}/password`, { password: 'owned' }],
      ['PUT', `${user('carol')}/groups`, { groups: ['WebDAV.main'] }],
      ['PUT', `${user('carol')}/admin`, { admin: true }],
      ['DELETE', user('bob')],
    ];
    const since = await newestId();
    for (const [method, pathname, body] of routes) {
      const anonymous = await api(method, pathname, { as: null, body });
      assert.equal(anonymous.status, 401, `${method} ${pathname}`);
      assert.deepEqual(anonymous.json, { error: 'log in first' });
      const nonAdmin = await api(method, pathname, { as: carol, body });
      assert.equal(nonAdmin.status, 403, `${method} ${pathname}`);
      assert.deepEqual(nonAdmin.json, { error: 'administrators only' });
    }
    assert.deepEqual(await auditSince(since), []);
    assert.deepEqual((await api('GET', user('carol'))).json, { name: 'carol', admin: false, groups: [] });
    assert.ok(await canLogin('carol', 'carol-pw'));
    assert.equal((await api('GET', user('mallory'))).status, 404);
  });

  it('refuses every change without the session’s CSRF token, and changes nothing', async () => {
    const other = await login(host.url, 'root2', 'root2 new');
    const changes: Array<[string, string, unknown?]> = [
      ['POST', '/users', { name: 'mallory', password: 'pw' }],
      ['PUT', `${user('carol')}/password`, { password: 'owned' }],
      ['PUT', `${user('carol')}/groups`, { groups: ['WebDAV.main'] }],
      ['PUT', `${user('carol')}/admin`, { admin: true }],
      ['DELETE', user('carol')],
    ];
    const since = await newestId();
    for (const [method, pathname, body] of changes) {
      for (const csrf of [false, 'forged', other.csrfToken] as const) {
        const res = await api(method, pathname, { body, csrf });
        assert.equal(res.status, 403, `${method} ${pathname} with CSRF ${csrf}`);
        assert.match(res.json.error, /CSRF/);
      }
    }
    assert.deepEqual(await auditSince(since), []);
    assert.deepEqual((await api('GET', user('carol'))).json, { name: 'carol', admin: false, groups: [] });
    assert.ok(await canLogin('carol', 'carol-pw'));
  });

  it('keeps the command line’s changes in the same audit, as the account that ran them', async () => {
    const since = await newestId();
    secrets.push('cli-pw');
    assert.equal((await host.cli(['user', 'add', 'dora', '--password', 'cli-pw', '--group', 'Family'])).code, 0);
    assert.equal((await host.cli(['user', 'passwd', 'dora', '--password', 'cli-pw'])).code, 0);
    assert.equal((await host.cli(['group', 'add-member', 'Scans', 'dora'])).code, 0);
    assert.equal((await host.cli(['group', 'add-member', 'Scans', 'dora'])).code, 0); // no change, no entry
    assert.equal((await host.cli(['group', 'remove-member', 'Family', 'dora'])).code, 0);
    assert.equal((await host.cli(['user', 'remove', 'dora'])).code, 0);
    const entries = await auditSince(since);
    assert.deepEqual(
      entries.map((e) => [e['via'], e['action'], e['user']]),
      [
        ['cli', 'user.create', 'dora'],
        ['cli', 'user.password', 'dora'],
        ['cli', 'user.groups', 'dora'],
        ['cli', 'user.groups', 'dora'],
        ['cli', 'user.delete', 'dora'],
      ],
    );
    assert.ok(entries.every((e) => typeof e['actor'] === 'string' && e['actor'] !== ''));
    const byUser = await audit(`?user=${encodeURIComponent('dora')}&limit=3`);
    assert.deepEqual(
      byUser.map((e) => e['action']),
      ['user.delete', 'user.groups', 'user.groups'],
      'the newest first, of one user',
    );
    assert.equal((await api('GET', '/audit?limit=0')).status, 400);
    assert.equal((await api('GET', '/audit?limit=lots')).status, 400);
  });
}

interface FormAnswer {
  readonly status: number;
  readonly location: string | null;
  readonly html: string;
  /** The confirmation cookie for the next page, `name=value`, when the answer set one. */
  readonly notice: string | undefined;
}

/** Posts a form as the browser would, with the session's CSRF token unless told otherwise. */
async function postForm(
  pathname: string,
  fields: Record<string, string | readonly string[]> = {},
  options: { as?: WebLogin; csrf?: string | false } = {},
): Promise<FormAnswer> {
  const as = options.as ?? admin;
  const params = new URLSearchParams();
  const csrf = options.csrf ?? as.csrfToken;
  if (csrf !== false) params.append('_csrf', csrf);
  for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) params.append(key, v);
  const res = await fetch(`${host.url}${pathname}`, {
    method: 'POST',
    headers: { cookie: as.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: params.toString(),
    redirect: 'manual',
  });
  const notice = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('mediahost_notice='))
    ?.split(';')[0];
  return { status: res.status, location: res.headers.get('location'), html: await res.text(), notice };
}

/** The page a 303 leads to, with the confirmation cookie it set. */
async function follow(answer: FormAnswer): Promise<string> {
  assert.equal(answer.status, 303, answer.html);
  const res = await fetch(`${host.url}${answer.location}`, {
    headers: { cookie: [admin.cookie, answer.notice].filter(Boolean).join('; ') },
  });
  assert.equal(res.status, 200);
  // Shown once: the answer clears the cookie.
  assert.ok(res.headers.getSetCookie().some((c) => /^mediahost_notice=;.*expires=Thu, 01 Jan 1970/i.test(c)));
  return res.text();
}

const pageOf = async (pathname: string, as: WebLogin = admin): Promise<Response> =>
  fetch(`${host.url}${pathname}`, { headers: { cookie: as.cookie }, redirect: 'manual' });

function formTests(): void {
  it('links Users from the admin panel and lists every user', async () => {
    assert.match(await (await pageOf('/admin')).text(), /<a href="\/admin\/users">Users and their shares<\/a>/);
    const res = await pageOf('/admin/users');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const html = await res.text();
    assert.match(html, /<tr data-user="bob">/);
    assert.match(html, /<form method="post" action="\/admin\/users" novalidate>/);
    assert.match(html, /name="_csrf" value="[^"]+"/);
  });

  it('creates a user from the form, confirmed on the next page only', async () => {
    secrets.push('form pw');
    const answer = await postForm('/admin/users', { name: 'fred', password: 'form pw', groups: ['Family'] });
    assert.equal(answer.location, '/admin/users');
    const html = await follow(answer);
    assert.match(html, /<p class="notice" role="status">User fred created\.<\/p>/);
    assert.match(html, /<tr data-user="fred">/);
    assert.ok(await canLogin('fred', 'form pw'));
    assert.doesNotMatch(await (await pageOf('/admin/users')).text(), /User fred created/, 'no cookie, no notice');
    const [entry] = await audit('?limit=1');
    assert.deepEqual(
      [entry!['actor'], entry!['via'], entry!['summary']],
      ['admin', 'web', 'admin created fred, in Family'],
    );
  });

  it('generates a password when the field is left empty, and shows it in that answer only', async () => {
    const answer = await postForm('/admin/users', { name: 'gina', password: '' });
    assert.equal(answer.status, 201);
    const password = /<code id="generated-password" class="password">([^<]+)<\/code>/.exec(answer.html)?.[1];
    assert.ok(password, answer.html);
    secrets.push(password);
    assert.equal(answer.notice, undefined, 'not in a cookie');
    assert.ok(await canLogin('gina', password));
    assert.ok(!(await (await pageOf('/admin/users/gina')).text()).includes(password));
  });

  it('answers a refused form with every problem at its field, keeping what was typed but the password', async () => {
    const since = await newestId();
    const answer = await postForm('/admin/users', {
      name: 'fred',
      password: 'y'.repeat(80),
      admin: 'true',
      groups: ['Family', 'Nope'],
    });
    assert.equal(answer.status, 400);
    assert.match(answer.html, /<div class="problems" role="alert"><h2>3 problems:<\/h2>/);
    assert.match(answer.html, /<p class="field-error" id="new-name-error">User &quot;fred&quot; already exists\.<\/p>/);
    assert.match(answer.html, /id="new-password-error">The password is longer than 72 bytes \(UTF-8\)\.</);
    assert.match(answer.html, /id="new-groups-error">There is no group &quot;Nope&quot;/);
    assert.match(
      answer.html,
      /id="new-name" name="name" value="fred"[^>]* aria-invalid="true" autofocus aria-describedby="new-name-error new-name-hint"/,
    );
    assert.match(answer.html, /name="admin" value="true" checked/);
    assert.match(answer.html, /name="groups" value="Family" id="new-groups-\d+" checked/);
    assert.ok(!answer.html.includes('y'.repeat(80)), 'the password is not sent back');
    assert.deepEqual(await auditSince(since), []);
  });

  it('sets the groups a page showed, leaving alone a group created since', async () => {
    assert.equal((await host.cli(['group', 'add', 'Later'])).code, 0);
    assert.equal((await host.cli(['group', 'add-member', 'Later', 'fred'])).code, 0);
    // The page was drawn before "Later" existed: it showed three groups, and ticked WebDAV.main.
    const answer = await postForm('/admin/users/fred/groups', {
      groups: ['WebDAV.main'],
      shown: ['Family', 'Scans', 'WebDAV.main'],
    });
    assert.equal(answer.location, '/admin/users/fred');
    assert.match(await follow(answer), /role="status">fred: added to WebDAV\.main; removed from Family\.</);
    assert.deepEqual((await api('GET', user('fred'))).json.groups, ['Later', 'WebDAV.main']);
    const unknown = await postForm('/admin/users/fred/groups', { groups: ['Gone'], shown: ['Gone'] });
    assert.equal(unknown.status, 400);
    assert.match(unknown.html, /id="user-groups-error">There is no group &quot;Gone&quot;/);
    // More than 20 values: the form parser then hands back an object instead of a list.
    const many = await postForm('/admin/users/fred/groups', {
      groups: ['WebDAV.main'],
      shown: [...Array.from({ length: 25 }, (_, i) => `Gone${i}`), 'WebDAV.main', 'Later'],
    });
    assert.match(await follow(many), /removed from Later\./);
  });

  it('sets, refuses and resets a password from the user page', async () => {
    const fred = await login(host.url, 'fred', 'form pw');
    const empty = await postForm('/admin/users/fred/password', { password: '' });
    assert.equal(empty.status, 400);
    assert.match(empty.html, /id="set-password-error">The password may not be empty\.</);
    secrets.push('fred new');
    const set = await postForm('/admin/users/fred/password', { password: 'fred new' });
    assert.match(await follow(set), /role="status">Password set for fred\. \d web sessions? ended\.</);
    assert.equal(await sessionAlive(fred), false);
    assert.ok(await canLogin('fred', 'fred new'));
    const reset = await postForm('/admin/users/fred/password-reset');
    assert.equal(reset.status, 200);
    const password = /id="generated-password" class="password">([^<]+)</.exec(reset.html)?.[1];
    assert.ok(password);
    secrets.push(password);
    assert.ok(await canLogin('fred', password));
    assert.ok(!(await canLogin('fred', 'fred new')));
  });

  it('grants admin rights, and refuses an admin their own', async () => {
    assert.match(
      await follow(await postForm('/admin/users/fred/admin', { admin: 'true' })),
      /fred is now an administrator\./,
    );
    assert.match(
      await follow(await postForm('/admin/users/fred/admin', { admin: 'false' })),
      /fred is no longer an administrator\./,
    );
    const own = await postForm('/admin/users/admin/admin', { admin: 'false' });
    assert.equal(own.status, 409);
    assert.match(
      own.html,
      /id="admin-error">You cannot take away your own administrator rights; another administrator can\.</,
    );
  });

  it('deletes after a confirmation page, never the admin’s own account, and says when a user is gone', async () => {
    const confirm = await (await pageOf('/admin/users/gina/delete')).text();
    assert.match(confirm, /Delete the user <strong>gina<\/strong>\?/);
    assert.match(confirm, /<form method="post" action="\/admin\/users\/gina\/delete">/);
    assert.match(await follow(await postForm('/admin/users/gina/delete')), /role="status">User gina deleted\.</);
    assert.ok(!(await canLogin('gina', 'anything')));
    const again = await postForm('/admin/users/gina/delete');
    assert.equal(again.status, 404);
    assert.match(again.html, /There is no user “gina”/);
    assert.equal((await pageOf('/admin/users/gina')).status, 404);

    const ownConfirm = await pageOf('/admin/users/admin/delete');
    assert.equal(ownConfirm.status, 409);
    assert.doesNotMatch(await ownConfirm.text(), /action="\/admin\/users\/admin\/delete"/);
    const own = await postForm('/admin/users/admin/delete');
    assert.equal(own.status, 409);
    assert.match(
      own.html,
      /id="delete-error" role="alert">You cannot delete your own account; another administrator can\.</,
    );
    assert.ok(await canLogin('admin', host.adminPassword!));
  });

  it('refuses a non-admin and a form without the CSRF token, changing nothing', async () => {
    const since = await newestId();
    assert.equal((await pageOf('/admin/users', carol)).status, 403);
    assert.equal((await pageOf('/admin/users/bob', carol)).status, 403);
    const posts: Array<[string, Record<string, string>]> = [
      ['/admin/users', { name: 'mallory', password: 'pw' }],
      ['/admin/users/carol/password', { password: 'owned' }],
      ['/admin/users/carol/password-reset', {}],
      ['/admin/users/carol/groups', { groups: 'WebDAV.main', shown: 'WebDAV.main' }],
      ['/admin/users/carol/admin', { admin: 'true' }],
      ['/admin/users/bob/delete', {}],
    ];
    for (const [pathname, fields] of posts) {
      assert.equal((await postForm(pathname, fields, { as: carol })).status, 403, `${pathname} by a non-admin`);
      const forged = await postForm(pathname, fields, { csrf: false });
      assert.equal(forged.status, 403, `${pathname} without a token`);
      assert.match(forged.html, /The form has expired/);
      assert.equal(
        (await postForm(pathname, fields, { csrf: carol.csrfToken })).status,
        403,
        `${pathname}, another session's token`,
      );
    }
    const anonymous = await fetch(`${host.url}/admin/users`, { method: 'POST', redirect: 'manual' });
    assert.equal(anonymous.status, 303);
    assert.deepEqual(await auditSince(since), []);
    assert.ok(await canLogin('carol', 'carol-pw'));
    assert.deepEqual((await api('GET', user('carol'))).json, { name: 'carol', admin: false, groups: [] });
  });
}
