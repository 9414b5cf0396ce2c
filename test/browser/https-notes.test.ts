/**
 * What a user and an admin see of the host's certificate in chromium, with
 * `server.ssl=true` alone (a self-signed certificate, which this browser
 * profile accepts without trusting it, as a user does before checking): the
 * About control shows its SHA-256 fingerprint and no plain-HTTP warning; the
 * admin panel's HTTPS section shows it too, with issuer, names and expiry.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BrowserSuite, screenshots } from '../helpers/browser.js';
import { startHost, type HostProcess } from '../helpers/host-process.js';

describe('the certificate in the About control and the admin panel', () => {
  let host: HostProcess;
  let cert: X509Certificate;
  const browser = new BrowserSuite();

  before(async () => {
    host = await startHost({
      users: [{ name: 'alice', password: 'alice-pw', groups: ['WebDAV.main'] }],
      settings: { 'server.ssl': 'true' },
    });
    cert = new X509Certificate(await readFile(path.join(host.dataDir, 'tls', 'self-signed.crt')));
    await browser.start();
  });
  after(async () => {
    await browser.stop();
    await host?.stop();
  });

  it('About shows the self-signed certificate’s fingerprint to a user, and no plain-HTTP warning', async (t) => {
    if (!browser.ready(t)) return;
    const page = await browser.login(host.url, 'alice', 'alice-pw', { ignoreHTTPSErrors: true });
    await page.goto(`${host.url}/about`);
    const about = page.locator('webdav-about');
    const fingerprint = about.locator('[data-fingerprint]');
    await fingerprint.waitFor();
    assert.equal((await fingerprint.innerText()).trim(), cert.fingerprint256);
    assert.match(await about.locator('webdav-tls-note p.note').innerText(), /self-signed.*Trust it only if/s);
    assert.equal(await about.locator('.warning').count(), 0, 'reached over HTTPS: no warning');
    await screenshots(page, 'about-self-signed');
  });

  it('the admin panel shows issuer, names, expiry and fingerprint', async (t) => {
    if (!browser.ready(t)) return;
    const page = await browser.login(host.url, 'admin', host.adminPassword!, { ignoreHTTPSErrors: true });
    await page.goto(`${host.url}/admin`);
    const table = page.locator('table[data-tls]');
    const row = (name: string): Promise<string> =>
      table
        .locator('tr', { has: page.locator('th', { hasText: name }) })
        .locator('td')
        .innerText();
    assert.match(await row('Certificate'), /self-signed/);
    assert.match(await row('Issuer'), /O=mediahost \(self-signed\)/);
    assert.match(await row('Names'), /localhost, .*127\.0\.0\.1/);
    assert.equal(
      await row('Valid until'),
      new Date(cert.validTo)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC'),
    );
    assert.equal(await row('SHA-256 fingerprint'), cert.fingerprint256);
  });

  it('ran without a script error or console error on any page', (t) => {
    if (!browser.ready(t)) return;
    assert.deepEqual(browser.errors, []);
  });
});
