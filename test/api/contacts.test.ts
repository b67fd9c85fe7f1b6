import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type TestUser } from '../helpers/harness.js';

let h: Harness;
let op: TestUser;
beforeAll(async () => {
  h = await startHarness();
  op = await h.user('operator');
});
afterAll(() => h?.stop());

describe('contacts', () => {
  it('normalizes phones to E.164 with the default region and keeps the first-touch source', async () => {
    const src = await h.api('/api/sources', { token: await h.adminToken(), body: { name: 'Yandex Direct', channel: 'paid_search', monthlyCost: 5000000 } });
    expect(src.status).toBe(201);
    const res = await h.api('/api/contacts', {
      token: op.token,
      body: {
        name: 'Иван Петров', company: 'ООО «Вода»', phones: ['8 (912) 345-67-89', '+7 912 345 67 89', '+380 44 123 4567'],
        email: 'Ivan@Voda.RU', taxId: '7701234567', sourceId: src.body.id,
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Иван Петров', company: 'ООО «Вода»', email: 'ivan@voda.ru', taxId: '7701234567', status: 'new',
      phones: ['+79123456789', '+380441234567'],
      source: { id: src.body.id, name: 'Yandex Direct' }, hunter: null, accountManager: null,
    });
    expect(res.body.id).toMatch(/^cnt_/);
    const got = await h.api(`/api/contacts/${res.body.id}`, { token: op.token });
    expect(got.body).toEqual(res.body);
  });

  it('reports each bad phone by position and stores nothing', async () => {
    const res = await h.api('/api/contacts', { token: op.token, body: { name: 'Junk', phones: ['+79123450000', 'call me maybe', '123'] } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['phones.1', 'phones.2']);
    const search = await h.api('/api/contacts?q=Junk', { token: op.token });
    expect(search.body.items).toHaveLength(0);
  });

  it('a number belongs to at most one contact: 409 names the owner', async () => {
    const a = await h.api('/api/contacts', { token: op.token, body: { name: 'First', phones: ['+7 495 111-22-33'] } });
    expect(a.status).toBe(201);
    const b = await h.api('/api/contacts', { token: op.token, body: { name: 'Second', phones: ['84951112233'] } });
    expect(b.status).toBe(409);
    expect(b.body.existingContactId).toBe(a.body.id);
    expect(b.body.errors[0].path).toBe('phones.0');
  });

  it('concurrent creations with the same phone: exactly one wins', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => h.api('/api/contacts', { token: op.token, body: { name: `Racer ${i}`, phones: ['+7 495 999-00-11'] } })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const losers = results.filter((r) => r.status === 409);
    expect(losers).toHaveLength(4);
    const winner = results.find((r) => r.status === 201)!;
    for (const l of losers) expect(l.body.existingContactId).toBe(winner.body.id);
  });

  it('needs a phone or an e-mail', async () => {
    const res = await h.api('/api/contacts', { token: op.token, body: { name: 'Nobody' } });
    expect(res.status).toBe(400);
    expect((await h.api('/api/contacts', { token: op.token, body: { name: 'Mail only', email: 'm@example.com' } })).status).toBe(201);
  });

  it('searches by full or partial phone and by name, newest first, paged', async () => {
    const c = await h.api('/api/contacts', { token: op.token, body: { name: 'Searchable Sergey', company: 'Acme', phones: ['+7 343 222-33-44'] } });
    expect((await h.api('/api/contacts?phone=8 343 222 33 44', { token: op.token })).body.items.map((x: { id: string }) => x.id)).toEqual([c.body.id]);
    expect((await h.api('/api/contacts?phone=2223344', { token: op.token })).body.items.map((x: { id: string }) => x.id)).toEqual([c.body.id]);
    expect((await h.api('/api/contacts?q=sergey', { token: op.token })).body.items.map((x: { id: string }) => x.id)).toEqual([c.body.id]);
    expect((await h.api('/api/contacts?q=acm', { token: op.token })).body.items).toHaveLength(1);
    expect((await h.api('/api/contacts?q=100%25', { token: op.token })).body.items).toHaveLength(0);
    expect((await h.api('/api/contacts?phone=12', { token: op.token })).status).toBe(400);

    for (let i = 0; i < 5; i++) await h.api('/api/contacts', { token: op.token, body: { name: `Pager ${i}`, email: `pager${i}@example.com` } });
    const p1 = await h.api('/api/contacts?q=pager&limit=3', { token: op.token });
    const p2 = await h.api(`/api/contacts?q=pager&limit=3&cursor=${p1.body.nextCursor}`, { token: op.token });
    expect(p1.body.items.map((x: { name: string }) => x.name)).toEqual(['Pager 4', 'Pager 3', 'Pager 2']);
    expect(p2.body.items.map((x: { name: string }) => x.name)).toEqual(['Pager 1', 'Pager 0']);
    expect(p2.body.nextCursor).toBeNull();
  });

  it('owners are set only by admins or the matching head, and must have the right role', async () => {
    const hunter = await h.user('hunter');
    const head = await h.user('sales_head');
    const am = await h.user('account_manager');
    const denied = await h.api('/api/contacts', { token: op.token, body: { name: 'Owned', phones: ['+74951230001'], hunterId: hunter.id } });
    expect(denied.status).toBe(403);
    const wrongRole = await h.api('/api/contacts', { token: head.token, body: { name: 'Owned', phones: ['+74951230001'], hunterId: am.id } });
    expect(wrongRole.status).toBe(400);
    const ok = await h.api('/api/contacts', { token: head.token, body: { name: 'Owned', phones: ['+74951230001'], hunterId: hunter.id } });
    expect(ok.status).toBe(201);
    expect(ok.body.hunter).toEqual({ id: hunter.id, name: hunter.name });
    const mine = await h.api(`/api/contacts?hunterId=${hunter.id}`, { token: hunter.token });
    expect(mine.body.items.map((x: { id: string }) => x.id)).toEqual([ok.body.id]);
  });

  it('updates fields and replaces the phone list', async () => {
    const c = await h.api('/api/contacts', { token: op.token, body: { name: 'Editable', phones: ['+74957770001'] } });
    const res = await h.api(`/api/contacts/${c.body.id}`, {
      method: 'PATCH', token: op.token,
      body: { company: 'New Co', phones: ['+74957770002', '+74957770001'] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ company: 'New Co', phones: ['+74957770002', '+74957770001'] });
    const noWay = await h.api(`/api/contacts/${c.body.id}`, { method: 'PATCH', token: op.token, body: { phones: [] } });
    expect(noWay.status).toBe(400);
  });
});

describe('sources', () => {
  it('cc_admin manages them; operators read them; names are unique', async () => {
    const cc = await h.user('cc_admin');
    const created = await h.api('/api/sources', { token: cc.token, body: { name: 'Billboard on Lenina St.', channel: 'offline', monthlyCost: 12000000, currency: 'RUB' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ monthlyCost: 12000000, currency: 'RUB', active: true });
    expect((await h.api('/api/sources', { token: cc.token, body: { name: 'billboard on lenina st.', channel: 'offline' } })).status).toBe(409);
    expect((await h.api('/api/sources', { token: op.token, body: { name: 'Mine', channel: 'other' } })).status).toBe(403);
    expect((await h.api('/api/sources', { token: cc.token, body: { name: 'Float', channel: 'other', monthlyCost: 10.5 } })).status).toBe(400);
    const list = await h.api('/api/sources', { token: op.token });
    expect(list.body.items.map((s: { name: string }) => s.name)).toContain('Billboard on Lenina St.');
    const off = await h.api(`/api/sources/${created.body.id}`, { method: 'PATCH', token: cc.token, body: { active: false } });
    expect(off.body.active).toBe(false);
    const active = await h.api('/api/sources?active=true', { token: op.token });
    expect(active.body.items.map((s: { id: string }) => s.id)).not.toContain(created.body.id);
  });
});
