import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceBrowserAvailability, haveBrowser, openBrowser, shotsDir, signIn, type BrowserSession } from '../helpers/browser.js';
import { applyChannelEvent } from '../../src/calls/records.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/**
 * The cc_admin home in Debian's Chromium: tracking numbers through the form, and the live call log fed by
 * `call:updated` while the page stays open. Without Chromium the suite is skipped with a printed reason, or
 * fails when SB_REQUIRE_BROWSER=1.
 */
announceBrowserAvailability('call log browser tests');

describe.skipIf(!haveBrowser)('call log and tracking numbers in Chromium', () => {
  let h: Harness;
  let browser: BrowserSession;

  beforeAll(async () => {
    [h, browser] = await Promise.all([startHarness(), openBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('cc_admin: adds a tracking number, then sees a call appear and end live', async () => {
    const source = await h.api('/api/sources', {
      token: await h.adminToken(),
      body: { name: 'Яндекс.Директ', channel: 'paid_search', active: true, utmSource: 'yandex' },
    });
    expect(source.status).toBe(201);
    const ccAdmin = await h.user('cc_admin', { name: 'Светлана Супервайзер' });

    const page = await browser.newPage();
    await page.goto(h.url + '/');
    await signIn(page, ccAdmin.email, ccAdmin.password);
    await page.getByTestId('home-cc_admin').waitFor();
    await page.locator('[data-testid="connection"][data-state="connected"]').waitFor();
    await page.getByTestId('call-log').getByText('Звонков нет.').waitFor();
    // The source made through the API shows with its utm_source.
    expect(await page.locator('[data-testid="source-row"]', { hasText: 'Яндекс.Директ' }).textContent()).toContain('yandex');

    // A tracking number through the form: a field error first, then the number in the list.
    const form = page.getByTestId('tracking-form');
    await form.locator('input[name="number"]').fill('12');
    await form.locator('select[name="sourceId"]').selectOption(source.body.id);
    await form.locator('button[type="submit"]').click();
    await form.locator('.field', { has: page.locator('input[name="number"]') }).getByTestId('field-error').waitFor();
    expect(await form.locator('input[name="number"]').getAttribute('aria-invalid')).toBe('true');

    await form.locator('input[name="number"]').fill('+7 495 123-00-01');
    await form.locator('select[name="kind"]').selectOption('static');
    await form.locator('button[type="submit"]').click();
    const numberRow = page.locator('[data-testid="tracking-row"][data-number="+74951230001"]');
    await numberRow.waitFor();
    expect(await numberRow.textContent()).toContain('+7 495 123-00-01');
    expect(await numberRow.textContent()).toContain('Яндекс.Директ');
    expect(await numberRow.textContent()).toContain('Статический');
    const listed = await h.api('/api/tracking-numbers', { token: ccAdmin.token });
    expect(listed.body.items.map((n: { number: string }) => n.number)).toContain('+74951230001');

    // A call arrives while the page is open: it shows up without a reload.
    const channelId = `${Math.floor(Date.now() / 1000)}.${Math.floor(Math.random() * 1e6)}`;
    const channel = {
      id: channelId,
      name: `PJSIP/trunk-${channelId.replace('.', '')}`,
      state: 'Ring',
      caller: { number: '79161234567' },
      creationtime: new Date().toISOString(),
      dialplan: { context: 'from-trunk', exten: '4951230001' },
      channelvars: { SB_DID: '4951230001', SB_DIRECTION: 'inbound', 'CHANNEL(linkedid)': channelId },
    };
    await applyChannelEvent(h.services, 'default', { type: 'StasisStart', timestamp: new Date().toISOString(), args: ['inbound'], channel });
    const callRow = page.locator('[data-testid="call-row"]', { hasText: '+7 916 123-45-67' });
    await callRow.waitFor();
    expect(await callRow.getAttribute('data-status')).toBe('in_progress');
    expect(await callRow.textContent()).toContain('Входящий');
    expect(await callRow.textContent()).toContain('Яндекс.Директ');

    // The caller hangs up before anyone answers: the row turns "abandoned", still without a reload.
    await applyChannelEvent(h.services, 'default', {
      type: 'ChannelDestroyed',
      timestamp: new Date().toISOString(),
      cause: 16,
      cause_txt: 'Normal Clearing',
      channel,
    });
    await expect.poll(() => callRow.getAttribute('data-status')).toBe('abandoned');
    expect(await callRow.getByTestId('call-status').textContent()).toBe('Брошен');
    expect(await page.locator('[data-testid="call-row"]').count()).toBe(1);

    // The status filter narrows the log on the server.
    await page.getByTestId('call-log').locator('select[name="status"]').selectOption('answered');
    await page.getByTestId('call-log').getByText('Звонков нет.').waitFor();
    await page.getByTestId('call-log').locator('select[name="status"]').selectOption('abandoned');
    await callRow.waitFor();
    await page.getByTestId('call-log').locator('select[name="status"]').selectOption('');
    await callRow.waitFor();

    // Scrolled to the top so the sticky header does not cover the log in the full-page shot.
    await page.evaluate("window.scrollTo(0, 0)");
    await page.screenshot({ path: `${shotsDir}/cc-admin-calls.png`, fullPage: true });
    expect(browser.errorsOf(page)).toEqual([]);
  });
});
