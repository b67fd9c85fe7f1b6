import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { announceBrowserAvailability, haveBrowser, openBrowser, shotsDir, signIn, type BrowserSession } from '../helpers/browser.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { importDialList } from '../helpers/dial-lists.js';

/**
 * Call scripts in Chromium: the call-centre administrator builds a script in the editor (issues shown on
 * their steps, then published), and an operator walks it on the calling screen; the run lands in the stats.
 */
announceBrowserAvailability('call script browser tests');

describe.skipIf(!haveBrowser)('call scripts in Chromium', () => {
  let h: Harness;
  let browser: BrowserSession;

  beforeAll(async () => {
    [h, browser] = await Promise.all([startHarness(), openBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('cc_admin builds and publishes a script; the operator walks it through an objection to a meeting', async () => {
    const cc = await h.user('cc_admin', { name: 'Ольга Скриптова' });
    const op = await h.user('operator', { name: 'Галина Обзвонова' });

    // ---- The administrator: a new script from the home panel, opened in the editor.
    const admin = await browser.newPage();
    await admin.goto(h.url + '/');
    await signIn(admin, cc.email, cc.password);
    await admin.getByTestId('home-cc_admin').waitFor();
    const panel = admin.getByTestId('scripts');
    await panel.locator('input[name="name"]').fill('Кулеры: холодный обзвон');
    await panel.getByTestId('script-create').click();
    const editor = admin.getByTestId('script-editor');
    await editor.waitFor();
    const scriptId = (await editor.getAttribute('data-script-id'))!;
    expect(scriptId).toMatch(/^scr_/);
    const card = (i: number) => editor.locator(`[data-testid="step-card"][data-index="${i}"]`);
    // The starter graph: a greeting that leads to an outcome.
    await expect.poll(() => editor.getByTestId('step-card').count()).toBe(2);

    // Step 1, the greeting, with the contact's name merged in by the insert button.
    const greeting = card(0);
    await greeting.locator('input[name="title"]').fill('Приветствие');
    const text = greeting.locator('textarea[name="text"]');
    await text.fill('Добрый день, ');
    await greeting.locator('[data-testid="merge-insert"][data-field="contact.name"]').click();
    await expect.poll(() => text.inputValue()).toBe('Добрый день, {{contact.name}}');
    await text.press('End');
    await admin.keyboard.type('! Удобно говорить?');
    await greeting.getByTestId('option-row').first().locator('input[name="label"]').fill('Интересно');

    // The starter outcome becomes the meeting; renaming its code keeps the greeting's answer pointing at it.
    const meeting = card(1);
    await meeting.getByTestId('step-id').fill('meeting');
    await meeting.getByTestId('step-id').press('Tab');
    await meeting.locator('input[name="title"]').fill('Встреча');
    await meeting.locator('textarea[name="text"]').fill('Отлично, записываю встречу.');
    await meeting.locator('select[name="outcomeKind"]').selectOption('meeting_booked');
    expect(await greeting.getByTestId('option-row').first().locator('select[name="next"]').inputValue()).toBe('meeting');

    // An objection step capturing a required budget, with an answer not yet leading anywhere.
    await editor.locator('[data-testid="add-step"][data-kind="objection"]').click();
    const price = card(2);
    await price.getByTestId('step-id').fill('price');
    await price.getByTestId('step-id').press('Tab');
    await price.locator('input[name="title"]').fill('Дорого');
    await price.locator('textarea[name="text"]').fill('Понимаю. Какой бюджет на воду в месяц?');
    await price.getByTestId('add-field').click();
    const field = price.getByTestId('field-row').first();
    await field.locator('input[name="key"]').fill('budget');
    await field.locator('input[name="label"]').fill('Бюджет, ₽');
    await field.locator('select[name="type"]').selectOption('number');
    await field.locator('input[name="required"]').check();
    await price.getByTestId('option-row').first().locator('input[name="label"]').fill('Готов встретиться');
    await price.getByTestId('option-row').first().locator('select[name="next"]').selectOption('meeting');
    await price.getByTestId('add-option').click();
    await price.getByTestId('option-row').nth(1).locator('input[name="label"]').fill('Нет, спасибо');

    // The refusal outcome.
    await editor.locator('[data-testid="add-step"][data-kind="outcome"]').click();
    const refusal = card(3);
    await refusal.getByTestId('step-id').fill('refusal');
    await refusal.getByTestId('step-id').press('Tab');
    await refusal.locator('input[name="title"]').fill('Отказ');
    await refusal.locator('select[name="outcomeKind"]').selectOption('not_interested');

    // Publishing with an unfinished answer is refused, the problem named on its step.
    await editor.getByTestId('script-publish').click();
    await expect.poll(() => editor.getByTestId('publish-error').textContent()).toContain('заполните отмеченные места');
    expect(await price.getByTestId('step-issues').textContent()).toContain('Шаг «Дорого»: ответ «Нет, спасибо» никуда не ведёт');
    expect(await greeting.getByTestId('step-issues').count()).toBe(0);

    // Finished, but nothing leads to the objection yet: the service refuses and names the unreachable steps.
    await price.getByTestId('option-row').nth(1).locator('select[name="next"]').selectOption('refusal');
    await expect.poll(() => price.locator('[data-testid="step-issues"] [data-code="unfinished"]').count()).toBe(0);
    await editor.getByTestId('script-publish').click();
    await expect.poll(() => editor.getByTestId('publish-error').textContent(), { timeout: 5000 }).toContain('Не опубликовано: замечаний — 2');
    await price.locator('[data-testid="step-issues"] [data-code="unreachable"]').waitFor();
    expect(await price.getByTestId('step-issues').textContent()).toContain('Шаг «Дорого»: до него не дойти от первого шага');
    expect(await refusal.locator('[data-testid="step-issues"] [data-code="unreachable"]').count()).toBe(1);
    expect(await meeting.getByTestId('step-issues').count()).toBe(0);
    expect((await h.api(`/api/call-scripts/${scriptId}`, { token: cc.token })).body.publishedVersion).toBeNull();

    // The greeting's second answer leads to the objection: published as version 1.
    await greeting.getByTestId('add-option').click();
    await greeting.getByTestId('option-row').nth(1).locator('input[name="label"]').fill('Дорого');
    await greeting.getByTestId('option-row').nth(1).locator('select[name="next"]').selectOption('price');
    // The autosaved draft has no issues left.
    await expect.poll(() => editor.getByTestId('script-save-state').textContent(), { timeout: 5000 }).toBe('Черновик сохранён');
    await expect.poll(() => editor.locator('[data-testid="step-issues"]').count()).toBe(0);

    // The live preview shows the operator's view with a sample contact.
    const preview = editor.getByTestId('script-preview');
    expect(await preview.getByTestId('runner-text').textContent()).toBe('Добрый день, Иван Петров! Удобно говорить?');
    await preview.locator('[data-testid="runner-option"]', { hasText: 'Дорого' }).click();
    await expect.poll(() => preview.getByTestId('runner-title').textContent()).toContain('Дорого');

    await editor.getByTestId('script-publish').click();
    await expect.poll(() => editor.getByTestId('publish-ok').getAttribute('data-version'), { timeout: 5000 }).toBe('1');
    await editor.locator('[data-testid="version-row"][data-version="1"]').waitFor();
    await admin.screenshot({ path: `${shotsDir}/call-script-editor.png`, fullPage: true });
    const published = (await h.api(`/api/call-scripts/${scriptId}/versions/1`, { token: cc.token })).body;
    expect(published.graph.start).toBe('greeting');
    expect(published.graph.steps.map((s: { id: string; kind: string }) => `${s.id}:${s.kind}`)).toEqual(['greeting:say', 'meeting:outcome', 'price:objection', 'refusal:outcome']);
    expect(published.graph.steps[2].fields).toEqual([{ key: 'budget', label: 'Бюджет, ₽', type: 'number', choices: [], required: true }]);
    expect(published.graph.steps[0].text).toBe('Добрый день, {{contact.name}}! Удобно говорить?');

    // ---- A campaign using the script, with one contact.
    const campaign = (
      await h.api('/api/campaigns', {
        token: cc.token,
        body: { name: 'Кулеры для офисов', status: 'active', scriptId, operatorIds: [op.id], window: { start: '00:00', end: '23:59', days: [1, 2, 3, 4, 5, 6, 7] } },
      })
    ).body;
    // The campaign answers with its script as {id, name, publishedVersion}.
    expect(campaign.script).toEqual({ id: scriptId, name: 'Кулеры: холодный обзвон', publishedVersion: 1 });
    await importDialList(h, cc.token, campaign.id, {
      name: 'Бизнес-центры',
      mapping: { name: 'Имя', company: 'Компания', phones: ['Телефон'] },
      csv: 'Имя,Компания,Телефон\nСергей Кулеров,БЦ Север,+7 495 300-00-01\n',
    });

    // ---- The operator walks the script on the calling screen.
    // The window ends at 23:59 in the contact's zone (Moscow): in that one minute nobody is due, so wait it out.
    const moscow = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Moscow', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date());
    if (moscow.startsWith('23:59')) await new Promise((r) => setTimeout(r, (61 - Number(moscow.slice(6, 8))) * 1000));
    const page = await browser.newPage();
    await page.goto(h.url + '/');
    await signIn(page, op.email, op.password);
    await page.getByTestId('home-operator').waitFor();
    const dialer = page.getByTestId('dialer');
    await dialer.getByTestId('dialer-next').click();
    const runner = dialer.getByTestId('script-runner');
    await runner.waitFor();
    expect(await runner.getAttribute('data-version')).toBe('1');
    expect(await runner.getByTestId('runner-text').textContent()).toBe('Добрый день, Сергей Кулеров! Удобно говорить?');
    expect(await runner.getByTestId('runner-back').isDisabled()).toBe(true);

    // Into the objection, back one step, and into it again.
    await runner.locator('[data-testid="runner-option"]', { hasText: 'Дорого' }).click();
    await expect.poll(() => runner.getAttribute('data-step-id')).toBe('price');
    await runner.getByTestId('runner-back').click();
    await expect.poll(() => runner.getAttribute('data-step-id')).toBe('greeting');
    await runner.locator('[data-testid="runner-option"]', { hasText: 'Дорого' }).click();
    await expect.poll(() => runner.getAttribute('data-step-id')).toBe('price');
    expect(await runner.getByTestId('runner-path').textContent()).toBe('Приветствие → Дорого');

    // The budget is required before moving on.
    await runner.locator('[data-testid="runner-option"]', { hasText: 'Готов встретиться' }).click();
    await runner.getByTestId('runner-blocked').waitFor();
    expect(await runner.locator('[data-testid="runner-field"][data-key="budget"] [data-testid="field-error"]').textContent()).toBe('Обязательное поле');
    expect(await runner.getAttribute('data-step-id')).toBe('price');
    await runner.locator('input[name="budget"]').fill('15 000');
    await runner.locator('[data-testid="runner-option"]', { hasText: 'Готов встретиться' }).click();

    // The meeting outcome: the run is stored and the disposition pre-selected.
    await expect.poll(() => runner.getByTestId('runner-outcome').getAttribute('data-outcome')).toBe('meeting_booked');
    await runner.getByTestId('runner-saved').waitFor();
    expect(await dialer.locator('select[name="kind"]').inputValue()).toBe('meeting_booked');
    expect(await dialer.getByTestId('dialer-script-outcome').textContent()).toContain('назначена встреча');
    await page.screenshot({ path: `${shotsDir}/call-script-runner.png`, fullPage: true });

    const runs = await h.services.database.query<{ path: string[]; choices: string[]; answers: Record<string, unknown>; outcome: string; operator_id: string; entry_id: string | null }>(
      sql`SELECT path, choices, answers, outcome, operator_id, entry_id FROM script_runs WHERE script_id = ${scriptId}`,
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ path: ['greeting', 'price', 'meeting'], answers: { budget: 15000 }, outcome: 'meeting_booked', operator_id: op.id });
    expect(runs[0]!.entry_id).toBe(await dialer.getByTestId('dialer-entry').getAttribute('data-entry-id'));

    // ---- The stats: each step walked once, the meeting counted, the refusal not passed.
    const stats = (await h.api(`/api/call-scripts/${scriptId}/stats`, { token: cc.token })).body;
    expect(stats).toMatchObject({ version: 1, runs: 1, meetings: 1 });
    const passed = Object.fromEntries(stats.steps.map((s: { stepId: string; passed: number }) => [s.stepId, s.passed]));
    expect(passed).toEqual({ greeting: 1, price: 1, meeting: 1, refusal: 0 });
    expect(stats.steps.find((s: { stepId: string }) => s.stepId === 'price').meetings).toBe(1);
    expect(stats.outcomes).toEqual(expect.arrayContaining([{ kind: 'meeting_booked', count: 1 }]));
    expect(stats.outcomes.find((o: { kind: string }) => o.kind === 'not_interested')?.count ?? 0).toBe(0);
    const chosen = stats.steps.find((s: { stepId: string }) => s.stepId === 'greeting').options;
    expect(chosen.map((o: { label: string; chosen: number }) => `${o.label}:${o.chosen}`)).toEqual(['Интересно:0', 'Дорого:1']);

    // The administrator sees the same in the editor's stats table.
    await admin.reload();
    const table = admin.getByTestId('stats-table');
    await table.waitFor();
    expect(await table.locator('[data-testid="stats-step"][data-step-id="price"]').getAttribute('data-passed')).toBe('1');
    expect(await table.locator('[data-testid="stats-step"][data-step-id="price"] td').last().textContent()).toMatch(/100\s?%/);

    expect(browser.errorsOf(admin)).toEqual([]);
    expect(browser.errorsOf(page)).toEqual([]);
  });
});
