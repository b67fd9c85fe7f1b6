import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let admin: string;
beforeAll(async () => {
  h = await startHarness();
  admin = await h.adminToken();
});
afterAll(() => h?.stop());

describe('users', () => {
  it('admin creates a user who can then sign in; e-mails are unique regardless of case', async () => {
    const res = await h.api('/api/users', {
      token: admin,
      body: { email: 'Olga.Operator@Test.local', name: 'Olga', role: 'operator', password: 'operator-pass-1', locale: 'en' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: 'olga.operator@test.local', role: 'operator', active: true, status: 'offline', locale: 'en' });
    expect(res.body.id).toMatch(/^usr_[0-9A-Z]{26}$/);
    expect(res.body.timezone).toBe('Europe/Moscow');
    const login = await h.api('/api/auth/login', { body: { email: 'olga.operator@test.local', password: 'operator-pass-1' } });
    expect(login.status).toBe(200);
    const dup = await h.api('/api/users', {
      token: admin,
      body: { email: 'OLGA.operator@test.local', name: 'Olga 2', role: 'hunter', password: 'operator-pass-1' },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.errors).toEqual([{ path: 'email', message: 'already taken' }]);
  });

  it('validates working hours and time zones', async () => {
    const bad = await h.api('/api/users', {
      token: admin,
      body: {
        email: 'wh@test.local', name: 'WH', role: 'hunter', password: 'long-enough-1',
        timezone: 'Mars/Olympus', workingHours: { mon: [['18:00', '09:00']], funday: [] },
      },
    });
    expect(bad.status).toBe(400);
    const paths = bad.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['timezone', 'workingHours.mon.0', 'workingHours']));
    expect(JSON.stringify(bad.body.errors)).toContain('funday');
    const ok = await h.api('/api/users', {
      token: admin,
      body: { email: 'wh@test.local', name: 'WH', role: 'hunter', password: 'long-enough-1', timezone: 'Asia/Yekaterinburg', workingHours: { mon: [['09:00', '18:00']] } },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.workingHours).toEqual({ mon: [['09:00', '18:00']] });
  });

  it('lists with paging and filters; each head sees only their department', async () => {
    const hunters = await Promise.all([1, 2, 3].map(() => h.user('hunter')));
    await h.user('account_manager');
    const first = await h.api('/api/users?role=hunter&limit=2', { token: admin });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toBeTruthy();
    const rest = await h.api(`/api/users?role=hunter&limit=200&cursor=${first.body.nextCursor}`, { token: admin });
    const all = [...first.body.items, ...rest.body.items].map((u: { id: string }) => u.id);
    expect(new Set(all).size).toBe(all.length);
    for (const hunter of hunters) expect(all).toContain(hunter.id);

    const head = await h.user('sales_head');
    const seen = await h.api('/api/users?limit=200', { token: head.token });
    expect(seen.status).toBe(200);
    const roles = new Set(seen.body.items.map((u: { role: string }) => u.role));
    expect([...roles].sort()).toEqual(['hunter', 'sales_head']);
    expect((await h.api('/api/users?role=account_manager', { token: head.token })).status).toBe(403);
    const op = await h.user('operator');
    expect((await h.api('/api/users', { token: op.token })).status).toBe(403);
    expect((await h.api(`/api/users?q=${encodeURIComponent(hunters[0]!.name)}`, { token: admin })).body.items).toHaveLength(1);
  });

  it('the last admin cannot be demoted or deactivated', async () => {
    const me = await h.api('/api/me', { token: admin });
    const res = await h.api(`/api/users/${me.body.id}`, { method: 'PATCH', token: admin, body: { role: 'operator' } });
    expect(res.status).toBe(409);
    const empty = await h.api(`/api/users/${me.body.id}`, { method: 'PATCH', token: admin, body: {} });
    expect(empty.status).toBe(400);
  });

  it('deactivating someone who is online sets them offline and logs it', async () => {
    const u = await h.user('operator');
    await h.api('/api/me/status', { method: 'PUT', token: u.token, body: { status: 'available' } });
    const res = await h.api(`/api/users/${u.id}`, { method: 'PATCH', token: admin, body: { active: false } });
    expect(res.body).toMatchObject({ active: false, status: 'offline' });
    const { sql } = await import('drizzle-orm');
    const log = await h.services.database.query<{ status: string; reason: string | null }>(
      sql`select status, reason from user_status_log where user_id = ${u.id} order by at, id`,
    );
    expect(log).toEqual([{ status: 'available', reason: null }, { status: 'offline', reason: 'deactivated' }]);
  });

  it('changing a role ends the old sessions; unknown id → 404', async () => {
    const u = await h.user('operator');
    const res = await h.api(`/api/users/${u.id}`, { method: 'PATCH', token: admin, body: { role: 'hunter', name: 'Renamed' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: 'hunter', name: 'Renamed' });
    expect((await h.api('/api/me', { token: u.token })).status).toBe(401);
    const missing = await h.api('/api/users/usr_01JD0000000000000000000000', { method: 'PATCH', token: admin, body: { name: 'x' } });
    expect(missing.status).toBe(404);
  });
});

describe('absences', () => {
  it('the head of the department records them; overlaps are refused; others get 403', async () => {
    const hunter = await h.user('hunter');
    const head = await h.user('sales_head');
    const body = { from: '2026-12-01T00:00:00+03:00', to: '2026-12-15T00:00:00+03:00', reason: 'vacation', note: 'Sochi' };
    const created = await h.api(`/api/users/${hunter.id}/absences`, { token: head.token, body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ userId: hunter.id, reason: 'vacation', from: '2026-11-30T21:00:00.000Z' });
    const overlap = await h.api(`/api/users/${hunter.id}/absences`, {
      token: head.token,
      body: { from: '2026-12-14T00:00:00Z', to: '2026-12-20T00:00:00Z', reason: 'sick' },
    });
    expect(overlap.status).toBe(409);
    const backToBack = await h.api(`/api/users/${hunter.id}/absences`, {
      token: head.token,
      body: { from: '2026-12-15T00:00:00+03:00', to: '2026-12-16T00:00:00+03:00', reason: 'sick' },
    });
    expect(backToBack.status).toBe(201);

    const clientHead = await h.user('client_head');
    expect((await h.api(`/api/users/${hunter.id}/absences`, { token: clientHead.token, body })).status).toBe(403);
    expect((await h.api(`/api/users/${hunter.id}/absences`, { token: hunter.token, body })).status).toBe(403);

    const own = await h.api(`/api/users/${hunter.id}/absences`, { token: hunter.token });
    expect(own.status).toBe(200);
    expect(own.body.items).toHaveLength(2);

    const del = await h.api(`/api/users/${hunter.id}/absences/${created.body.id}`, { method: 'DELETE', token: head.token });
    expect(del.status).toBe(204);
    const again = await h.api(`/api/users/${hunter.id}/absences/${created.body.id}`, { method: 'DELETE', token: head.token });
    expect(again.status).toBe(404);
  });

  it('rejects a period that ends before it starts, and dates without an offset', async () => {
    const am = await h.user('account_manager');
    const res = await h.api(`/api/users/${am.id}/absences`, {
      token: admin,
      body: { from: '2026-12-10T00:00:00Z', to: '2026-12-01T00:00:00Z', reason: 'sick' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('to');
    const naive = await h.api(`/api/users/${am.id}/absences`, { token: admin, body: { from: '2026-12-01', to: '2026-12-02', reason: 'sick' } });
    expect(naive.status).toBe(400);
  });
});

describe('my status', () => {
  it('operators pause with one of the administrator\'s reasons', async () => {
    const op = await h.user('operator');
    const cc = await h.user('cc_admin');
    const none = await h.api('/api/me/status', { method: 'PUT', token: op.token, body: { status: 'paused', reason: 'lunch' } });
    expect(none.status).toBe(400);
    expect(none.body.detail).toMatch(/No pause reasons/);
    expect((await h.api('/api/pause-reasons', { token: op.token, body: { label: 'lunch' } })).status).toBe(403);
    const lunch = await h.api('/api/pause-reasons', { token: cc.token, body: { label: 'lunch', position: 1 } });
    expect(lunch.status).toBe(201);
    expect((await h.api('/api/pause-reasons', { token: cc.token, body: { label: 'Lunch' } })).status).toBe(409);
    const training = await h.api('/api/pause-reasons', { token: cc.token, body: { label: 'training', position: 2 } });
    expect((await h.api('/api/pause-reasons', { token: op.token })).body.map((r: { label: string }) => r.label)).toEqual(['lunch', 'training']);
    const other = await h.api('/api/me/status', { method: 'PUT', token: op.token, body: { status: 'paused', reason: 'smoking' } });
    expect(other.status).toBe(400);
    expect(other.body.detail).toMatch(/lunch, training/);
    // A retired reason is no longer offered or accepted.
    await h.api(`/api/pause-reasons/${training.body.id}`, { method: 'PATCH', token: cc.token, body: { active: false } });
    expect((await h.api('/api/me/status', { method: 'PUT', token: op.token, body: { status: 'paused', reason: 'training' } })).status).toBe(400);
    expect((await h.api('/api/pause-reasons?all=true', { token: cc.token })).body).toHaveLength(2);
    expect((await h.api(`/api/pause-reasons/pr_01JZZZZZZZZZZZZZZZZZZZZZZZ`, { method: 'PATCH', token: cc.token, body: { active: false } })).status).toBe(404);
    // Other roles keep a free-text reason.
    const hunter = await h.user('hunter');
    expect((await h.api('/api/me/status', { method: 'PUT', token: hunter.token, body: { status: 'paused', reason: 'client visit' } })).status).toBe(200);
    expect((await h.api('/api/me/status', { method: 'PUT', token: op.token, body: { status: 'on_call' } })).status).toBe(400);
  });

  it('is stored with its time in a log, and a reason only goes with paused', async () => {
    const op = await h.user('operator');
    const paused = await h.api('/api/me/status', { method: 'PUT', token: op.token, body: { status: 'paused', reason: 'lunch' } });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: 'paused', statusReason: 'lunch' });
    const available = await h.api('/api/me/status', { method: 'PUT', token: op.token, body: { status: 'available' } });
    expect(available.body).toMatchObject({ status: 'available', statusReason: null });
    const bad = await h.api('/api/me/status', { method: 'PUT', token: op.token, body: { status: 'available', reason: 'x' } });
    expect(bad.status).toBe(400);
    const wrong = await h.api('/api/me/status', { method: 'PUT', token: op.token, body: { status: 'sleeping' } });
    expect(wrong.status).toBe(400);
    const { sql } = await import('drizzle-orm');
    const log = await h.services.database.query<{ status: string; reason: string | null }>(
      sql`select status, reason from user_status_log where user_id = ${op.id} order by at, id`,
    );
    expect(log).toEqual([
      { status: 'paused', reason: 'lunch' },
      { status: 'available', reason: null },
    ]);
  });
});

describe('my profile', () => {
  it('changes language and name; a new password needs the current one and ends old sessions', async () => {
    const u = await h.user('hunter');
    const res = await h.api('/api/me', { method: 'PATCH', token: u.token, body: { locale: 'en', name: 'Hunter Renamed' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ locale: 'en', name: 'Hunter Renamed', role: 'hunter' });
    const escalate = await h.api('/api/me', { method: 'PATCH', token: u.token, body: { role: 'admin' } });
    expect(escalate.status).toBe(400);
    const noCurrent = await h.api('/api/me', { method: 'PATCH', token: u.token, body: { password: 'new-password-123' } });
    expect(noCurrent.status).toBe(400);
    expect(noCurrent.body.errors[0].path).toBe('currentPassword');
    const wrong = await h.api('/api/me', { method: 'PATCH', token: u.token, body: { password: 'new-password-123', currentPassword: 'nope' } });
    expect(wrong.status).toBe(400);
    const ok = await h.api('/api/me', { method: 'PATCH', token: u.token, body: { password: 'new-password-123', currentPassword: u.password } });
    expect(ok.status).toBe(200);
    expect((await h.api('/api/me', { token: u.token })).status).toBe(401);
    expect((await h.api('/api/auth/login', { body: { email: u.email, password: 'new-password-123' } })).status).toBe(200);
  });

  it('publishes the company settings the panel needs', async () => {
    const u = await h.user('cc_admin');
    const res = await h.api('/api/company', { token: u.token });
    expect(res.body).toEqual({ currency: 'RUB', phoneRegion: 'RU', timeZone: 'Europe/Moscow' });
    expect((await h.api('/api/company')).status).toBe(401);
  });
});
