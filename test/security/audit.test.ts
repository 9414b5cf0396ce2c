/**
 * The audit log (`user.log.webdav=true`): one structured line per WebDAV
 * request in the log and one row in the audit table, with time, user,
 * address, method, path, Destination, status, bytes and duration; and no
 * password or Authorization header in any log, the database included,
 * whatever the client puts where. First in the plugin harness, then in the
 * real host.
 */
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import knex from 'knex';
import { eventually, login, startHost, type HostProcess } from '../helpers/host-process.js';
import { startPlugin } from '../helpers/plugin-harness.js';
import { postgresForThisFile, postgresSuites } from '../helpers/postgres.js';
import { backfillAuditMounts, migrate } from '../../plugin/store/migrations.js';
import { basic, rawExchange, send } from '../helpers/raw-http.js';
import { openDatabase } from '../../host/db.js';

const PASSWORDS = ['alice-pw-7f3a', 'wrong-pw-91c2', 'userinfo-pw-5d1e', 'mallory-pw-0b8d'];

/** The harness on SQLite, and on a real PostgreSQL (a database of its own) when this machine has one. */
const DATABASES: Array<{ label: string; url: (name: string) => Promise<string | undefined> }> = [
  { label: '', url: async () => undefined },
  ...(postgresSuites()
    ? [{ label: ' on PostgreSQL', url: async (name: string) => (await postgresForThisFile()).createDatabase(name) }]
    : []),
];
if (!postgresSuites())
  it('the audit log on PostgreSQL', (t) => t.skip('PostgreSQL is not installed (Debian package postgresql)'));

for (const { label, url } of DATABASES)
  describe(`the audit log in the plugin harness${label}`, () => {
    it('every WebDAV request is audited with user, method, path, status and bytes; no password anywhere', async () => {
      const harness = await startPlugin({
        settings: { 'user.log.webdav': 'true' },
        database: await url('audit_every'),
      });
      try {
        await writeFile(join(harness.root, 'Mädchen.jpg'), Buffer.alloc(1000, 7));
        assert.equal((await harness.fetch('/webdav/main/M%C3%A4dchen.jpg')).status, 200);
        assert.equal(
          (await harness.fetch('/webdav/main/', { method: 'PROPFIND', user: 'bob', headers: { depth: '1' } })).status,
          403,
        );
        assert.equal(
          (
            await harness.fetch('/webdav/main/', {
              method: 'PROPFIND',
              headers: { authorization: 'Basic bWFsbG9yeTpzM2NyM3Q=' },
            })
          ).status,
          401,
        );

        const rows = await eventually(async () => {
          const found = await harness.db('webdav_audit').select('*').orderBy('id');
          assert.equal(found.length, 3);
          return found;
        }, 5000);
        assert.deepEqual(
          rows.map((row) => [row.user_name, row.method, row.path, row.status]),
          [
            ['alice', 'GET', '/webdav/main/Mädchen.jpg', 200],
            ['bob', 'PROPFIND', '/webdav/main/', 403],
            ['mallory', 'PROPFIND', '/webdav/main/', 401],
          ],
        );
        assert.equal(Number(rows[0].bytes_out), 1000, 'the body, not the headers');
        assert.equal(Number(rows[0].bytes_in), 0);
        assert.equal(rows[0].address, '127.0.0.1');

        const logged = JSON.stringify(harness.logs);
        assert.match(logged, /"audit":true/);
        for (const secret of ['alice-pw', 'bob-pw', 's3cr3t', 'bWFsbG9yeTpzM2NyM3Q', 'Basic ']) {
          assert.ok(!logged.includes(secret), `the log reveals ${secret}`);
          assert.ok(!JSON.stringify(rows).includes(secret), `the audit table reveals ${secret}`);
        }
      } finally {
        await harness.stop();
      }
    });

    it('without user.log.webdav nothing is audited', async () => {
      const harness = await startPlugin({ database: await url('audit_off') });
      try {
        assert.equal(
          (await harness.fetch('/webdav/main/', { method: 'PROPFIND', headers: { depth: '0' } })).status,
          207,
        );
        await new Promise((resolve) => setTimeout(resolve, 1300));
        assert.equal((await harness.db('webdav_audit').count({ n: '*' }))[0]!.n, 0);
      } finally {
        await harness.stop();
      }
    });
  });

describe('the audit table', () => {
  it('rows recorded before the mount column existed get the share their path names (migration 004)', async () => {
    const db = knex({
      client: 'sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
      pool: { min: 1, max: 1 },
    });
    try {
      await migrate(db);
      const paths = [
        '/webdav/main/Mädchen.jpg',
        '/webdav/scans',
        'http://127.0.0.1:8080/webdav/scans/a.pdf',
        '/webdav/',
        '/webdav',
        '/elsewhere/main/x',
        `/webdav/${'n'.repeat(65)}/x`,
        ...Array.from({ length: 5 }, (_, i) => `/webdav/main/${i}.jpg`),
      ];
      await db('webdav_audit').insert(
        paths.map((path) => ({
          at_ms: 1,
          address: '127.0.0.1',
          method: 'GET',
          path,
          status: 200,
          bytes_in: 0,
          bytes_out: 0,
          duration_ms: 0,
        })),
      );
      await backfillAuditMounts(db, 3);
      const rows = await db('webdav_audit').select('path', 'mount').orderBy('id');
      assert.deepEqual(
        rows.map((row) => row.mount),
        ['main', 'scans', 'scans', null, null, null, null, 'main', 'main', 'main', 'main', 'main'],
      );
    } finally {
      await db.destroy();
    }
  });
});

