import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceBrowserAvailability, haveBrowser, openBrowser, shotsDir, signIn, type BrowserSession } from '../helpers/browser.js';
import { startHarness, TEST_ADMIN, type Harness } from '../helpers/harness.js';

/**
 * The web panel in Debian's Chromium against the real service (which serves the built web/dist).
 * Without Chromium the suite is skipped with a printed reason, or fails when SB_REQUIRE_BROWSER=1.
 */
announceBrowserAvailability('web shell tests');

describe.skipIf(!haveBrowser)('web shell in Chromium', () => {
  let h: Harness;
  let browser: BrowserSession;

  beforeAll(async () => {
    [h, browser] = await Promise.all([startHarness(), openBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('admin: signs in, sees the users home, creates a user through the form', async () => {
    const page = await browser.newPage();
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
    expect(browser.errorsOf(page)).toEqual([]);
  });

  it('operator: wrong password, then home, live connection, RU/EN switch, session kept on reload', async () => {
    const op = await h.user('operator', { name: 'Ольга Операторова' });
    const page = await browser.newPage();
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

    // Pausing offers the administrator's reasons; the one picked is the status shown.
    const cc = await h.user('cc_admin');
    await h.api('/api/pause-reasons', { token: cc.token, body: { label: 'Обучение' } });
    await page.locator('.status-control--large .status-btn--paused').click();
    const form = page.locator('.status-control--large [data-testid="pause-form"]');
    await form.waitFor();
    await expect.poll(() => form.locator('datalist option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value))).toEqual(['Обучение']);
    await form.locator('input').fill('Обучение');
    await form.getByRole('button', { name: 'Поставить паузу' }).click();
    await form.waitFor({ state: 'detached' });
    await expect.poll(async () => (await h.api('/api/me', { token: op.token })).body.statusReason).toBe('Обучение');
    expect(await page.locator('.status-control--large .status-btn--paused').getAttribute('aria-pressed')).toBe('true');

    await page.screenshot({ path: `${shotsDir}/home-operator.png`, fullPage: true });
    expect(browser.errorsOf(page)).toEqual([]);
  });
});
