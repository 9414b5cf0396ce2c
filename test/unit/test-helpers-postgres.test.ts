/** The PostgreSQL the tests start must be real, restartable, and leave nothing behind. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import knex from 'knex';
import { startPostgres } from '../helpers/postgres.js';

test('a server on 127.0.0.1 with a database of its own, which keeps its data over a restart and is removed by stop()', async (t) => {
  const pg = await startPostgres(t);
  if (!pg) return;
  const db = knex({ client: 'pg', connection: pg.url, pool: { min: 0, max: 2 } });
  try {
    assert.match(pg.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/webdav_/);
    const [row] = (await db.raw('select current_database() as name, inet_server_addr()::text as addr, version() as v'))
      .rows as Array<{ name: string; addr: string; v: string }>;
    assert.equal(row!.name, pg.database);
    assert.match(row!.addr, /^127\.0\.0\.1/);
    assert.match(row!.v, /^PostgreSQL \d+/);
    await db.schema.createTable('kept', (table) => table.string('word'));
    await db('kept').insert({ word: 'before' });

    await pg.restart();
    assert.deepEqual(await db('kept').select('word'), [{ word: 'before' }], 'the pool reconnects after the restart');

    const other = await pg.createDatabase('other_db');
    assert.equal(other, `postgres://postgres@127.0.0.1:${pg.port}/other_db`);
  } finally {
    await db.destroy();
    await pg.stop();
  }
  assert.equal(existsSync(pg.dir), false, 'the folder is gone');
  const again = knex({ client: 'pg', connection: { connectionString: pg.url, connectionTimeoutMillis: 2000 } });
  try {
    await assert.rejects(again.raw('select 1'), /ECONNREFUSED|connect/);
  } finally {
    await again.destroy();
  }
});
