import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { announceBrowserAvailability, haveBrowser, openBrowser, shotsDir, signIn, type BrowserSession } from '../helpers/browser.js';
import { startHarness, type Harness, type TestUser } from '../helpers/harness.js';

/**
 * The client department in Debian's Chromium: a hunter records a prospect's first sale through the form and
 * learns which account manager got the client; that manager's open panel shows the new client (category C)
 * and the introduction task without a reload; the client head sees the workload, recomputes categories and
 * gives the client to another manager. The second test continues from the first one's data. Without
 * Chromium the suite is skipped with a printed reason, or fails when SB_REQUIRE_BROWSER=1.
 */
announceBrowserAvailability('clients browser tests');

describe.skipIf(!haveBrowser)('client department in Chromium', () => {
  let h: Harness;
  let browser: BrowserSession;
  let am: TestUser;
  let hunter: TestUser;
  let amPage: Page;
  let client: { id: string; name: string } | null = null;

  beforeAll(async () => {
    [h, browser] = await Promise.all([startHarness(), openBrowser()]);
    // The only account manager when the first sale happens: the handoff has to pick them.
    am = await h.user('account_manager', { name: 'Алла Клиентская' });
    hunter = await h.user('hunter', { name: 'Денис Продажин' });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  /** Signs a user in to the panel and waits for the live connection. */
  async function panel(user: TestUser): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(h.url + '/');
    await signIn(page, user.email, user.password);
    await page.getByTestId(`home-${user.role}`).waitFor();
    await page.locator('[data-testid="connection"][data-state="connected"]').waitFor();
    return page;
  }

  it('hunter records the first sale; the account manager sees the new client and the introduction task live', async () => {
    const salesHead = await h.user('sales_head');
    const name = 'Тимур Первопокупкин';
    const created = await h.api('/api/contacts', {
      token: salesHead.token,
      body: { name, company: 'ООО «Первая продажа»', phones: ['+79165551001'], hunterId: hunter.id },
    });
    expect(created.status).toBe(201);
    const contactId = created.body.id as string;

    // The account manager's panel is open before the sale, with nothing in it yet.
    amPage = await panel(am);
    const myClients = amPage.getByTestId('my-clients');
    await myClients.getByText('У вас пока нет клиентов.').waitFor();
    const myTasks = amPage.getByTestId('my-tasks');
    await myTasks.getByText('Открытых задач нет.').waitFor();

    const page = await panel(hunter);
    await page.getByTestId('my-commission').getByText('В этом месяце комиссии пока нет', { exact: false }).waitFor();
    const form = page.getByTestId('sale-form');
    const sent: Array<Record<string, string>> = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/deals') sent.push(r.headers());
    });

    // Both a prospect and an amount are required; a bad amount is caught before sending.
    await form.getByTestId('sale-submit').click();
    expect(await form.getByTestId('field-error').allTextContents()).toEqual(['Выберите клиента.', 'Укажите сумму больше нуля, например 15000 или 1500,50.']);
    await form.locator(`select[name="contactId"] option[value="${contactId}"]`).waitFor({ state: 'attached' });
    await form.locator('select[name="contactId"]').selectOption(contactId);
    await form.locator('input[name="amount"]').fill('75,5');
    await form.locator('textarea[name="notes"]').fill('Пробная партия');
    await form.getByTestId('sale-submit').click();
    await expect.poll(() => page.getByTestId('sale-message').textContent()).toContain(`клиент передан аккаунт-менеджеру ${am.name}`);
    const message = (await page.getByTestId('sale-message').textContent()) ?? '';
    expect(message).toContain(`Первая продажа: «${name}»`);
    expect(message.replace(/\s/g, ' ')).toContain('75,50 ₽');
    // Sent once, with a fresh idempotency key; the prospect is a client now and leaves the select.
    expect(sent).toHaveLength(1);
    expect(sent[0]!['idempotency-key']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await form.locator(`option[value="${contactId}"]`).count()).toBe(0);
    expect(await form.locator('input[name="amount"]').inputValue()).toBe('');
    // The select is back on its placeholder once the lists have caught up with the handoff.
    await page.getByTestId('my-prospects').locator('.tag--active').first().waitFor();
    await expect.poll(() => form.locator('select[name="contactId"]').evaluate((el) => (el as unknown as { selectedIndex: number }).selectedIndex)).toBe(0);

    // What the service recorded: kopecks, the notes, the first deal and its handoff.
    const deals = (await h.api(`/api/contacts/${contactId}/deals`, { token: hunter.token })).body;
    expect(deals.items).toEqual([expect.objectContaining({ amountMinor: 7550, currency: 'RUB', notes: 'Пробная партия', isFirst: true })]);
    expect(deals.handoff).toMatchObject({ toAccountManagerId: am.id, fromHunterId: hunter.id });
    await page.screenshot({ path: `${shotsDir}/hunter-sale.png`, fullPage: true });

    // The account manager's open panel shows the client and the introduction task without a reload.
    const row = myClients.locator(`[data-testid="client-row"][data-client-id="${contactId}"]`);
    await row.waitFor();
    expect(await row.getByTestId('client-name').textContent()).toBe(name);
    expect(await row.textContent()).toContain('ООО «Первая продажа»');
    expect(await row.getByTestId('client-category').textContent()).toBe('C');
    expect(await row.getAttribute('data-abandoned')).toBe('false');
    expect(await row.getByTestId('client-last-contact').textContent()).toContain('сегодня');
    expect(await row.getByTestId('client-covering').count()).toBe(0);
    const [listed] = (await h.api('/api/clients', { token: am.token })).body.items;
    expect(await row.getByTestId('client-open-tasks').textContent()).toBe(String(listed.openTasks));
    const task = myTasks.locator(`[data-testid="task-item"][data-kind="introduction"][data-contact-id="${contactId}"]`);
    await task.waitFor();
    expect(await task.getByTestId('task-title').textContent()).toBe(`Знакомство с клиентом «${name}»`);
    await amPage.screenshot({ path: `${shotsDir}/account-manager-home.png`, fullPage: true });

    // Done: the task leaves, the client's open tasks drop by one.
    await task.getByTestId('task-done').click();
    await task.waitFor({ state: 'detached' });
    await expect.poll(() => myTasks.getByTestId('tasks-message').textContent()).toContain(`Задача выполнена: Знакомство с клиентом «${name}».`);
    await expect.poll(() => row.getByTestId('client-open-tasks').textContent()).toBe(String(listed.openTasks - 1));

    // A later sale by the account manager earns the hunter their commission (3 % by default).
    const later = await h.api('/api/deals', { token: am.token, body: { contactId, amountMinor: 100_000 } });
    expect(later.status).toBe(201);
    expect(later.body.commission).toMatchObject({ hunterId: hunter.id, amountMinor: 3000 });
    await page.reload();
    const commission = page.getByTestId('my-commission');
    await commission.getByTestId('commission-row').waitFor();
    expect((await commission.getByTestId('commission-amount').textContent())?.replace(/\s/g, ' ')).toBe('30 ₽');

    client = { id: contactId, name };
    expect(browser.errorsOf(page)).toEqual([]);
    expect(browser.errorsOf(amPage)).toEqual([]);
  });

  it('client head: sees the workload, recomputes categories and reassigns the client to another manager', async () => {
    expect(client, 'the first test hands a client over').not.toBeNull();
    const { id, name } = client!;
    const second = await h.user('account_manager', { name: 'Борис Второв' });
    const head = await h.user('client_head', { name: 'Ксения Главная' });
    const page = await panel(head);

    // Workload: the first manager has the one client, the second none; nobody is overloaded.
    const mine = page.locator(`[data-testid="workload-row"][data-manager-id="${am.id}"]`);
    const theirs = page.locator(`[data-testid="workload-row"][data-manager-id="${second.id}"]`);
    await expect.poll(() => mine.getByTestId('workload-clients').textContent()).toBe('1');
    expect(await mine.getByTestId('workload-abandoned').textContent()).toBe('0');
    // 1 of the 40-client target.
    expect(await mine.getByTestId('workload-load').textContent()).toMatch(/^3\s%$/);
    expect(await mine.getByTestId('workload-overloaded').count()).toBe(0);
    expect(await theirs.getByTestId('workload-clients').textContent()).toBe('0');
    expect(await mine.textContent()).toContain(am.name);
    await page.getByTestId('head-tasks').getByText('Открытых задач нет.').waitFor();

    // Recompute: the summary shows, and the table follows the new categories.
    await page.getByTestId('recompute').click();
    await expect.poll(() => page.getByTestId('recompute-result').textContent()).toContain('Пересчитано клиентов: 1;');
    const clients = page.getByTestId('all-clients');
    const row = clients.locator(`[data-testid="client-row"][data-client-id="${id}"]`);
    await row.waitFor();
    const [scored] = (await h.api('/api/clients', { token: head.token })).body.items;
    expect(scored.riskGroup).toBe(0);
    await expect.poll(() => row.getByTestId('client-category').textContent()).toBe(scored.category);
    await expect.poll(() => row.getByTestId('client-risk').textContent()).toBe('группа 0');
    expect(await row.getByTestId('client-manager').textContent()).toBe(am.name);
    await page.screenshot({ path: `${shotsDir}/client-head-home.png`, fullPage: true });

    // Reassign: a manager and a reason are both required.
    await row.getByTestId('client-reassign').click();
    const form = clients.getByTestId('reassign-form');
    await form.getByTestId('reassign-submit').click();
    expect(await form.getByTestId('field-error').allTextContents()).toEqual(['Выберите менеджера.', 'Укажите причину.']);
    await form.locator(`select[name="accountManagerId"] option[value="${second.id}"]`).waitFor({ state: 'attached' });
    // The current manager is not offered.
    expect(await form.locator(`select[name="accountManagerId"] option[value="${am.id}"]`).count()).toBe(0);
    await form.locator('select[name="accountManagerId"]').selectOption(second.id);
    await form.locator('input[name="reason"]').fill('Выравниваем нагрузку');
    await form.getByTestId('reassign-submit').click();
    await form.waitFor({ state: 'detached' });
    await expect.poll(() => clients.getByTestId('clients-notice').textContent()).toContain(`Клиент «${name}» передан: ${second.name}.`);
    await expect.poll(() => row.getByTestId('client-manager').textContent()).toBe(second.name);
    await expect.poll(() => theirs.getByTestId('workload-clients').textContent()).toBe('1');
    await expect.poll(() => mine.getByTestId('workload-clients').textContent()).toBe('0');
    const contact = (await h.api(`/api/contacts/${id}`, { token: head.token })).body;
    expect(contact.accountManager).toEqual({ id: second.id, name: second.name });

    // The former manager's open panel lets the client go by itself.
    await amPage.getByTestId('my-clients').locator(`[data-testid="client-row"][data-client-id="${id}"]`).waitFor({ state: 'detached' });
    await amPage.getByTestId('my-clients').getByText('У вас пока нет клиентов.').waitFor();

    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: `${shotsDir}/client-head-reassigned.png`, fullPage: true });
    expect(browser.errorsOf(page)).toEqual([]);
    expect(browser.errorsOf(amPage)).toEqual([]);
  });
});
