/**
 * Browser tests' shared parts: Debian's chromium driven by playwright-core,
 * logged-in sessions against a host, screenshots at desktop and phone width,
 * and a record of every script error and console error of every page, which
 * a suite's last test asserts is empty.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from './host-process.js';
import { hasTool, requireTool } from './tools.js';

export const SCREENSHOTS = path.join(REPO_ROOT, 'test-output', 'browser');
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

/** Never downloads a browser: Debian's chromium, nothing that calls home. */
const LAUNCH = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};

/** Retries `check` until it passes or `timeoutMs` is over (then rethrows its last error). */
export async function until<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** One chromium for a suite, with the errors of all its pages. */
export class BrowserSuite {
  private browser: Browser | undefined;
  private readonly contexts: BrowserContext[] = [];
  /** Script errors and console errors of any page, `url: message`. */
  readonly errors: string[] = [];
  /** Console errors a test provokes on purpose (a 400 for a form's bad input); matched against `message (resource url)`. */
  readonly expectedConsoleErrors: RegExp[] = [];

  /**
   * Runs `fn` with the console errors of failed loads answered `status` from
   * URLs matching `url` allowed, and only while it runs: chromium logs a
   * deliberate refusal (a form's 400, a non-admin's 403) as a console error.
   */
  async expectingFailedLoads<T>(status: number, url: RegExp, fn: () => Promise<T>): Promise<T> {
    const expected = new RegExp(`status of ${status} \\(.*\\) \\(${url.source}\\)$`);
    this.expectedConsoleErrors.push(expected);
    try {
      return await fn();
    } finally {
      this.expectedConsoleErrors.splice(this.expectedConsoleErrors.indexOf(expected), 1);
    }
  }

  /** Starts chromium when it is installed; each test then calls `ready`, which says why not. */
  async start(): Promise<void> {
    if (!hasTool('chromium')) return;
    await mkdir(SCREENSHOTS, { recursive: true });
    this.browser = await chromium.launch(LAUNCH);
  }

  async stop(): Promise<void> {
    for (const context of this.contexts) await context.close().catch(() => undefined);
    await this.browser?.close();
  }

  /** False (and skipped) when chromium is missing locally; under CI a missing chromium fails the test. */
  ready(t: TestContext): boolean {
    if (!requireTool(t, 'chromium', 'chromium')) return false;
    assert.ok(this.browser, 'chromium started');
    return true;
  }

  /** A new browser profile with one page, its errors recorded. */
  async newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
    const context = await this.browser!.newContext({ viewport: DESKTOP, ...options });
    this.contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => this.errors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      // Chromium reports a failed fetch as "Failed to load resource: …" and names the resource only in its location.
      const text = `${message.text()} (${message.location().url})`;
      if (this.expectedConsoleErrors.some((expected) => expected.test(text))) return;
      this.errors.push(`${page.url()}: console: ${text}`);
    });
    return page;
  }

  /** A page logged in to the host's web UI as `name`, on the home page. */
  async login(
    hostUrl: string,
    name: string,
    password: string,
    options: Parameters<Browser['newContext']>[0] = {},
  ): Promise<Page> {
    const page = await this.newPage(options);
    await page.goto(`${hostUrl}/login`);
    await page.getByLabel('User name').fill(name);
    await page.getByLabel('Password').fill(password);
    await Promise.all([page.waitForURL(`${hostUrl}/`), page.getByRole('button', { name: 'Log in' }).click()]);
    return page;
  }
}

/** Saves `name.png` at desktop width and `name-phone.png` at phone width, whole pages. */
export async function screenshots(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}
