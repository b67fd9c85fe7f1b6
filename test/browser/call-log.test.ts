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
    // The row can first come from a refresh that ran before the call was attributed; the call's event
    // refreshes it with its source.
    await expect.poll(async () => await callRow.textContent(), { timeout: 5000 }).toContain('Яндекс.Директ');

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

  it('cc_admin: opens a call from the log and sees its details, recording, legs and raw events', async () => {
    const admin = await h.adminToken();
    const source = await h.api('/api/sources', { token: admin, body: { name: 'Авито', channel: 'paid_social', active: true, utmSource: 'avito' } });
    expect(source.status).toBe(201);
    const number = await h.api('/api/tracking-numbers', { token: admin, body: { number: '+74951230002', sourceId: source.body.id, kind: 'static' } });
    expect(number.status).toBe(201);
    const ccAdmin = await h.user('cc_admin', { name: 'Светлана Детали' });

    const page = await browser.newPage();
    // The player must not fetch the recording by itself (preload="none"); nothing here may reach the PBX.
    const recordingRequests: string[] = [];
    await page.route('**/api/calls/*/recording', (route) => {
      recordingRequests.push(route.request().url());
      return route.abort();
    });
    await page.goto(h.url + '/');
    await signIn(page, ccAdmin.email, ccAdmin.password);
    await page.getByTestId('home-cc_admin').waitFor();
    await page.locator('[data-testid="connection"][data-state="connected"]').waitFor();

    // An answered inbound call with a stored recording: 5 s ringing, 10 s talking.
    const t0 = Date.now() - 20_000;
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    const channelId = `${Math.floor(t0 / 1000)}.${Math.floor(Math.random() * 1e6)}`;
    const channel = {
      id: channelId,
      name: `PJSIP/trunk-${channelId.replace('.', '')}`,
      state: 'Ring',
      caller: { number: '79161112233' },
      creationtime: at(0),
      dialplan: { context: 'from-trunk', exten: '4951230002' },
      channelvars: { SB_DID: '4951230002', SB_DIRECTION: 'inbound', SB_RECORDING: 'sb-test-recording-1', 'CHANNEL(linkedid)': channelId },
    };
    const { callId } = await applyChannelEvent(h.services, 'default', { type: 'StasisStart', timestamp: at(0), args: ['inbound'], channel });
    await applyChannelEvent(h.services, 'default', { type: 'ChannelStateChange', timestamp: at(5), channel: { ...channel, state: 'Up' } });
    await applyChannelEvent(h.services, 'default', {
      type: 'ChannelDestroyed',
      timestamp: at(15),
      cause: 16,
      cause_txt: 'Normal Clearing',
      channel: { ...channel, state: 'Up' },
    });

    const callRow = page.locator(`[data-testid="call-row"][data-call-id="${callId}"]`);
    await callRow.waitFor();
    await expect.poll(() => callRow.getAttribute('data-status')).toBe('answered');
    // A click anywhere on the row (here: the parties cell, not the time link) opens the call.
    await callRow.locator('td').nth(2).click();
    const detail = page.getByTestId('call-page');
    await detail.getByTestId('call-title').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/calls/${callId}`);
    expect(await detail.getByTestId('call-title').textContent()).toContain('Входящий звонок');
    expect(await detail.getByTestId('call-detail-status').textContent()).toBe('Отвечен');
    expect(await detail.getByTestId('call-from').textContent()).toBe('+7 916 111-22-33');
    expect(await detail.getByTestId('call-did').textContent()).toBe('+7 495 123-00-02');
    expect(await detail.getByTestId('call-wait').textContent()).toBe('5 с');
    expect(await detail.getByTestId('call-talk').textContent()).toBe('10 с');
    expect(await detail.getByTestId('call-source').textContent()).toBe('Авито');
    expect(await detail.getByTestId('call-method').textContent()).toBe('Статический номер');
    expect(await detail.getByTestId('call-ambiguous-flag').textContent()).toBe('нет');
    expect(await detail.getByTestId('call-answered').textContent()).not.toBe('—');

    // The recording player points at the API and has not loaded anything yet.
    const audio = detail.getByTestId('call-audio');
    expect(await audio.getAttribute('src')).toBe(`/api/calls/${callId}/recording`);
    expect(await audio.getAttribute('preload')).toBe('none');
    expect(await audio.getAttribute('controls')).not.toBeNull();
    expect(await detail.getByTestId('call-no-recording').count()).toBe(0);

    // One leg, and the raw events in order, each with its payload folded away.
    expect(await detail.getByTestId('call-leg').count()).toBe(1);
    expect(await detail.getByTestId('call-leg').getAttribute('data-channel-id')).toBe(channelId);
    expect(await detail.getByTestId('call-event-type').allTextContents()).toEqual(['StasisStart', 'ChannelStateChange', 'ChannelDestroyed']);
    const destroyed = detail.locator('[data-testid="call-event"][data-type="ChannelDestroyed"]');
    const payload = destroyed.locator('details pre');
    expect(await payload.isVisible()).toBe(false);
    await destroyed.locator('summary').click();
    await payload.waitFor();
    expect(JSON.parse((await payload.textContent())!)).toMatchObject({ type: 'ChannelDestroyed', cause: 16, channel: { id: channelId } });

    await page.evaluate("window.scrollTo(0, 0)");
    await page.screenshot({ path: `${shotsDir}/cc-admin-call-detail.png`, fullPage: true });

    // The caller became a contact; the link opens the contact card.
    await detail.getByTestId('call-contact-link').click();
    await page.getByTestId('contact-page').locator('a[href="tel:+79161112233"]').waitFor();
    await page.goBack();
    await page.getByTestId('call-page').getByTestId('call-title').waitFor();

    // A call still ringing: no recording, and it fills in live when the caller hangs up.
    const ringingId = `${Math.floor(Date.now() / 1000)}.${Math.floor(Math.random() * 1e6)}`;
    const ringing = {
      id: ringingId,
      name: `PJSIP/trunk-${ringingId.replace('.', '')}`,
      state: 'Ring',
      caller: { number: '79161112244' },
      creationtime: new Date().toISOString(),
      dialplan: { context: 'from-trunk', exten: '4951230002' },
      channelvars: { SB_DID: '4951230002', SB_DIRECTION: 'inbound', 'CHANNEL(linkedid)': ringingId },
    };
    const second = await applyChannelEvent(h.services, 'default', { type: 'StasisStart', timestamp: new Date().toISOString(), args: ['inbound'], channel: ringing });
    await page.goto(`${h.url}/calls/${second.callId}`);
    await page.getByTestId('call-no-recording').waitFor();
    expect(await page.getByTestId('call-detail-status').textContent()).toBe('Идёт');
    expect(await page.getByTestId('call-audio').count()).toBe(0);
    await page.locator('[data-testid="connection"][data-state="connected"]').waitFor();
    await applyChannelEvent(h.services, 'default', { type: 'ChannelDestroyed', timestamp: new Date().toISOString(), cause: 16, cause_txt: 'Normal Clearing', channel: ringing });
    await expect.poll(() => page.getByTestId('call-detail-status').textContent()).toBe('Брошен');
    expect(await page.getByTestId('call-event-type').allTextContents()).toEqual(['StasisStart', 'ChannelDestroyed']);

    // An unknown call, and a path that cannot be a call id: a clear message instead of a blank page.
    await page.goto(`${h.url}/calls/call_01JD0000000000000000000000`);
    expect(await page.getByTestId('call-error').textContent()).toContain('Звонок не найден');
    await page.goto(`${h.url}/calls/no-such-call`);
    expect(await page.getByTestId('call-error').textContent()).toContain('Звонок не найден');
    expect(await page.getByTestId('call-title').count()).toBe(0);

    expect(recordingRequests).toEqual([]);
    expect(browser.errorsOf(page)).toEqual([]);
  });
});
