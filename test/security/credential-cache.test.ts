/**
 * The credential cache: it keeps bcrypt off the hot path, but it must hold
 * no password in clear, and a removed user, a changed password or a removed
 * membership must stop working within 5 seconds even while the client keeps
 * the cache entry busy. (test/security/access.test.ts checks a password
 * change and a membership removal made with the CLI; here the client
 * hammers the server meanwhile, and a user is deleted outright.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Authenticator } from '../../plugin/access/authenticator.js';
import type { HostGroups, HostUser, HostUsers } from '../../plugin/host-api.js';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { basic, send, sleep } from '../helpers/raw-http.js';

/** Every string reachable from `root` (own properties, Map and Set entries, array items, buffers as latin1 and hex). */
function reachableStrings(root: unknown): string[] {
  const seen = new Set<unknown>();
  const strings: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === 'string') return void strings.push(value);
    if (value === null || typeof value !== 'object' || seen.has(value) || depth > 12) return;
    seen.add(value);
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
      const buffer = Buffer.from(value as Uint8Array);
      strings.push(buffer.toString('latin1'), buffer.toString('hex'), buffer.toString('base64'));
      return;
    }
    if (value instanceof Map)
      for (const [k, v] of value) {
        visit(k, depth + 1);
        visit(v, depth + 1);
      }
    else if (value instanceof Set) for (const v of value) visit(v, depth + 1);
    for (const key of Reflect.ownKeys(value)) {
      if (typeof key === 'string') strings.push(key);
      try {
        visit((value as Record<PropertyKey, unknown>)[key], depth + 1);
      } catch {
        // a getter that throws
      }
    }
  };
  visit(root, 0);
  return strings;
}

describe('the credential cache', () => {
  it('holds no password in clear, neither for right nor for wrong credentials', async () => {
    const password = 'correct horse battery staple';
    const wrong = 'Tr0ub4dor&3';
    const users: HostUsers = {
      verify: async (name, pw): Promise<HostUser | null> =>
        name === 'anna' && pw === password ? { name, admin: false } : null,
      find: async (name) => ({ name, admin: false }),
      list: async () => ['anna'],
    };
    const groups = { isMember: async () => true } as unknown as HostGroups;
    const authenticator = new Authenticator(users, groups);
    assert.deepEqual(await authenticator.authenticate({ user: 'anna', password }, '10.0.0.1'), {
      name: 'anna',
      admin: false,
    });
    assert.equal(await authenticator.authenticate({ user: 'anna', password: wrong }, '10.0.0.2'), null);
    // Cached now: the second round is answered from the cache.
    assert.deepEqual(await authenticator.authenticate({ user: 'anna', password }, '10.0.0.1'), {
      name: 'anna',
      admin: false,
    });

    const secrets = [
      password,
      wrong,
      Buffer.from(`anna:${password}`).toString('base64'),
      Buffer.from(password).toString('hex'),
    ];
    const strings = reachableStrings(authenticator);
    assert.ok(strings.length > 5, 'the walk found the cache');
    // The walk would see a password kept anywhere in such a structure.
    assert.ok(reachableStrings({ cache: new Map([['key', { entry: new Set([password]) }]]) }).includes(password));
    for (const secret of secrets) {
      assert.ok(!strings.some((s) => s.includes(secret)), `the authenticator keeps ${JSON.stringify(secret)}`);
    }
  });
});

describe('changes reach the cache within 5 seconds, however busy the client keeps it', { concurrency: true }, () => {
  let host: HostProcess;
  before(async () => {
    host = await startHost({
      users: [
        { name: 'ulla', password: 'ulla-pw', groups: ['WebDAV.main'] },
        { name: 'vera', password: 'vera-pw', groups: ['WebDAV.main'] },
        { name: 'wim', password: 'wim-pw', groups: ['WebDAV.main'] },
      ],
    });
  });
  after(() => host?.stop());

  /**
   * Sends a request every 50 ms (keeping the cache entry in use) until it
   * gets `status`; resolves with the milliseconds since `since`.
   */
  async function hammerUntil(authorization: string, status: number, since: number): Promise<number> {
    for (;;) {
      const res = await send(host.port, {
        method: 'PROPFIND',
        path: '/webdav/main/',
        headers: { authorization, depth: '0' },
        localAddress: '127.0.0.7',
      });
      if (res.status === status) return Date.now() - since;
      if (Date.now() - since > 8_000) assert.fail(`still ${res.status} after 8 s`);
      await sleep(50);
    }
  }

  for (const change of [
    { what: 'a deleted user', user: 'ulla', args: ['user', 'remove', 'ulla'], then: 401 },
    {
      what: 'a changed password',
      user: 'vera',
      args: ['user', 'passwd', 'vera', '--password', 'vera-new-pw'],
      then: 401,
    },
    { what: 'a removed membership', user: 'wim', args: ['group', 'remove-member', 'WebDAV.main', 'wim'], then: 403 },
  ]) {
    it(`${change.what} loses access within 5 s`, async () => {
      const authorization = basic(change.user, `${change.user}-pw`);
      await hammerUntil(authorization, 207, Date.now());
      // Keep the entry hot while the change is made in another process.
      const hammering = (async () => {
        const end = Date.now() + 1000;
        while (Date.now() < end) {
          await send(host.port, {
            method: 'PROPFIND',
            path: '/webdav/main/',
            headers: { authorization, depth: '0' },
            localAddress: '127.0.0.7',
          });
          await sleep(50);
        }
      })();
      await sleep(500);
      const result = await host.cli(change.args);
      assert.equal(result.code, 0, result.stderr);
      const changedAt = Date.now();
      await hammering;
      const took = await hammerUntil(authorization, change.then, changedAt);
      assert.ok(took <= 5_000, `${change.what} kept access for ${took} ms`);
    });
  }
});
