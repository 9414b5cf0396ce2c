/**
 * The database of the real host: SQLite in WAL mode; dead properties and
 * locks survive even a SIGKILL (test/protocol/lock-restart.test.ts covers a
 * clean restart); and concurrent writers — the CLI in other processes,
 * another program holding the write lock for a while, the audit log — never
 * make an SQLITE_BUSY error reach a WebDAV client.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sqlite3 from 'sqlite3';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { LOCK_BODY, basic, send, sleep } from '../helpers/raw-http.js';

const ALICE = basic('alice', 'alice-pw');
const propertyUpdate = (value: string) =>
  `<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:test:"><D:set><D:prop><Z:note>${value}</Z:note></D:prop></D:set></D:propertyupdate>`;
const NOTE_QUERY =
  '<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:Z="urn:test:"><D:prop><Z:note/><D:lockdiscovery/></D:prop></D:propfind>';

/** Runs SQL on a connection of this process's own (another program on the same database file). */
function exec(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(sql, (error) => (error ? reject(error) : resolve())));
}

function get(db: sqlite3.Database, sql: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) =>
    db.get(sql, (error: Error | null, row: Record<string, unknown>) => (error ? reject(error) : resolve(row))),
  );
}

describe('the database', () => {
  let dataDir: string;
  let host: HostProcess | undefined;
  const dav = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    send(host!.port, { method, path, headers: { authorization: ALICE, ...headers }, body, timeoutMs: 20_000 });

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'database-'));
    host = await startHost({
      dataDir,
      settings: { 'user.log.webdav': 'true' },
      users: [{ name: 'alice', password: 'alice-pw', groups: ['WebDAV.main'] }],
    });
  });
  after(async () => {
    await host?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs SQLite in WAL mode', async () => {
    const db = new sqlite3.Database(join(dataDir, 'mediahost.sqlite3'));
    try {
      assert.equal((await get(db, 'PRAGMA journal_mode'))['journal_mode'], 'wal');
    } finally {
      db.close();
    }
  });

  it('keeps dead properties and locks through a SIGKILL and a restart', async () => {
    assert.equal((await dav('PUT', '/webdav/main/kept.jpg', {}, 'photo')).status, 201);
    assert.equal(
      (
        await dav(
          'PROPPATCH',
          '/webdav/main/kept.jpg',
          { 'content-type': 'application/xml' },
          propertyUpdate('survives'),
        )
      ).status,
      207,
    );
    const locked = await dav(
      'LOCK',
      '/webdav/main/kept.jpg',
      { 'content-type': 'application/xml', timeout: 'Second-3600', depth: '0' },
      LOCK_BODY,
    );
    assert.equal(locked.status, 200, locked.text);
    const token = String(locked.headers['lock-token']).replace(/^<|>$/g, '');

    host!.child.kill('SIGKILL');
    await host!.stop();
    host = await startHost({ dataDir });

    const found = await dav(
      'PROPFIND',
      '/webdav/main/kept.jpg',
      { depth: '0', 'content-type': 'application/xml' },
      NOTE_QUERY,
    );
    assert.equal(found.status, 207);
    assert.match(found.text, /<Z:note[^>]*>survives<\/Z:note>/);
    assert.ok(found.text.includes(token), 'the lock is still discovered');
    assert.equal((await dav('PUT', '/webdav/main/kept.jpg', {}, 'no token')).status, 423);
    assert.equal((await dav('PUT', '/webdav/main/kept.jpg', { if: `(<${token}>)` }, 'with token')).status, 204);
    assert.equal((await dav('UNLOCK', '/webdav/main/kept.jpg', { 'lock-token': `<${token}>` })).status, 204);
  });

  it('waits for another program holding the write lock (no SQLITE_BUSY reaches the client)', async () => {
    for (let i = 0; i < 10; i++) assert.equal((await dav('PUT', `/webdav/main/wait-${i}.jpg`, {}, 'x')).status, 201);
    const other = new sqlite3.Database(join(dataDir, 'mediahost.sqlite3'));
    try {
      await exec(
        other,
        "PRAGMA busy_timeout=5000; BEGIN IMMEDIATE; INSERT INTO host_meta (key, value) VALUES ('held-by-test', '1')",
      );
      const started = Date.now();
      const writes = Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          i % 2 === 0
            ? dav(
                'PROPPATCH',
                `/webdav/main/wait-${i}.jpg`,
                { 'content-type': 'application/xml' },
                propertyUpdate(`held-${i}`),
              )
            : dav('LOCK', `/webdav/main/wait-${i}.jpg`, { 'content-type': 'application/xml', depth: '0' }, LOCK_BODY),
        ),
      );
      await sleep(2_000);
      await exec(other, 'COMMIT');
      const answers = await writes;
      for (const answer of answers) assert.ok([200, 207].includes(answer.status), `${answer.status} ${answer.text}`);
      assert.ok(answers.every((a) => !/<D:status>HTTP\/1\.1 5/.test(a.text)));
      assert.ok(Date.now() - started >= 1_900, 'the writes waited for the lock');
    } finally {
      await exec(other, "DELETE FROM host_meta WHERE key = 'held-by-test'").catch(() => undefined);
      other.close();
    }
  });

  it('handles the CLI writing from other processes while WebDAV clients write: every answer succeeds', async () => {
    const webdav = Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const path = `/webdav/main/busy-${i % 6}.jpg`;
        switch (i % 3) {
          case 0:
            return dav('PUT', path, {}, `content ${i}`);
          case 1:
            return dav(
              'PROPPATCH',
              `/webdav/main/kept.jpg`,
              { 'content-type': 'application/xml' },
              propertyUpdate(`busy-${i}`),
            );
          default:
            return dav('PROPFIND', '/webdav/main/', { depth: '1' });
        }
      }),
    );
    const cli = Promise.all([
      ...Array.from({ length: 4 }, (_, i) => host!.cli(['group', 'add', `Busy.${i}`])),
      ...Array.from({ length: 3 }, (_, i) =>
        host!.cli(['user', 'add', `busy${i}`, '--password', 'pw-pw-pw', '--group', 'WebDAV.main']),
      ),
      host!.cli(['settings', 'set', 'webdav.deleteallowed', 'true']),
    ]);
    const [answers, commands] = await Promise.all([webdav, cli]);
    for (const answer of answers)
      assert.ok([201, 204, 207].includes(answer.status), `${answer.status} ${answer.text.slice(0, 200)}`);
    for (const result of commands) assert.equal(result.code, 0, result.stderr);
    await sleep(1_500); // the audit log is written in batches
    const busy = host!.logRecords().filter((r) => /SQLITE_BUSY|database is locked/i.test(JSON.stringify(r)));
    assert.deepEqual(busy, []);
    assert.ok(!host!.logRecords().some((r) => r['msg'] === 'request failed'), 'no request failed');
  });
});
