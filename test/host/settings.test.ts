/**
 * Settings, all in one place: what the plugin makes of its keys
 * (plugin/config/settings.ts) and which folders it serves
 * (plugin/config/shares.ts), settings.properties as the host reads,
 * watches and writes it (host/settings.ts), and both in the running host,
 * changed with `mediahost settings` and by another program.
 */
import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Logger } from '../../plugin/host-api.js';
import { parseSettings } from '../../plugin/config/settings.js';
import { loadShares } from '../../plugin/config/shares.js';
import { writeFileAtomic } from '../../host/properties.js';
import { FileSettings } from '../../host/settings.js';
import { eventually, FIXTURE_PLUGIN, startHost, type HostProcess } from '../helpers/host-process.js';

const errorsOf = (all: Record<string, string>) =>
  parseSettings(all).problems.filter((problem) => problem.severity === 'error');

describe('the plugin’s keys (plugin/config/settings.ts)', () => {
  it('a photo root with a mount name becomes a share; one without is not shared', () => {
    const { settings, problems } = parseSettings({
      'robot.root.0.path': '/srv/photos',
      'robot.root.0.webdavmount': 'main',
      'robot.root.1.path': '/srv/private',
    });
    assert.deepEqual(settings.shares, [
      { source: 'robot.root.0', mount: 'main', path: '/srv/photos', readonly: false },
    ]);
    assert.deepEqual(problems, []);
  });

  it('extra webdav.N shares, per-share readonly and the global switches are read', () => {
    const { settings } = parseSettings({
      'robot.root.0.path': '/a',
      'robot.root.0.webdavmount': 'a',
      'robot.root.0.webdavreadonly': 'TRUE',
      'webdav.0.path': '/srv/scans',
      'webdav.0.webdavmount': 'scans',
      'webdav.0.readonly': 'false',
      'webdav.uploadallowed': 'false',
      'webdav.deleteallowed': 'true',
      'user.log.webdav': 'true',
      'webdav.baseurl': 'https://photos.example.org/',
    });
    assert.deepEqual(
      settings.shares.map((share) => [share.mount, share.readonly]),
      [
        ['a', true],
        ['scans', false],
      ],
    );
    assert.equal(settings.uploadAllowed, false);
    assert.equal(settings.deleteAllowed, true);
    assert.equal(settings.auditEnabled, true);
    assert.equal(settings.baseUrl, 'https://photos.example.org');
  });

  it('switches default to allowing uploads and deletes, without audit', () => {
    const { settings } = parseSettings({});
    assert.equal(settings.uploadAllowed, true);
    assert.equal(settings.deleteAllowed, true);
    assert.equal(settings.auditEnabled, false);
    assert.equal(settings.auditDays, 90);
  });

  it('gaps in numbering are allowed and not reported (a delete leaves one), and later shares still load', () => {
    const { settings, problems } = parseSettings({
      'webdav.0.path': '/a',
      'webdav.0.webdavmount': 'a',
      'webdav.3.path': '/b',
      'webdav.3.webdavmount': 'b',
    });
    assert.deepEqual(
      settings.shares.map((share) => share.mount),
      ['a', 'b'],
    );
    assert.deepEqual(problems, []);
  });

  it('a mount name outside [A-Za-z0-9._-]{1,64} is an error naming the key; other shares stay', () => {
    for (const bad of ['has space', 'a/b', 'x'.repeat(65), 'ä', '..']) {
      const { settings } = parseSettings({
        'webdav.0.path': '/a',
        'webdav.0.webdavmount': bad,
        'webdav.1.path': '/b',
        'webdav.1.webdavmount': 'good',
      });
      assert.deepEqual(
        settings.shares.map((share) => share.mount),
        ['good'],
        bad,
      );
      const errors = errorsOf({ 'webdav.0.path': '/a', 'webdav.0.webdavmount': bad });
      assert.equal(errors.length, 1, bad);
      assert.equal(errors[0]!.key, 'webdav.0.webdavmount');
    }
  });

  it('a duplicate mount name is an error on the second share; the first stays', () => {
    const { settings, problems } = parseSettings({
      'robot.root.0.path': '/a',
      'robot.root.0.webdavmount': 'Main',
      'webdav.0.path': '/b',
      'webdav.0.webdavmount': 'main',
    });
    assert.deepEqual(
      settings.shares.map((share) => share.source),
      ['robot.root.0'],
    );
    assert.equal(problems[0]!.key, 'webdav.0.webdavmount');
    assert.match(problems[0]!.message, /duplicate mount name "main" \(already used by robot\.root\.0\)/);
  });

  it('a share without a folder, or a webdav.N without a mount, is an error naming the key', () => {
    assert.deepEqual(
      errorsOf({ 'webdav.0.webdavmount': 'x' }).map((problem) => problem.key),
      ['webdav.0.path'],
    );
    assert.deepEqual(
      errorsOf({ 'webdav.0.path': '/x' }).map((problem) => problem.key),
      ['webdav.0.webdavmount'],
    );
    assert.deepEqual(
      errorsOf({ 'webdav.0.path': 'relative', 'webdav.0.webdavmount': 'x' }).map((problem) => problem.key),
      ['webdav.0.path'],
    );
  });

  it('a malformed switch is an error naming the key, and its default applies', () => {
    const { settings, problems } = parseSettings({ 'webdav.deleteallowed': 'yes please' });
    assert.equal(settings.deleteAllowed, true);
    assert.equal(problems[0]!.key, 'webdav.deleteallowed');
    assert.match(problems[0]!.message, /true or false/);
  });

  it('a base URL that is not http(s) is refused with its key', () => {
    const { settings, problems } = parseSettings({ 'webdav.baseurl': 'ftp://x' });
    assert.equal(settings.baseUrl, undefined);
    assert.equal(problems[0]!.key, 'webdav.baseurl');
  });

  it("date views and inboxes are read with each family's keys; the inbox becomes names below the root", () => {
    const { settings, problems } = parseSettings({
      'robot.root.0.path': '/photos',
      'robot.root.0.webdavmount': 'photos',
      'robot.root.0.webdavdatemount': 'photos-by-date',
      'robot.root.0.webdavinbox': '/Inbox/',
      'webdav.0.path': '/scans',
      'webdav.0.webdavmount': 'scans',
      'webdav.0.datemount': 'scans-by-date',
      'webdav.0.inbox': 'Upload//Phone',
      'webdav.inbox.settle': '5',
      'webdav.inbox.zip.maxentries': '50',
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(
      settings.shares.map((s) => [s.mount, s.dateMount, s.inbox]),
      [
        ['photos', 'photos-by-date', ['Inbox']],
        ['scans', 'scans-by-date', ['Upload', 'Phone']],
      ],
    );
    assert.equal(settings.inboxSettleSeconds, 5);
    assert.deepEqual(settings.zipLimits, { maxTotalBytes: 4 * 1024 ** 3, maxRatio: 100, maxEntries: 50 });
    assert.equal(settings.mediaScanMinutes, 5);
  });

  it('a bad or taken date view name costs only the view; an inbox that climbs out is refused; the shares stay', () => {
    const { settings, problems } = parseSettings({
      'webdav.0.path': '/a',
      'webdav.0.webdavmount': 'a',
      'webdav.0.datemount': 'B',
      'webdav.1.path': '/b',
      'webdav.1.webdavmount': 'b',
      'webdav.1.datemount': 'bad name',
      'webdav.2.path': '/c',
      'webdav.2.webdavmount': 'c',
      'webdav.2.datemount': 'dates',
      'webdav.2.inbox': 'in/../../etc',
      'robot.root.0.path': '/d',
      'robot.root.0.webdavmount': 'd',
      'robot.root.0.webdavdatemount': 'DATES',
    });
    assert.deepEqual(
      settings.shares.map((s) => [s.mount, s.dateMount ?? null, s.inbox ?? null]),
      [
        ['d', 'DATES', null],
        ['a', null, null],
        ['b', null, null],
        ['c', null, null],
      ],
    );
    assert.deepEqual(
      problems.map((p) => p.key),
      ['webdav.2.inbox', 'webdav.0.datemount', 'webdav.1.datemount', 'webdav.2.datemount'],
    );
    assert.match(problems[0]!.message, /inside the share/);
    assert.match(problems[1]!.message, /already used by the share of webdav\.1/);
    assert.match(problems[2]!.message, /invalid date view name "bad name"/);
    assert.match(problems[3]!.message, /already used by the date view of robot\.root\.0/);
  });
});

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Resolves with the next change notification, or rejects after `ms`. */
function nextChange(settings: FileSettings, ms = 3000): Promise<readonly string[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('no change noticed'));
    }, ms);
    const off = settings.onChange((keys) => {
      clearTimeout(timer);
      off();
      resolve(keys);
    });
  });
}

