import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { calls } from '../../src/db/schema.js';
import { newId } from '../../src/shared/ids.js';
import { announceBrowserAvailability, haveBrowser, openBrowser, shotsDir, signIn, type BrowserSession } from '../helpers/browser.js';
import { startHarness, TEST_ADMIN, type Harness, type TestUser } from '../helpers/harness.js';

/**
 * Reports and the wallboard in Chromium: a small known month (calls, leads, a meeting, a first sale by
 * two sources and two operators) read back as the funnel by source and by operator, its CSV link, the
 * daily trend and an empty and a refused report; then the wallboard following an operator's status live.
 */
announceBrowserAvailability('reports browser tests');

/** "30 000 ₽" with the no-break spaces Intl puts in, as plain spaces. */
const plain = (s: string | null) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ').trim();

describe.skipIf(!haveBrowser)('reports and the wallboard in Chromium', () => {
  let h: Harness;
  let browser: BrowserSession;
  let cc: TestUser;
  let op1: TestUser;
  let op2: TestUser;
  let hunter: TestUser;
  /** This calendar month in the company's zone: with the whole month the sources' monthly cost is not prorated. */
  let month: { from: string; to: string };

  beforeAll(async () => {
    [h, browser] = await Promise.all([startHarness(), openBrowser()]);
    const zone = h.config.companyTimeZone;
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const [y, m] = today.split('-').map(Number) as [number, number];
    month = { from: `${today.slice(0, 7)}-01`, to: `${today.slice(0, 7)}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}` };

    cc = await h.user('cc_admin', { name: 'Светлана Супервайзер' });
    const head = await h.user('sales_head', { name: 'Глеб Руководитель' });
    op1 = await h.user('operator', { name: 'Ольга Операторова' });
    op2 = await h.user('operator', { name: 'Павел Звонков' });
    hunter = await h.user('hunter', { name: 'Игорь Охотников' });

    const source = async (body: Record<string, unknown>) => {
      const res = await h.api('/api/sources', { token: cc.token, body: { active: true, ...body } });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const yandex = await source({ name: 'Яндекс.Директ', channel: 'paid_search', monthlyCost: 3_000_000 });
    const expo = await source({ name: 'Выставка', channel: 'offline' });

    // Three leads: two from Yandex taken by Olga, one from the exhibition taken by Pavel.
    const lead = async (op: TestUser, name: string, phone: string, sourceId: string) => {
      const res = await h.api('/api/contacts', { token: op.token, body: { name, phones: [phone], sourceId } });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const anna = await lead(op1, 'Анна Первая', '+74951110001', yandex);
    const boris = await lead(op1, 'Борис Второй', '+74951110002', yandex);
    const vera = await lead(op2, 'Вера Третья', '+74951110003', expo);

    // Five answered inbound calls a minute ago: Anna twice, Boris, Vera, and a stranger with no source.
    const call = async (o: { from: string; sourceId: string | null; contactId: string | null; operator: TestUser; target: boolean }) => {
      const id = newId('call');
      const startedAt = new Date(Date.now() - 60_000);
      await h.services.database.db.insert(calls).values({
        id,
        linkedid: id,
        direction: 'inbound',
        fromNumber: o.from,
        toNumber: '+74950000000',
        startedAt,
        answeredAt: new Date(startedAt.getTime() + 5_000),
        endedAt: new Date(startedAt.getTime() + (o.target ? 65_000 : 15_000)),
        talkSeconds: o.target ? 60 : 10,
        status: 'answered',
        sourceId: o.sourceId,
        attributionMethod: o.sourceId ? 'static_number' : 'unknown',
        target: o.target,
        contactId: o.contactId,
        operatorId: o.operator.id,
        capturedBy: 'manual',
      });
    };
    await call({ from: '+74951110001', sourceId: yandex, contactId: anna, operator: op1, target: true });
    await call({ from: '+74951110001', sourceId: yandex, contactId: anna, operator: op1, target: false });
    await call({ from: '+74951110002', sourceId: yandex, contactId: boris, operator: op1, target: true });
    await call({ from: '+74951110003', sourceId: expo, contactId: vera, operator: op2, target: true });
    await call({ from: '+74959990000', sourceId: null, contactId: null, operator: op2, target: false });

    // Olga books a meeting with Anna; Boris, given to the hunter, buys for 15 000 ₽.
    const meeting = await h.api('/api/meetings', { token: op1.token, body: { contactId: anna, scheduledAt: new Date(Date.now() + 86_400_000).toISOString() } });
    expect(meeting.status).toBe(201);
    expect((await h.api(`/api/contacts/${boris}`, { method: 'PATCH', token: head.token, body: { hunterId: hunter.id } })).status).toBe(200);
    const deal = await h.api('/api/deals', { token: hunter.token, body: { contactId: boris, amountMinor: 1_500_000 } });
    expect(deal.status).toBe(201);
    expect(deal.body.isFirst).toBe(true);
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  async function adminPage(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(h.url + '/');
    await signIn(page, TEST_ADMIN.email, TEST_ADMIN.password);
    await page.getByTestId('home-admin').waitFor();
    return page;
  }

  /** A table row's cells by `data-col`. */
  const cells = (page: Page, row: string) =>
    page.locator(row).evaluate((tr) => Object.fromEntries([...tr.querySelectorAll('[data-col]')].filter((c) => c.parentElement === tr).map((c) => [c.getAttribute('data-col'), c.getAttribute('data-value') ?? c.textContent])));

  it('admin: the funnel by source and by operator, the CSV link, the trend, an empty report and a refused period', async () => {
    const page = await adminPage();
    // A deep link keeps the period; the navigation leads there too.
    await page.getByTestId('nav-reports').click();
    await page.getByTestId('reports-page').waitFor();
    expect(new URL(page.url()).pathname).toBe('/reports');
    await page.goto(`${h.url}/reports?tab=funnel&from=${month.from}&to=${month.to}&groupBy=source`);
    const funnel = page.getByTestId('report-funnel');
    const body = funnel.getByTestId('report-body');
    await expect.poll(() => body.getAttribute('data-state')).toBe('ready');
    expect(await page.getByTestId('period-from').inputValue()).toBe(month.from);
    expect(await page.getByTestId('period-to').inputValue()).toBe(month.to);

    // By source: Yandex first (most calls), then the exhibition, then the calls with no source.
    const rows = funnel.getByTestId('funnel-row');
    expect(await rows.locator('th').allTextContents()).toEqual(['Яндекс.Директ', 'Выставка', 'Без источника']);
    const yandex = await cells(page, '[data-testid="funnel-row"]:nth-child(1)');
    expect(yandex).toMatchObject({
      label: 'Яндекс.Директ',
      calls: '3',
      uniqueCallers: '2',
      targetCalls: '2',
      newLeads: '2',
      meetingsBooked: '1',
      meetingsHeld: '0',
      firstSales: '1',
      revenueMinor: '1500000',
      costMinor: '3000000',
      costPerLeadMinor: '1500000',
      costPerMeetingMinor: '3000000',
      costPerFirstSaleMinor: '3000000',
    });
    expect(await cells(page, '[data-testid="funnel-row"]:nth-child(2)')).toMatchObject({ calls: '1', uniqueCallers: '1', targetCalls: '1', newLeads: '1', firstSales: '0', costMinor: '' });
    expect(await cells(page, '[data-testid="funnel-row"]:nth-child(3)')).toMatchObject({ calls: '1', uniqueCallers: '1', targetCalls: '0', newLeads: '0' });
    // Money from minor units with the currency, shares as percentages.
    const first = rows.first();
    expect(plain(await first.locator('[data-col="costMinor"]').textContent())).toBe('30 000 ₽');
    expect(plain(await first.locator('[data-col="costPerLeadMinor"]').textContent())).toBe('15 000 ₽');
    expect(plain(await first.locator('[data-col="revenueMinor"]').textContent())).toBe('15 000 ₽');
    expect(plain(await first.locator('.funnel-rate[data-col="calls_uniqueCallers"]').textContent())).toBe('66,7 %');
    expect(plain(await first.locator('.funnel-rate[data-col="newLeads_meetingsBooked"]').textContent())).toBe('50 %');
    expect(plain(await first.locator('[data-col="newLeads_firstSales"]').textContent())).toBe('50 %');
    expect(plain(await first.locator('.funnel-rate[data-col="meetingsHeld_firstSales"]').textContent())).toBe('—');
    // The total: five calls from four callers.
    expect(await cells(page, '[data-testid="funnel-total"]')).toMatchObject({
      label: 'Итого',
      calls: '5',
      uniqueCallers: '4',
      targetCalls: '3',
      newLeads: '3',
      meetingsBooked: '1',
      firstSales: '1',
      revenueMinor: '1500000',
    });
    // The chart shows the total's stages with the share reaching the next one.
    const stages = funnel.getByTestId('funnel-stage');
    expect(await stages.evaluateAll((li) => li.map((l) => [l.getAttribute('data-stage'), l.getAttribute('data-count')]))).toEqual([
      ['calls', '5'],
      ['uniqueCallers', '4'],
      ['targetCalls', '3'],
      ['newLeads', '3'],
      ['meetingsBooked', '1'],
      ['meetingsHeld', '0'],
      ['firstSales', '1'],
    ]);
    expect(plain(await funnel.locator('[data-testid="funnel-step"][data-pair="calls_uniqueCallers"]').textContent())).toBe('80 %');
    // The per-source bars: new leads and cost per lead.
    expect(await funnel.getByTestId('funnel-bar-0').evaluateAll((li) => li.map((l) => l.getAttribute('data-value')))).toEqual(['2', '1', '0']);
    expect(await funnel.getByTestId('funnel-bar-1').first().getAttribute('data-value')).toBe('1500000');
    const csv = funnel.getByTestId('report-csv');
    expect(await csv.getAttribute('href')).toBe(`/api/reports/funnel?from=${month.from}&to=${month.to}&groupBy=source&format=csv`);
    await page.screenshot({ path: `${shotsDir}/reports-funnel.png`, fullPage: true });

    // By operator: Olga's calls, leads, meeting and sale; the address follows.
    await funnel.getByTestId('funnel-group-by').selectOption('operator');
    await expect.poll(() => rows.locator('th').allTextContents()).toEqual(['Ольга Операторова', 'Павел Звонков']);
    expect(await cells(page, `[data-testid="funnel-row"][data-key="${op1.id}"]`)).toMatchObject({
      calls: '3',
      uniqueCallers: '2',
      targetCalls: '2',
      newLeads: '2',
      meetingsBooked: '1',
      firstSales: '1',
    });
    expect(await cells(page, `[data-testid="funnel-row"][data-key="${op2.id}"]`)).toMatchObject({ calls: '2', uniqueCallers: '2', targetCalls: '1', newLeads: '1', meetingsBooked: '0' });
    // Costs belong to sources only.
    expect(await funnel.locator('[data-col="costMinor"]').count()).toBe(0);
    expect(new URL(page.url()).searchParams.get('groupBy')).toBe('operator');
    const href = `/api/reports/funnel?from=${month.from}&to=${month.to}&groupBy=operator&format=csv`;
    expect(await csv.getAttribute('href')).toBe(href);
    // The link downloads the same rows as CSV with the signed-in panel's cookie.
    const [download] = await Promise.all([page.waitForEvent('download'), csv.click()]);
    expect(download.suggestedFilename()).toBe(`funnel-by-operator-${month.from}-${month.to}.csv`);
    const viaPanel = await page.evaluate(async (url) => {
      const res = await fetch(url);
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    }, href);
    expect(viaPanel.status).toBe(200);
    expect(viaPanel.type).toContain('text/csv');
    expect(viaPanel.text).toContain('Ольга Операторова');

    // The trend: every day of the month, today's five calls and one meeting.
    await page.getByTestId('report-tab-trend').click();
    const trend = page.getByTestId('report-trend');
    await expect.poll(() => trend.getByTestId('report-body').getAttribute('data-state')).toBe('ready');
    const dayCount = Number(month.to.slice(8));
    expect(await trend.locator('[data-series="calls"] [data-testid="trend-bar"]').count()).toBe(dayCount);
    expect(await trend.locator('[data-testid="trend-chart"]').evaluateAll((f) => f.map((x) => [x.getAttribute('data-series'), x.getAttribute('data-sum')]))).toEqual([
      ['calls', '5'],
      ['newLeads', '3'],
      ['meetingsBooked', '1'],
      ['firstSales', '1'],
    ]);
    await page.screenshot({ path: `${shotsDir}/reports-trend.png`, fullPage: true });
    expect(await trend.getByTestId('report-csv').getAttribute('href')).toBe(`/api/reports/trend?from=${month.from}&to=${month.to}&format=csv`);

    // Hunters: Igor's first sale; account managers: there are none.
    await page.getByTestId('report-tab-hunters').click();
    const hunters = page.getByTestId('report-hunters');
    await expect.poll(() => hunters.getByTestId('report-body').getAttribute('data-state')).toBe('ready');
    const igor = await cells(page, `[data-testid="hunters-row"][data-user-id="${hunter.id}"]`);
    expect({ ...igor, revenueMinor: plain(igor.revenueMinor ?? null) }).toMatchObject({ firstSales: '1', meetingsHeld: '0', conversion: '—', revenueMinor: '15 000 ₽' });
    await page.getByTestId('report-tab-account-managers').click();
    const managers = page.getByTestId('report-account-managers');
    await expect.poll(() => managers.getByTestId('report-body').getAttribute('data-state')).toBe('empty');

    // Refusals: none in the month, said so.
    await page.getByTestId('report-tab-refusals').click();
    const refusals = page.getByTestId('report-refusals');
    await expect.poll(() => refusals.getByTestId('report-body').getAttribute('data-state')).toBe('empty');
    expect(await refusals.textContent()).toContain('За этот период отказов нет.');

    // A period ending before it starts: the service's reason is shown.
    await page.goto(`${h.url}/reports?tab=funnel&from=${month.to}&to=${month.from}`);
    const error = page.getByTestId('report-funnel').getByTestId('report-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('must be after from');
    expect(browser.errorsOf(page).filter((e) => !/status of 400/.test(e))).toEqual([]);
  });

  it('operator: sees only the funnel by operator with their own row, and the operators report', async () => {
    const page = await browser.newPage();
    await page.goto(h.url + '/');
    await signIn(page, op1.email, op1.password);
    await page.getByTestId('home-operator').waitFor();
    expect(await page.getByTestId('nav-wallboard').count()).toBe(0);
    await page.goto(`${h.url}/reports?from=${month.from}&to=${month.to}`);
    await page.getByTestId('reports-page').waitFor();
    expect(await page.locator('[role="tab"]').allTextContents()).toEqual(['Воронка', 'Операторы']);
    const funnel = page.getByTestId('report-funnel');
    await expect.poll(() => funnel.getByTestId('report-body').getAttribute('data-state')).toBe('ready');
    expect(await funnel.getByTestId('funnel-group-by').inputValue()).toBe('operator');
    expect(await funnel.getByTestId('funnel-row').evaluateAll((r) => r.map((x) => x.getAttribute('data-key')))).toEqual([op1.id]);
    await page.getByTestId('report-tab-operators').click();
    const ops = page.getByTestId('report-operators');
    await expect.poll(() => ops.getByTestId('report-body').getAttribute('data-state')).toBe('ready');
    await page.screenshot({ path: `${shotsDir}/reports-operators.png`, fullPage: true });
    expect(await ops.getByTestId('operators-row').evaluateAll((r) => r.map((x) => x.getAttribute('data-user-id')))).toEqual([op1.id]);
    expect(await cells(page, '[data-testid="operators-row"]')).toMatchObject({ callsHandled: '3', callsMade: '0', talkSeconds: '02:10' });
  });

  it("admin: the wallboard follows an operator's status live, with the time in state ticking", async () => {
    expect((await h.api('/api/pause-reasons', { token: cc.token, body: { label: 'Обед' } })).status).toBe(201);
    const page = await adminPage();
    await page.getByTestId('nav-wallboard').click();
    const board = page.getByTestId('wallboard');
    await board.waitFor();
    await page.locator('[data-testid="wallboard-live"]').getByText('В эфире').waitFor();
    const card = board.locator(`[data-testid="wb-operator"][data-user-id="${op1.id}"]`);
    await card.waitFor();
    expect(await card.locator('.wb-op__name').textContent()).toBe('Ольга Операторова');
    expect(await board.locator(`[data-testid="wb-operator"][data-user-id="${op2.id}"]`).count()).toBe(1);
    expect(await board.locator(`[data-testid="wb-hunter"][data-user-id="${hunter.id}"]`).count()).toBe(1);
    // Today's figures: five inbound calls and Olga's meeting.
    expect(await board.getByTestId('wb-calls-today-value').textContent()).toBe('5');
    expect(await board.getByTestId('wb-meetings-today-value').textContent()).toBe('1');
    expect(await board.getByTestId('wb-waiting-value').textContent()).toBe('0');
    // Nothing below reloads the page: this mark would be gone.
    await page.evaluate(() => ((globalThis as unknown as { sbMark: number }).sbMark = 1));

    expect((await h.api('/api/me/status', { method: 'PUT', token: op1.token, body: { status: 'available' } })).status).toBe(200);
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 10_000 }).toBe('available');
    expect(await card.getByTestId('wb-operator-status').textContent()).toBe('Доступен');

    expect((await h.api('/api/me/status', { method: 'PUT', token: op1.token, body: { status: 'paused', reason: 'Обед' } })).status).toBe(200);
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 10_000 }).toBe('paused');
    expect(await card.getByTestId('wb-operator-status').textContent()).toBe('Пауза');
    expect(await card.getByTestId('wb-operator-reason').textContent()).toBe('Обед');
    // The time in state counts from the change, every second.
    const timer = card.getByTestId('wb-operator-timer');
    expect(await timer.textContent()).toMatch(/^00:0\d$/);
    const before = await timer.textContent();
    await expect.poll(() => timer.textContent(), { timeout: 5_000 }).not.toBe(before);
    expect(await page.evaluate(() => (globalThis as unknown as { sbMark?: number }).sbMark)).toBe(1);
    await page.screenshot({ path: `${shotsDir}/wallboard.png`, fullPage: true });
    expect(browser.errorsOf(page)).toEqual([]);
  });
});
