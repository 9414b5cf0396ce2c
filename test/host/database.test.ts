/**
 * The host on PostgreSQL (issue 12): chosen by --database, migrated and set
 * up once even when two instances start together, its password never in a
 * log line, a clear error when the server is unreachable at start, and 503
 * with Retry-After while the database is away, recovering by itself.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import knex, { type Knex } from 'knex';
import { freePort, startPostgres, type Postgres } from '../helpers/postgres.js';
import { canLogin, login, runCli, startHost, type HostProcess } from '../helpers/host-process.js';
import { tempFolder } from '../helpers/system.js';

const SECRET = 'pw-never-logged-3f9a';
const withPassword = (url: string): string => url.replace('postgres://postgres@', `postgres://postgres:${SECRET}@`);

describe('the host on PostgreSQL', () => {
  let pg: Postgres | undefined;
  let missing = 'no PostgreSQL';
  before(async () => {
    pg = await startPostgres({ skip: (message) => (missing = message) });
  });
  after(() => pg?.stop());

  async function freshDatabase(name: string): Promise<{ url: string; db: Knex }> {
    const url = withPassword(await pg!.createDatabase(name));
    const db = knex({ client: 'pg', connection: pg!.url.replace(pg!.database, name), pool: { min: 0, max: 2 } });
    return { url, db };
  }

  test('start --database and the CLI with --database share one database; the password appears nowhere', async (t) => {
    if (!pg) return t.skip(missing);
    const { url, db } = await freshDatabase('cli_and_start');
    t.after(() => db.destroy());
    const dataDir = await tempFolder(t, 'mediahost-pg-');
    const cli = async (...args: string[]): Promise<void> => {
      const result = await runCli(dataDir, [...args, '--database', url]);
      assert.equal(result.code, 0, result.stderr);
      assert.ok(!`${result.stdout}${result.stderr}`.includes(SECRET));
    };
    await cli('group', 'add', 'WebDAV.main');
    await cli('user', 'add', 'alice', '--password', 'alice-pw', '--group', 'WebDAV.main');
    const host = await startHost({ dataDir, startArgs: ['--database', url], env: { LOG_LEVEL: 'debug' } });
    try {
      const listening = host.logRecords().find((r) => r['msg'] === 'listening');
      assert.equal(
        listening?.['database'],
        withPassword(pg.url.replace(pg.database, 'cli_and_start')).replace(SECRET, '***'),
      );
      assert.ok(host.adminPassword, 'the first start on this database created the administrator');
      assert.equal(await canLogin(host.url, 'alice', 'alice-pw'), true);
      const auth = `Basic ${Buffer.from('alice:alice-pw').toString('base64')}`;
      const put = await fetch(`${host.url}/webdav/main/note.txt`, {
        method: 'PUT',
        headers: { authorization: auth },
        body: 'hi',
      });
      assert.equal(put.status, 201);
      await cli('user', 'passwd', 'alice', '--password', 'new-pw');
      assert.equal(await canLogin(host.url, 'alice', 'new-pw'), true, 'the CLI changed the database the server reads');
      const rows = (await db('users').orderBy('name').select('name')) as Array<{ name: string }>;
      assert.deepEqual(
        rows.map((r) => r.name),
        ['admin', 'alice'],
      );
      assert.ok(!host.logs().includes(SECRET) && !host.stderr().includes(SECRET), 'no log line holds the password');
    } finally {
      await host.stop();
    }
  });

  test('an unreachable database at start is one line naming host and port, exit 1, no stack, no password', async (t) => {
    const port = await freePort();
    const dataDir = await tempFolder(t, 'mediahost-pg-');
    const url = `postgres://app:${SECRET}@127.0.0.1:${port}/media`;
    const result = await runCli(
      dataDir,
      ['start', '--port', '0', '--host', '127.0.0.1', '--database', url],
      {},
      30_000,
    );
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `^mediahost: cannot start: cannot reach the database at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)\\n$`,
      ),
    );
    const all = result.stdout + result.stderr;
    assert.ok(!all.includes(SECRET), all);
    assert.ok(!/\n\s+at /.test(all), `no stack trace:\n${all}`);
    const viaEnv = await runCli(dataDir, ['user', 'list'], { MEDIAHOST_DATABASE_URL: url }, 30_000);
    assert.equal(viaEnv.code, 1);
    assert.equal(viaEnv.stderr, `mediahost: cannot reach the database at 127.0.0.1:${port} (ECONNREFUSED)\n`);
  });

  test('--database wins over MEDIAHOST_DATABASE_URL, which wins over db.url', async (t) => {
    if (!pg) return t.skip(missing);
    const names = ['by_flag', 'by_env', 'by_setting'];
    const urls = await Promise.all(names.map((n) => pg!.createDatabase(n)));
    const [flagUrl, envUrl, settingUrl] = urls as [string, string, string];
    const dataDir = await tempFolder(t, 'mediahost-pg-');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${dataDir}/settings.properties`, `db.url=${settingUrl}\n`);
    const env = { MEDIAHOST_DATABASE_URL: envUrl };
    const add = async (name: string, args: string[], e: Record<string, string> = {}): Promise<void> => {
      const r = await runCli(dataDir, ['user', 'add', name, '--password', 'pw', ...args], e);
      assert.equal(r.code, 0, r.stderr);
    };
    await add('u_flag', ['--database', flagUrl], env);
    await add('u_env', [], env);
    await add('u_setting', []);
    for (const [i, name] of names.entries()) {
      const db = knex({ client: 'pg', connection: urls[i]!, pool: { min: 0, max: 1 } });
      try {
        const users = ((await db('users').select('name')) as Array<{ name: string }>).map((r) => r.name);
        assert.deepEqual(users, [`u_${name.slice(3)}`], name);
      } finally {
        await db.destroy();
      }
    }
  });

  test('two hosts starting together on an empty database migrate it once and create one administrator', async (t) => {
    if (!pg) return t.skip(missing);
    const { url, db } = await freshDatabase('two_at_once');
    t.after(() => db.destroy());
    const dataDir = await tempFolder(t, 'mediahost-pg-shared-');
    const hosts = await Promise.all([0, 1].map(() => startHost({ dataDir, env: { MEDIAHOST_DATABASE_URL: url } })));
    try {
      assert.equal(hosts.filter((h) => h.adminPassword).length, 1, 'exactly one start printed an admin password');
      const admins = (await db('users').where({ name: 'admin' }).count({ n: '*' })) as Array<{ n: unknown }>;
      assert.equal(Number(admins[0]!.n), 1);
      for (const table of ['host_knex_migrations', 'webdav_knex_migrations']) {
        const rows = (await db(table).select('name')) as Array<{ name: string }>;
        assert.equal(new Set(rows.map((r) => r.name)).size, rows.length, `${table}: each migration ran once`);
      }
      const password = hosts.find((h) => h.adminPassword)!.adminPassword!;
      for (const h of hosts) assert.equal(await canLogin(h.url, 'admin', password), true, 'a login works on both');
    } finally {
      await Promise.all(hosts.map((h) => h.stop()));
    }
  });

  test('wrong web passwords alternating between two hosts lock the name as on one host', async (t) => {
    if (!pg) return t.skip(missing);
    const { url, db } = await freshDatabase('shared_throttle');
    t.after(() => db.destroy());
    const dataDir = await tempFolder(t, 'mediahost-pg-shared-');
    const r = await runCli(dataDir, ['user', 'add', 'carol', '--password', 'carol-pw', '--database', url]);
    assert.equal(r.code, 0, r.stderr);
    const hosts = await Promise.all([0, 1].map(() => startHost({ dataDir, env: { MEDIAHOST_DATABASE_URL: url } })));
    try {
      const attempt = (host: HostProcess, password: string): Promise<Response> =>
        fetch(`${host.url}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ name: 'carol', password }).toString(),
          redirect: 'manual',
        });
      for (let i = 0; i < 5; i++)
        assert.equal((await attempt(hosts[i % 2]!, `wrong-${i}`)).status, 401, `attempt ${i + 1}`);
      for (const host of hosts) {
        const refused = await attempt(host, 'carol-pw');
        assert.equal(refused.status, 429, 'locked on both hosts');
        assert.ok(Number(refused.headers.get('retry-after')) > 0);
      }
    } finally {
      await Promise.all(hosts.map((h) => h.stop()));
    }
  });

  test('while the database is away requests answer 503 with Retry-After; afterwards they succeed and nothing is lost', async (t) => {
    if (!pg) return t.skip(missing);
    const { url } = await freshDatabase('outage');
    const dataDir = await tempFolder(t, 'mediahost-pg-');
    for (const args of [
      ['group', 'add', 'WebDAV.main'],
      ['user', 'add', 'bob', '--password', 'bob-pw', '--group', 'WebDAV.main'],
    ]) {
      const r = await runCli(dataDir, [...args, '--database', url]);
      assert.equal(r.code, 0, r.stderr);
    }
    const host: HostProcess = await startHost({ dataDir, env: { MEDIAHOST_DATABASE_URL: url } });
    const auth = `Basic ${Buffer.from('bob:bob-pw').toString('base64')}`;
    const put = (name: string): Promise<Response> =>
      fetch(`${host.url}/webdav/main/${name}`, { method: 'PUT', headers: { authorization: auth }, body: name });
    try {
      const before = await login(host.url, 'bob', 'bob-pw');
      assert.equal((await put('before.txt')).status, 201);
      await pg.halt();
      const davDuring = await put('during.txt');
      assert.equal(davDuring.status, 503, 'a WebDAV write needs the locks in the database');
      assert.equal(davDuring.headers.get('retry-after'), '5');
      const during = await fetch(`${host.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=bob&password=bob-pw',
        redirect: 'manual',
      });
      assert.equal(during.status, 503);
      assert.equal(during.headers.get('retry-after'), '5');
      const home = await fetch(`${host.url}/`, { headers: { cookie: before.cookie } });
      assert.equal(home.status, 503, 'a page that reads the session waits for the database too');
      await pg.start();
      assert.equal(await canLogin(host.url, 'bob', 'bob-pw'), true, 'the pool reconnected by itself');
      const again = await fetch(`${host.url}/`, { headers: { cookie: before.cookie } });
      assert.equal(again.status, 200, 'the session made before the outage is still there');
      assert.equal((await put('during.txt')).status, 201, 'the refused upload succeeds when retried');
      const listing = await fetch(`${host.url}/webdav/main/`, {
        method: 'PROPFIND',
        headers: { authorization: auth, depth: '1' },
      });
      const names = await listing.text();
      assert.ok(names.includes('before.txt') && names.includes('during.txt'), 'nothing lost');
      await pg.restart();
      assert.equal(await canLogin(host.url, 'bob', 'bob-pw'), true, 'a restart between requests goes unnoticed');
      assert.ok(host.logRecords().some((rec) => rec['msg'] === 'database unavailable; answered 503'));
      assert.ok(!host.logRecords().some((rec) => rec['level'] === 60), 'nothing fatal');
    } finally {
      await host.stop();
    }
  });
});
