import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

describe('audit log of administrative changes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.stop());

  it('records who changed which user, script and number, with the input but never a password', async () => {
    const admin = await h.adminToken();
    const cc = await h.user('cc_admin');
    const created = await h.api('/api/users', {
      token: admin,
      body: { email: 'audited@test.local', name: 'Аудит Проверкин', role: 'operator', password: 'very-secret-password-1' },
    });
    expect(created.status).toBe(201);
    expect((await h.api(`/api/users/${created.body.id}`, { method: 'PATCH', token: admin, body: { extension: '1077' } })).status).toBe(200);
    const src = await h.api('/api/sources', { token: cc.token, body: { name: 'Аудит источник', channel: 'paid_search' } });
    expect(src.status).toBe(201);
    const num = await h.api('/api/tracking-numbers', { token: cc.token, body: { number: '+74951239911', sourceId: src.body.id, kind: 'static' } });
    expect(num.status).toBe(201);
    // A refused change is not an audited one.
    expect((await h.api('/api/sources', { token: cc.token, body: { name: '' } })).status).toBe(400);

    const log = await h.api('/api/audit?limit=10', { token: admin });
    expect(log.status).toBe(200);
    const actions = log.body.items.map((e: any) => `${e.action} ${e.entityId}`);
    expect(actions.slice(0, 4)).toEqual([
      `POST /api/tracking-numbers ${num.body.id}`,
      `POST /api/sources ${src.body.id}`,
      `PATCH /api/users/{id} ${created.body.id}`,
      `POST /api/users ${created.body.id}`,
    ]);
    const userCreate = log.body.items[3];
    expect(userCreate.actor.role).toBe('admin');
    expect(userCreate.detail.input).toMatchObject({ email: 'audited@test.local', password: '[redacted]' });
    expect(JSON.stringify(log.body)).not.toContain('very-secret-password-1');
    expect(log.body.items[0]).toMatchObject({ actor: { id: cc.id, role: 'cc_admin' }, status: 201 });
    expect(log.body.items[0].requestId).toBeTruthy();

    // Filters and paging.
    const byActor = await h.api(`/api/audit?actorId=${cc.id}`, { token: admin });
    expect(byActor.body.items).toHaveLength(2);
    const byEntity = await h.api(`/api/audit?entityId=${created.body.id}`, { token: admin });
    expect(byEntity.body.items.map((e: any) => e.action)).toEqual(['PATCH /api/users/{id}', 'POST /api/users']);
    const first = await h.api('/api/audit?limit=1', { token: admin });
    const second = await h.api(`/api/audit?limit=1&cursor=${first.body.nextCursor}`, { token: admin });
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    expect((await h.api('/api/audit?cursor=abc', { token: admin })).status).toBe(400);
    expect((await h.api('/api/audit?from=yesterday', { token: admin })).status).toBe(400);
  });

  it('changes people make in their own work are not audited, and only admins read the log', async () => {
    const op = await h.user('operator');
    const before = (await h.api('/api/audit?limit=200', { token: await h.adminToken() })).body.items.length;
    expect((await h.api('/api/contacts', { token: op.token, body: { name: 'Не аудит', phones: ['+79175550101'] } })).status).toBe(201);
    expect((await h.api('/api/me/status', { method: 'PUT', token: op.token, body: { status: 'available' } })).status).toBe(200);
    const after = (await h.api('/api/audit?limit=200', { token: await h.adminToken() })).body.items.length;
    expect(after).toBe(before);
    expect((await h.api('/api/audit', { token: op.token })).status).toBe(403);
    expect((await h.api('/api/audit', { token: (await h.user('cc_admin')).token })).status).toBe(403);
  });
});
