/**
 * GET admin/traffic against the real host with `user.log.webdav=true`:
 * requests made through WebDAV now, and audit rows of earlier days written
 * into the database, come back as per-day totals of requests and body bytes
 * for the last 30 days, every day present, filtered by user and by share,
 * and on the caller's clock. Only admins may ask; a bad query is a 400 that
 * names the field.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { assertSchema, call } from '../helpers/api.js';
import { eventually, login, startHost, type HostProcess, type WebLogin } from '../helpers/host-process.js';
import { basic, send } from '../helpers/raw-http.js';
import { openDatabase } from '../../host/db.js';

const DAY_MS = 86_400_000;
const ANNA = basic('anna', 'anna-pw');
const BOB = basic('bob', 'bob-pw');

interface Counts {
  requests: number;
  bytesIn: number;
  bytesOut: number;
}
interface Day extends Counts {
  date: string;
}

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const zero = (): Counts => ({ requests: 0, bytesIn: 0, bytesOut: 0 });

describe('admin API: traffic per day', () => {
  let host: HostProcess;
  let admin: WebLogin;
  let scans: string;
  let db: Knex;
  /** What the test sent through WebDAV today, per user and per share, as the client counted it. */
  const sent = { all: zero(), anna: zero(), bob: zero(), main: zero(), scans: zero() };

  const traffic = async (query = '') => {
    const res = await call(host.url, 'GET', `/admin/traffic${query}`, { as: admin });
    assert.equal(res.status, 200, res.text);
    assertSchema('admin-traffic-response.schema.json', res.json);
    return res.json as { perDay: Day[]; totals: Counts; users: string[]; shares: string[]; days: number };
  };
  const counts = (day: Day | undefined): Counts => ({
    requests: day?.requests ?? -1,
    bytesIn: day?.bytesIn ?? -1,
    bytesOut: day?.bytesOut ?? -1,
  });

  /** One WebDAV request, counted for its user and share as the server should count it: bodies only. */
  const dav = async (who: 'anna' | 'bob' | null, method: string, pathname: string, body?: string) => {
    const headers: Record<string, string> = { depth: '1' };
    if (who) headers['authorization'] = who === 'anna' ? ANNA : BOB;
    else headers['authorization'] = basic('mallory', 'guess');
    const answer = await send(host.port, { method, path: pathname, headers, body });
    const bytesIn = body === undefined ? 0 : Buffer.byteLength(body);
    const bytesOut = method === 'HEAD' ? 0 : answer.body.length;
    const share = pathname.split('/')[2] as 'main' | 'scans';
    for (const key of ['all', ...(who ? [who] : []), share] as const) {
      sent[key].requests += 1;
      sent[key].bytesIn += bytesIn;
      sent[key].bytesOut += bytesOut;
    }
    return answer.status;
  };

  before(async () => {
    scans = await mkdtemp(path.join(tmpdir(), 'traffic-scans-'));
    host = await startHost({
      users: [
        { name: 'anna', password: 'anna-pw', groups: ['WebDAV.main'] },
        { name: 'bob', password: 'bob-pw', groups: ['WebDAV.scans'] },
      ],
      settings: { 'user.log.webdav': 'true', 'webdav.0.path': scans, 'webdav.0.webdavmount': 'scans' },
    });
    admin = await login(host.url, 'admin', host.adminPassword!);
    db = openDatabase(host.dataDir);

    assert.equal(await dav('anna', 'PUT', '/webdav/main/note.txt', 'thirteen byte'), 201);
    assert.equal(await dav('anna', 'GET', '/webdav/main/note.txt'), 200);
    assert.equal(await dav('anna', 'PROPFIND', '/webdav/main/'), 207);
    assert.equal(await dav('bob', 'PUT', '/webdav/scans/scan-1.pdf', 'x'.repeat(2500)), 201);
    assert.equal(await dav('bob', 'PUT', '/webdav/scans/scan-2.pdf', 'y'.repeat(700)), 201);
    assert.equal(await dav('bob', 'HEAD', '/webdav/scans/scan-1.pdf'), 200);
    // Not a member: refused, still traffic of bob's on main.
    assert.equal(await dav('bob', 'PROPFIND', '/webdav/main/'), 403);
    // A stranger guessing: counted in the totals, and never offered as a user to filter by.
    assert.equal(await dav(null, 'PROPFIND', '/webdav/main/'), 401);
    await eventually(async () => {
      const [{ n }] = await db('webdav_audit').count({ n: '*' });
      assert.equal(Number(n), sent.all.requests);
    });
  });

  after(async () => {
    await db?.destroy();
    await host?.stop();
    await rm(scans, { recursive: true, force: true });
  });

  /** An audit row of an earlier day, as the plugin writes them. */
  const row = (atMs: number, user: string, mount: string, bytesIn: number, bytesOut: number) => ({
    at_ms: atMs,
    user_name: user,
    address: '127.0.0.1',
    method: bytesIn > 0 ? 'PUT' : 'GET',
    path: `/webdav/${mount}/old.jpg`,
    mount,
    destination: null,
    status: 200,
    bytes_in: bytesIn,
    bytes_out: bytesOut,
    duration_ms: 5,
  });

  it('counts today’s WebDAV requests and their body bytes, every one of the last 30 days present', async () => {
    const before = isoDate(Date.now());
    const answer = await traffic();
    const after = isoDate(Date.now());
    assert.equal(answer.days, 30);
    assert.equal(answer.perDay.length, 30);
    const today = answer.perDay[29]!;
    assert.ok([before, after].includes(today.date), today.date);
    assert.equal(isoDate(Date.parse(`${today.date}T00:00:00Z`) - 29 * DAY_MS), answer.perDay[0]!.date);
    assert.deepEqual(counts(today), sent.all);
    assert.deepEqual(answer.totals, sent.all);
    assert.ok(
      answer.perDay.slice(0, 29).every((d) => d.requests === 0 && d.bytesIn === 0 && d.bytesOut === 0),
      'days without traffic are zeros',
    );
    assert.equal(sent.all.bytesIn, 13 + 2500 + 700, 'only the bodies of the PUTs came in');
    assert.deepEqual(answer.users, ['anna', 'bob'], 'mallory never got in');
    assert.deepEqual(answer.shares, ['main', 'scans']);
  });

  it('filters by user and by share', async () => {
    assert.deepEqual(counts((await traffic('?user=anna')).perDay[29]), sent.anna);
    assert.deepEqual(counts((await traffic('?user=bob')).perDay[29]), sent.bob);
    assert.deepEqual(counts((await traffic('?share=scans')).perDay[29]), sent.scans);
    assert.deepEqual(counts((await traffic('?share=main')).perDay[29]), sent.main);
    const both = await traffic('?user=bob&share=main');
    assert.deepEqual(both.totals.requests, 1, 'bob’s refused PROPFIND on main');
    const nobody = await traffic('?user=nobody');
    assert.deepEqual(nobody.totals, zero());
    assert.equal(nobody.perDay.length, 30);
    assert.deepEqual(nobody.users, ['anna', 'bob'], 'the choices do not depend on the filter');
  });

  it('adds up earlier days in the database, leaves out what is older than the period, and counts days on the caller’s clock', async () => {
    const todayStart = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    // Three days ago at 23:30 UTC: that day in UTC, the next day in Berlin (UTC+1).
    const lateEvening = todayStart - 3 * DAY_MS + 23.5 * 3600_000;
    await db('webdav_audit').insert([
      row(lateEvening, 'anna', 'main', 4_000_000, 0),
      row(lateEvening + 60_000, 'anna', 'main', 0, 1_500_000_000),
      row(todayStart - 10 * DAY_MS + 3600_000, 'bob', 'scans', 0, 9_000),
      row(todayStart - 40 * DAY_MS, 'anna', 'main', 77, 0),
    ]);

    const utc = await traffic('?utcOffset=0');
    const byDate = new Map(utc.perDay.map((d) => [d.date, d]));
    assert.deepEqual(counts(byDate.get(isoDate(lateEvening))), {
      requests: 2,
      bytesIn: 4_000_000,
      bytesOut: 1_500_000_000,
    });
    assert.deepEqual(counts(byDate.get(isoDate(todayStart - 10 * DAY_MS))), {
      requests: 1,
      bytesIn: 0,
      bytesOut: 9_000,
    });
    assert.equal(utc.totals.requests, sent.all.requests + 3, 'the row of 40 days ago is outside the period');

    const berlin = await traffic('?utcOffset=60');
    const berlinDay = berlin.perDay.find((d) => d.date === isoDate(lateEvening + DAY_MS));
    assert.equal(berlinDay?.requests, 2, 'half past midnight in Berlin is the next day');
    assert.equal(berlin.perDay.find((d) => d.date === isoDate(lateEvening))?.requests, 0);

    const longer = await traffic('?days=60');
    assert.equal(longer.perDay.length, 60);
    assert.equal(longer.totals.requests, sent.all.requests + 4);
    assert.equal(longer.totals.bytesIn, sent.all.bytesIn + 4_000_077);

    assert.deepEqual((await traffic('?share=scans&utcOffset=0')).totals, {
      requests: sent.scans.requests + 1,
      bytesIn: sent.scans.bytesIn,
      bytesOut: sent.scans.bytesOut + 9_000,
    });
  });

  it('is for admins only, and a bad query is a 400 naming the field', async () => {
    assert.equal((await call(host.url, 'GET', '/admin/traffic')).status, 401);
    const anna = await login(host.url, 'anna', 'anna-pw');
    assert.equal((await call(host.url, 'GET', '/admin/traffic', { as: anna })).status, 403);
    for (const [query, message] of [
      ['?days=0', /^days: must be 1 to 366/],
      ['?days=1000', /^days: must be 1 to 366/],
      ['?days=ten', /^days: must be a whole number/],
      ['?utcOffset=900', /^utcOffset: must be -840 to 840 minutes/],
      ['?utcOffset=1.5', /^utcOffset: must be a whole number of minutes/],
      [`?share=${'s'.repeat(65)}`, /^share: is longer than 64 characters/],
      ['?color=red', /^color: is not a field of this request/],
    ] as const) {
      const res = await call(host.url, 'GET', `/admin/traffic${query}`, { as: admin });
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      assert.match(res.json.error, message);
    }
  });
});
