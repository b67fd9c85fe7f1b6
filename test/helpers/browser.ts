import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core; no browser downloads. */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const haveBrowser = existsSync(chromiumPath);
export const shotsDir = process.env.SB_SHOTS_DIR || '/tmp/shots';
const webIndex = fileURLToPath(new URL('../../web/dist/index.html', import.meta.url));

const launchArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // The softphone: a fake microphone, granted without a prompt.
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

/**
 * Without Chromium a browser suite is skipped with a printed reason, or — with SB_REQUIRE_BROWSER=1 —
 * replaced by a failing test. Call at the top of a browser test file; use `describe.skipIf(!haveBrowser)`.
 */
export function announceBrowserAvailability(suite: string) {
  if (haveBrowser) return;
  if (process.env.SB_REQUIRE_BROWSER === '1') {
    describe(`${suite} (browser required)`, () => {
      it('has a Chromium to drive', () => {
        throw new Error(`SB_REQUIRE_BROWSER=1 but there is no Chromium at ${chromiumPath}; install "chromium" or set CHROMIUM_PATH`);
      });
    });
  } else {
    console.warn(
      `[${suite}] skipped: no Chromium at ${chromiumPath} (install Debian's "chromium" or set CHROMIUM_PATH; ` +
        'set SB_REQUIRE_BROWSER=1 to make its absence a failure)',
    );
  }
}

export interface BrowserSession {
  /** A page in a fresh context (own cookies), Russian locale, 10 s default timeout. */
  newPage(): Promise<Page>;
  /** Console errors and uncaught exceptions of a page (a CSP violation shows up here). */
  errorsOf(page: Page): string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<BrowserSession> {
  if (!existsSync(webIndex)) throw new Error('web/dist is missing: run `npm run build` first (`npm test` does it)');
  mkdirSync(shotsDir, { recursive: true });
  const browser: Browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: launchArgs });
  const contexts: BrowserContext[] = [];
  const errors = new Map<Page, string[]>();
  return {
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'ru-RU', permissions: ['microphone'] });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const list: string[] = [];
      errors.set(page, list);
      page.on('pageerror', (err) => list.push(`pageerror: ${err.message}`));
      page.on('console', (msg) => {
        // Expected 4xx answers (wrong password, a rejected form) are logged by Chromium as resource errors.
        if (msg.type() === 'error' && !/status of 4\d\d/.test(msg.text())) list.push(`console: ${msg.text()}`);
      });
      return page;
    },
    errorsOf: (page) => errors.get(page) ?? [],
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
    },
  };
}

/** Fills and submits the panel's login form. */
export async function signIn(page: Page, email: string, password: string) {
  await page.locator('#login-email').fill(email);
  await page.locator('#login-password').fill(password);
  await page.locator('[data-testid="login-page"] button[type="submit"]').click();
}
