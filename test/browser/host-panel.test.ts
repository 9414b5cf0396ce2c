/**
 * The reference host's own pages in a real browser (Debian's chromium
 * through playwright-core) against the real host with the WebDAV plugin:
 * switching the plugin off and on in /admin shows a confirmation that goes
 * away by itself, the plugin's page says that the plugin is off, and the
 * home page links the share only while it is served and only for those
 * who may use it. Screenshots go to test-output/browser/host-*.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { BrowserSuite, DESKTOP, screenshots } from '../helpers/browser.js';
import { startHost, type HostProcess } from '../helpers/host-process.js';

describe('the host’s admin panel and home page in chromium', () => {
  let host: HostProcess;
  const browser = new BrowserSuite();
  let admin: Page;
  let member: Page;
  let stranger: Page;

  before(async () => {
    host = await startHost({
      users: [
        { name: 'maria', password: 'maria-pw', groups: ['WebDAV.main'] },
        { name: 'sam', password: 'sam-pw' },
      ],
    });
    await browser.start();
  });

  after(async () => {
    await browser.stop();
    await host?.stop();
  });

  const ready = (t: Parameters<BrowserSuite['ready']>[0]): boolean => browser.ready(t);

  /** The WebDAV cell of the photo root "main" on the home page. */
  async function shareCell(page: Page): Promise<{ text: string; links: string[] }> {
    await page.goto(`${host.url}/`);
    const cell = page.locator('tbody tr', { hasText: 'main' }).locator('td').nth(2);
    return {
      text: (await cell.innerText()).trim(),
      links: await cell.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? '')),
    };
  }

  /** Clicks a plugin's Enable/Disable button and checks the confirmation: in view, announced, then gone by itself. */
  async function switchPlugin(verb: 'Enable' | 'Disable', screenshot?: string): Promise<void> {
    await admin.goto(`${host.url}/admin`);
    const row = admin.locator('tr[data-plugin="webdav-shares"]');
    const query = verb === 'Enable' ? 'enabled' : 'disabled';
    await Promise.all([
      admin.waitForURL(`${host.url}/admin?${query}=webdav-shares`),
      row.getByRole('button', { name: `${verb} WebDAV shares` }).click(),
    ]);
    const notice = admin.getByRole('status');
    await notice.waitFor({ state: 'visible' });
    assert.equal(await notice.innerText(), `WebDAV shares is switched ${verb === 'Enable' ? 'on' : 'off'}.`);
    // Fixed to the window: in view wherever the page is scrolled.
    assert.equal(await notice.evaluate((el) => getComputedStyle(el).position), 'fixed');
    const box = (await notice.boundingBox())!;
    assert.ok(box.y >= 0 && box.y + box.height <= DESKTOP.height, `in the window: ${JSON.stringify(box)}`);
    assert.match(await row.innerText(), verb === 'Enable' ? /Enabled/ : /Disabled/);
    if (screenshot) await screenshots(admin, screenshot);
    await notice.waitFor({ state: 'hidden', timeout: 15_000 });
    assert.equal(await admin.locator('p.notice').count(), 1, 'it faded: still in the page, no longer shown');
  }

  it(
    'the admin switches the WebDAV plugin off and sees a confirmation that fades away',
    { timeout: 60_000 },
    async (t) => {
      if (!ready(t)) return;
      admin = await browser.login(host.url, 'admin', host.adminPassword!);
      member = await browser.login(host.url, 'maria', 'maria-pw');
      stranger = await browser.login(host.url, 'sam', 'sam-pw');
      await switchPlugin('Disable', 'host-panel-switched-off');
      assert.equal(
        await admin.getByRole('link', { name: 'WebDAV shares' }).count(),
        0,
        'no link to a page that is off',
      );
      assert.match(await admin.locator('main').innerText(), /WebDAV shares \(switched off\)/);
    },
  );

  it('while the plugin is off, its page says so and leads to the plugin list', { timeout: 60_000 }, async (t) => {
    if (!ready(t)) return;
    // A page answered with 404 is logged by chromium as a failed load: expected here, and only here.
    const answer = await browser.expectingFailedLoads(404, /\S+\/admin\/pages\/0/, () =>
      admin.goto(`${host.url}/admin/pages/0`),
    );
    assert.equal(answer?.status(), 404);
    assert.equal(await admin.getByRole('heading', { level: 1 }).innerText(), 'WebDAV shares');
    assert.match(
      await admin.locator('main').innerText(),
      /The plugin WebDAV shares is switched off\.\s+Switch it on in the host's plugin list\./,
    );
    await screenshots(admin, 'host-plugin-page-off');
    await Promise.all([
      admin.waitForURL(`${host.url}/admin`),
      admin.getByRole('link', { name: "host's plugin list" }).click(),
    ]);
    assert.ok(await admin.getByRole('button', { name: 'Enable WebDAV shares' }).isVisible());
  });

  it('while the plugin is off, the home page links no share', { timeout: 60_000 }, async (t) => {
    if (!ready(t)) return;
    const forAdmin = await shareCell(admin);
    assert.match(forAdmin.text, /not served: the WebDAV plugin is switched off/);
    assert.deepEqual(forAdmin.links, ['/admin']);
    await screenshots(admin, 'host-home-plugin-off');
    assert.deepEqual(await shareCell(member), { text: 'not available', links: [] });
    assert.deepEqual(await shareCell(stranger), { text: 'not available', links: [] });
  });

  it('the admin switches it on again, and its page is back', { timeout: 60_000 }, async (t) => {
    if (!ready(t)) return;
    await switchPlugin('Enable');
    await admin.getByRole('link', { name: 'WebDAV shares' }).click();
    await admin.locator('webdav-admin tr[data-share="main"]').waitFor();
  });

  it('the home page links the share for the admin and its member, not for others', { timeout: 60_000 }, async (t) => {
    if (!ready(t)) return;
    assert.deepEqual(await shareCell(admin), { text: '/webdav/main/', links: ['/webdav/main/'] });
    assert.deepEqual(await shareCell(member), { text: '/webdav/main/', links: ['/webdav/main/'] });
    await screenshots(member, 'host-home-member');
    assert.deepEqual(await shareCell(stranger), { text: 'not shared with you', links: [] });
    await screenshots(stranger, 'host-home-not-shared');
  });

  it('ran without a script error or console error on any page', (t) => {
    if (!ready(t)) return;
    assert.deepEqual(browser.errors, []);
  });
});
