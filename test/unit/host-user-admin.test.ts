import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { describeChange } from '../../host/admin-audit.js';
import { openMigratedDatabase } from '../../host/db.js';
import { UserError } from '../../host/errors.js';
import { UserAdmin, type Actor } from '../../host/user-admin.js';
import { FieldErrors } from '../../host/user-rules.js';
import { DbUsers } from '../../host/users.js';
import { postgresForThisFile, postgresSuites } from '../helpers/postgres.js';

let dir: string;
let db: Knex;
let admin: UserAdmin;
const web: Actor = { name: 'boss', user: 'boss', via: 'web' };
const cli: Actor = { name: 'root', via: 'cli' };

const rejectsWith = (promise: Promise<unknown>, status: number, message: RegExp): Promise<void> =>
  assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof UserError, String(err));
    assert.equal(err.status, status);
    assert.match(err.message, message);
    return true;
  });

/** SQLite in a data folder, and a real PostgreSQL when this machine has one. */
const DATABASES: Array<{ label: string; url: () => Promise<string | undefined> }> = [
  { label: '', url: async () => undefined },
  ...(postgresSuites()
    ? [{ label: ' on PostgreSQL', url: async () => (await postgresForThisFile()).createDatabase('user_admin') }]
    : []),
];
if (!postgresSuites())
  it('host user administration on PostgreSQL', (t) =>
    t.skip('PostgreSQL is not installed (Debian package postgresql)'));

for (const { label, url } of DATABASES)
  describe(`host user administration (host/user-admin.ts)${label}`, () => {
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'host-user-admin-'));
      db = await openMigratedDatabase(dir, await url());
      admin = new UserAdmin(db);
      await db('groups').insert([
        { name: 'WebDAV.main', description: '' },
        { name: 'Family', description: '' },
      ]);
      await new DbUsers(db).add('boss', 'pw', { admin: true });
    });
    after(async () => {
      await db.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    it('creates a user and its audit entry together; of two creations of one name, one wins and one is audited', async () => {
      const results = await Promise.allSettled([
        admin.create(web, { name: 'anna', password: 'pw', groups: ['Family'] }),
        admin.create(web, { name: 'anna', password: 'pw2', groups: ['Family'] }),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.equal((refused.reason as UserError).status, 409);
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      assert.ok(await new DbUsers(db).verify('anna', ['pw', 'pw2'][winner]!), 'the password of the creation that won');
      const entries = await admin.audit({ target: 'anna' });
      assert.equal(entries.length, 1);
      assert.equal(describeChange(entries[0]!), 'created anna, in Family');
    });

    it('reports every problem of a new user at once, as FieldErrors', async () => {
      await assert.rejects(admin.create(web, { name: 'a:b', password: '', groups: ['Nope'] }), (err: unknown) => {
        assert.ok(err instanceof FieldErrors);
        assert.deepEqual(
          err.errors.map((e) => e.field),
          ['name', 'password', 'groups'],
        );
        assert.equal(err.status, 400);
        return true;
      });
      assert.equal(await admin.user('a:b'), null);
    });

    it('refuses an admin their own deletion and admin rights, but not the command line', async () => {
      await rejectsWith(admin.remove(web, 'boss'), 409, /your own account/);
      await rejectsWith(admin.remove({ ...web, user: 'boss', name: 'boss' }, 'boss'), 409, /your own account/);
      await rejectsWith(admin.setAdmin(web, 'boss', false), 409, /your own administrator rights/);
      assert.equal(await admin.setAdmin(web, 'boss', true), false, 'granting what one has changes nothing');
      await admin.create(cli, { name: 'temp', password: 'pw', admin: true });
      await admin.remove(cli, 'temp');
      assert.equal(await admin.user('temp'), null);
    });

    it('records only changes: setting the same groups again writes no entry', async () => {
      const before = (await admin.audit({ target: 'anna' })).length;
      assert.deepEqual(await admin.setGroups(web, 'anna', ['Family']), { added: [], removed: [] });
      assert.equal(await admin.addToGroup(cli, 'Family', 'anna'), false);
      assert.equal(await admin.removeFromGroup(cli, 'WebDAV.main', 'anna'), false);
      assert.equal((await admin.audit({ target: 'anna' })).length, before);
      assert.deepEqual(await admin.setGroups(web, 'anna', ['WebDAV.main', 'WebDAV.main']), {
        added: ['WebDAV.main'],
        removed: ['Family'],
      });
      assert.equal(
        describeChange((await admin.audit({ target: 'anna', limit: 1 }))[0]!),
        'changed the groups of anna: added to WebDAV.main; removed from Family',
      );
    });

    it('ends the user’s sessions on a new password, but the actor’s own', async () => {
      const ids = await db('users').whereIn('name', ['anna', 'boss']).select('id', 'name');
      const id = (name: string): number =>
        (ids as Array<{ id: number; name: string }>).find((r) => r.name === name)!.id;
      const session = (hash: string, user: string) => ({
        token_hash: hash,
        user_id: id(user),
        csrf_token: 'c',
        expires_at: Date.now() + 60_000,
      });
      await db('sessions').insert([
        session('a1', 'anna'),
        session('a2', 'anna'),
        session('b1', 'boss'),
        session('b2', 'boss'),
      ]);
      assert.deepEqual(await admin.setPassword(web, 'anna', 'new'), { sessionsEnded: 2 });
      const own = await admin.setPassword({ ...web, session: 'b1' }, 'boss', undefined);
      assert.equal(own.sessionsEnded, 1);
      assert.match(own.generatedPassword ?? '', /^[A-Za-z0-9_-]{24}$/);
      assert.deepEqual(
        (await db('sessions').select('token_hash')).map((r: { token_hash: string }) => r.token_hash),
        ['b1'],
      );
      assert.ok(await new DbUsers(db).verify('boss', own.generatedPassword!));
      const text = JSON.stringify(await db('host_audit').select());
      assert.ok(!text.includes(own.generatedPassword!) && !text.includes('"new"'), 'no password in the audit');
    });
  });
