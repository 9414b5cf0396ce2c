import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseProperties } from '../../host/properties.js';
import { FIXTURE_PLUGIN, login, startHost } from '../helpers/host-process.js';

async function dbBytes(dataDir: string): Promise<string> {
  const files = (await readdir(dataDir)).filter((f) => f.startsWith('mediahost.sqlite3'));
  return (await Promise.all(files.map((f) => readFile(path.join(dataDir, f)))))
    .map((b) => b.toString('latin1'))
    .join('');
}

const occurrences = (text: string, needle: string): number => text.split(needle).length - 1;

/** The "ready" banner of a start's output, which comes once, before the "listening" log line. */
function readyBannerOf(output: string): string {
  const banner = /^-{72}\n {2}mediahost is ready\.[\s\S]*?\n-{72}\n/m.exec(output)?.[0];
  assert.ok(banner, `a ready banner in:\n${output}`);
  assert.equal(occurrences(output, 'mediahost is ready'), 1);
  assert.ok(output.indexOf(banner) < output.indexOf('"msg":"listening"'), 'the banner comes before "listening"');
  return banner;
}

describe('first run', () => {
  it('creates photos, settings and an admin whose password is printed once; a second start changes nothing', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mediahost-firstrun-'));
    try {
      const first = await startHost({ dataDir, plugins: [FIXTURE_PLUGIN] });
      let password: string;
      try {
        password = first.adminPassword!;
        assert.match(password, /^[A-Za-z0-9_-]{24}$/);
        assert.equal(occurrences(first.logs(), password), 1, 'the password appears once, in the banner');
        assert.match(first.logs(), /shown only this once/);
        // The ready banner: the address to open, and (the fixture serves no /webdav/) why there is no share address.
        const firstBanner = readyBannerOf(first.logs());
        assert.ok(firstBanner.includes(`Open it in a browser:\n      ${first.url}/\n`), firstBanner);
        assert.match(firstBanner, /WebDAV: not served now \(is the WebDAV plugin switched off\?/);
        assert.match(firstBanner, /First start: log in as admin with the password shown above\./);
        assert.ok(!firstBanner.includes(password), 'the password is printed once, in its own banner');
        assert.ok(
          first.logs().indexOf('shown only this once') < first.logs().indexOf('mediahost is ready'),
          'the password banner comes first: it is printed before anything can fail',
        );

        const photos = path.join(dataDir, 'photos');
        const jpegs = (await readdir(photos)).filter((f) => f.endsWith('.jpg'));
        assert.equal(jpegs.length, 3);
        for (const f of jpegs) {
          const bytes = await readFile(path.join(photos, f));
          assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], `${f} starts like a JPEG`);
          assert.deepEqual([...bytes.subarray(-2)], [0xff, 0xd9], `${f} ends like a JPEG`);
          assert.ok(bytes.length < 120 * 1024);
        }

        const settingsText = await readFile(path.join(dataDir, 'settings.properties'), 'utf8');
        const settings = parseProperties(settingsText);
        assert.equal(settings.get('robot.root.0.path'), photos);
        assert.equal(settings.get('robot.root.0.webdavmount'), 'main');
        assert.equal(
          settings.get('host.plugins'),
          FIXTURE_PLUGIN,
          'the settings written before the first start are kept',
        );
        assert.ok(!settingsText.includes(password));
        assert.ok(!(await dbBytes(dataDir)).includes(password), 'the database holds a hash, not the password');

        const groups = await first.cli(['group', 'list']);
        assert.match(groups.stdout, /^WebDAV\.main: admin$/m);
        assert.match((await first.cli(['user', 'list'])).stdout, /^admin \(admin\)$/m);
        assert.match((await first.cli(['plugin', 'list'])).stdout, /^fixture: enabled$/m);

        const session = await login(first.url, 'admin', password);
        assert.equal((await fetch(`${first.url}/admin`, { headers: { cookie: session.cookie } })).status, 200);
      } finally {
        assert.deepEqual(await first.stop(), { code: 0, signal: null }, 'SIGTERM shuts down cleanly');
      }

      await unlink(path.join(dataDir, 'photos', 'sample-1.jpg'));
      const settingsBefore = await readFile(path.join(dataDir, 'settings.properties'), 'utf8');
      const second = await startHost({ dataDir });
      try {
        assert.equal(second.adminPassword, undefined);
        assert.doesNotMatch(second.logs(), /password/i);
        const banner = readyBannerOf(second.logs());
        assert.ok(banner.includes(`Open it in a browser:\n      ${second.url}/\n`), banner);
        assert.doesNotMatch(banner, /First start/);
        assert.equal((await readdir(path.join(dataDir, 'photos'))).length, 2, 'no sample photos are added again');
        assert.equal(await readFile(path.join(dataDir, 'settings.properties'), 'utf8'), settingsBefore);
        assert.equal((await second.cli(['user', 'list'])).stdout, 'admin (admin)\n');
        await login(second.url, 'admin', password);
      } finally {
        await second.stop();
      }
      assert.ok((await stat(dataDir)).isDirectory(), 'a data folder given to startHost is left in place');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('still sets up the data folder when the CLI created users before the first start', async () => {
    // With the WebDAV plugin, as `npm start` runs it.
    const host = await startHost({ users: [{ name: 'alice', password: 'alice-pw', groups: ['WebDAV.main'] }] });
    try {
      assert.ok(host.adminPassword);
      const banner = readyBannerOf(host.logs());
      assert.ok(
        banner.includes(`WebDAV share "main", to map as a network drive:\n      ${host.url}/webdav/main/\n`),
        banner,
      );
      assert.match(banner, /First start: log in as admin with the password shown above\./);
      const share = await fetch(`${host.url}/webdav/main/`, {
        method: 'PROPFIND',
        headers: { authorization: `Basic ${Buffer.from('alice:alice-pw').toString('base64')}`, depth: '0' },
      });
      assert.equal(share.status, 207, 'the address in the banner is the share');
      assert.match((await host.cli(['group', 'list'])).stdout, /^WebDAV\.main: admin, alice$/m);
      assert.equal((await readdir(path.join(host.dataDir, 'photos'))).length, 3);
      await login(host.url, 'alice', 'alice-pw');
    } finally {
      await host.stop();
    }
  });
});
