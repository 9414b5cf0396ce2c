import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it, it as nodeIt } from 'node:test';
import bcrypt from 'bcryptjs';
import type { Knex } from 'knex';
import { migrate, openMigratedDatabase } from '../../host/db.js';
import { DbGroups } from '../../host/groups.js';
import { DbUsers } from '../../host/users.js';
import { startPostgres, type Postgres } from '../helpers/postgres.js';

let dir: string;
let db: Knex;

describe('host database', () => {
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'host-db-'));
    db = await openMigratedDatabase(dir);
  });
  after(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  sharedTests(() => db);

  it('runs in WAL mode with a busy timeout and foreign keys on', async () => {
    assert.deepEqual(await db.raw('PRAGMA journal_mode'), [{ journal_mode: 'wal' }]);
    assert.deepEqual(await db.raw('PRAGMA busy_timeout'), [{ timeout: 5000 }]);
    assert.deepEqual(await db.raw('PRAGMA foreign_keys'), [{ foreign_keys: 1 }]);
  });

  it('lets a second connection write while the first holds a write transaction (busy timeout)', async () => {
    const other = await openMigratedDatabase(dir);
    try {
      const trx = await db.transaction();
      await trx('groups').insert({ name: 'locked', description: '' });
      const waiting = other('groups').insert({ name: 'waiter', description: '' });
      await new Promise((r) => setTimeout(r, 200));
      await trx.commit();
      await waiting;
      assert.ok(await new DbGroups(db).exists('waiter'));
    } finally {
      await other.destroy();
    }
  });
});

/** What holds on both databases: run on SQLite above and on a real PostgreSQL below. */
function sharedTests(database: () => Knex | undefined): void {
  const db = (): Knex => database()!;
  // Skipped where the database is missing (PostgreSQL not installed, locally).
  const it = (name: string, fn: () => Promise<void>): void =>
    void nodeIt(name, async (t) => (database() ? fn() : t.skip('no such database here')));
  it('keeps its migration history in its own table, apart from the plugin’s', async () => {
    assert.ok(await db().schema.hasTable('host_knex_migrations'));
    assert.ok(!(await db().schema.hasTable('knex_migrations')));
    await migrate(db()); // nothing pending: no error, no change
    assert.equal(((await db()('host_knex_migrations').count('* as n')) as Array<{ n: number }>)[0]!.n, 3);
  });

  it('deletes a user’s memberships and sessions with the user', async () => {
    const users = new DbUsers(db());
    const groups = new DbGroups(db());
    await users.add('temp', 'pw');
    await groups.ensure('G', '');
    await groups.addMember('G', 'temp');
    const id = await users.idOf('temp');
    await db()('sessions').insert({ token_hash: 'h', user_id: id, csrf_token: 'c', expires_at: Date.now() + 1000 });
    await users.remove('temp');
    assert.deepEqual(await db()('group_members').where({ user_id: id }), []);
    assert.deepEqual(await db()('sessions').where({ user_id: id }), []);
  });

  it('stores bcrypt hashes and compares names in NFC', async () => {
    const users = new DbUsers(db());
    await users.add('Zoë', 'secret');
    const row = (await db()('users').where({ name: 'Zoë' }).first('password_hash')) as { password_hash: string };
    assert.match(row.password_hash, /^\$2[aby]\$10\$/);
    assert.deepEqual(await users.verify('Zoe\u0308', 'secret'), { name: 'Zoë', admin: false });
    assert.equal(await users.verify('Zoë', 'secret' + 'x'.repeat(80)), null);
    assert.equal(await users.verify('nobody', 'secret'), null);
  });

  it('a password checked before is right only while it is the stored one', async () => {
    const users = new DbUsers(db());
    await users.add('Ann', 'first password');
    for (let i = 0; i < 3; i++)
      assert.deepEqual(await users.verify('Ann', 'first password'), { name: 'Ann', admin: false });
    await db()('users')
      .where({ name: 'Ann' })
      .update({ password_hash: bcrypt.hashSync('second password', 4) });
    assert.equal(await users.verify('Ann', 'first password'), null, 'remembered, but no longer the stored one');
    assert.deepEqual(await users.verify('Ann', 'second password'), { name: 'Ann', admin: false });
    await users.remove('Ann');
    assert.equal(await users.verify('Ann', 'second password'), null);
  });
}

describe('host database on PostgreSQL', () => {
  let pg: Postgres | undefined;
  let pgDb: Knex | undefined;
  let missing = 'no PostgreSQL';
  before(async () => {
    pg = await startPostgres({ skip: (message) => (missing = message) });
    if (pg) pgDb = await openMigratedDatabase(os.tmpdir(), pg.url);
  });
  after(async () => {
    await pgDb?.destroy();
    await pg?.stop();
  });

  it('has PostgreSQL (or says why not)', (t) => {
    if (!pgDb) t.skip(missing);
  });
  sharedTests(() => pgDb);

  it('reads 64-bit integers as numbers, as SQLite does', async (t) => {
    if (!pgDb) return t.skip(missing);
    const [row] = (await pgDb('host_knex_migrations').count('* as n')) as Array<{ n: unknown }>;
    assert.equal(row!.n, 3);
  });
});
