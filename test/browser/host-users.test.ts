/**
 * User management in the reference host's admin panel (/admin/users), in
 * Debian's chromium against the real host, as an admin would use it with the
 * keyboard: create users (a typed password, then a generated one shown once),
 * fix a refused form, choose groups with checkboxes, set and reset a password,
 * delete after a confirmation, and fail to delete their own account. What the
 * users can then do is checked too (web login, WebDAV). Screenshots at desktop
 * and phone width go to test-output/browser/host-users-*.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConsoleMessage, Page } from 'playwright-core';
import { BrowserSuite, screenshots, until } from '../helpers/browser.js';
import { canLogin as canLoginAt, eventually, startHost, type HostProcess } from '../helpers/host-process.js';
import { basic } from '../helpers/raw-http.js';

describe('user management in chromium', () => {
  let host: HostProcess;
  const browser = new BrowserSuite();
  let admin: Page;

  before(async () => {
    host = await startHost({ users: [{ name: 'bob', password: 'bob-pw', groups: ['WebDAV.main'] }] });
    assert.equal((await host.cli(['group', 'add', 'Family', '--description', 'Family photos'])).code, 0);
    await browser.start();
  });

  after(async () => {
    await browser.stop();
    await host?.stop();
  });

  const ready = (t: Parameters<BrowserSuite['ready']>[0]): boolean => browser.ready(t);
  const status = (page: Page) => page.getByRole('status');

  /** The WebDAV status of the share main with these credentials (207 in, 401 wrong login, 403 not a member). */
  const webdav = async (name: string, password: string): Promise<number> =>
    (
      await fetch(`${host.url}/webdav/main/`, {
        method: 'PROPFIND',
        headers: { authorization: basic(name, password), depth: '0' },
      })
    ).status;

  const canLogin = (name: string, password: string): Promise<boolean> => canLoginAt(host.url, name, password);

  /**
   * Runs an action whose page answers `status` on purpose (a refused form, a
   * refused delete, a non-admin): chromium logs "Failed to load resource" for
   * it, which is no error of the page. Asserts the status, and lets that one
   * console message pass.
   */
  const answered = async (page: Page, status: number, action: () => Promise<unknown>): Promise<void> => {
    const pattern = new RegExp(`the server responded with a status of ${status} `);
    browser.expectedConsoleErrors.push(pattern);
    let logged = false;
    const listener = (message: ConsoleMessage): void => {
      if (message.type() === 'error' && pattern.test(message.text())) logged = true;
    };
    page.on('console', listener);
    try {
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().isNavigationRequest()), action()]);
      assert.equal(response.status(), status);
      await until(async () => assert.ok(logged, `chromium logged the ${status}`), 5_000);
    } finally {
      page.off('console', listener);
      browser.expectedConsoleErrors.splice(browser.expectedConsoleErrors.indexOf(pattern), 1);
    }
  };

  /** Submits the focused form with Enter and waits for the page it leads to. */
  const submitWithEnter = async (page: Page): Promise<void> => {
    await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
  };

  it(
    'an admin finds Users on the admin panel and sees every user with their groups',
    { timeout: 60_000 },
    async (t) => {
      if (!ready(t)) return;
      admin = await browser.login(host.url, 'admin', host.adminPassword!);
      await admin.goto(`${host.url}/admin`);
      await admin.getByRole('link', { name: 'Users and their shares' }).focus();
      await Promise.all([admin.waitForURL(`${host.url}/admin/users`), admin.keyboard.press('Enter')]);
      assert.equal(await admin.getByRole('heading', { level: 1 }).innerText(), 'Users');
      const rows = admin.locator('tbody tr');
      assert.deepEqual(await rows.locator('td:first-child').allInnerTexts(), ['admin (you)', 'bob']);
      assert.match(await admin.locator('tr[data-user="bob"]').innerText(), /no\s+WebDAV\.main/);
    },
  );

  it(
    'refuses a bad name and a too long password at their fields, keeping what was typed but the password',
    {
      timeout: 60_000,
    },
    async (t) => {
      if (!ready(t)) return;
      const name = admin.getByLabel('User name');
      const password = admin.getByLabel('Password', { exact: true });
      await name.focus();
      await admin.keyboard.type('anna:1');
      await admin.keyboard.press('Tab');
      await admin.keyboard.type('x'.repeat(73));
      await admin.getByRole('checkbox', { name: /Family/ }).check();
      await name.focus();
      await answered(admin, 400, () => submitWithEnter(admin));

      const summary = admin.getByRole('alert');
      assert.match(await summary.innerText(), /2 problems/);
      assert.match(await summary.innerText(), /User name "anna:1" may not contain ':'/);
      assert.equal(await name.getAttribute('aria-invalid'), 'true');
      assert.match(
        await admin.locator('#new-name-error').innerText(),
        /may not contain ':' \(WebDAV clients could not log in\)/,
      );
      assert.match((await name.getAttribute('aria-describedby')) ?? '', /new-name-error/);
      assert.match(await admin.locator('#new-password-error').innerText(), /longer than 72 bytes/);
      assert.equal(await name.inputValue(), 'anna:1', 'the name is kept');
      assert.equal(await password.inputValue(), '', 'the password is not sent back');
      assert.equal(await admin.getByRole('checkbox', { name: /Family/ }).isChecked(), true, 'the groups are kept');
      assert.equal(
        await name.evaluate((el) => el === document.activeElement),
        true,
        'the first field with a problem has the focus',
      );
      await screenshots(admin, 'host-users-form-errors');
    },
  );

  it(
    'creates a user with a typed password in chosen groups; they log in and reach the share',
    { timeout: 60_000 },
    async (t) => {
      if (!ready(t)) return;
      const name = admin.getByLabel('User name');
      await name.fill('anna');
      await admin.keyboard.press('Tab');
      await admin.keyboard.type('anna secret');
      // Groups are chosen with the keyboard: Space ticks the focused checkbox.
      await admin.getByRole('checkbox', { name: /WebDAV\.main/ }).focus();
      await admin.keyboard.press('Space');
      await name.focus();
      await submitWithEnter(admin);

      assert.equal(admin.url(), `${host.url}/admin/users`, 'sent back to the list (a reload repeats nothing)');
      assert.equal(await status(admin).innerText(), 'User anna created.');
      assert.equal(await status(admin).isVisible(), true);
      assert.match(await admin.locator('tr[data-user="anna"]').innerText(), /Family, WebDAV\.main/);
      assert.match(
        await admin.locator('ol.changes li').first().innerText(),
        /admin \(admin pages\) created anna, in Family, WebDAV\.main/,
      );
      assert.ok(await canLogin('anna', 'anna secret'));
      assert.equal(await webdav('anna', 'anna secret'), 207);
      // The confirmation was for that one page.
      await admin.reload();
      assert.equal(await admin.locator('.notice').count(), 0);
    },
  );

  it('creates a user with a generated password shown once, easy to copy', { timeout: 60_000 }, async (t) => {
    if (!ready(t)) return;
    await admin.getByLabel('User name').fill('ben');
    await admin.getByRole('button', { name: 'Create user' }).click();
    await admin.waitForLoadState();
    assert.equal(await status(admin).innerText(), 'User ben created.');
    const secret = admin.locator('#generated-password');
    const password = await secret.innerText();
    assert.match(password, /^[A-Za-z0-9_-]{24}$/);
    assert.equal(await secret.evaluate((el) => getComputedStyle(el).userSelect), 'all', 'one click selects it all');
    assert.match(await admin.getByRole('region', { name: /New password for ben/ }).innerText(), /shown only this once/);
    await screenshots(admin, 'host-users-generated-password');
    assert.ok(await canLogin('ben', password));
    assert.ok(!host.logs().includes(password), 'never logged');
    await admin.goto(`${host.url}/admin/users`);
    assert.equal(await admin.locator('#generated-password').count(), 0, 'gone on the next page');
    assert.ok(!(await admin.content()).includes(password));
    await screenshots(admin, 'host-users-list');
  });

  it('chooses a user’s groups in one form, and WebDAV follows', { timeout: 60_000 }, async (t) => {
    if (!ready(t)) return;
    await admin.getByRole('link', { name: 'anna', exact: true }).click();
    await admin.waitForURL(`${host.url}/admin/users/anna`);
    assert.equal(await admin.getByRole('heading', { level: 1 }).innerText(), 'User anna');
    const main = admin.getByRole('checkbox', { name: /WebDAV\.main/ });
    const family = admin.getByRole('checkbox', { name: /Family/ });
    assert.equal(await main.isChecked(), true);
    await main.focus();
    await admin.keyboard.press('Space');
    await family.focus();
    await admin.keyboard.press('Space');
    await Promise.all([admin.waitForLoadState(), admin.getByRole('button', { name: 'Save groups' }).press('Enter')]);
    await until(async () => assert.equal(await status(admin).innerText(), 'anna: removed from Family, WebDAV.main.'));
    assert.equal(await main.isChecked(), false);
    await eventually(async () => assert.equal(await webdav('anna', 'anna secret'), 403), 10_000);
    await main.check();
    await admin.getByRole('button', { name: 'Save groups' }).click();
    await until(async () => assert.equal(await status(admin).innerText(), 'anna: added to WebDAV.main.'));
    await eventually(async () => assert.equal(await webdav('anna', 'anna secret'), 207), 10_000);
    await screenshots(admin, 'host-users-user-page');
  });

  it(
    'sets a typed password (an empty one is refused at the field) and ends the user’s sessions',
    { timeout: 60_000 },
    async (t) => {
      if (!ready(t)) return;
      const anna = await browser.login(host.url, 'anna', 'anna secret');
      const field = admin.getByLabel('New password');
      await field.focus();
      await answered(admin, 400, () => submitWithEnter(admin));
      assert.match(await admin.locator('#set-password-error').innerText(), /The password may not be empty/);
      assert.equal(await admin.getByLabel('New password').getAttribute('aria-invalid'), 'true');
      await admin.getByLabel('New password').fill('anna new');
      await submitWithEnter(admin);
      assert.match(await status(admin).innerText(), /^Password set for anna\. \d web sessions? ended\.$/);
      assert.ok(await canLogin('anna', 'anna new'));
      assert.ok(!(await canLogin('anna', 'anna secret')));
      await anna.goto(`${host.url}/about`);
      assert.match(anna.url(), /\/login\?next=%2Fabout$/, 'anna’s browser was logged out');
    },
  );

  it('resets a password to a generated one, shown once', { timeout: 60_000 }, async (t) => {
    if (!ready(t)) return;
    await admin.getByRole('button', { name: 'Generate a new password' }).click();
    await admin.waitForLoadState();
    assert.match(await status(admin).innerText(), /^New password generated for anna\./);
    const password = await admin.locator('#generated-password').innerText();
    assert.ok(await canLogin('anna', password));
    assert.ok(!(await canLogin('anna', 'anna new')));
  });

  it('refuses to delete the admin’s own account, with a clear message', { timeout: 60_000 }, async (t) => {
    if (!ready(t)) return;
    await admin.goto(`${host.url}/admin/users/admin`);
    assert.match(await admin.locator('section[aria-labelledby="delete-title"]').innerText(), /you cannot delete it/);
    assert.equal(await admin.getByRole('link', { name: /^Delete admin/ }).count(), 0);
    await answered(admin, 409, () => admin.goto(`${host.url}/admin/users/admin/delete`));
    assert.equal(
      await admin.locator('#delete-error').innerText(),
      'You cannot delete your own account; another administrator can.',
    );
    assert.match(
      await admin.locator('section[aria-labelledby="admin-title"]').innerText(),
      /Only another administrator/,
    );
    assert.ok(await canLogin('admin', host.adminPassword!));
  });

  it('deletes a user after a confirmation page, which can be cancelled', { timeout: 60_000 }, async (t) => {
    if (!ready(t)) return;
    await admin.goto(`${host.url}/admin/users/ben`);
    await admin.getByRole('link', { name: 'Delete ben…' }).click();
    await admin.waitForURL(`${host.url}/admin/users/ben/delete`);
    assert.match(await admin.locator('main').innerText(), /Delete the user ben\?/);
    await screenshots(admin, 'host-users-delete-confirmation');
    await admin.getByRole('link', { name: 'Cancel' }).click();
    await admin.waitForURL(`${host.url}/admin/users/ben`);
    await admin.getByRole('link', { name: 'Delete ben…' }).click();
    await admin.waitForURL(`${host.url}/admin/users/ben/delete`);
    await admin.getByRole('button', { name: 'Delete ben' }).focus();
    await Promise.all([admin.waitForURL(`${host.url}/admin/users`), admin.keyboard.press('Enter')]);
    assert.equal(await status(admin).innerText(), 'User ben deleted.');
    assert.equal(await admin.locator('tr[data-user="ben"]').count(), 0);
    assert.match(await admin.locator('ol.changes li').first().innerText(), /admin \(admin pages\) deleted ben/);
    await screenshots(admin, 'host-users-after-delete');
  });

  it('shows a non-admin no user management', { timeout: 60_000 }, async (t) => {
    if (!ready(t)) return;
    const bob = await browser.login(host.url, 'bob', 'bob-pw');
    await answered(bob, 403, () => bob.goto(`${host.url}/admin/users`));
    assert.match(await bob.locator('main').innerText(), /administrators only/);
  });

  it('had no script or console errors', (t) => {
    if (!ready(t)) return;
    assert.deepEqual(browser.errors, []);
  });
});
