/**
 * The admin page and the About control in a real browser (Debian's chromium,
 * headless, driven by playwright-core) against the real reference host:
 * an admin enables the plugin, creates a share and assigns a user; that user
 * sees exactly their shares in About, copies the URL and lists the share with
 * a WebDAV request; a non-admin gets no admin page; the audit log shows the
 * test's requests. Screenshots go to test-output/browser/.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { BrowserSuite, SCREENSHOTS, screenshots, until } from '../helpers/browser.js';
import { REPO_ROOT, startHost, type HostProcess } from '../helpers/host-process.js';
import { basic } from '../helpers/raw-http.js';

describe('admin page and About control in chromium', () => {
  let host: HostProcess;
  let family: string;
  const browser = new BrowserSuite();

  before(async () => {
    host = await startHost({
      users: [
        { name: 'bob', password: 'bob-pw' },
        { name: 'carol', password: 'carol-pw' },
      ],
      settings: { 'user.log.webdav': 'true' },
    });
    family = path.join(host.dataDir, 'family');
    await mkdir(family);
    await copyFile(path.join(REPO_ROOT, 'host', 'sample-photos', 'sample-1.jpg'), path.join(family, 'birthday.jpg'));
    await browser.start();
  });

  after(async () => {
    await browser.stop();
    await host?.stop();
  });

  const ready = (t: Parameters<BrowserSuite['ready']>[0]): boolean => browser.ready(t);
  const session = (name: string, password: string, options?: Parameters<BrowserSuite['login']>[3]): Promise<Page> =>
    browser.login(host.url, name, password, options);

  let admin: Page;

  it(
    'an admin switches the plugin off and on in the host admin panel, then opens its page',
    { timeout: 60_000 },
    async (t) => {
      if (!ready(t)) return;
      admin = await session('admin', host.adminPassword!);
      await admin.goto(`${host.url}/admin`);
      const row = admin.locator('tr[data-plugin="webdav-shares"]');
      await Promise.all([
        admin.waitForURL(`${host.url}/admin?disabled=webdav-shares`),
        row.getByRole('button', { name: 'Disable WebDAV shares' }).click(),
      ]);
      assert.match(await row.innerText(), /Disabled/);
      assert.equal(
        await admin.getByRole('link', { name: 'WebDAV shares' }).count(),
        0,
        'a disabled plugin has no page',
      );

      await Promise.all([
        admin.waitForURL(`${host.url}/admin?enabled=webdav-shares`),
        row.getByRole('button', { name: 'Enable WebDAV shares' }).click(),
      ]);
      assert.match(await row.innerText(), /Enabled/);
      await admin.getByRole('link', { name: 'WebDAV shares' }).click();
      const state = admin.locator('webdav-admin dl.state');
      await state.waitFor();
      assert.match(await state.innerText(), /Enabled/);
      assert.equal(await admin.getByRole('link', { name: "host's plugin list" }).getAttribute('href'), '/admin');
      // The sample share of the first start is listed with its folder, group and members.
      const main = admin.locator('webdav-admin tr[data-share="main"]');
      await main.waitFor();
      assert.match(await main.innerText(), /robot\.root\.0/);
      assert.match(await main.innerText(), /WebDAV\.main/);
    },
  );

  it(
    'the admin creates a share from the page (with per-field errors first) and assigns a user, keyboard only',
    { timeout: 60_000 },
    async (t) => {
      if (!ready(t)) return;
      const name = admin.getByLabel('Name', { exact: true });
      const folder = admin.getByLabel('Folder on the server');
      // Typed and submitted with the keyboard: a relative folder and a taken name are refused, each at its field.
      await name.focus();
      await admin.keyboard.type('MAIN');
      await admin.keyboard.press('Tab');
      await admin.keyboard.type('family');
      await admin.keyboard.press('Enter');
      const folderError = admin.locator('webdav-admin #folder-error');
      await folderError.waitFor();
      assert.match(await folderError.innerText(), /absolute path/);
      assert.equal(await folder.getAttribute('aria-invalid'), 'true');
      assert.match((await folder.getAttribute('aria-describedby')) ?? '', /folder-error/);
      await admin
        .locator('webdav-admin form.share-form')
        .screenshot({ path: path.join(SCREENSHOTS, 'admin-form-errors.png') });

      await folder.fill(family);
      await folder.press('Enter');
      const mountError = admin.locator('webdav-admin #mount-error');
      await until(async () =>
        assert.match(await mountError.innerText(), /already used by the share "main" \(robot\.root\.0\)/),
      );
      assert.equal(await admin.locator('webdav-admin #folder-error').count(), 0, 'the folder is fine now');

      await name.fill('family');
      await name.press('Enter');
      const row = admin.locator('webdav-admin tr[data-share="family"]');
      await row.waitFor();
      assert.match(await row.innerText(), /served/);
      assert.match(await row.innerText(), /webdav\.0/);
      assert.match(await row.innerText(), new RegExp(family.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

      // The focus went to the new share's user picker: choose bob with the keyboard and press Add.
      const picker = admin.getByLabel('User to add to family');
      await until(async () =>
        assert.equal(await picker.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement), true),
      );
      await picker.selectOption('bob');
      const add = admin.getByRole('button', { name: 'Add the chosen user to family' });
      await until(async () => assert.equal(await add.isEnabled(), true));
      await admin.keyboard.press('Tab');
      await admin.keyboard.press('Enter');
      const members = admin.getByRole('list', { name: 'Members of family' });
      await until(async () => assert.match(await members.innerText(), /bob/));
      assert.match(await row.innerText(), /1 member\b/);
    },
  );

  let bob: Page;

  it(
    'the user sees exactly their shares in About, copies the URL, and lists the share with WebDAV',
    { timeout: 60_000 },
    async (t) => {
      if (!ready(t)) return;
      bob = await session('bob', 'bob-pw', { permissions: ['clipboard-read', 'clipboard-write'] });
      await bob.goto(`${host.url}/about`);
      const about = bob.locator('webdav-about');
      const titles = about.locator('section.share h3');
      await titles.first().waitFor();
      assert.deepEqual(
        (await titles.allInnerTexts()).map((text) => text.split(/\s/)[0]),
        ['family'],
        'bob is only in WebDAV.family, not in WebDAV.main',
      );
      assert.equal(await about.getByText(family).count(), 0, 'no server folder for a non-admin');
      assert.match(await about.locator('.warning').innerText(), /not reached over HTTPS/);

      await about.getByRole('button', { name: 'Copy URL of family' }).click();
      await until(async () =>
        assert.match(await about.getByRole('button', { name: 'Copy URL of family' }).innerText(), /Copied/),
      );
      const copied = await bob.evaluate(() => navigator.clipboard.readText());
      assert.equal(copied, `${host.url}/webdav/family/`);

      // "Mount" what was copied: a WebDAV client lists the share with bob's credentials.
      const res = await fetch(copied, {
        method: 'PROPFIND',
        headers: { authorization: basic('bob', 'bob-pw'), depth: '1' },
      });
      assert.equal(res.status, 207);
      assert.match(await res.text(), /birthday\.jpg/);

      await about.getByText('Windows', { exact: true }).click();
      await about.getByText('Android (CX File Explorer, WebDAV Nav)').click();
      await screenshots(bob, 'about-control');
    },
  );

  it(
    'the copy button also works where the clipboard API is missing (plain http on a home address)',
    { timeout: 60_000 },
    async (t) => {
      if (!ready(t)) return;
      const page = await session('bob', 'bob-pw', { permissions: ['clipboard-read', 'clipboard-write'] });
      // What a page on http://192.168.x.x gets: no secure context, so no navigator.clipboard.
      await page.context().addInitScript(() => {
        const read = navigator.clipboard.readText.bind(navigator.clipboard);
        (window as unknown as { readClipboard: () => Promise<string> }).readClipboard = read;
        Object.defineProperty(window, 'isSecureContext', { get: () => false });
        Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined, configurable: true });
        const exec = document.execCommand.bind(document);
        document.execCommand = (command: string, ...rest: unknown[]) => {
          if (command === 'copy')
            (window as unknown as { execCopies: number }).execCopies =
              ((window as unknown as { execCopies?: number }).execCopies ?? 0) + 1;
          return (exec as (...a: unknown[]) => boolean)(command, ...rest);
        };
      });
      await page.goto(`${host.url}/about`);
      const about = page.locator('webdav-about');
      await about.getByText('Windows', { exact: true }).click();
      const button = about.getByRole('button', { name: 'Copy Windows: Command of family' });
      await button.click();
      await until(async () => assert.match(await button.innerText(), /Copied/));
      const state = await page.evaluate(async () => ({
        clipboardApi: typeof navigator.clipboard,
        execCopies: (window as unknown as { execCopies?: number }).execCopies ?? 0,
        text: await (window as unknown as { readClipboard: () => Promise<string> }).readClipboard(),
        focused:
          (document.activeElement?.shadowRoot?.activeElement as HTMLElement | null)?.getAttribute('aria-label') ?? null,
      }));
      assert.equal(state.clipboardApi, 'undefined');
      assert.equal(state.execCopies, 1, 'copied with document.execCommand');
      assert.equal(state.text, `net use * ${host.url}/webdav/family/ /user:bob *`);
      assert.equal(state.focused, 'Copy Windows: Command of family', 'the focus stays on the button');
    },
  );

  it('a user in no share group sees no WebDAV control at all', { timeout: 60_000 }, async (t) => {
    if (!ready(t)) return;
    const carol = await session('carol', 'carol-pw');
    const answered = carol.waitForResponse((r) => r.url().endsWith('/api/plugins/webdav/about'));
    await carol.goto(`${host.url}/about`);
    assert.equal((await answered).status(), 200);
    const about = carol.locator('webdav-about');
    await until(async () => {
      const state = await about.evaluate((el) => ({
        hidden: (el as HTMLElement).hidden,
        text: el.shadowRoot?.textContent?.trim() ?? '',
      }));
      assert.deepEqual(state, { hidden: true, text: '' });
    });
    assert.equal(await about.isVisible(), false);
  });

  it('a non-admin gets no admin page, and the admin API refuses them', { timeout: 60_000 }, async (t) => {
    if (!ready(t)) return;
    assert.equal(await bob.getByRole('link', { name: 'Admin' }).count(), 0, 'no Admin link for bob');
    const page = await bob.goto(`${host.url}/admin/pages/0`);
    assert.equal(page?.status(), 403);
    assert.equal(await bob.locator('webdav-admin').count(), 0);
    assert.equal((await bob.goto(`${host.url}/admin`))?.status(), 403);
    const status = await bob.evaluate(async () => (await fetch('/api/plugins/webdav/admin/shares')).status);
    assert.equal(status, 403);
  });

  it("the admin page's audit log shows the test's requests, newest first", { timeout: 60_000 }, async (t) => {
    if (!ready(t)) return;
    await admin.reload();
    const search = admin.getByLabel('Search user, address, method or path');
    await search.fill('bob');
    const rows = admin.locator('webdav-admin table.audit tbody tr');
    await until(async () => {
      await search.press('Enter');
      await admin.waitForTimeout(300);
      const texts = await rows.allInnerTexts();
      const propfind = texts.find((text) => /PROPFIND/.test(text) && /\/webdav\/family\//.test(text));
      assert.ok(propfind, texts.join('\n'));
      assert.match(propfind, /207/);
      assert.match(propfind, /bob/);
      assert.match(propfind, /127\.0\.0\.1/);
    });
    assert.match(await admin.locator('webdav-admin .pager').innerText(), /Entries 1–\d+ of \d+/);
    await search.fill('');
    await search.press('Enter');
    await admin.waitForTimeout(300);
    await screenshots(admin, 'admin-page');
  });

  it('ran without a script error or console error on any page', (t) => {
    if (!ready(t)) return;
    assert.deepEqual(browser.errors, []);
  });
});
