import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { announceBrowserAvailability, haveBrowser, openBrowser, shotsDir, signIn, type BrowserSession } from '../helpers/browser.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/**
 * The call-centre administrator's side of the dialer in Chromium: a campaign made in the form, a CSV
 * with broken rows imported through the panel with live progress, its rejects, and the do-not-call list.
 */
announceBrowserAvailability('dialer admin browser tests');

describe.skipIf(!haveBrowser)('cc_admin campaigns, imports and do-not-call in Chromium', () => {
  let h: Harness;
  let browser: BrowserSession;

  beforeAll(async () => {
    [h, browser] = await Promise.all([startHarness(), openBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('cc_admin: creates a campaign, imports a CSV with broken rows, downloads the rejects, adds a do-not-call number', async () => {
    const cc = await h.user('cc_admin', { name: 'Ольга Кампаниева' });
    const op = await h.user('operator', { name: 'Пётр Звонарёв' });
    await h.user('operator', { name: 'Анна Нетронутая' });
    const source = await h.api('/api/sources', { token: cc.token, body: { name: 'Холодная база', channel: 'other', active: true } });
    expect(source.status).toBe(201);
    // A number already on the do-not-call list, to be set aside by the import.
    expect((await h.api('/api/dnc', { token: cc.token, body: { phone: '+7 495 400-00-09', reason: 'просил не звонить' } })).status).toBe(201);

    const page = await browser.newPage();
    await page.goto(h.url + '/');
    await signIn(page, cc.email, cc.password);
    await page.getByTestId('home-cc_admin').waitFor();
    const panel = page.getByTestId('campaigns');
    await panel.getByTestId('campaign-new').click();

    // A first try with the calling window the wrong way round: the service's field error shows next to "To".
    const form = panel.getByTestId('campaign-create').getByTestId('campaign-form');
    await form.locator('input[name="name"]').fill('Стоматологии Москвы');
    await form.locator('select[name="status"]').selectOption('active');
    await form.locator('input[name="priority"]').fill('7');
    await form.locator('input[name="callerId"]').fill('8 (495) 777-00-11');
    await form.locator('select[name="sourceId"]').selectOption({ label: 'Холодная база' });
    await form.locator('input[name="windowStart"]').fill('20:00');
    await form.locator('input[name="windowEnd"]').fill('10:00');
    await form.getByTestId('campaign-days').getByLabel('сб').check();
    await form.locator('input[name="maxAttempts"]').fill('3');
    await form.locator('input[name="retry_busy"]').fill('30');
    await form.getByTestId('campaign-operator').filter({ hasText: 'Пётр Звонарёв' }).locator('input').check();
    await form.getByTestId('campaign-save').click();
    const endError = form.locator('input[name="windowEnd"]').locator('xpath=..').getByTestId('field-error');
    await endError.waitFor();
    expect(await endError.textContent()).toContain('start must be before end');
    expect(await form.locator('input[name="windowEnd"]').getAttribute('aria-invalid')).toBe('true');

    await form.locator('input[name="windowStart"]').fill('09:00');
    await form.locator('input[name="windowEnd"]').fill('20:00');
    await form.getByTestId('campaign-save').click();
    const detail = panel.getByTestId('campaign-detail');
    await detail.waitFor();
    expect(await detail.getByTestId('campaign-detail-name').textContent()).toContain('Стоматологии Москвы');
    expect(await panel.getByTestId('campaign-row').filter({ hasText: 'Стоматологии Москвы' }).count()).toBe(1);
    const campaignId = (await detail.getAttribute('data-id'))!;
    const saved = (await h.api(`/api/campaigns/${campaignId}`, { token: cc.token })).body;
    expect(saved).toMatchObject({
      name: 'Стоматологии Москвы',
      status: 'active',
      priority: 7,
      callerId: '+74957770011',
      source: { name: 'Холодная база' },
      window: { start: '09:00', end: '20:00', days: [1, 2, 3, 4, 5, 6] },
      maxAttempts: 3,
      retryMinutes: { no_answer: 120, busy: 30, voicemail: 240 },
      operators: [{ id: op.id, name: 'Пётр Звонарёв' }],
    });

    // The CSV: two good rows, a junk phone (line 3), a duplicate of line 2 (line 5), a do-not-call
    // number (line 6), and a row with the second phone column only (line 7).
    const csv = [
      'ФИО;Компания;Телефон;Моб.;Бюджет',
      'Ирина Зубова;Клиника «Улыбка»;+7 495 400-00-01;;150000',
      'Олег Пломбин;Дента;не знаю;;',
      'Вера Коронкина;Стома-Плюс;8 495 400-00-03;+7 916 400-00-03;90000',
      'Дубль Зубовой;Клиника «Улыбка»;+7 (495) 400-00-01;;',
      'Нельзя Звонить;Тихая;+7 495 400-00-09;;',
      'Мобильный Только;Дом;;+7 916 400-00-07;',
      '',
    ].join('\r\n');
    const imp = detail.getByTestId('import');
    await imp.locator('input[type="file"]').setInputFiles({ name: 'stomatologii.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf-8') });
    const mapping = imp.getByTestId('import-mapping');
    await mapping.waitFor();
    expect(await mapping.getByTestId('import-detected').textContent()).toContain('«;»');
    // The columns offered come from the header row; name, company and both phone columns are guessed.
    expect(await mapping.locator('select[name="map-name"] option').allTextContents()).toEqual(['— не загружать —', 'ФИО', 'Компания', 'Телефон', 'Моб.', 'Бюджет']);
    expect(await mapping.locator('select[name="map-name"]').inputValue()).toBe('0');
    expect(await mapping.locator('select[name="map-company"]').inputValue()).toBe('1');
    expect(await mapping.locator('select[name="map-phone-0"]').inputValue()).toBe('2');
    expect(await mapping.locator('select[name="map-phone-1"]').inputValue()).toBe('3');
    expect(await imp.locator('input[name="listName"]').inputValue()).toBe('stomatologii');
    await imp.locator('input[name="listName"]').fill('Стоматологии, март');
    await mapping.getByTestId('import-add-field').click();
    await mapping.locator('input[name="field-key-0"]').fill('budget');
    await mapping.locator('select[name="field-column-0"]').selectOption({ label: 'Бюджет' });
    await imp.getByTestId('import-submit').click();

    const progress = imp.getByTestId('import-progress');
    await progress.waitFor();
    await expect.poll(() => progress.getAttribute('data-stage')).toBe('done');
    expect(await progress.locator('[role="progressbar"]').getAttribute('aria-valuenow')).toBe('100');
    expect(await imp.getByTestId('import-progress-label').textContent()).toBe('Готово: загружено 3 из 6.');
    const count = async (k: string) => imp.getByTestId(`import-count-${k}`).textContent();
    expect({
      total: await count('total'),
      imported: await count('imported'),
      duplicates: await count('duplicates'),
      invalid: await count('invalid'),
      dnc: await count('dnc'),
      skipped: await count('skipped'),
    }).toEqual({ total: '6', imported: '3', duplicates: '1', invalid: '1', dnc: '1', skipped: '0' });

    const rejects = imp.getByTestId('import-reject');
    expect(await rejects.count()).toBe(3);
    const rows = await rejects.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual([
      ['3', 'ошибка в строке', 'не номер телефона: «не знаю»'],
      ['5', 'дубль', 'тот же телефон, что в строке 2'],
      ['6', 'не звонить', 'номер в списке «не звонить»'],
    ]);

    // The campaign now shows the list and its entries.
    await expect.poll(() => detail.getByTestId('campaign-pending').textContent()).toBe('3');
    expect(await detail.getByTestId('campaign-list-row').allTextContents()).toEqual([expect.stringContaining('Стоматологии, март')]);
    expect(await detail.getByTestId('campaign-list-row').first().textContent()).toContain('готов');

    // Every reject as CSV, through the link.
    const link = imp.getByTestId('import-rejects-link');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^import-imp_.*-rejects\.csv$/);
    const rejectsCsv = (await readFile((await download.path())!, 'utf-8')).replace(/^\uFEFF/, '');
    expect(rejectsCsv.split('\r\n')).toEqual([
      'line,kind,reason',
      '3,invalid,"not a phone number: ""не знаю"""',
      '5,duplicate,"same phone as line 2"',
      '6,dnc,"on the do-not-call list"',
      '',
    ]);
    // And the link is the service's own address for them, answering to the signed-in panel.
    const href = (await link.getAttribute('href'))!;
    const viaPanel = await page.evaluate(async (url) => {
      const res = await fetch(url);
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    }, href);
    expect(viaPanel.status).toBe(200);
    expect(viaPanel.type).toContain('text/csv');
    expect(viaPanel.text).toContain('5,duplicate');

    // Through the API: exactly the three good rows are entries, with the second phone and the custom field.
    const entries = await h.services.database.query<{ phone: string; line: number; fields: Record<string, string> | null; status: string }>(
      sql`SELECT phone, line, fields, status FROM dial_entries WHERE campaign_id = ${campaignId} ORDER BY line`,
    );
    expect(entries).toEqual([
      { phone: '+74954000001', line: 2, fields: { budget: '150000' }, status: 'pending' },
      { phone: '+74954000003', line: 4, fields: { budget: '90000' }, status: 'pending' },
      { phone: '+79164000007', line: 7, fields: { budget: '' }, status: 'pending' },
    ]);
    const after = (await h.api(`/api/campaigns/${campaignId}`, { token: cc.token })).body;
    expect(after.entries).toEqual({ pending: 3, locked: 0, done: 0 });
    expect(after.lists).toEqual([expect.objectContaining({ name: 'Стоматологии, март', status: 'ready' })]);
    await page.screenshot({ path: `${shotsDir}/cc-admin-import.png`, fullPage: true });

    // Do-not-call: a junk number gets the service's error at the field, a real one is listed.
    const dnc = page.getByTestId('dnc');
    const dncForm = dnc.getByTestId('dnc-form');
    await dncForm.locator('input[name="phone"]').fill('12ab');
    await dncForm.getByTestId('dnc-add').click();
    await dncForm.getByTestId('field-error').waitFor();
    expect(await dncForm.getByTestId('field-error').textContent()).toContain('"12ab" is not a phone number');
    expect(await dncForm.locator('input[name="phone"]').getAttribute('aria-invalid')).toBe('true');
    await dncForm.locator('input[name="phone"]').fill('8 916 555-44-33');
    await dncForm.locator('input[name="reason"]').fill('Жалоба');
    await dncForm.getByTestId('dnc-add').click();
    const row = dnc.locator('[data-testid="dnc-row"][data-phone="+79165554433"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('Жалоба');
    expect(await dnc.getByTestId('dnc-row').count()).toBe(2);
    // Searching by digits finds it alone.
    await dnc.getByTestId('dnc-search').fill('5554');
    await expect.poll(() => dnc.getByTestId('dnc-row').count()).toBe(1);
    const listed = (await h.api('/api/dnc?q=79165554433', { token: cc.token })).body;
    expect(listed.items).toEqual([expect.objectContaining({ phone: '+79165554433', reason: 'Жалоба', addedBy: cc.id })]);

    // Taking the earlier number off the list.
    await dnc.getByTestId('dnc-search').fill('');
    const old = dnc.locator('[data-testid="dnc-row"][data-phone="+74954000009"]');
    await old.waitFor();
    await old.getByTestId('dnc-remove').click();
    await old.getByTestId('dnc-confirm-remove').click();
    await expect.poll(() => dnc.getByTestId('dnc-row').count()).toBe(1);
    expect((await h.api('/api/dnc?q=74954000009', { token: cc.token })).body.items).toEqual([]);

    expect(browser.errorsOf(page)).toEqual([]);
  });

  it('cc_admin: refusal reasons are added and retired in the panel', async () => {
    const cc = await h.user('cc_admin');
    const page = await browser.newPage();
    await page.goto(h.url + '/');
    await signIn(page, cc.email, cc.password);
    const panel = page.getByTestId('refusal-reasons');
    await panel.waitFor();
    const form = panel.getByTestId('refusal-form');
    await form.locator('input[name="label"]').fill('Нет бюджета');
    await form.getByTestId('refusal-add').click();
    await panel.getByTestId('refusal-row').filter({ hasText: 'Нет бюджета' }).waitFor();
    // The same label again: the service's conflict shows at the field.
    await form.locator('input[name="label"]').fill('Нет бюджета');
    await form.getByTestId('refusal-add').click();
    await form.getByTestId('field-error').waitFor();
    // The box follows the service's answer, so it is clicked and then watched.
    const active = panel.getByTestId('refusal-row').filter({ hasText: 'Нет бюджета' }).getByTestId('refusal-active');
    await active.click();
    await expect.poll(() => active.isChecked()).toBe(false);
    await expect.poll(async () => (await h.api('/api/refusal-reasons?all=true', { token: cc.token })).body).toEqual([
      expect.objectContaining({ label: 'Нет бюджета', active: false }),
    ]);
    expect((await h.api('/api/refusal-reasons', { token: cc.token })).body).toEqual([]);
    expect(browser.errorsOf(page)).toEqual([]);
  });
});
