/** `user.log.webdav=true`: one structured line and one row per request, nothing secret. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventually } from '../helpers/host-process.js';
import { startPlugin } from '../helpers/plugin-harness.js';

test('every WebDAV request is audited with user, method, path, status and bytes; no password anywhere', async () => {
  const harness = await startPlugin({ settings: { 'user.log.webdav': 'true' } });
  try {
    await writeFile(join(harness.root, 'Mädchen.jpg'), Buffer.alloc(1000, 7));
    assert.equal((await harness.fetch('/webdav/main/M%C3%A4dchen.jpg')).status, 200);
    assert.equal((await harness.fetch('/webdav/main/', { method: 'PROPFIND', user: 'bob', headers: { depth: '1' } })).status, 403);
    assert.equal((await harness.fetch('/webdav/main/', { method: 'PROPFIND', headers: { authorization: 'Basic bWFsbG9yeTpzM2NyM3Q=' } })).status, 401);

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
    assert.ok(Number(rows[0].bytes_out) >= 1000, `bytes_out ${rows[0].bytes_out}`);
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

test('without user.log.webdav nothing is audited', async () => {
  const harness = await startPlugin();
  try {
    assert.equal((await harness.fetch('/webdav/main/', { method: 'PROPFIND', headers: { depth: '0' } })).status, 207);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    assert.equal((await harness.db('webdav_audit').count({ n: '*' }))[0]!.n, 0);
  } finally {
    await harness.stop();
  }
});
