/**
 * The admin page's traffic chart and lock list, and the About control's QR
 * codes, in a real browser (Debian's chromium through playwright-core)
 * against the real host: after some WebDAV traffic the chart has bars, a
 * filter changes them, the numbers are in a table too; a lock a client
 * holds is listed and removed, after which a PUT without its token
 * succeeds; a user opens About, shows the QR code of a share, and the code
 * on the page decodes to the share's URL. Screenshots at desktop and phone
 * width go to test-output/browser/.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { BrowserSuite, DESKTOP, PHONE, SCREENSHOTS, screenshots, until } from '../helpers/browser.js';
import { lockInfo } from '../helpers/locks.js';
import { REPO_ROOT, eventually, startHost, type HostProcess } from '../helpers/host-process.js';
import { basic } from '../helpers/raw-http.js';
import { openDatabase } from '../../host/db.js';

const DAY_MS = 86_400_000;
const ANNA = basic('anna', 'anna-pw');

describe('traffic chart, locks and QR codes in chromium', () => {
  let host: HostProcess;
  let lockToken: string;
  const browser = new BrowserSuite();
  const dav = (method: string, pathname: string, headers: Record<string, string> = {}, body?: string) =>
    fetch(`${host.url}${pathname}`, { method, headers: { authorization: ANNA, ...headers }, body });

  before(async () => {
    host = await startHost({
      users: [
        { name: 'anna', password: 'anna-pw', groups: ['WebDAV.main'] },
        { name: 'bob', password: 'bob-pw', groups: ['WebDAV.main'] },
      ],
      settings: { 'user.log.webdav': 'true' },
    });
    // Today: anna uploads and reads through WebDAV.
    for (let i = 0; i < 3; i++) {
      assert.equal((await dav('PUT', `/webdav/main/photo-${i}.jpg`, {}, 'x'.repeat(200_000 * (i + 1)))).status, 201);
      assert.equal((await dav('GET', `/webdav/main/photo-${i}.jpg`)).status, 200);
    }
    // Earlier days: bob's traffic, as the audit log recorded it.
    const db = openDatabase(host.dataDir);
    try {
      await eventually(async () => {
        const [{ n }] = await db('webdav_audit').count({ n: '*' });
        assert.equal(Number(n), 6);
      });
      const now = Date.now();
      await db('webdav_audit').insert(
        [2, 5, 6, 11, 20, 27].flatMap((daysAgo, i) =>
          Array.from({ length: 4 + i * 3 }, (_, k) => ({
            at_ms: now - daysAgo * DAY_MS + k * 1000,
            user_name: 'bob',
            address: '127.0.0.1',
            method: k % 2 ? 'PUT' : 'GET',
            path: `/webdav/main/holiday-${k}.jpg`,
            mount: 'main',
            status: 200,
            bytes_in: k % 2 ? 3_000_000 * (i + 1) : 0,
            bytes_out: k % 2 ? 0 : 25_000_000 * (i + 1),
            duration_ms: 40,
          })),
        ),
      );
    } finally {
      await db.destroy();
    }
    // A program that crashed while editing a file leaves its lock behind.
    const locked = await dav(
      'LOCK',
      '/webdav/main/Bericht.docx',
      { 'content-type': 'application/xml', depth: '0', timeout: 'Second-3600' },
      lockInfo('exclusive', 'Anna’s laptop'),
    );
    assert.equal(locked.status, 201);
    lockToken = (locked.headers.get('lock-token') ?? '').replace(/^<|>$/g, '');
    await browser.start();
  });

  after(async () => {
    await browser.stop();
    await host?.stop();
  });

  let admin: Page;
  const traffic = (): Locator => admin.locator('webdav-traffic');
  /** The days whose bar in the chart has a height, and the tooltip of each. */
  const daysWithBars = (chart: 'requests' | 'bytes') =>
    traffic()
      .locator(`svg[data-chart="${chart}"] g.day`)
      .evaluateAll((days) =>
        days
          .filter((day) => [...day.querySelectorAll('rect.bar')].some((bar) => Number(bar.getAttribute('height')) > 0))
          .map((day) => day.querySelector('title')?.textContent ?? ''),
      );

  it(
    'the admin page draws requests and bytes per day for 30 days, with the numbers as a table',
    { timeout: 60_000 },
    async (t) => {
      if (!browser.ready(t)) return;
      admin = await browser.login(host.url, 'admin', host.adminPassword!);
      await admin.goto(`${host.url}/admin`);
      await admin.getByRole('link', { name: 'WebDAV shares' }).click();
      await traffic().locator('svg[data-chart="requests"] g.day').first().waitFor();
      assert.equal(await traffic().locator('svg[data-chart="requests"] g.day').count(), 30);
      assert.equal(await traffic().locator('svg[data-chart="bytes"] g.day').count(), 30);
      const requestDays = await daysWithBars('requests');
      assert.equal(requestDays.length, 7, requestDays.join('\n'));
      assert.match(requestDays.at(-1)!, /requests 7$/, 'today: anna’s six requests and her LOCK');
      assert.equal((await daysWithBars('bytes')).length, 7);
      // Labelled axes in readable units, and a picture that says what it shows.
      const ticks = await traffic()
        .locator('svg[data-chart="bytes"] g.axis text')
        .evaluateAll((texts) => texts.map((text) => text.textContent ?? ''));
      assert.ok(
        ticks.some((tick) => / MB$/.test(tick)),
        ticks.join(', '),
      );
      assert.equal(await traffic().getByRole('img', { name: 'Requests per day' }).count(), 1);
      const summary = await traffic().locator('#traffic-summary').innerText();
      assert.match(
        summary,
        /^76 requests, 424 MB up and 3\.8 GB down in 30 days\. The busiest day was \w+, \w+ \d+ with 19 requests\./,
      );

      await traffic().getByText('The numbers per day').click();
      const rows = traffic().locator('table.traffic-table tbody tr');
      assert.equal(await rows.count(), 30);
      assert.match(await rows.first().innerText(), /7\s+1\.2 MB\s+1\.2 MB/, 'today, newest first');
      await traffic().getByText('The numbers per day').click();
      await traffic().scrollIntoViewIfNeeded();
      await traffic().screenshot({ path: path.join(SCREENSHOTS, 'admin-traffic-chart.png') });
    },
  );

  it('a filter by user or share changes the chart', { timeout: 60_000 }, async (t) => {
    if (!browser.ready(t)) return;
    const answered = () => admin.waitForResponse((r) => r.url().includes('/admin/traffic?'));
    await Promise.all([answered(), traffic().getByLabel('User').selectOption('anna')]);
    await until(async () => assert.equal((await daysWithBars('requests')).length, 1));
    assert.match(await traffic().locator('.totals').innerText(), /^7 requests by anna, 1\.2 MB up/);

    await Promise.all([answered(), traffic().getByLabel('User').selectOption('bob')]);
    await until(async () => assert.equal((await daysWithBars('requests')).length, 6));
    await traffic().screenshot({ path: path.join(SCREENSHOTS, 'admin-traffic-bob.png') });

    await Promise.all([answered(), traffic().getByLabel('Share').selectOption('main')]);
    await until(async () => assert.equal((await daysWithBars('requests')).length, 6));
    await Promise.all([answered(), traffic().getByLabel('User').selectOption('')]);
    await Promise.all([answered(), traffic().getByLabel('Share').selectOption('')]);
    await until(async () => assert.equal((await daysWithBars('requests')).length, 7));

    // At phone width the chart is redrawn to the narrower screen, its text as large as before.
    await admin.setViewportSize(PHONE);
    await until(async () => {
      const width = Number(await traffic().locator('svg[data-chart="requests"]').getAttribute('width'));
      assert.ok(width > 200 && width <= PHONE.width, String(width));
    });
    const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
    await traffic().scrollIntoViewIfNeeded();
    await traffic().screenshot({ path: path.join(SCREENSHOTS, 'admin-traffic-chart-phone.png') });
    await admin.setViewportSize(DESKTOP);
  });

  it(
    'lists the lock a client left behind and removes it; WebDAV clients may write the file again',
    { timeout: 60_000 },
    async (t) => {
      if (!browser.ready(t)) return;
      const locks = admin.locator('webdav-locks');
      const row = locks.locator(`tr[data-lock="${lockToken}"]`);
      await row.waitFor();
      const text = await row.innerText();
      assert.match(text, /\/webdav\/main\/Bericht\.docx/);
      assert.match(text, /anna/);
      assert.match(text, /Anna’s laptop/);
      assert.match(text, /this item only/);
      assert.match(text, /in (59 min|1 h)/);
      assert.equal((await dav('PUT', '/webdav/main/Bericht.docx', {}, 'mine now')).status, 423, 'locked');
      await screenshots(admin, 'admin-traffic');
      await locks.screenshot({ path: path.join(SCREENSHOTS, 'admin-locks.png') });
      await admin.setViewportSize(PHONE);
      await locks.screenshot({ path: path.join(SCREENSHOTS, 'admin-locks-phone.png') });
      await admin.setViewportSize(DESKTOP);

      admin.once('dialog', (dialog) => void dialog.accept());
      await locks.getByRole('button', { name: 'Remove the lock on /webdav/main/Bericht.docx' }).click();
      await until(async () => assert.match(await locks.getByRole('status').innerText(), /is removed/));
      // The list is loaded again after the confirmation: the row goes with that answer.
      await until(async () => assert.equal(await row.count(), 0));
      await locks.getByText('No file is locked right now.').waitFor();
      await locks.screenshot({ path: path.join(SCREENSHOTS, 'admin-locks-removed.png') });
      assert.equal((await dav('PUT', '/webdav/main/Bericht.docx', {}, 'mine now')).status, 204, 'the lock is gone');
    },
  );

  it(
    'a user shows the QR code of a share in About, and it decodes to the share’s URL',
    { timeout: 60_000 },
    async (t) => {
      if (!browser.ready(t)) return;
      const anna = await browser.login(host.url, 'anna', 'anna-pw');
      await anna.goto(`${host.url}/about`);
      const about = anna.locator('webdav-about');
      const show = about.getByRole('button', { name: 'Show QR code' });
      await show.waitFor();
      assert.equal(await about.locator('figure.qr').count(), 0, 'hidden until asked for');
      assert.equal(await show.getAttribute('aria-expanded'), 'false');
      await show.click();
      const url = `${host.url}/webdav/main/`;
      const code = about.getByRole('img', { name: `QR code of ${url}` });
      await code.waitFor();
      assert.equal(await about.getByRole('button', { name: 'Hide QR code' }).getAttribute('aria-expanded'), 'true');
      assert.match(await about.locator('figure.qr figcaption').innerText(), new RegExp(url.replace(/[.]/g, '\\.')));

      // What the page shows, drawn onto a canvas and read by a QR decoder loaded from this machine.
      await anna.addScriptTag({ path: path.join(REPO_ROOT, 'node_modules', 'jsqr', 'dist', 'jsQR.js') });
      const decoded = await code.evaluate(async (svg) => {
        const box = svg.getBoundingClientRect();
        const image = new Image();
        image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(svg))}`;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = box.width;
        canvas.height = box.height;
        const context = canvas.getContext('2d')!;
        context.fillStyle = '#fff';
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
        const loaded = (window as unknown as { jsQR: unknown }).jsQR as
          | ((d: Uint8ClampedArray, w: number, h: number) => { data: string } | null)
          | { default: (d: Uint8ClampedArray, w: number, h: number) => { data: string } | null };
        const jsQR = typeof loaded === 'function' ? loaded : loaded.default;
        return jsQR(pixels.data, pixels.width, pixels.height)?.data ?? null;
      });
      assert.equal(decoded, url);
      await screenshots(anna, 'about-qr-code');
    },
  );

  it('ran without a script error or console error on any page', (t) => {
    if (!browser.ready(t)) return;
    assert.deepEqual(browser.errors, []);
  });
});
