/**
 * GET /api/plugins/webdav/about against the real host: a logged-in user gets
 * exactly the shares and date views they are a member of, with ways to
 * connect, and never a server folder.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, login, startHost, type HostProcess } from '../helpers/host-process.js';
import { assertSchema, call } from '../helpers/api.js';

describe('About API', () => {
  let host: HostProcess;

  before(async () => {
    host = await startHost({
      users: [
        { name: 'anna', password: 'anna-pw', groups: ['WebDAV.main', 'WebDAV.scans'] },
        { name: 'bob', password: 'bob-pw' },
        // In the date view of scans, and in scans itself.
        { name: 'carol', password: 'carol-pw', groups: ['WebDAV.scans-by-date', 'WebDAV.scans'] },
        // In the date view only.
        { name: 'dave', password: 'dave-pw', groups: ['WebDAV.scans-by-date'] },
      ],
    });
    const scans = path.join(host.dataDir, 'scans');
    await mkdir(scans);
    for (const [key, value] of [
      ['webdav.0.path', scans],
      ['webdav.0.webdavmount', 'scans'],
      ['webdav.0.readonly', 'true'],
      ['webdav.0.datemount', 'scans-by-date'],
      // A share anna is not in.
      ['webdav.1.path', scans],
      ['webdav.1.webdavmount', 'others'],
    ] as const) {
      assert.equal((await host.cli(['settings', 'set', key, value])).code, 0);
    }
  });
  after(() => host?.stop());

  it('answers 401 when nobody is logged in', async () => {
    const res = await call(host.url, 'GET', '/about');
    assert.equal(res.status, 401);
    assert.match(res.json.error, /log in/);
  });

  it('lists exactly the shares the user is a member of, with URL and ways to connect, without any server folder', async () => {
    const anna = await login(host.url, 'anna', 'anna-pw');
    const res = await eventually(async () => {
      const answer = await call(host.url, 'GET', '/about', { as: anna });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(
        answer.json.shares.map((s: { mount: string }) => s.mount),
        ['main', 'scans'],
        'not the date view of scans: anna is not in its group',
      );
      return answer;
    }, 10_000);
    assertSchema('about-response.schema.json', res.json);
    assert.equal(res.json.user, 'anna');
    assert.equal(res.json.baseUrl, null);
    const [main, scans] = res.json.shares;
    assert.equal(main.url, `${host.url}/webdav/main/`);
    assert.equal(main.path, '/webdav/main/');
    assert.equal(main.readonly, false);
    assert.equal(scans.readonly, true);
    assert.equal(scans.uploadAllowed, false);
    assert.deepEqual(
      main.connect.map((m: { id: string }) => m.id),
      ['url', 'windows', 'macos', 'linux', 'totalcommander', 'android'],
    );
    const windows = main.connect.find((m: { id: string }) => m.id === 'windows');
    assert.equal(windows.fields[0].value, `net use * ${host.url}/webdav/main/ /user:anna *`);
    // Non-admins never see where the files are.
    assert.ok(!res.text.includes(host.dataDir), 'no server path in the answer');
    assert.doesNotMatch(res.text, /"(folder|root|configuredPath)"/);
  });

  it("lists a date view to its own group's members only, right after its share, read-only and naming the share", async () => {
    const carol = await login(host.url, 'carol', 'carol-pw');
    const res = await eventually(async () => {
      const answer = await call(host.url, 'GET', '/about', { as: carol });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(
        answer.json.shares.map((s: { mount: string; dateViewOf: string | null }) => [s.mount, s.dateViewOf]),
        [
          ['scans', null],
          ['scans-by-date', 'scans'],
        ],
      );
      return answer;
    }, 10_000);
    assertSchema('about-response.schema.json', res.json);
    const view = res.json.shares[1];
    assert.equal(view.path, '/webdav/scans-by-date/');
    assert.equal(view.url, `${host.url}/webdav/scans-by-date/`);
    assert.deepEqual([view.readonly, view.uploadAllowed, view.deleteAllowed], [true, false, false]);
    const windows = view.connect.find((m: { id: string }) => m.id === 'windows');
    assert.equal(windows.fields[0].value, `net use * ${host.url}/webdav/scans-by-date/ /user:carol *`);
    assert.ok(!res.text.includes(host.dataDir), 'no server path in the answer');

    // A member of the view alone gets the view alone.
    const dave = await login(host.url, 'dave', 'dave-pw');
    const onlyView = await call(host.url, 'GET', '/about', { as: dave });
    assert.equal(onlyView.status, 200, onlyView.text);
    assert.deepEqual(
      onlyView.json.shares.map((s: { mount: string }) => s.mount),
      ['scans-by-date'],
    );
  });

  it('answers an empty list to a user who is in no share group', async () => {
    const bob = await login(host.url, 'bob', 'bob-pw');
    const res = await call(host.url, 'GET', '/about', { as: bob });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.shares, []);
  });

  it('follows webdav.baseurl when it is set', async () => {
    assert.equal((await host.cli(['settings', 'set', 'webdav.baseurl', 'https://photos.example.org/'])).code, 0);
    const anna = await login(host.url, 'anna', 'anna-pw');
    await eventually(async () => {
      const res = await call(host.url, 'GET', '/about', { as: anna });
      assert.equal(res.json.baseUrl, 'https://photos.example.org');
      assert.equal(res.json.shares[0].url, 'https://photos.example.org/webdav/main/');
      const linux = res.json.shares[0].connect.find((m: { id: string }) => m.id === 'linux');
      assert.equal(linux.fields[0].value, 'davs://photos.example.org/webdav/main/');
    }, 6_000);
  });
});
