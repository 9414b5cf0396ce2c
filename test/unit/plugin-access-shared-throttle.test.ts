/**
 * The WebDAV login throttle shared through PostgreSQL
 * (plugin/access/shared-throttle.ts): two "instances", each with its own
 * in-memory LoginThrottle, on one real database. Failures spread over both
 * count as on one, also when they land at the very same moment.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { openDatabase } from '../../host/db.js';
import { LoginThrottle, MAX_PAIR_FAILURES, throttleKeys } from '../../plugin/access/login-throttle.js';
import { SharedThrottle } from '../../plugin/access/shared-throttle.js';
import { migrate } from '../../plugin/store/migrations.js';
import { postgresForThisFile, postgresSuites } from '../helpers/postgres.js';

const USER = 'mallory';
const ADDRESS = '192.0.2.7';

if (!postgresSuites())
  it('SharedThrottle on PostgreSQL', (t) => t.skip('PostgreSQL is not installed (Debian package postgresql)'));
else
  describe('SharedThrottle on PostgreSQL', () => {
    let db: Knex;
    before(async () => {
      db = await openDatabase('', (await postgresForThisFile()).url);
      await migrate(db);
      // Open connections, so the transactions really overlap instead of each waiting for a connect.
      await Promise.all(Array.from({ length: 7 }, () => db.raw('select pg_sleep(0.05)')));
    });
    after(() => db.destroy());
    beforeEach(async () => {
      await db('webdav_login_throttle').delete();
    });

    /** One instance's view: its own memory, the shared table. */
    const instance = () => {
      const throttle = new LoginThrottle();
      return { throttle, shared: new SharedThrottle(db, throttle) };
    };

    /** A wrong password as the authenticator handles it: pull, check, settle the failure. */
    async function failOn(node: ReturnType<typeof instance>): Promise<boolean> {
      await node.shared.pull(USER, ADDRESS);
      const verdict = node.throttle.check(USER, ADDRESS);
      if (!verdict.allowed) return false;
      await node.shared.settle(USER, ADDRESS, () => node.throttle.failed(USER, ADDRESS));
      return true;
    }

    const failuresInDb = async (): Promise<number> => {
      const pairRow = (await db('webdav_login_throttle').select('key', 'failures')).find((row: { key: string }) =>
        row.key.startsWith('pair:'),
      ) as { failures: number | string } | undefined;
      return Number(pairRow?.failures ?? 0);
    };

    it('counts failures alternating between two instances as on one, and refuses the next', async () => {
      const a = instance();
      const b = instance();
      for (let i = 0; i < MAX_PAIR_FAILURES - 1; i++)
        assert.ok(await failOn(i % 2 ? b : a), `attempt ${i + 1} allowed`);
      assert.equal(await failuresInDb(), MAX_PAIR_FAILURES - 1);
      assert.ok(await failOn(b), 'the last allowed attempt');
      await a.shared.pull(USER, ADDRESS);
      assert.equal(a.throttle.check(USER, ADDRESS).allowed, false, 'locked on A');
      await b.shared.pull(USER, ADDRESS);
      assert.equal(b.throttle.check(USER, ADDRESS).allowed, false, 'locked on B');
    });

    it('counts failures settled at the very same moment on several instances one by one', async () => {
      const first = instance();
      assert.ok(await failOn(first), 'a first failure: the rows exist, so only their locks keep the others apart');
      // Each from its own address, so no pair or address reaches its lockout; they share the user's record.
      const others = Array.from({ length: 6 }, (_, i) => ({ node: instance(), address: `192.0.2.${100 + i}` }));
      // All pulled before any settled: the race that a read-then-write would lose.
      await Promise.all(others.map(({ node, address }) => node.shared.pull(USER, address)));
      for (const { node, address } of others) assert.ok(node.throttle.check(USER, address).allowed);
      await Promise.all(
        others.map(({ node, address }) => node.shared.settle(USER, address, () => node.throttle.failed(USER, address))),
      );
      const userRow = (await db('webdav_login_throttle').select('key', 'failures')).find((row: { key: string }) =>
        row.key.startsWith('user:'),
      ) as { failures: unknown };
      assert.equal(Number(userRow.failures), 1 + others.length, 'every failure counted for the user');
    });

    it("a success removes the pair's record for every instance", async () => {
      const a = instance();
      const b = instance();
      assert.ok(await failOn(a));
      assert.ok(await failOn(b));
      await b.shared.pull(USER, ADDRESS);
      assert.ok(b.throttle.check(USER, ADDRESS).allowed);
      await b.shared.settle(USER, ADDRESS, () => b.throttle.succeeded(USER, ADDRESS));
      assert.equal(await failuresInDb(), 0);
      await a.shared.pull(USER, ADDRESS);
      assert.equal(a.throttle.state(throttleKeys(USER, ADDRESS)[0]!), undefined, "A forgot the pair's failures");
    });
  });