describe('shares and their folders (plugin/config/shares.ts)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'webdav-shares-'));
    for (const folder of ['photos', 'photos/2024', 'photos2', 'photos/..hidden', 'scans']) {
      await mkdir(path.join(dir, folder));
    }
    await writeFile(path.join(dir, 'a-file.txt'), 'x');
    await symlink(path.join(dir, 'scans'), path.join(dir, 'scans-link'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const sharesOn = (...folders: string[]) =>
    loadShares(
      Object.fromEntries(
        folders.flatMap((folder, i) => [
          [`webdav.${i}.path`, path.join(dir, folder)],
          [`webdav.${i}.webdavmount`, `s${i}`],
        ]),
      ),
    );
  const warningsOf = async (...folders: string[]) =>
    (await sharesOn(...folders)).problems.filter((p) => p.severity === 'warning');

  it('a missing folder, a file or a path below a file is an error naming the key; the share is left out', async () => {
    const { shares, problems } = await sharesOn('missing', 'a-file.txt', 'a-file.txt/below', 'scans');
    assert.deepEqual([...shares.keys()], ['s3']);
    assert.deepEqual(
      problems.map((p) => [p.key, p.severity]),
      [
        ['webdav.0.path', 'error'],
        ['webdav.1.path', 'error'],
        ['webdav.2.path', 'error'],
      ],
    );
    assert.match(problems[0]!.message, /does not exist/);
    assert.match(problems[1]!.message, /is not a folder/);
    assert.match(problems[2]!.message, /does not exist \(a part of the path is a file\)/);
  });

  it('two shares on one folder (a symbolic link included) are served, each with a warning naming both', async () => {
    const { shares, problems } = await sharesOn('scans', 'scans-link');
    assert.equal(shares.size, 2, 'both are still served');
    assert.deepEqual(
      problems.map((p) => [p.key, p.severity]),
      [
        ['webdav.0.path', 'warning'],
        ['webdav.1.path', 'warning'],
      ],
    );
    for (const p of problems) {
      assert.match(p.message, /the shares "s0" \(webdav\.0\) and "s1" \(webdav\.1\) serve the same folder/);
      assert.match(p.message, /locks taken through one do not protect the files from the other/);
    }
  });

  it('a share inside another is a warning on both, whichever comes first in the settings', async () => {
    for (const folders of [
      ['photos', 'photos/2024'],
      ['photos/2024', 'photos'],
    ]) {
      const warnings = await warningsOf(...folders);
      const [inner, outer] = folders[0] === 'photos' ? ['s1', 's0'] : ['s0', 's1'];
      assert.deepEqual(
        warnings.map((p) => p.mount),
        ['s0', 's1'],
        folders.join(' '),
      );
      for (const p of warnings) {
        assert.match(p.message, new RegExp(`the share "${inner}" .* serves a folder inside the share "${outer}"`));
      }
    }
    assert.equal((await warningsOf('photos', 'photos/..hidden')).length, 2, 'a name starting with ".." is inside');
  });

  it("a date view is a read-only share of its own over the same folder; a read-only share's inbox is not used", async () => {
    const { shares, dateViews, problems } = await loadShares({
      'webdav.0.path': path.join(dir, 'photos'),
      'webdav.0.webdavmount': 'photos',
      'webdav.0.datemount': 'by-date',
      'webdav.0.inbox': 'Inbox',
      'webdav.1.path': path.join(dir, 'scans'),
      'webdav.1.webdavmount': 'scans',
      'webdav.1.readonly': 'true',
      'webdav.1.inbox': 'Inbox',
    });
    const view = dateViews.get('by-date');
    assert.equal(view?.dateViewOf, 'photos');
    assert.equal(view?.readonly, true);
    assert.equal(view?.group, 'WebDAV.by-date');
    assert.equal(view?.root, shares.get('photos')?.root);
    assert.equal(view?.inbox, undefined);
    assert.deepEqual(shares.get('photos')?.inbox, ['Inbox']);
    assert.equal(shares.get('scans')?.inbox, undefined);
    assert.deepEqual(
      problems.map((p) => [p.key, p.severity]),
      [['webdav.1.inbox', 'warning']],
    );
  });

  it('neighbours whose names share a beginning do not overlap', async () => {
    assert.deepEqual(await warningsOf('photos', 'photos2', 'scans'), []);
  });
});

describe('FileSettings', () => {
  let dir: string;
  let file: string;
  let settings: FileSettings;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'host-settings-'));
    file = path.join(dir, 'settings.properties');
    await writeFile(file, '# comment\nrobot.root.0.path=/photos\nkeep=1\n');
    settings = await new FileSettings(file, { log: quiet, interval: 50 }).open();
  });

  afterEach(async () => {
    settings.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the file', () => {
    assert.equal(settings.get('robot.root.0.path'), '/photos');
    assert.deepEqual(settings.all(), { 'robot.root.0.path': '/photos', keep: '1' });
  });

  it('notices a change made by someone else (atomic rename) and names the changed keys', async () => {
    const change = nextChange(settings);
    await writeFileAtomic(file, 'robot.root.0.path=/other\nkeep=1\nnew=x\n');
    assert.deepEqual(await change, ['new', 'robot.root.0.path']);
    assert.equal(settings.get('robot.root.0.path'), '/other');
  });

  it('notices an in-place edit and a removed key', async () => {
    const change = nextChange(settings);
    await writeFile(file, 'robot.root.0.path=/photos\n');
    assert.deepEqual(await change, ['keep']);
    assert.equal(settings.get('keep'), undefined);
  });

  it('update() persists, keeps comments, notifies once and removes keys set to null', async () => {
    const seen: string[][] = [];
    settings.onChange((keys) => seen.push([...keys]));
    await settings.update({ keep: null, 'webdav.0.path': '/scans' });
    assert.equal(await readFile(file, 'utf8'), '# comment\nrobot.root.0.path=/photos\nwebdav.0.path=/scans\n');
    assert.deepEqual(seen, [['keep', 'webdav.0.path']]);
    await new Promise((r) => setTimeout(r, 300)); // the poll sees our own write: no second notification
    assert.deepEqual(seen, [['keep', 'webdav.0.path']]);
  });

  it('update() starts from the file, not from a stale memory', async () => {
    settings.close(); // nobody polls: memory is stale
    await writeFileAtomic(file, 'robot.root.0.path=/photos\nkeep=1\nfromOther=yes\n');
    await settings.update({ mine: '1' });
    assert.equal(settings.get('fromOther'), 'yes');
    assert.match(await readFile(file, 'utf8'), /fromOther=yes\nmine=1\n$/);
  });

  it('keeps the previous settings while the file is missing or broken', async () => {
    await unlink(file);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(settings.get('keep'), '1');
    await writeFile(file, 'keep=\\u12\n');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(settings.get('keep'), '1');
    const change = nextChange(settings);
    await writeFile(file, 'keep=2\n');
    await change;
    assert.equal(settings.get('keep'), '2');
  });

  it('stops watching on close', async () => {
    let calls = 0;
    settings.onChange(() => calls++);
    settings.close();
    await writeFileAtomic(file, 'keep=changed\n');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(calls, 0);
    assert.equal(settings.get('keep'), '1');
  });

  it('an unsubscribed listener is not called, and a throwing one does not stop the others', async () => {
    let a = 0;
    const off = settings.onChange(() => a++);
    off();
    settings.onChange(() => {
      throw new Error('listener bug');
    });
    const change = nextChange(settings);
    await writeFileAtomic(file, 'keep=3\n');
    await change;
    assert.equal(a, 0);
  });
});

