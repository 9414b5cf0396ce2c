/**
 * Password guessing: failed logins are throttled hard per (user, address)
 * and softly per user, before any bcrypt work, so that 1,000 guesses are
 * refused cheaply, everybody else keeps being answered promptly, and the
 * rightful user still gets in from elsewhere. First the throttle itself
 * (plugin/access/login-throttle.ts) on a clock of the test's own, then the
 * real host under attack, and instances sharing one PostgreSQL database.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { LoginThrottle, MAX_PAIR_FAILURES, MAX_USER_FAILURES } from '../../plugin/access/login-throttle.js';
import knex, { type Knex } from 'knex';
import { Authenticator } from '../../plugin/access/authenticator.js';
import type { DavError } from '../../plugin/dav/errors.js';
import type { HostGroups, HostUsers } from '../../plugin/host-api.js';
import { migrate } from '../../plugin/store/migrations.js';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { startPostgres, type Postgres } from '../helpers/postgres.js';
import { basic, send, type Answer } from '../helpers/raw-http.js';

/** CPU seconds the process has used (user + system, all threads: the bcrypt workers too). */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

/** Runs `count` requests, `parallel` at a time. */
async function flood(count: number, parallel: number, one: (i: number) => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) answers.push(await one(next++));
    }),
  );
  return answers;
}

const countBy = (answers: readonly Answer[]): Record<number, number> => {
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
};

/** `times` failed checks of (user, address), each of them allowed. */
function fail(throttle: LoginThrottle, user: string, address: string, times: number): void {
  for (let i = 0; i < times; i++) {
    const verdict = throttle.check(user, address);
    assert.ok(verdict.allowed, `attempt ${i + 1} should be allowed`);
    throttle.failed(user, address);
  }
}

describe('the throttle on a clock of its own', () => {
  it('a (user, address) pair is refused after the failures limit, with a Retry-After', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    fail(throttle, 'anna', '10.0.0.9', MAX_PAIR_FAILURES);
    const verdict = throttle.check('anna', '10.0.0.9');
    assert.equal(verdict.allowed, false);
    assert.equal(!verdict.allowed && verdict.retryAfterSeconds, 30);
    now += 30_000;
    assert.equal(throttle.check('anna', '10.0.0.9').allowed, true);
  });

  it('lockouts double with each repetition', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    fail(throttle, 'anna', 'a', MAX_PAIR_FAILURES);
    now += 30_000;
    fail(throttle, 'anna', 'a', MAX_PAIR_FAILURES);
    const verdict = throttle.check('anna', 'a');
    assert.equal(!verdict.allowed && verdict.retryAfterSeconds, 60);
  });

  it('the rightful user at another address is not locked out, only slowed softly', () => {
    const throttle = new LoginThrottle(() => 0);
    for (let address = 0; address < 10; address++) fail(throttle, 'anna', `attacker-${address}`, MAX_PAIR_FAILURES - 1);
    const verdict = throttle.check('anna', 'home');
    assert.equal(verdict.allowed, true);
    assert.ok(verdict.allowed && verdict.delayMs > 0 && verdict.delayMs <= 3000, JSON.stringify(verdict));
    assert.ok(MAX_USER_FAILURES < 10 * (MAX_PAIR_FAILURES - 1));
  });

  it('parallel guesses cannot slip past the limit while their checks are under way', () => {
    const throttle = new LoginThrottle(() => 0);
    const allowed = Array.from({ length: 50 }, () => throttle.check('anna', 'x')).filter((verdict) => verdict.allowed);
    assert.equal(allowed.length, MAX_PAIR_FAILURES);
  });

  it('a success clears the pair; an abandoned check frees its place', () => {
    const throttle = new LoginThrottle(() => 0);
    fail(throttle, 'anna', 'x', MAX_PAIR_FAILURES - 1);
    assert.equal(throttle.check('anna', 'x').allowed, true);
    throttle.succeeded('anna', 'x');
    fail(throttle, 'anna', 'x', MAX_PAIR_FAILURES - 1);
    assert.equal(throttle.check('anna', 'x').allowed, true);
    throttle.abandoned('anna', 'x');
    assert.equal(throttle.check('anna', 'x').allowed, true);
  });
});

