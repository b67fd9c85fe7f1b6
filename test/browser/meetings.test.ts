import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { announceBrowserAvailability, haveBrowser, openBrowser, shotsDir, signIn, type BrowserSession } from '../helpers/browser.js';
import { startHarness, type Harness, type TestUser } from '../helpers/harness.js';

/**
 * Meeting routing in Debian's Chromium: the hunter's offers (countdown, accept, decline with a reason) and
 * "My meetings" with outcomes; the sales head's queue, hand assignment, distribution and routing log.
 * Hunters are eligible only while their panel is open, so each test signs in the hunters it wants online
 * and closes their pages afterwards. Without Chromium the suite is skipped with a printed reason, or fails
 * when SB_REQUIRE_BROWSER=1.
 */
announceBrowserAvailability('meetings browser tests');

/** The service's clock; the late-accept test moves it past an offer's deadline. */
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

describe.skipIf(!haveBrowser)('meetings in Chromium', () => {
  let h: Harness;
  let browser: BrowserSession;
  let op: TestUser;
  const open: Array<{ page: Page; userId: string }> = [];

  beforeAll(async () => {
    [h, browser] = await Promise.all([startHarness({ clock }), openBrowser()]);
    op = await h.user('operator', { name: 'Ольга Записывающая' });
  });

  afterEach(async () => {
    // A hunter whose panel closed is no longer offered anything.
    for (const { page, userId } of open.splice(0)) {
      await page.context().close();
      await expect.poll(async () => (await h.services.realtime.presenceSnapshot()).has(userId)).toBe(false);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  /** Signs a user in to the panel and waits for the live connection (for a hunter: eligible from now on). */
  async function panel(user: TestUser): Promise<Page> {
    const page = await browser.newPage();
    open.push({ page, userId: user.id });
    await page.goto(h.url + '/');
    await signIn(page, user.email, user.password);
    await page.getByTestId(`home-${user.role}`).waitFor();
    await page.locator('[data-testid="connection"][data-state="connected"]').waitFor();
    return page;
  }

  let phoneSeq = 0;
  async function prospect(name: string, company: string) {
    phoneSeq += 1;
    const phone = `+7916555${String(phoneSeq).padStart(4, '0')}`;
    const res = await h.api('/api/contacts', { token: op.token, body: { name, company, phones: [phone] } });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, phone };
  }

  async function book(contactId: string, extra: Record<string, unknown> = {}) {
    const res = await h.api('/api/meetings', {
      token: op.token,
      body: { contactId, scheduledAt: new Date(clock.now().getTime() + 86_400_000).toISOString(), ...extra },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; status: string; scheduledAt: string };
  }

  const routingLog = async (meetingId: string) => (await h.api(`/api/meetings/${meetingId}/routing`, { token: await h.adminToken() })).body;

  it('hunter: sees an offer count down, accepts it and records outcomes in "My meetings"', async () => {
    const hunter = await h.user('hunter', { name: 'Игорь Охотников' });
    const page = await panel(hunter);
    const offers = page.getByTestId('offers');
    await offers.getByText('Новых предложений нет.', { exact: false }).waitFor();
    await page.getByTestId('my-meetings').getByText('Встреч пока нет.').waitFor();

    const contact = await prospect('Пётр Заказчиков', 'ООО «Ромашка»');
    const meeting = await book(contact.id, { durationMinutes: 90, location: 'Москва, Тверская 1', notes: 'Хочет демо' });
    expect(meeting.status).toBe('offered');

    // The offer arrives without a reload, with everything needed to decide.
    const card = page.locator(`[data-testid="offer-card"][data-meeting-id="${meeting.id}"]`);
    await card.waitFor();
    const text = await card.textContent();
    for (const part of ['Пётр Заказчиков', 'ООО «Ромашка»', '+7 916 555-00-01', '90 мин', 'Москва, Тверская 1', 'Хочет демо', op.name]) {
      expect(text).toContain(part);
    }
    expect(await card.getByTestId('offer-own').count()).toBe(0);

    // A live countdown from the default 5 minutes, not yet urgent.
    const countdown = card.getByTestId('offer-countdown');
    const first = await countdown.textContent();
    expect(first).toMatch(/^0[45]:\d\d$/);
    expect(await countdown.getAttribute('data-urgent')).toBe('false');
    await expect.poll(() => countdown.textContent(), { timeout: 3000 }).not.toBe(first);
    await page.screenshot({ path: `${shotsDir}/hunter-offer.png`, fullPage: true });

    await card.getByTestId('offer-accept').click();
    await card.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('offers-message').textContent()).toContain('Встреча с «Пётр Заказчиков» теперь ваша.');

    // It is in "My meetings" now, with only the outcomes an assigned meeting allows.
    const row = page.locator(`[data-testid="my-meeting"][data-meeting-id="${meeting.id}"]`);
    await row.waitFor();
    expect(await row.getByTestId('meeting-status').textContent()).toBe('Назначена');
    const buttons = async () => (await row.locator('[data-testid^="outcome-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid'))));
    expect(await buttons()).toEqual(['outcome-held', 'outcome-no_show', 'outcome-rescheduled', 'outcome-lost', 'outcome-cancelled']);
    const assigned = await h.api(`/api/meetings/${meeting.id}`, { token: hunter.token });
    expect(assigned.body).toMatchObject({ status: 'assigned', assignedHow: 'pool', hunter: { id: hunter.id } });
    // Accepting made the prospect the hunter's own.
    await page.getByTestId('my-prospects').getByText('Пётр Заказчиков').waitFor();

    // Rescheduling needs the new time.
    await row.getByTestId('outcome-rescheduled').click();
    const form = page.getByTestId('outcome-form');
    await form.getByTestId('outcome-submit').click();
    expect(await form.getByTestId('field-error').textContent()).toBe('Укажите новые дату и время.');
    const later = new Date(Date.now() + 3 * 86_400_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    await form.locator('input[name="rescheduledTo"]').fill(`${later.getUTCFullYear()}-${pad(later.getUTCMonth() + 1)}-${pad(later.getUTCDate())}T15:30`);
    await form.getByTestId('outcome-submit').click();
    await expect.poll(() => row.getAttribute('data-status')).toBe('rescheduled');
    expect(await row.getByTestId('meeting-status').textContent()).toBe('Перенесена');
    const moved = (await h.api(`/api/meetings/${meeting.id}`, { token: hunter.token })).body;
    expect(moved.rescheduledFrom).toBe(meeting.scheduledAt);
    expect(Date.parse(moved.scheduledAt)).toBeGreaterThan(Date.parse(meeting.scheduledAt));

    // Held (with a comment), then won — which only a held meeting offers.
    await row.getByTestId('outcome-held').click();
    await form.locator('input[name="reason"]').fill('Обсудили тариф');
    await form.getByTestId('outcome-submit').click();
    await expect.poll(() => row.getAttribute('data-status')).toBe('held');
    expect(await buttons()).toEqual(['outcome-lost', 'outcome-won']);
    await row.getByTestId('outcome-won').click();
    await form.getByTestId('outcome-submit').click();
    await expect.poll(() => row.getAttribute('data-status')).toBe('won');
    expect(await row.getByTestId('meeting-status').textContent()).toBe('Сделка заключена');
    expect(await buttons()).toEqual([]);
    expect((await h.api(`/api/meetings/${meeting.id}`, { token: hunter.token })).body.status).toBe('won');

    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: `${shotsDir}/hunter-meetings.png`, fullPage: true });
    expect(browser.errorsOf(page)).toEqual([]);
  });

  it('hunter: the next meeting with their client is marked as theirs; declining it needs a reason', async () => {
    const hunter = await h.user('hunter', { name: 'Дарья Отказова' });
    const page = await panel(hunter);
    const contact = await prospect('Анна Клиентова', 'АО «Вектор»');

    // The first meeting is accepted elsewhere (the API): it shows up in "My meetings" by itself.
    const first = await book(contact.id);
    await page.locator(`[data-testid="offer-card"][data-meeting-id="${first.id}"]`).waitFor();
    const [offer] = (await h.api('/api/meetings/offers', { token: hunter.token })).body;
    expect((await h.api(`/api/meetings/offers/${offer.offerId}/accept`, { method: 'POST', token: hunter.token })).status).toBe(200);
    await page.locator(`[data-testid="my-meeting"][data-meeting-id="${first.id}"]`).waitFor();
    await page.locator(`[data-testid="offer-card"][data-meeting-id="${first.id}"]`).waitFor({ state: 'detached' });

    // The second one goes to the same hunter, who holds the prospect now.
    const second = await book(contact.id, { location: 'Zoom' });
    const card = page.locator(`[data-testid="offer-card"][data-meeting-id="${second.id}"]`);
    await card.waitFor();
    expect(await card.getByTestId('offer-own').textContent()).toBe('Ваш клиент');

    await card.getByTestId('offer-decline').click();
    const form = card.getByTestId('offer-decline-form');
    await form.getByTestId('offer-decline-submit').click();
    expect(await form.getByTestId('field-error').textContent()).toBe('Укажите причину отказа.');
    await card.screenshot({ path: `${shotsDir}/hunter-offer-decline.png` });
    // Nothing was sent: the offer is still open.
    expect((await h.api('/api/meetings/offers', { token: hunter.token })).body.map((o: { offerId: string }) => o.offerId)).toHaveLength(1);

    await form.locator('input[name="reason"]').fill('Клиент просил другого менеджера');
    await form.getByTestId('offer-decline-submit').click();
    await card.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('offers-message').textContent()).toContain('Вы отказались от встречи с «Анна Клиентова»');

    // Nobody else is online: the meeting waits for the head, and the log keeps the reason.
    const log = await routingLog(second.id);
    expect(log.offers).toEqual([expect.objectContaining({ hunterId: hunter.id, how: 'sticky', status: 'declined', declineReason: 'Клиент просил другого менеджера' })]);
    const last = log.decisions.at(-1);
    expect(last.kind).toBe('no_candidates');
    expect(last.detail.candidates.find((c: { id: string }) => c.id === hunter.id).reasons).toContain('declined_before');
    expect((await h.api(`/api/meetings/${second.id}`, { token: await h.adminToken() })).body.status).toBe('unassigned');
    expect(browser.errorsOf(page)).toEqual([]);
  });

  it('sales head: sees an unassigned meeting live, assigns it by hand and reads the routing log', async () => {
    const head = await h.user('sales_head', { name: 'Нина Руководителева' });
    const reserve = await h.user('hunter', { name: 'Яков Резервов' });
    const page = await panel(head);
    const queue = page.getByTestId('meeting-queue');
    await page.getByTestId('distribution-table').waitFor();

    // Booked while no hunter has the panel open: nobody can be offered it.
    const contact = await prospect('Борис Бесхозный', 'ИП Борисов');
    const meeting = await book(contact.id, { location: 'Офис клиента' });
    expect(meeting.status).toBe('unassigned');
    const row = queue.locator(`[data-testid="queue-row"][data-meeting-id="${meeting.id}"]`);
    await row.waitFor();
    // A refresh that ran while the meeting was still being routed may show it as "routing" first.
    await expect.poll(() => row.getAttribute('data-status')).toBe('unassigned');
    expect(await row.getAttribute('class')).toContain('queue-row--unassigned');
    expect(await row.getByTestId('meeting-status').textContent()).toBe('Не распределена');
    expect(await row.textContent()).toContain('Борис Бесхозный');

    // Hand assignment: a hunter and a reason are both required.
    await row.getByTestId('queue-assign').click();
    const form = queue.getByTestId('assign-form');
    await form.getByTestId('assign-submit').click();
    expect(await form.getByTestId('field-error').allTextContents()).toEqual(['Выберите менеджера.', 'Укажите причину.']);
    await form.locator(`select[name="hunterId"] option[value="${reserve.id}"]`).waitFor({ state: 'attached' });
    await form.locator('select[name="hunterId"]').selectOption(reserve.id);
    await form.locator('input[name="reason"]').fill('Знает отрасль клиента');
    await form.getByTestId('assign-submit').click();
    await row.waitFor({ state: 'detached' });
    await expect.poll(() => queue.getByTestId('queue-notice').textContent()).toContain('Встреча с «Борис Бесхозный» назначена: Яков Резервов.');
    const assigned = (await h.api(`/api/meetings/${meeting.id}`, { token: head.token })).body;
    expect(assigned).toMatchObject({ status: 'assigned', assignedHow: 'manual', hunter: { id: reserve.id } });

    // The month's distribution counts it for that hunter.
    const dist = page.locator(`[data-testid="distribution-row"][data-hunter-id="${reserve.id}"]`);
    await expect.poll(() => dist.getByTestId('distribution-assigned').textContent(), { timeout: 5000 }).toBe('1');
    expect(await dist.textContent()).toContain('Яков Резервов');

    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: `${shotsDir}/sales-head-meetings.png`, fullPage: true });

    // The routing log: nobody eligible (every hunter's panel was closed), then the hand assignment.
    await queue.getByTestId('queue-notice-routing').click();
    const log = page.getByTestId('routing-page');
    await log.getByTestId('routing-decision').first().waitFor();
    expect(new URL(page.url()).pathname).toBe(`/meetings/${meeting.id}/routing`);
    expect(await log.getByTestId('routing-decision').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).toEqual(['no_candidates', 'manual']);
    expect(await log.getByTestId('routing-decision-kind').allTextContents()).toEqual(['Некому предложить', 'Назначена вручную']);
    const candidate = log.locator(`[data-testid="routing-candidate"][data-hunter-id="${reserve.id}"]`);
    expect(await candidate.getAttribute('data-eligible')).toBe('false');
    expect(await candidate.getByTestId('routing-candidate-reasons').textContent()).toBe('не подключён');
    expect(await log.locator('[data-testid="routing-candidate"][data-chosen="true"]').count()).toBe(0);
    const manual = log.locator('[data-testid="routing-decision"][data-kind="manual"]');
    expect(await manual.getByTestId('routing-decision-reason').textContent()).toBe('Знает отрасль клиента');
    await expect.poll(() => manual.textContent(), { timeout: 5000 }).toContain('Нина Руководителева');
    expect(await manual.textContent()).toContain('Яков Резервов');
    expect(await log.getByTestId('routing-meeting').textContent()).toContain('Назначена');

    // The reasons are translated.
    await page.getByTestId('lang-en').click();
    await expect.poll(() => candidate.getByTestId('routing-candidate-reasons').textContent()).toBe('not connected');
    expect(await log.getByTestId('routing-decision-kind').allTextContents()).toEqual(['Nobody to offer to', 'Assigned by hand']);
    await page.screenshot({ path: `${shotsDir}/sales-head-routing-log.png`, fullPage: true });
    expect(browser.errorsOf(page)).toEqual([]);
  });

  it('sales head: the routing log shows each candidate, the chosen one and the offers', async () => {
    const head = await h.user('sales_head');
    const hunter = await h.user('hunter', { name: 'Вера Выбранная' });
    const hunterPage = await panel(hunter);
    const contact = await prospect('Глеб Логов', 'ООО «Журнал»');
    const meeting = await book(contact.id);
    await hunterPage.locator(`[data-testid="offer-card"][data-meeting-id="${meeting.id}"]`).waitFor();

    const page = await panel(head);
    await page.goto(`${h.url}/meetings/${meeting.id}/routing`);
    const log = page.getByTestId('routing-page');
    const chosen = log.locator('[data-testid="routing-candidate"][data-chosen="true"]');
    await chosen.waitFor();
    expect(await chosen.getAttribute('data-hunter-id')).toBe(hunter.id);
    expect(await chosen.getAttribute('data-eligible')).toBe('true');
    expect(await chosen.textContent()).toContain('выбран');
    // Every other hunter of this file is offline.
    for (const reasons of await log.locator('[data-testid="routing-candidate"][data-eligible="false"] [data-testid="routing-candidate-reasons"]').allTextContents()) {
      expect(reasons).toContain('не подключён');
    }
    expect(await log.getByTestId('routing-offer-status').allTextContents()).toEqual(['ждёт ответа']);

    // The hunter accepts: the open log follows without a reload.
    await hunterPage.locator(`[data-testid="offer-card"][data-meeting-id="${meeting.id}"]`).getByTestId('offer-accept').click();
    await expect.poll(() => log.getByTestId('routing-offer-status').allTextContents(), { timeout: 5000 }).toEqual(['принято']);
    await expect
      .poll(() => log.getByTestId('routing-decision').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))), { timeout: 5000 })
      .toEqual(['offer', 'accepted']);

    // A wrong link reads as such.
    await page.goto(`${h.url}/meetings/mtg_01JD0000000000000000000000/routing`);
    expect(await page.getByTestId('routing-error').textContent()).toContain('Встреча не найдена');
    expect(browser.errorsOf(page)).toEqual([]);
    expect(browser.errorsOf(hunterPage)).toEqual([]);
  });

  it('hunter: the countdown turns red near the deadline; a late accept says why and drops the offer', async () => {
    const hunter = await h.user('hunter', { name: 'Лев Опоздалов' });
    const page = await panel(hunter);
    // No sweeps from here on: the offer stays open past its deadline until the hunter answers.
    await h.routing.stop();
    const contact = await prospect('Зоя Поздняя', 'ООО «Часы»');
    const meeting = await book(contact.id);
    const card = page.locator(`[data-testid="offer-card"][data-meeting-id="${meeting.id}"]`);
    const countdown = card.getByTestId('offer-countdown');
    await card.waitFor();
    expect(await countdown.getAttribute('data-urgent')).toBe('false');

    try {
      // 4 min 45 s later the panel is reopened: the offer comes back, counted against the service's clock.
      offsetMs = 285_000;
      await page.reload();
      await page.locator('[data-testid="connection"][data-state="connected"]').waitFor();
      await card.waitFor();
      expect(await countdown.textContent()).toMatch(/^00:1\d$/);
      expect(await countdown.getAttribute('data-urgent')).toBe('true');
      expect(await countdown.evaluate((el) => (el.ownerDocument.defaultView as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color)).toBe('rgb(192, 57, 43)');

      // The service's clock runs past the deadline while the panel still shows a few seconds left.
      offsetMs = 301_000;
      await card.getByTestId('offer-accept').click();
      await card.waitFor({ state: 'detached' });
      await expect
        .poll(() => page.getByTestId('offers-message').textContent(), { timeout: 5000 })
        .toBe('Поздно: время на ответ по встрече с «Зоя Поздняя» истекло, она передана следующему менеджеру.');
      const log = await routingLog(meeting.id);
      expect(log.offers.map((o: { status: string }) => o.status)).toEqual(['expired']);
      expect((await h.api(`/api/meetings/${meeting.id}`, { token: await h.adminToken() })).body.status).toBe('unassigned');
      expect(await page.getByTestId('my-meetings').locator(`[data-meeting-id="${meeting.id}"]`).count()).toBe(0);
    } finally {
      offsetMs = 0;
    }
    expect(browser.errorsOf(page)).toEqual([]);
  });
});