let host: HostProcess;

const fixture = async (): Promise<{ value: string | null; changes: string[] }> =>
  (await (await fetch(`${host.url}/fixture`)).json()) as never;
const requestState = async (
  headers: Record<string, string> = {},
): Promise<{ remoteAddress: string; publicOrigin: string; rawUrl: string }> =>
  (await (await fetch(`${host.url}/fixture/request?a=%2F&b=%E4`, { headers })).json()) as never;

describe('settings while the server runs', () => {
  before(async () => {
    host = await startHost({ plugins: [FIXTURE_PLUGIN], settings: { 'fixture.value': 'one' } });
  });
  after(() => host.stop());

  it('hands the plugin the settings file’s values', async () => {
    assert.equal((await fixture()).value, 'one');
  });

  it('notices `mediahost settings set` and tells the plugin which keys changed', async () => {
    const r = await host.cli(['settings', 'set', 'fixture.value', 'two words']);
    assert.equal(r.code, 0, r.stderr);
    const state = await eventually(async () => {
      const s = await fixture();
      assert.equal(s.value, 'two words');
      return s;
    }, 3000);
    assert.ok(state.changes.includes('fixture.value'));
    assert.equal((await host.cli(['settings', 'get', 'fixture.value'])).stdout, 'two words\n');
    assert.match((await host.cli(['settings', 'list'])).stdout, /^fixture\.value=two words$/m);
  });

  it('notices an edit of the file by another program, escapes included', async () => {
    await appendFile(
      path.join(host.dataDir, 'settings.properties'),
      'fixture.value = th\\u00e9ree \\\n    continued\n',
    );
    await eventually(async () => assert.equal((await fixture()).value, 'théree continued'), 3000);
  });

  it('keeps the file’s comments and layout when the CLI changes it', async () => {
    const file = path.join(host.dataDir, 'settings.properties');
    await appendFile(file, '# written by hand\nmy.key   :   spaced\n');
    assert.equal((await host.cli(['settings', 'set', 'fixture.value', 'four'])).code, 0);
    const text = await readFile(file, 'utf8');
    assert.match(text, /^# written by hand\nmy\.key {3}: {3}spaced\n/m);
    assert.equal(text.match(/fixture\.value/g)?.length, 1, 'a repeated key is written once');
    assert.match(text, /^fixture\.value=four\n/m);
    assert.doesNotMatch(text, /th\\u00e9ree/, 'the old value, continuation line included, is replaced');
    await eventually(async () => assert.equal((await fixture()).value, 'four'), 3000);
  });

  it('reports the client address and origin, and honours proxy headers only with server.trustproxy=true', async () => {
    const proxyHeaders = {
      'x-forwarded-for': '198.51.100.1, 203.0.113.7',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'photos.example.org',
    };
    const direct = await requestState(proxyHeaders);
    assert.deepEqual(direct, {
      remoteAddress: '127.0.0.1',
      publicOrigin: host.url,
      rawUrl: '/fixture/request?a=%2F&b=%E4',
    });
    assert.equal((await host.cli(['settings', 'set', 'server.trustproxy', 'true'])).code, 0);
    await eventually(
      async () =>
        assert.deepEqual(await requestState(proxyHeaders), {
          remoteAddress: '203.0.113.7', // the entry the proxy added, not what the client claimed
          publicOrigin: 'https://photos.example.org',
          rawUrl: '/fixture/request?a=%2F&b=%E4',
        }),
      3000,
    );
    assert.equal((await host.cli(['settings', 'unset', 'server.trustproxy'])).code, 0);
    await eventually(async () => assert.equal((await requestState(proxyHeaders)).remoteAddress, '127.0.0.1'), 3000);
  });
});