describe('password guessing', () => {
  let host: HostProcess;
  const propfind = (authorization: string, localAddress: string) =>
    send(host.port, {
      method: 'PROPFIND',
      path: '/webdav/main/',
      headers: { authorization, depth: '0' },
      localAddress,
    });

  before(async () => {
    host = await startHost({
      users: ['alice', 'carol', 'dave', 'erin', 'frank', 'gina'].map((name) => ({
        name,
        password: `${name}-pw`,
        groups: ['WebDAV.main'],
      })),
    });
  });
  after(() => host?.stop());

  /**
   * While `attack` runs, logs in now and then as users whose credentials
   * are not cached yet (each needs a real password check) from addresses of
   * their own; resolves with every probe's answer.
   */
  async function probeDuring(
    attack: Promise<unknown>,
    users: readonly string[],
    firstAddress: number,
  ): Promise<Answer[]> {
    const probes: Answer[] = [];
    let running = true;
    void attack.finally(() => (running = false));
    for (const [i, user] of users.entries()) {
      if (!running && i > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 150));
      probes.push(await propfind(basic(user, `${user}-pw`), `127.0.0.${firstAddress + i}`));
    }
    await attack;
    return probes;
  }

  it('1,000 guesses at one user from one address: refused (429) before bcrypt, others answered promptly, the rightful user gets in elsewhere', async () => {
    const cpuBefore = await cpuSeconds(host.child.pid!);
    const started = Date.now();
    const attack = flood(1000, 50, (i) => propfind(basic('alice', `guess-${i}`), '127.0.0.2'));
    const probes = await probeDuring(attack, ['alice', 'carol', 'dave'], 20);
    const answers = await attack;
    const elapsed = Date.now() - started;
    const cpu = (await cpuSeconds(host.child.pid!)) - cpuBefore;

    const counts = countBy(answers);
    assert.equal(answers.length, 1000);
    assert.deepEqual(Object.keys(counts).sort(), ['401', '429'], JSON.stringify(counts));
    // Only the first few guesses reach the password check; the rest never cost a bcrypt compare.
    assert.ok(counts[401]! <= 5, `${counts[401]} guesses were checked: ${JSON.stringify(counts)}`);
    assert.ok(
      answers.filter((a) => a.status === 429).every((a) => Number(a.headers['retry-after']) >= 1),
      'every 429 says when to retry',
    );
    // 1,000 bcrypt compares would take over a minute of CPU.
    assert.ok(cpu < 10, `the host used ${cpu} s of CPU for 1,000 guesses`);
    assert.ok(elapsed < 20_000, `the attack took ${elapsed} ms`);

    // Meanwhile the rightful user (and others) logged in from elsewhere, promptly.
    assert.ok(probes.length >= 1);
    for (const probe of probes) {
      assert.equal(probe.status, 207);
      assert.ok(probe.ms < 2_000, `a login during the attack took ${probe.ms} ms`);
    }
  });

  it('the rightful user locked out at one address still gets in from another, with her first, uncached check', async () => {
    // frank's pair at 127.0.0.4 is locked after a handful of guesses.
    const guesses = await flood(10, 1, (i) => propfind(basic('frank', `guess-${i}`), '127.0.0.4'));
    assert.equal(guesses.at(-1)!.status, 429);
    const locked = await propfind(basic('frank', 'frank-pw'), '127.0.0.4');
    assert.equal(locked.status, 429, 'the locked (user, address) pair is refused even the right password');
    const elsewhere = await propfind(basic('frank', 'frank-pw'), '127.0.0.5');
    assert.equal(elsewhere.status, 207);
    assert.ok(elsewhere.ms < 2_000, `${elsewhere.ms} ms`);
  });

  it('regression "password spraying": 1,000 guesses at 1,000 different names from one address are refused before bcrypt, and logins elsewhere stay prompt', async () => {
    const cpuBefore = await cpuSeconds(host.child.pid!);
    const attack = flood(1000, 50, (i) => propfind(basic(`user${i}`, 'Summer2024!'), '127.0.0.3'));
    const probes = await probeDuring(attack, ['erin', 'carol'], 40);
    const answers = await attack;
    const cpu = (await cpuSeconds(host.child.pid!)) - cpuBefore;
    const counts = countBy(answers);
    assert.deepEqual(Object.keys(counts).sort(), ['401', '429'], JSON.stringify(counts));
    assert.ok(counts[401]! <= 35, `${counts[401]} guesses reached the password check: ${JSON.stringify(counts)}`);
    assert.ok(cpu < 10, `the host used ${cpu} s of CPU`);
    for (const probe of probes) {
      assert.equal(probe.status, 207);
      assert.ok(probe.ms < 2_000, `a login during the spraying took ${probe.ms} ms`);
    }
  });

  it('regression "parallel first requests taken for guessing": a client opening many connections at once with the right password is not refused', async () => {
    // rclone, Explorer and Finder start with several parallel requests before anything is cached.
    const answers = await Promise.all(
      Array.from({ length: 16 }, () => propfind(basic('dave', 'dave-pw'), '127.0.0.6')),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(16).fill(207),
    );
  });

  it('guesses from many addresses only slow the user down softly: never locked out', async () => {
    // 6 addresses × 5 guesses: past the soft per-user limit, but no pair of the rightful user is locked.
    for (let address = 0; address < 6; address++) {
      await flood(5, 5, (i) => propfind(basic('gina', `guess-${address}-${i}`), `127.0.1.${address + 1}`));
    }
    const rightful = await propfind(basic('gina', 'gina-pw'), '127.0.2.1');
    assert.equal(rightful.status, 207);
    assert.ok(rightful.ms < 5_000, `${rightful.ms} ms`);
  });
});

