import iconv from 'iconv-lite';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts } from '../../src/db/schema.js';
import { nextEvent, startHarness, type Harness, type TestUser } from '../helpers/harness.js';

/** Dial lists from CSV: encodings, separators, quoting, and every kind of bad row reported by its line. */
describe('dial-list import', () => {
  let h: Harness;
  let cc: TestUser;
  let campaignId: string;
  let sourceId: string;

  beforeAll(async () => {
    h = await startHarness();
    cc = await h.user('cc_admin');
    sourceId = (await h.api('/api/sources', { token: cc.token, body: { name: 'Холодная база 2026', channel: 'cold_list' } })).body.id;
    const res = await h.api('/api/campaigns', { token: cc.token, body: { name: 'Кофемашины в офисы', sourceId } });
    expect(res.status).toBe(201);
    campaignId = res.body.id;
  });
  afterAll(() => h?.stop());

  async function upload(csv: string | Buffer, mapping: unknown, query: Record<string, string> = {}, token = cc.token) {
    const qs = new URLSearchParams({ name: 'Список', mapping: JSON.stringify(mapping), ...query });
    const res = await fetch(`${h.url}/api/campaigns/${campaignId}/lists?${qs}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: csv,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async function finished(id: string) {
    let job: any = null;
    await expect
      .poll(
        async () => {
          job = (await h.api(`/api/imports/${id}`, { token: cc.token })).body;
          return job.status;
        },
        { timeout: 15_000 },
      )
      .not.toBe('running');
    return job;
  }

  it('imports a UTF-8 file with a BOM; every row it cannot keep is reported with its line and reason', async () => {
    // Known numbers: a client, a prospect owned by a hunter, a free prospect, and a do-not-call number.
    const hunter = await h.user('hunter');
    const mk = async (name: string, phone: string) => (await h.api('/api/contacts', { token: cc.token, body: { name, phones: [phone] } })).body.id as string;
    const client = await mk('ООО Клиент', '+74950000001');
    const owned = await mk('ИП Чужой', '+74950000002');
    const free = await mk('Свободный Лид', '+74950000003');
    await h.services.database.db.update(contacts).set({ status: 'active' }).where(eq(contacts.id, client));
    await h.services.database.db.update(contacts).set({ hunterId: hunter.id }).where(eq(contacts.id, owned));
    expect((await h.api('/api/dnc', { token: cc.token, body: { phone: '8 (495) 000-00-04', reason: 'просил не звонить' } })).status).toBe(201);

    const csv =
      '\uFEFFФИО,Компания,Телефон,Доп. телефон,Регион,Бюджет\r\n' + // line 1
      'Иван Петров,"ООО ""Ромашка"", филиал",+7 495 111-22-33,,Москва,100000\r\n' + // 2 ok
      'Анна Смирнова,"Многострочная\nкомпания",8 (912) 345-67-89,+79123450000,Екатеринбург,50000\r\n' + // 3-4 ok (quoted newline)
      '\r\n' + // 5 empty
      'Дубль Петрова,,+74951112233,,,\r\n' + // 6 duplicate of line 2
      'Мусор,,не телефон,,,\r\n' + // 7 invalid phone
      'Мало колонок,+74950000009\r\n' + // 8 wrong column count
      'Клиент,,+74950000001,,,\r\n' + // 9 client → skipped
      'Чужой,,+74950000002,,,\r\n' + // 10 owned → skipped
      'Свободный,,+74950000003,,,\r\n' + // 11 free prospect → linked
      'Не звонить,,+74950000004,,,\r\n' + // 12 dnc
      'Без телефона,,,,,\r\n'; // 13 no phone
    const sock = h.socket(cc.token);
    await new Promise<void>((r) => sock.on('connect', () => r()));
    const progress = nextEvent(sock, 'import:progress', 10_000);
    const events: Array<{ phase: string; stepsDone?: number; steps?: number }> = [];
    sock.on('import:progress', (e) => events.push(e));
    const res = await upload(csv, { name: 'ФИО', company: 'Компания', phones: ['Телефон', 'Доп. телефон'], region: 'Регион', fields: { budget: 'Бюджет' } });
    expect(res.status).toBe(202);
    // Answered once read; saving may already be over on a fast database.
    expect(res.body).toMatchObject({ campaignId, total: 10 });
    expect(['running', 'done']).toContain(res.body.status);
    expect((await progress).jobId).toBe(res.body.id);
    const job = await finished(res.body.id);
    expect(job).toMatchObject({ status: 'done', total: 10, imported: 3, duplicates: 1, invalid: 3, dnc: 1, skipped: 2 });
    // Saving reports each of its steps, then the end.
    await expect.poll(() => events.at(-1)?.phase).toBe('finished');
    const saving = events.filter((e) => e.phase === 'saving' && e.steps);
    expect(saving.map((e) => e.stepsDone)).toEqual(Array.from({ length: saving[0]!.steps! }, (_, i) => i + 1));
    expect(job.rejects.map((r: { line: number; kind: string; reason: string }) => [r.line, r.kind, r.reason])).toEqual([
      [6, 'duplicate', 'same phone as line 2'],
      [7, 'invalid', 'not a phone number: "не телефон"'],
      [8, 'invalid', 'expected 6 columns, found 2'],
      [9, 'skipped', 'a client of the client department'],
      [10, 'skipped', 'a prospect owned by a hunter'],
      [12, 'dnc', 'on the do-not-call list'],
      [13, 'invalid', 'no phone number'],
    ]);

    const campaign = (await h.api(`/api/campaigns/${campaignId}`, { token: cc.token })).body;
    expect(campaign.entries).toEqual({ pending: 3, locked: 0, done: 0 });
    expect(campaign.lists).toEqual([expect.objectContaining({ id: job.listId, status: 'ready', import: expect.objectContaining({ id: job.id, imported: 3 }) })]);
    const summary = campaign.lists[0].import;
    expect(summary.rejected).toBe(summary.total - 3);
    expect(summary.finishedAt).not.toBeNull();

    // New contacts keep their company (quotes undone), all their phones, the source; zones come from the region.
    const found = (await h.api('/api/contacts?q=%D0%A1%D0%BC%D0%B8%D1%80%D0%BD%D0%BE%D0%B2%D0%B0', { token: cc.token })).body.items;
    expect(found).toHaveLength(1);
    const anna = (await h.api(`/api/contacts/${found[0].id}`, { token: cc.token })).body;
    expect(anna).toMatchObject({ name: 'Анна Смирнова', company: 'Многострочная\nкомпания', phones: ['+79123456789', '+79123450000'], source: { id: sourceId } });
    const ivan = (await h.api('/api/contacts?q=%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2', { token: cc.token })).body.items.find((c: { name: string }) => c.name === 'Иван Петров');
    expect(ivan.company).toBe('ООО "Ромашка", филиал');
    const zones = await h.services.database.query<{ phone: string; timezone: string; fields: unknown }>(
      (await import('drizzle-orm')).sql`SELECT phone, timezone, fields FROM dial_entries WHERE list_id = ${job.listId} ORDER BY line`,
    );
    expect(zones).toEqual([
      { phone: '+74951112233', timezone: 'Europe/Moscow', fields: { budget: '100000' } },
      { phone: '+79123456789', timezone: 'Asia/Yekaterinburg', fields: { budget: '50000' } },
      { phone: '+74950000003', timezone: 'Europe/Moscow', fields: { budget: '' } },
    ]);
    // The free prospect was linked, not duplicated.
    expect(zones.length).toBe(3);
    const linked = await h.services.database.query<{ contact_id: string }>(
      (await import('drizzle-orm')).sql`SELECT contact_id FROM dial_entries WHERE phone = '+74950000003'`,
    );
    expect(linked[0]!.contact_id).toBe(free);

    // The rejected rows as CSV, the same as the JSON.
    const file = await fetch(`${h.url}${job.rejectsUrl}`, { headers: { authorization: `Bearer ${cc.token}` } });
    expect(file.headers.get('content-type')).toContain('text/csv');
    const lines = (await file.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('line,kind,reason');
    expect(lines.slice(1)).toEqual(job.rejects.map((r: { line: number; kind: string; reason: string }) => `${r.line},${r.kind},"${r.reason.replaceAll('"', '""')}"`));

    // Importing the same numbers again into the campaign: all duplicates.
    const again = await upload('Телефон\n+74951112233\n', { phones: ['Телефон'] });
    expect((await finished(again.body.id))).toMatchObject({ imported: 0, duplicates: 1, rejects: [{ line: 2, kind: 'duplicate', reason: 'already in this campaign' }] });
  });

  it('reads Windows-1251 with ";" separators, columns by position, and the time zone from a column', async () => {
    const csv = iconv.encode('Имя;Телефон;Пояс\r\nОльга Сибирская;+7 383 222-33-44;Asia/Novosibirsk\r\nПётр Неверный;+7 383 222-33-45;Марс/Олимп\r\n', 'win1251');
    const res = await upload(csv, { name: 1, phones: [2], timezone: 3 });
    expect(res.status).toBe(202);
    const job = await finished(res.body.id);
    expect(job).toMatchObject({ status: 'done', total: 2, imported: 1, invalid: 1, rejects: [{ line: 3, kind: 'invalid', reason: 'unknown time zone "Марс/Олимп"' }] });
    const olga = (await h.api('/api/contacts?q=%D0%9E%D0%BB%D1%8C%D0%B3%D0%B0', { token: cc.token })).body.items;
    expect(olga.map((c: { name: string }) => c.name)).toEqual(['Ольга Сибирская']);
  });

  it('recognises UTF-8 without a BOM when the first 64 KB end in the middle of a letter', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `Жанна Щукина-Южная ${i},+7 917 ${String(10_000_000 + i).slice(1, 4)}-${String(10_000_000 + i).slice(4, 6)}-${String(10_000_000 + i).slice(6)}`);
    const csv = Buffer.from(`Имя,Телефон\n${rows.join('\n')}\n`, 'utf8');
    expect(csv.length).toBeGreaterThan(64 * 1024);
    const res = await upload(csv, { name: 'Имя', phones: ['Телефон'] });
    expect(res.status).toBe(202);
    expect(await finished(res.body.id)).toMatchObject({ status: 'done', total: 3000, imported: 3000, invalid: 0 });
    const found = (await h.api(`/api/contacts?q=${encodeURIComponent('Щукина-Южная 2999')}`, { token: cc.token })).body.items;
    expect(found.map((c: { name: string }) => c.name)).toEqual(['Жанна Щукина-Южная 2999']);
  });

  it('refuses a bad mapping, an empty file and the wrong roles, and keeps nothing of a refused import', async () => {
    const unknown = await upload('Имя,Тел\nА,+74951234567\n', { phones: ['Телефон'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatchObject({ path: 'mapping.phones.0' });
    expect(unknown.body.errors[0].message).toContain('no column "Телефон"');
    const failed = (await h.api(`/api/imports/${unknown.body.importId}`, { token: cc.token })).body;
    expect(failed).toMatchObject({ status: 'failed', imported: 0 });
    const campaign = (await h.api(`/api/campaigns/${campaignId}`, { token: cc.token })).body;
    expect(campaign.lists.find((l: { id: string }) => l.id === failed.listId).status).toBe('failed');

    expect((await upload('x', '{not json' as unknown as object)).status).toBe(400);
    const badMapping = await upload('Тел\n1\n', { phones: [] });
    expect(badMapping.status).toBe(400);
    expect(badMapping.body.errors[0].path).toBe('mapping.phones');
    const empty = await upload('', { phones: ['Тел'] });
    expect(empty.status).toBe(400);
    const op = await h.user('operator');
    expect((await upload('Тел\n+74951234567\n', { phones: ['Тел'] }, {}, op.token)).status).toBe(403);
    const missing = await fetch(`${h.url}/api/campaigns/cmp_01JD0000000000000000000000/lists?${new URLSearchParams({ name: 'x', mapping: '{"phones":["a"]}' })}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cc.token}`, 'content-type': 'text/csv' },
      body: 'a\n1\n',
    });
    expect(missing.status).toBe(404);
  });
});
