import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceBrowserAvailability, haveBrowser, openBrowser, shotsDir, signIn, type BrowserSession } from '../helpers/browser.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { importDialList } from '../helpers/dial-lists.js';

/** The operator's calling screen in Chromium: next contact, a required disposition, then the next one. */
announceBrowserAvailability('dialer browser tests');

describe.skipIf(!haveBrowser)('operator calling screen in Chromium', () => {
  let h: Harness;
  let browser: BrowserSession;

  beforeAll(async () => {
    [h, browser] = await Promise.all([startHarness(), openBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('operator: takes the next contact, must give a reason for a refusal, promises a callback, then dials progressively', async () => {
    const cc = await h.user('cc_admin');
    const op = await h.user('operator', { name: 'Галина Обзвонова' });
    expect((await h.api('/api/refusal-reasons', { token: cc.token, body: { label: 'Дорого' } })).status).toBe(201);
    const campaign = (
      await h.api('/api/campaigns', {
        token: cc.token,
        body: { name: 'Кулеры для офисов', status: 'active', operatorIds: [op.id], window: { start: '00:00', end: '23:59', days: [1, 2, 3, 4, 5, 6, 7] } },
      })
    ).body;
    await importDialList(h, cc.token, campaign.id, {
      name: 'Бизнес-центры',
      mapping: { name: 'Имя', company: 'Компания', phones: ['Телефон'], fields: { floor: 'Этаж' } },
      csv: 'Имя,Компания,Телефон,Этаж\nСергей Кулеров,БЦ Север,+7 495 300-00-01,5\nМарина Водина,БЦ Юг,+7 495 300-00-02,12\n',
    });

    const page = await browser.newPage();
    await page.goto(h.url + '/');
    await signIn(page, op.email, op.password);
    await page.getByTestId('home-operator').waitFor();
    const dialer = page.getByTestId('dialer');
    await dialer.getByTestId('dialer-next').click();
    const entry = dialer.getByTestId('dialer-entry');
    await entry.waitFor();
    const first = await entry.getByTestId('dialer-name').textContent();
    expect(['Сергей Кулеров', 'Марина Водина']).toContain(first);
    expect(await entry.getByTestId('dialer-fields').textContent()).toMatch(/floor(5|12)/);
    expect(await entry.textContent()).toContain('Кампания «Кулеры для офисов»');

    // "Not interested" needs one of the administrator's reasons.
    const form = entry.getByTestId('disposition-form');
    await form.locator('select[name="kind"]').selectOption('not_interested');
    await form.getByTestId('disposition-submit').click();
    await form.getByTestId('field-error').waitFor();
    expect(await form.locator('select[name="reason"]').getAttribute('aria-invalid')).toBe('true');
    await form.locator('select[name="reason"]').selectOption('Дорого');
    await form.locator('textarea[name="note"]').fill('Уже стоят кулеры конкурента');
    await form.getByTestId('disposition-submit').click();
    await expect.poll(() => dialer.getByTestId('dialer-notice').textContent()).toBe(`Записано: ${first} — не интересно.`);
    const entryId = (await h.services.database.query<{ id: string; status: string; outcome: string }>(
      (await import('drizzle-orm')).sql`SELECT id, status, outcome FROM dial_entries WHERE campaign_id = ${campaign.id} AND status = 'done'`,
    ));
    expect(entryId).toEqual([expect.objectContaining({ outcome: 'not_interested' })]);

    // The other contact: a callback tomorrow at 10:00 in the operator's zone.
    await dialer.getByTestId('dialer-next').click();
    await entry.waitFor();
    expect(await entry.getByTestId('dialer-name').textContent()).not.toBe(first);
    await form.locator('select[name="kind"]').selectOption('callback');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await form.locator('input[name="when"]').fill(`${tomorrow}T10:00`);
    await page.screenshot({ path: `${shotsDir}/operator-dialer.png`, fullPage: true });
    await form.getByTestId('disposition-submit').click();
    await expect.poll(() => dialer.getByTestId('dialer-notice').textContent()).toContain('перезвонить');
    // Nothing else is due now.
    await dialer.getByTestId('dialer-next').click();
    await dialer.getByTestId('dialer-empty').waitFor();
    const pending = await h.services.database.query<{ callback_owner: string; next_at: Date }>(
      (await import('drizzle-orm')).sql`SELECT callback_owner, next_at FROM dial_entries WHERE campaign_id = ${campaign.id} AND status = 'pending'`,
    );
    expect(pending).toHaveLength(1);
    expect(pending[0]!.callback_owner).toBe(op.id);

    // Progressive mode: after an outcome the next contact comes and is dialled by itself (this operator
    // has no phone extension, so the dialling is refused with the reason).
    await importDialList(h, cc.token, campaign.id, {
      name: 'Ещё',
      mapping: { name: 'Имя', phones: ['Телефон'] },
      csv: 'Имя,Телефон\nПервый Авто,+7 495 300-00-03\nВторой Авто,+7 495 300-00-04\n',
    });
    await dialer.getByTestId('dialer-progressive').check();
    await dialer.getByTestId('dialer-next').click();
    await entry.waitFor();
    const auto1 = await entry.getByTestId('dialer-name').textContent();
    await form.locator('select[name="kind"]').selectOption('busy');
    await form.getByTestId('disposition-submit').click();
    await expect.poll(async () => (await entry.isVisible()) && (await entry.getByTestId('dialer-name').textContent())).not.toBe(auto1);
    expect(['Первый Авто', 'Второй Авто']).toContain(await entry.getByTestId('dialer-name').textContent());
    await expect.poll(() => dialer.locator('[role="alert"]').textContent()).toContain('extension');
    expect(browser.errorsOf(page).filter((e) => !/status of 409/.test(e))).toEqual([]);
  });
});