describe('instances sharing one PostgreSQL database', () => {
  let pg: Postgres | undefined;
  let db: Knex | undefined;
  let missing = 'no PostgreSQL';
  before(async () => {
    pg = await startPostgres({ skip: (message) => (missing = message) });
    if (!pg) return;
    db = knex({ client: 'pg', connection: pg.url, pool: { min: 0, max: 4 } });
    await migrate(db);
  });
  after(async () => {
    await db?.destroy();
    await pg?.stop();
  });

  const users: HostUsers = {
    verify: async (name, password) => (name === 'alice' && password === 'right' ? { name, admin: false } : null),
    find: async () => null,
    list: async () => [],
  };
  const groups = { ensure: async () => {}, isMember: async () => false } as unknown as HostGroups;

  it('five wrong passwords alternating between two instances lock the pair as five on one would', async (t) => {
    if (!db) return t.skip(missing);
    const a = new Authenticator(users, groups, undefined, db);
    const b = new Authenticator(users, groups, undefined, db);
    for (let i = 0; i < MAX_PAIR_FAILURES; i++) {
      const instance = i % 2 === 0 ? a : b;
      assert.equal(await instance.authenticate({ user: 'alice', password: `wrong-${i}` }, '10.0.0.9'), null);
    }
    for (const instance of [a, b])
      await assert.rejects(
        instance.authenticate({ user: 'alice', password: 'right' }, '10.0.0.9'),
        (err: DavError) => err.status === 429 && Number(err.headers['Retry-After']) > 0,
        'locked on both instances, even with the right password',
      );
    // A fresh instance (a third process started later) knows it too.
    const c = new Authenticator(users, groups, undefined, db);
    await assert.rejects(c.authenticate({ user: 'alice', password: 'right' }, '10.0.0.9'), /Too many failed logins/);
    // Another address is not locked out by this one.
    assert.deepEqual(await c.authenticate({ user: 'alice', password: 'right' }, '10.0.0.10'), {
      name: 'alice',
      admin: false,
    });
  });

  it('a success on one instance clears the pair on the other', async (t) => {
    if (!db) return t.skip(missing);
    const a = new Authenticator(users, groups, undefined, db);
    const b = new Authenticator(users, groups, undefined, db);
    for (let i = 0; i < MAX_PAIR_FAILURES - 1; i++)
      assert.equal(await a.authenticate({ user: 'alice', password: `bad-${i}` }, '10.0.1.1'), null);
    assert.ok(await b.authenticate({ user: 'alice', password: 'right' }, '10.0.1.1'));
    for (let i = 0; i < MAX_PAIR_FAILURES - 1; i++)
      assert.equal(await a.authenticate({ user: 'alice', password: `again-${i}` }, '10.0.1.1'), null, 'counting anew');
  });
});