describe('the audit log', () => {
  let host: HostProcess;
  let sent = 0;
  const dav = async (
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
    localAddress?: string,
  ) => {
    sent++;
    return send(host.port, { method, path, headers, body, localAddress });
  };

  before(async () => {
    host = await startHost({
      settings: { 'user.log.webdav': 'true' },
      users: [
        { name: 'alice', password: PASSWORDS[0]!, groups: ['WebDAV.main'] },
        { name: 'mallory', password: PASSWORDS[3]! },
      ],
    });
  });
  after(() => host?.stop());

  it('one line and one row per request with every field (regressions "bytes in undercounted", "duplicate time key"), and never a password anywhere (regression "password in a URL userinfo")', async () => {
    const alice = basic('alice', PASSWORDS[0]!);
    const authority = `127.0.0.1:${host.port}`;
    assert.equal((await dav('PROPFIND', '/webdav/main/', { authorization: alice, depth: '1' })).status, 207);
    assert.equal(
      (await dav('PUT', '/webdav/main/M%C3%A4dchen.txt', { authorization: alice }, 'x'.repeat(1000))).status,
      201,
    );
    assert.equal((await dav('GET', '/webdav/main/M%C3%A4dchen.txt?download=1', { authorization: alice })).status, 200);
    // Passwords where a client should never put them: the userinfo of a Destination URL...
    const copy = await dav('COPY', '/webdav/main/M%C3%A4dchen.txt', {
      authorization: alice,
      destination: `http://alice:${PASSWORDS[2]}@${authority}/webdav/main/copy.txt`,
    });
    assert.equal(copy.status, 201);
    // ... and of an absolute-form request target.
    sent++;
    const absolute = await rawExchange(
      host.port,
      `GET http://alice:${PASSWORDS[2]}@${authority}/webdav/main/copy.txt HTTP/1.1\r\nHost: ${authority}\r\nAuthorization: ${alice}\r\nConnection: close\r\n\r\n`,
      { timeoutMs: 3_000 },
    );
    assert.equal(absolute.status, 200, absolute.text.slice(0, 200));
    // Refusals are audited too: a wrong password, garbage credentials, a stranger, a throttled guesser.
    for (let i = 0; i < 7; i++)
      await dav(
        'PROPFIND',
        '/webdav/main/',
        { authorization: basic('alice', PASSWORDS[1]!), depth: '0' },
        undefined,
        '127.0.0.8',
      );
    assert.equal(
      (
        await dav('PROPFIND', '/webdav/main/', {
          authorization: 'Basic ' + Buffer.from(`alice${PASSWORDS[1]}`).toString('base64'),
        })
      ).status,
      401,
    );
    assert.equal(
      (await dav('PROPFIND', '/webdav/main/', { authorization: basic('mallory', PASSWORDS[3]!), depth: '0' })).status,
      403,
    );
    assert.equal((await dav('OPTIONS', '/webdav/main/', {})).status, 200);

    const lines = await eventually(() => {
      const found = host.logRecords().filter((r) => r['audit'] === true);
      assert.equal(found.length, sent);
      return found;
    }, 5_000);
    for (const line of lines) {
      for (const field of [
        'time',
        'started',
        'user',
        'address',
        'method',
        'path',
        'destination',
        'status',
        'bytesIn',
        'bytesOut',
        'durationMs',
      ]) {
        assert.ok(field in line, `${field} missing in ${JSON.stringify(line)}`);
      }
      assert.equal(typeof line['durationMs'], 'number');
      assert.ok(!Number.isNaN(Date.parse(String(line['started']))));
    }
    // Each line is JSON with unique keys (a second "time" would leave it to the reader which one counts).
    for (const raw of host
      .logs()
      .split('\n')
      .filter((l) => l.includes('"audit":true'))) {
      assert.equal(raw.match(/"time":/g)?.length, 1, `duplicate keys in ${raw}`);
    }
    const put = lines.find((l) => l['method'] === 'PUT')!;
    assert.deepEqual(
      [put['user'], put['path'], put['status'], put['address']],
      ['alice', '/webdav/main/Mädchen.txt', 201, '127.0.0.1'],
    );
    assert.equal(put['bytesIn'], 1000, 'the body, not the headers');
    assert.equal(
      lines.find((l) => l['method'] === 'GET' && l['path'] === '/webdav/main/Mädchen.txt')?.['status'],
      200,
      'the query is left off',
    );
    const copied = lines.find((l) => l['method'] === 'COPY')!;
    assert.equal(
      copied['destination'],
      `http://${authority}/webdav/main/copy.txt`,
      'the Destination without its userinfo',
    );
    const statuses = lines.filter((l) => l['address'] === '127.0.0.8').map((l) => l['status']);
    assert.ok(statuses.includes(401) && statuses.includes(429), JSON.stringify(statuses));
    assert.ok(lines.some((l) => l['user'] === 'mallory' && l['status'] === 403));

    // The same in the table, once flushed.
    const db = openDatabase(host.dataDir);
    try {
      const rows = await eventually(async () => {
        const found = await db('webdav_audit').select('*').orderBy('id');
        assert.equal(found.length, sent);
        return found;
      }, 5_000);
      const row = rows.find((r) => r.method === 'COPY');
      assert.equal(row.destination, `http://${authority}/webdav/main/copy.txt`);
      assert.ok(rows.every((r) => Number(r.at_ms) > 0 && r.address && r.path && r.status));
    } finally {
      await db.destroy();
    }

    // No password, no Authorization value, in the log, on stderr, or anywhere in the database files.
    const files = (await readdir(host.dataDir)).filter((name) => name.startsWith('mediahost.sqlite3'));
    const everywhere = [
      host.logs(),
      host.stderr(),
      ...(await Promise.all(files.map(async (f) => (await readFile(join(host.dataDir, f))).toString('latin1')))),
    ];
    const secrets = [
      ...PASSWORDS,
      ...PASSWORDS.map((pw) => Buffer.from(`alice:${pw}`).toString('base64')),
      Buffer.from(`alice${PASSWORDS[1]}`).toString('base64'),
      'Basic ',
      'authorization',
    ];
    for (const text of everywhere) {
      for (const secret of secrets)
        assert.ok(
          !text.toLowerCase().includes(secret.toLowerCase()),
          `${JSON.stringify(secret)} appears in a log or the database`,
        );
    }
  });

  it('bytes in and out are the bodies only: a 13-byte PUT is 13 bytes in, chunked or not, and each request of a kept-alive connection counts alone (regression "bytes in counted the headers")', async () => {
    const alice = basic('alice', PASSWORDS[0]!);
    const put = await send(host.port, {
      method: 'PUT',
      path: '/webdav/main/thirteen.txt',
      headers: { authorization: alice },
      body: 'thirteen byte',
    });
    assert.equal(put.status, 201, put.text);
    // With a session cookie the host looks the session up before the plugin sees the request, and the
    // body, sent with the headers, is read meanwhile.
    const session = await login(host.url, 'alice', PASSWORDS[0]!);
    const withCookie = await send(host.port, {
      method: 'PUT',
      path: '/webdav/main/thirteen.txt',
      headers: { authorization: alice, cookie: session.cookie },
      body: 'thirteen byte',
    });
    assert.equal(withCookie.status, 204, withCookie.text);
    const propfindBody = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>';
    const propfind = await send(host.port, {
      method: 'PROPFIND',
      path: '/webdav/main/thirteen.txt',
      headers: { authorization: alice, depth: '0', 'content-type': 'application/xml' },
      body: propfindBody,
    });
    assert.equal(propfind.status, 207, propfind.text);
    // A chunked PUT, a GET and a HEAD, one after the other on one kept-alive connection.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const onOneConnection = (method: string, chunks: string[] = []) =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port: host.port, method, path: '/webdav/main/chunked.txt', agent },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
          },
        );
        req.setHeader('authorization', alice);
        req.on('error', reject);
        for (const chunk of chunks) req.write(chunk);
        req.end();
      });
    try {
      assert.deepEqual(await onOneConnection('PUT', ['hello', ', world!']), { status: 201, reused: false });
      assert.deepEqual(await onOneConnection('GET'), { status: 200, reused: true });
      assert.deepEqual(await onOneConnection('HEAD'), { status: 200, reused: true });
    } finally {
      agent.destroy();
    }

    const db = openDatabase(host.dataDir);
    try {
      const rows = await eventually(async () => {
        const found = await db('webdav_audit')
          .whereIn('path', ['/webdav/main/thirteen.txt', '/webdav/main/chunked.txt'])
          .orderBy('id');
        assert.equal(found.length, 6);
        return found;
      }, 5_000);
      assert.deepEqual(
        rows.map((r) => [r.method, r.path, Number(r.bytes_in), Number(r.bytes_out)]),
        [
          ['PUT', '/webdav/main/thirteen.txt', 13, put.body.length],
          ['PUT', '/webdav/main/thirteen.txt', 13, 0],
          ['PROPFIND', '/webdav/main/thirteen.txt', Buffer.byteLength(propfindBody), propfind.body.length],
          ['PUT', '/webdav/main/chunked.txt', 13, put.body.length],
          ['GET', '/webdav/main/chunked.txt', 0, 13],
          ['HEAD', '/webdav/main/chunked.txt', 0, 0],
        ],
      );
      assert.ok(propfind.body.length > 100, 'a multistatus body was counted out');
    } finally {
      await db.destroy();
    }
  });
});
