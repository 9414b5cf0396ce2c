/**
 * The admin page and the About control in a real browser (Debian's chromium,
 * headless, driven by playwright-core) against the real reference host:
 * an admin enables the plugin, creates a share and assigns a user; that user
 * sees exactly their shares in About, copies the URL and lists the share with
 * a WebDAV request; a non-admin gets no admin page; the audit log shows the
 * test's requests. Then what the admin page says when things go wrong: a
 * share whose folder is gone, a change that fails, a session that expired,
 * the plugin switched off while the page is open; how every change is
 * confirmed; and how the page uses a desktop's width and a phone's height.
 * Last, a photo-aware share: its date view and inbox set in the form (with
 * errors at their fields first), the view's address, index figures, "Scan
 * now" and the view's own members in its row, and the view in its member's
 * About control. Screenshots go to test-output/browser/.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { BrowserSuite, DESKTOP, PHONE, SCREENSHOTS, screenshots, until } from '../helpers/browser.js';
import {
  login,
  REPO_ROOT,
  setPluginEnabled,
  startHost,
  type HostProcess,
  type WebLogin,
} from '../helpers/host-process.js';
import { call } from '../helpers/api.js';
import { jpegWithExif, jpegWithoutExif, writeFixture } from '../helpers/media-fixtures.js';
import { basic } from '../helpers/raw-http.js';

describe('admin page and About control in chromium', () => {
  let host: HostProcess;
  let family: string;
  /** The admin's own session for API calls that set the scene. */
  let apiAdmin: WebLogin;
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
    apiAdmin = await login(host.url, 'admin', host.adminPassword!);
    await browser.start();
  });

  after(async () => {
    await browser.stop();
    await host?.stop();
  });

  const ready = (t: Parameters<BrowserSuite['ready']>[0]): boolean => browser.ready(t);
  const expectingFailedLoads = <T>(status: number, url: RegExp, fn: () => Promise<T>): Promise<T> =>
    browser.expectingFailedLoads(status, url, fn);
  const ADMIN_API = /http:\/\/127\.0\.0\.1:\d+\/api\/plugins\/webdav\/admin\/[^ ]*/;
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
      browser.expectedConsoleErrors.push(/status of 400 \(Bad Request\) \(.*\/api\/plugins\/webdav\/admin\/shares\)$/);
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
      browser.expectedConsoleErrors.pop();

      await name.fill('family');
      await name.press('Enter');
      const row = admin.locator('webdav-admin tr[data-share="family"]');
      await row.waitFor();
      const toast = admin.locator('webdav-admin .toast');
      assert.match(await toast.innerText(), /Share family added\./);
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
      assert.match(await toast.innerText(), /bob added to family\./);
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
    // The refusals are the point here: their console lines are expected.
    const ADMIN_PAGES_AND_API =
      /http:\/\/127\.0\.0\.1:\d+\/(admin|admin\/pages\/0|api\/plugins\/webdav\/admin\/shares)/;
    await expectingFailedLoads(403, ADMIN_PAGES_AND_API, async () => {
      const page = await bob.goto(`${host.url}/admin/pages/0`);
      assert.equal(page?.status(), 403);
      assert.equal(await bob.locator('webdav-admin').count(), 0);
      assert.equal((await bob.goto(`${host.url}/admin`))?.status(), 403);
      const status = await bob.evaluate(async () => (await fetch('/api/plugins/webdav/admin/shares')).status);
      assert.equal(status, 403);
    });
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

  /** How many lines an inline element takes: its fragments' distinct tops (in the page, not in Node). */
  const linesOf = (el: Element): number => new Set([...el.getClientRects()].map((r) => Math.round(r.top))).size;
  /** The "Plugin" section's facts: state, "N of M served", switches. */
  const stateOf = () => admin.locator('webdav-admin dl.state');

  it('the page uses the width of a desktop: folders and URLs on one line, the member list not cut off', async (t) => {
    if (!ready(t)) return;
    await admin.goto(`${host.url}/admin/pages/0`);
    const row = admin.locator('webdav-admin tr[data-share="family"]');
    await row.waitFor();
    const width = await admin.locator('webdav-admin').evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(width >= DESKTOP.width - 80, `the page is ${width} px wide at ${DESKTOP.width} px`);
    for (const selector of ['td.folder code', '.url code']) {
      const lines = await row.locator(selector).evaluate(linesOf);
      assert.equal(lines, 1, `${selector} takes ${lines} lines`);
    }
    // Every option of a member list can be read in full: the list is at least as wide as its longest entry.
    for (const select of await admin.locator('webdav-admin .add-member select').all()) {
      const fit = await select.evaluate((el) => {
        const s = el as HTMLSelectElement;
        const context = document.createElement('canvas').getContext('2d')!;
        context.font = getComputedStyle(s).font;
        const longest = Math.max(...[...s.options].map((o) => context.measureText(o.text).width));
        return { longest, inner: s.clientWidth };
      });
      assert.ok(fit.inner >= fit.longest + 16, JSON.stringify(fit));
    }
  });

  it(
    'a share whose folder was removed on disk gets a red "folder missing" badge, a problem in plain words, and is not counted as served',
    { timeout: 60_000 },
    async (t) => {
      if (!ready(t)) return;
      const trips = path.join(host.dataDir, 'trips');
      await mkdir(trips);
      const created = await call(host.url, 'POST', '/admin/shares', {
        as: apiAdmin,
        body: { mount: 'trips', folder: trips },
      });
      assert.equal(created.status, 201, created.text);
      await rm(trips, { recursive: true });

      await admin.reload();
      const row = admin.locator('webdav-admin tr[data-share="trips"]');
      const badge = row.locator('.badge.bad');
      await badge.waitFor();
      assert.equal(await badge.innerText(), 'folder missing');
      assert.equal(await badge.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(204, 0, 0)', 'red');
      assert.match(
        await row.getByRole('list', { name: 'Problems of trips' }).innerText(),
        /folder ".*trips" does not exist \(webdav\.1\.path\)/,
      );
      assert.match(await stateOf().innerText(), /2 of 3 served, 1 settings problem/);
      // The problem's text does not squeeze the folders onto two lines.
      for (const code of await admin.locator('webdav-admin td.folder code').all()) {
        assert.equal(await code.evaluate(linesOf), 1);
      }
      await screenshots(admin, 'admin-folder-missing');

      // The folder is back: served again at the next page load, without a settings change.
      await mkdir(trips);
      await admin.reload();
      await until(async () => assert.equal(await row.locator('.badge.ok').innerText(), 'served'));
      assert.match(await stateOf().innerText(), /3 of 3 served$/m);
    },
  );

  it(
    'deleting a share from the page: a confirmation stays in view and leaves by itself, and no settings warning follows',
    { timeout: 60_000 },
    async (t) => {
      if (!ready(t)) return;
      // Scrolled down to the audit log: the confirmation must still be seen.
      await admin.locator('webdav-admin #audit-title').scrollIntoViewIfNeeded();
      admin.once('dialog', (dialog) => void dialog.accept());
      await admin.getByRole('button', { name: 'Delete family' }).click();
      const toast = admin.locator('webdav-admin .toast');
      await toast.waitFor();
      assert.match(await toast.innerText(), /Share family deleted\./);
      const box = (await toast.boundingBox())!;
      assert.ok(box.y >= 0 && box.y + box.height <= DESKTOP.height, `the toast is in view: ${JSON.stringify(box)}`);
      assert.match(await admin.locator('webdav-admin p.sr-only[role="status"]').innerText(), /Share family deleted\./);
      await admin.screenshot({ path: path.join(SCREENSHOTS, 'admin-toast.png') });
      await admin.setViewportSize(PHONE);
      await admin.screenshot({ path: path.join(SCREENSHOTS, 'admin-toast-phone.png') });
      await admin.setViewportSize(DESKTOP);
      const shownAt = Date.now();
      await until(async () => assert.equal(await toast.count(), 0), 10_000);
      const shownFor = Date.now() - shownAt;
      assert.ok(shownFor >= 3_000, `the toast left after ${shownFor} ms`);

      // webdav.0 is gone and webdav.1 stays: a gap, which is nobody's problem.
      await admin.reload();
      await admin.locator('webdav-admin tr[data-share="trips"]').waitFor();
      assert.equal(await admin.locator('webdav-admin tr[data-share="family"]').count(), 0);
      assert.equal(await admin.locator('webdav-admin ul.problems').count(), 0, 'no problem listed anywhere');
      assert.equal(await admin.getByText('Other settings problems').count(), 0);
      assert.match(await stateOf().innerText(), /2 of 2 served$/m);
    },
  );

  it(
    'a failed change shows its error where the admin acted: the member list, the share’s row',
    { timeout: 60_000 },
    async (t) => {
      if (!ready(t)) return;
      // A user deleted on the command line while the page still offers them.
      assert.equal((await host.cli(['user', 'add', 'dave', '--password', 'dave-pw-123'])).code, 0);
      await admin.reload();
      const picker = admin.getByLabel('User to add to trips');
      await picker.selectOption('dave');
      assert.equal((await host.cli(['user', 'remove', 'dave'])).code, 0);
      await expectingFailedLoads(404, ADMIN_API, async () => {
        await admin.getByRole('button', { name: 'Add the chosen user to trips' }).click();
        const error = admin.locator('webdav-admin tr[data-share="trips"] .add-member + .field-error');
        await error.waitFor();
        assert.match(await error.innerText(), /there is no user "dave"/);
      });
      assert.equal(await admin.locator('webdav-admin .toast').count(), 0, 'no confirmation for a failure');

      // Logged in again in another tab: this page's CSRF token is stale, and Delete fails in its row.
      const context = admin.context();
      await context.clearCookies();
      const other = await context.newPage();
      await other.goto(`${host.url}/login`);
      await other.getByLabel('User name').fill('admin');
      await other.getByLabel('Password').fill(host.adminPassword!);
      await Promise.all([other.waitForURL(`${host.url}/`), other.getByRole('button', { name: 'Log in' }).click()]);
      await other.close();
      await expectingFailedLoads(403, ADMIN_API, async () => {
        admin.once('dialog', (dialog) => void dialog.accept());
        await admin.getByRole('button', { name: 'Delete trips' }).click();
        const error = admin.locator('webdav-admin tr[data-share="trips"] .row-error');
        await error.waitFor();
        assert.match(await error.innerText(), /earlier login .* Reload the page and try again/);
      });
      assert.equal(await admin.locator('webdav-admin section > p.error').count(), 0, 'nothing at the top of the page');
      await admin
        .locator('webdav-admin tr[data-share="trips"]')
        .screenshot({ path: path.join(SCREENSHOTS, 'admin-row-error.png') });
      await admin.reload();
    },
  );

  it(
    'an expired session shows "You are logged out" with a link to the login that comes back to the page',
    { timeout: 60_000 },
    async (t) => {
      if (!ready(t)) return;
      await admin.locator('webdav-admin tr[data-share="trips"]').waitFor();
      await admin.context().clearCookies();
      const banner = admin.locator('webdav-admin .page-block');
      await expectingFailedLoads(401, ADMIN_API, async () => {
        await admin.locator('webdav-admin .pager').getByRole('button', { name: 'Refresh' }).click();
        await banner.waitFor();
      });
      // Down at the audit log, where the admin clicked, the banner is in view.
      const box = (await banner.boundingBox())!;
      assert.ok(box.y >= 0 && box.y + box.height <= DESKTOP.height, `the banner is in view: ${JSON.stringify(box)}`);
      assert.ok(await admin.evaluate(() => window.scrollY > 0), 'the page is scrolled down');
      await admin.screenshot({ path: path.join(SCREENSHOTS, 'admin-logged-out-scrolled.png') });
      assert.match(await banner.innerText(), /^You are logged out\. Log in again to come back to this page\.$/);
      const link = banner.getByRole('link', { name: 'Log in again' });
      assert.equal(await link.getAttribute('href'), '/login?next=%2Fadmin%2Fpages%2F0');
      assert.equal(await admin.locator('webdav-admin .error').count(), 0, 'no other error on the page');
      await admin.evaluate(() => window.scrollTo(0, 0));
      await screenshots(admin, 'admin-logged-out');

      await link.click();
      await admin.getByLabel('User name').fill('admin');
      await admin.getByLabel('Password').fill(host.adminPassword!);
      await Promise.all([
        admin.waitForURL(`${host.url}/admin/pages/0`),
        admin.getByRole('button', { name: 'Log in' }).click(),
      ]);
      await admin.locator('webdav-admin tr[data-share="trips"]').waitFor();
      assert.equal(await banner.count(), 0);
    },
  );

  it(
    'the plugin switched off while the page is open: "The WebDAV plugin is switched off", with a link to the plugin list',
    { timeout: 60_000 },
    async (t) => {
      if (!ready(t)) return;
      const cookie = (await admin.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
      const csrfToken = (await admin.locator('meta[name="csrf-token"]').getAttribute('content'))!;
      const session = { cookie, csrfToken, setCookie: '' };
      assert.equal((await setPluginEnabled(host.url, session, 'webdav-shares', false)).status, 200);
      const banner = admin.locator('webdav-admin .page-block');
      try {
        await expectingFailedLoads(404, ADMIN_API, async () => {
          await admin.locator('webdav-admin .pager').getByRole('button', { name: 'Refresh' }).click();
          await banner.waitFor();
          assert.match(await banner.innerText(), /^The WebDAV plugin is switched off\./);
          assert.equal(await banner.getByRole('link', { name: "host's plugin list" }).getAttribute('href'), '/admin');
          const state = admin.locator('webdav-admin dl.state');
          assert.match(await state.innerText(), /Switched off/);
          assert.doesNotMatch(await state.innerText(), /Enabled/);
          const text = await admin.locator('webdav-admin').evaluate((el) => el.shadowRoot!.textContent ?? '');
          assert.doesNotMatch(text, /The server answered/);
          assert.equal(text.split('The WebDAV plugin is switched off').length - 1, 1, 'said once');
          assert.equal(await admin.locator('webdav-admin .badge.ok').count(), 0, 'no share claims to be served');
          await admin.evaluate(() => window.scrollTo(0, 0));
          await screenshots(admin, 'admin-plugin-off');
        });
      } finally {
        assert.equal((await setPluginEnabled(host.url, session, 'webdav-shares', true)).status, 200);
      }
      // Switched on again: the page works again at its next load.
      await admin.reload();
      await admin.locator('webdav-admin tr[data-share="trips"]').waitFor();
      assert.equal(await banner.count(), 0);
      assert.match(await stateOf().innerText(), /Enabled/);
    },
  );

  it(
    'a photo folder’s path shows as the host’s, not as a field; an empty form names each missing field once',
    { timeout: 60_000 },
    async (t) => {
      if (!ready(t)) return;
      await admin.reload();
      await admin.getByRole('button', { name: 'Edit main' }).click();
      const form = admin.locator('webdav-admin form.share-form');
      await until(async () => assert.match(await form.innerText(), /set by the host/));
      assert.equal(await form.locator('#folder').count(), 0, 'no input for the folder');
      assert.match(await form.innerText(), /photos\s+set by the host/);
      assert.match(await form.innerText(), /cannot be changed here/);
      await form.screenshot({ path: path.join(SCREENSHOTS, 'admin-form-photo-root.png') });
      await form.getByRole('button', { name: 'Cancel' }).click();

      await admin.getByRole('button', { name: 'Add share' }).click();
      await until(async () =>
        assert.equal(
          await admin.locator('webdav-admin #mount-error').innerText(),
          'Name: give the share a name, e.g. scans.',
        ),
      );
      assert.equal(
        await admin.locator('webdav-admin #folder-error').innerText(),
        'Folder on the server: give the folder to share, e.g. /srv/scans.',
      );
      assert.equal(
        await admin.locator('webdav-admin p.sr-only[role="status"]').innerText(),
        'The share was not saved. Name: give the share a name, e.g. scans. Folder on the server: give the folder to share, e.g. /srv/scans.',
      );
      await form.screenshot({ path: path.join(SCREENSHOTS, 'admin-form-empty.png') });
    },
  );

  it('on a phone the audit log is a compact list, 25 entries a page', { timeout: 60_000 }, async (t) => {
    if (!ready(t)) return;
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`${host.url}/webdav/main/`, {
        method: 'PROPFIND',
        headers: { authorization: basic('admin', host.adminPassword!), depth: '0' },
      });
      assert.equal(res.status, 207);
      await res.arrayBuffer();
    }
    await admin.setViewportSize(PHONE);
    try {
      await admin.reload();
      const pager = admin.locator('webdav-admin .pager');
      await until(async () => assert.match(await pager.innerText(), /Entries 1–25 of \d+/), 10_000);
      const rows = admin.locator('webdav-admin table.audit tbody tr');
      assert.equal(await rows.count(), 25);
      const heights = await rows.evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().height));
      const tallest = Math.max(...heights);
      assert.ok(tallest <= 80, `an entry is at most 80 px tall, the tallest is ${tallest} px`);
      const first = rows.first();
      assert.match(
        await first.innerText(),
        /admin\s+127\.0\.0\.1\s+PROPFIND \/webdav\/main\/\s+207\s+\d+ bytes \/ \d+ bytes$/,
      );
      // The request has a line of its own, across the entry.
      const [entry, request] = await Promise.all([first.boundingBox(), first.locator('td.request').boundingBox()]);
      assert.ok(request!.width >= entry!.width - 2, `${request!.width} of ${entry!.width} px`);
      assert.equal(
        await admin.evaluate(() => document.documentElement.scrollWidth),
        PHONE.width,
        'nothing wider than the phone',
      );
      const section = admin.locator('webdav-admin section[aria-labelledby="audit-title"]');
      const height = (await section.boundingBox())!.height;
      assert.ok(height < 2_500, `the audit log is ${height} px tall`);
      await section.screenshot({ path: path.join(SCREENSHOTS, 'admin-audit-phone.png') });
      await pager.getByRole('button', { name: 'Older' }).click();
      await until(async () => assert.match(await pager.innerText(), /Entries 26–\d+ of \d+/));
    } finally {
      await admin.setViewportSize(DESKTOP);
    }
  });

  it(
    'a share with a date view and an inbox: field errors in place, then the view, its index figures, "Scan now" and its members in the row, and in About',
    { timeout: 90_000 },
    async (t) => {
      if (!ready(t)) return;
      const album = path.join(host.dataDir, 'album');
      await writeFixture(album, 'beach.jpg', jpegWithExif({ dateTimeOriginal: '2023:07:14 18:30:00', seed: 1 }));
      await writeFixture(album, 'hike.jpg', jpegWithExif({ dateTimeOriginal: '2024:05:01 09:00:00', seed: 2 }));
      await admin.reload();
      const form = admin.locator('webdav-admin form.share-form');
      await admin.getByLabel('Name', { exact: true }).fill('album');
      await admin.getByLabel('Folder on the server').fill(album);
      const dateMount = admin.getByLabel('Date view name');
      const inbox = admin.getByLabel('Inbox folder');
      assert.match(await form.innerText(), /read-only view by capture date at \/webdav\/name\//);
      assert.match(await form.innerText(), /files dropped here are filed into YYYY\/YYYY-MM/);

      // A view name taken by a share, and an inbox outside the share: each refused at its own field.
      await dateMount.fill('trips');
      await inbox.fill('../outside');
      await expectingFailedLoads(400, ADMIN_API, async () => {
        await form.getByRole('button', { name: 'Add share' }).click();
        const viewError = admin.locator('webdav-admin #dateMount-error');
        await viewError.waitFor();
        assert.match(
          await viewError.innerText(),
          /^Date view name: the name "trips" is already used by the share "trips" \(webdav\.1\)$/,
        );
        assert.match(
          await admin.locator('webdav-admin #inbox-error').innerText(),
          /^Inbox folder: .*"\.\." is not allowed/,
        );
      });
      assert.equal(await dateMount.getAttribute('aria-invalid'), 'true');
      assert.match((await inbox.getAttribute('aria-describedby')) ?? '', /inbox-error/);
      assert.equal(await admin.locator('webdav-admin #mount-error').count(), 0, 'the name itself is fine');
      assert.equal(
        await dateMount.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement),
        true,
        'the focus is on the first wrong field',
      );
      await form.screenshot({ path: path.join(SCREENSHOTS, 'admin-form-photo-errors.png') });

      await dateMount.fill('album-by-date');
      await inbox.fill('Inbox');
      await form.getByRole('button', { name: 'Add share' }).click();
      const row = admin.locator('webdav-admin tr[data-share="album"]');
      await row.waitFor();
      const photos = row.getByRole('group', { name: 'Photos of album' });
      assert.match(await photos.innerText(), /Date view album-by-date\s+served/);
      assert.equal(await photos.locator('.view-url code').innerText(), `${host.url}/webdav/album-by-date/`);
      // The first scan runs in the background; the page shows its figures once it is done.
      await until(async () => {
        await admin.reload();
        const text = await photos.innerText();
        assert.match(text, /2 photos and videos indexed, 0 undated/);
        assert.match(text, /last scan: /);
      }, 20_000);
      assert.match(await photos.innerText(), /the inbox is not looked at yet \(folder Inbox\)/);

      // A photo put on disk outside WebDAV, without EXIF: "Scan now" finds it, undated.
      await writeFixture(album, 'scan-17.jpg', jpegWithoutExif(3));
      await photos.getByRole('button', { name: 'Scan album now' }).click();
      await until(async () => assert.match(await photos.innerText(), /3 photos and videos indexed, 1 undated/));
      assert.match(
        await admin.locator('webdav-admin .toast').innerText(),
        /Scan of album done: 3 photos and videos indexed\./,
      );

      // The address is copied with its button.
      await photos.getByRole('button', { name: 'Copy the address of album-by-date' }).click();
      await until(async () =>
        assert.match(await admin.locator('webdav-admin .toast').innerText(), /Address of album-by-date copied\./),
      );

      // The view's own group: bob may use the view, not the share.
      await admin.getByLabel('User to add to album-by-date').selectOption('bob');
      await admin.getByRole('button', { name: 'Add the chosen user to album-by-date' }).click();
      await until(async () =>
        assert.match(await admin.getByRole('list', { name: 'Members of album-by-date' }).innerText(), /bob/),
      );
      assert.doesNotMatch(await admin.getByRole('list', { name: 'Members of album', exact: true }).innerText(), /bob/);
      await screenshots(admin, 'admin-photo-share');
      await admin.setViewportSize(PHONE);
      try {
        assert.equal(
          await admin.evaluate(() => document.documentElement.scrollWidth),
          PHONE.width,
          'nothing wider than the phone',
        );
        await row.screenshot({ path: path.join(SCREENSHOTS, 'admin-photo-share-row-phone.png') });
      } finally {
        await admin.setViewportSize(DESKTOP);
      }

      await bob.goto(`${host.url}/about`);
      const about = bob.locator('webdav-about');
      const view = about.locator('section.share', { hasText: 'album-by-date' });
      await view.waitFor();
      assert.match(await view.locator('h3').innerText(), /album-by-date\s+read-only/);
      assert.match(await view.innerText(), /by capture date of album/);
      await view.getByRole('button', { name: 'Copy URL of album-by-date' }).click();
      await until(async () =>
        assert.equal(await bob.evaluate(() => navigator.clipboard.readText()), `${host.url}/webdav/album-by-date/`),
      );
      await view.getByRole('button', { name: 'Show QR code' }).click();
      assert.equal(await view.getByRole('img', { name: `QR code of ${host.url}/webdav/album-by-date/` }).count(), 1);
      await screenshots(bob, 'about-date-view');
    },
  );

  it('ran without a script error or console error on any page', (t) => {
    if (!ready(t)) return;
    assert.deepEqual(browser.errors, []);
  });
});
