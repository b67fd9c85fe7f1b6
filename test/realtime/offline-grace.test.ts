import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { emitWithAck, nextEvent, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { OFFLINE_GRACE_SECONDS: '1' } });
});
afterAll(() => h?.stop());

const statusOf = async (id: string) => (await h.services.database.query<{ status: string; status_reason: string | null }>(sql`select status, status_reason from users where id = ${id}`))[0]!;

describe('offline by itself', () => {
  it('a user whose last panel closed goes offline after the grace period; a reload in time keeps the status', async () => {
    const op = await h.user('operator');
    const cc = await h.user('cc_admin');
    const sup = h.socket(cc.token);
    await nextEvent(sup, 'session:ready');

    const first = h.socket(op.token);
    await nextEvent(first, 'session:ready');
    expect((await emitWithAck(first, 'status:set', { status: 'available' })).ok).toBe(true);
    // A reload: the old socket closes and a new one opens within the grace period.
    first.close();
    const second = h.socket(op.token);
    await nextEvent(second, 'session:ready');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await statusOf(op.id)).status).toBe('available');

    const seen = nextEvent(sup, 'presence:changed', 5000);
    second.close();
    expect(await seen).toMatchObject({ userId: op.id, status: 'offline', reason: 'disconnected' });
    expect(await statusOf(op.id)).toEqual({ status: 'offline', status_reason: 'disconnected' });
    const log = await h.services.database.query<{ status: string; reason: string | null }>(sql`select status, reason from user_status_log where user_id = ${op.id} order by at, id`);
    expect(log).toEqual([
      { status: 'available', reason: null },
      { status: 'offline', reason: 'disconnected' },
    ]);
  });
});
