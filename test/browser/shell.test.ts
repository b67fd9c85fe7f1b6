import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startHarness, TEST_ADMIN, type Harness } from '../helpers/harness.js';

/**
 * The web panel in Debian's Chromium against the real service (which serves the built web/dist).
 * Without Chromium the suite is skipped with a printed reason, or fails when SB_REQUIRE_BROWSER=1.
 */
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const haveBrowser = existsSync(chromiumPath);
const requireBrowser = process.env.SB_REQUIRE_BROWSER === '1';
const shotsDir = process.env.SB_SHOTS_DIR || '/tmp/shots';
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
];

if (!haveBrowser && !requireBrowser) {
  console.warn(
    `[web shell tests] skipped: no Chromium at ${chromiumPath} (install Debian's "chromium" or set CHROMIUM_PATH; ` +
      'set SB_REQUIRE_BROWSER=1 to make its absence a failure)',
  );
}

if (!haveBrowser && requireBrowser) {
  describe('web shell (browser required)', () => {
    it('has a Chromium to drive', () => {
      throw new Error(`SB_REQUIRE_BROWSER=1 but there is no Chromium at ${chromiumPath}; install "chromium" or set CHROMIUM_PATH`);
    });
  });
}

describe.skipIf(!haveBrowser)('web shell in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** Console errors and uncaught exceptions (a CSP violation shows up here), per page. */
  const pageErrors = new Map<Page, string[]>();

  beforeAll(async () => {
    if (!existsSync(webIndex)) throw new Error('web/dist is missing: run `npm run build` first (`npm test` does it)');
    mkdirSync(shotsDir, { recursive: true });
    [h, browser] = await Promise.all([
      startHarness(),
      chromium.launch({ executablePath: chromiumPath, headless: true, args: launchArgs }),
    ]);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await h?.stop();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'ru-RU' });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    pageErrors.set(page, errors);
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      // Expected 4xx answers (wrong password, a rejected form) are logged by Chromium as resource errors.
      if (msg.type() === 'error' && !/status of 4\d\d/.test(msg.text())) errors.push(`console: ${msg.text()}`);
    });
    return page;
  }

  async function signIn(page: Page, email: string, password: string) {
    await page.locator('#login-email').fill(email);
    await page.locator('#login-password').fill(password);
    await page.locator('[data-testid="login-page"] button[type="submit"]').click();
  }

  it('admin: signs in, sees the users home, creates a user through the form', async () => {
    const page = await newPage();
    await page.goto(h.url + '/');
    await expect.poll(() => page.url()).toBe(h.url + '/login');
    await signIn(page, TEST_ADMIN.email, TEST_ADMIN.password);
    await page.getByTestId('home-admin').waitFor();
    expect(await page.getByTestId('home-heading').textContent()).toBe('Пользователи');
    expect(await page.getByTestId('user-role').textContent()).toBe('Администратор системы');
    await page.locator('[data-testid="user-row"]', { hasText: TEST_ADMIN.email }).waitFor();

    const form = page.getByTestId('user-form');
    const email = `new-hunter-${Date.now()}@test.local`;
    await form.locator('input[name="name"]').fill('Ирина Новикова');
    await form.locator('input[name="email"]').fill(email);
    await form.locator('select[name="role"]').selectOption('hunter');
    await form.locator('input[name="password"]').fill('short');
    await form.locator('button[type="submit"]').click();
    // The service's field error appears next to the password field.
    const pwField = form.locator('.field', { has: page.locator('input[name="password"]') });
    await pwField.getByTestId('field-error').waitFor();
    expect(await form.locator('input[name="password"]').getAttribute('aria-invalid')).toBe('true');

    await form.locator('input[name="password"]').fill('long-enough-password');
    await form.locator('button[type="submit"]').click();
    const row = page.locator('[data-testid="user-row"]', { hasText: email });
    await row.waitFor();
    expect(await row.textContent()).toContain('Менеджер активных продаж');
    const created = await h.api(`/api/users?q=${encodeURIComponent(email)}`, { token: await h.adminToken() });
    expect(created.body.items).toHaveLength(1);

    await page.getByTestId('connection').and(page.locator('[data-state="connected"]')).waitFor();
    await page.screenshot({ path: `${shotsDir}/home-admin.png`, fullPage: true });
    expect(pageErrors.get(page)).toEqual([]);
  });

  it('operator: wrong password, then home, live connection, RU/EN switch, session kept on reload', async () => {
    const op = await h.user('operator', { name: 'Ольга Операторова' });
    const page = await newPage();
    await page.goto(h.url + '/');
    await page.getByTestId('login-page').waitFor();

    await signIn(page, op.email, 'not-the-password');
    const alert = page.locator('[data-testid="login-page"] [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('Неверный e-mail или пароль.');

    await signIn(page, op.email, op.password);
    await page.getByTestId('home-operator').waitFor();
    const connection = page.getByTestId('connection');
    await page.locator('[data-testid="connection"][data-state="connected"]').waitFor();
    expect(await connection.textContent()).toBe('Подключено');
    expect(await page.getByTestId('user-name').textContent()).toBe(op.name);

    const heading = page.getByTestId('home-heading');
    expect(await heading.textContent()).toBe('Рабочее место оператора');
    await page.getByTestId('lang-en').click();
    await expect.poll(() => heading.textContent()).toBe('Operator desk');
    expect(await connection.textContent()).toBe('Connected');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByTestId('lang-ru').click();
    await expect.poll(() => heading.textContent()).toBe('Рабочее место оператора');

    // The httpOnly cookie keeps the session across a reload, and the socket reconnects.
    await page.reload();
    await page.getByTestId('home-operator').waitFor();
    await page.locator('[data-testid="connection"][data-state="connected"]').waitFor();
    expect(await heading.textContent()).toBe('Рабочее место оператора');

    await page.screenshot({ path: `${shotsDir}/home-operator.png`, fullPage: true });
    expect(pageErrors.get(page)).toEqual([]);
  });
});
