import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type TestUser } from '../helpers/harness.js';

/** A small seeded generator, so that a failing case can be replayed (the seed is in the message). */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]) => xs[int(xs.length)]!;
  const chars = ['a', 'Я', '"', ',', ';', '\n', '\r', '\t', '\\', '\u0000', '\uFEFF', '😀', '=', '+', '-', '@', '{', '}', '7', '9', ' ', '\u202e'];
  const str = (max: number) => Array.from({ length: int(max) }, () => (next() < 0.5 ? pick(chars) : String.fromCharCode(32 + int(95)))).join('');
  const value = (depth: number): unknown => {
    switch (int(depth > 2 ? 6 : 8)) {
      case 0: return null;
      case 1: return next() * 1e12 - 5e11;
      case 2: return next() < 0.5;
      case 3: return str(40);
      case 4: return str(600);
      case 5: return `https://${str(10)}.example/${str(20)}`;
      case 6: return Array.from({ length: int(5) }, () => value(depth + 1));
      default: return Object.fromEntries(Array.from({ length: int(5) }, () => [pick(['utm_source', 'referrer', 'landingUrl', 'visitorId', 'name', 'phone', str(8)]), value(depth + 1)]));
    }
  };
  return { next, int, pick, str, value };
}

describe('random input to the public tracking endpoints and to dial-list imports', () => {
  let h: Harness;
  let cc: TestUser;
  beforeAll(async () => {
    h = await startHarness({ env: { TRACKING_RATE_LIMIT: '100000' } });
    cc = await h.user('cc_admin');
  });
  afterAll(() => h?.stop());

  it('tracking: no random body gets a 5xx, and only accepted ones are stored', async () => {
    const seed = 20261202;
    const r = rng(seed);
    const statuses = new Map<number, number>();
    let accepted = 0;
    let requests = 0;
    for (let i = 0; i < 400; i++) {
      const path = r.pick(['/api/track/sessions', '/api/track/requests']);
      const raw = r.next() < 0.15 ? r.str(200) : JSON.stringify(r.value(0));
      const type = r.next() < 0.9 ? 'application/json' : r.pick(['text/plain', 'application/x-www-form-urlencoded', '']);
      const res = await fetch(`${h.url}${path}`, { method: 'POST', headers: type ? { 'content-type': type } : {}, body: raw });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, `seed ${seed}, case ${i}: ${path} ${raw.slice(0, 200)}`).toBeLessThan(500);
      if (res.status === 201) {
        if (path === '/api/track/sessions') accepted++;
        else requests++;
      }
    }
    // Most random bodies are refused; whatever was accepted is exactly what is stored.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(200);
    const [sessions] = await h.services.database.query<{ n: number }>(sql`select count(*)::int as n from track_sessions`);
    const [webReqs] = await h.services.database.query<{ n: number }>(sql`select count(*)::int as n from web_requests`);
    expect(sessions!.n).toBe(accepted);
    expect(webReqs!.n).toBe(requests);
  }, 60_000);

  it('dial-list import: random files and mappings never give a 5xx; a finished job accounts for every row it kept', async () => {
    const seed = 912;
    const r = rng(seed);
    const src = (await h.api('/api/sources', { token: cc.token, body: { name: 'Фазз', channel: 'cold_list' } })).body.id;
    const campaignId = (await h.api('/api/campaigns', { token: cc.token, body: { name: 'Фазз-кампания', sourceId: src } })).body.id;
    let finished = 0;
    for (let i = 0; i < 25; i++) {
      const lines = Array.from({ length: 1 + r.int(40) }, () =>
        Array.from({ length: r.int(5) }, () => (r.next() < 0.3 ? `+7916${String(r.int(1e7)).padStart(7, '0')}` : r.str(30))).join(r.pick([',', ';', '\t'])),
      );
      const csv = (r.next() < 0.8 ? 'name,phone\n' : '') + lines.join(r.pick(['\n', '\r\n', '\r']));
      const mapping = r.next() < 0.85 ? { name: r.pick(['name', 'name', 'x']), phones: [r.pick(['phone', 'phone', '2'])] } : r.value(1);
      const qs = new URLSearchParams({ name: `Фазз ${i}`, mapping: JSON.stringify(mapping) });
      if (r.next() < 0.2) qs.set('encoding', r.pick(['windows-1251', 'utf-8', 'koi8']));
      const res = await fetch(`${h.url}/api/campaigns/${campaignId}/lists?${qs}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${cc.token}`, 'content-type': 'text/csv' },
        body: r.next() < 0.1 ? Buffer.from(Array.from({ length: r.int(3000) }, () => r.int(256))) : csv,
      });
      const body = (await res.json()) as any;
      expect(res.status, `seed ${seed}, case ${i}: ${JSON.stringify(body).slice(0, 300)}`).toBeLessThan(500);
      if (res.status !== 202) {
        expect(body.detail, `case ${i}`).toBeTruthy();
        continue;
      }
      let job: any;
      await expect
        .poll(async () => (job = (await h.api(`/api/imports/${body.id}`, { token: cc.token })).body).status, { timeout: 15_000 })
        .not.toBe('running');
      if (job.status === 'failed') {
        expect(job.error, `case ${i}`).toBeTruthy();
        const [kept] = await h.services.database.query<{ n: number }>(sql`select count(*)::int as n from dial_entries where list_id = ${job.listId}`);
        expect(kept!.n, `case ${i}: a failed import keeps nothing`).toBe(0);
        continue;
      }
      finished++;
      expect(job.imported + job.duplicates + job.invalid + job.dnc + job.skipped, `case ${i}: ${JSON.stringify(job).slice(0, 1500)} CSV ${JSON.stringify(csv).slice(0, 1500)}`).toBe(job.total);
      const [kept] = await h.services.database.query<{ n: number }>(sql`select count(*)::int as n from dial_entries where list_id = ${job.listId}`);
      expect(kept!.n, `case ${i}`).toBe(job.imported);
    }
    // The cases reach the row checks, not only the up-front refusals.
    expect(finished).toBeGreaterThan(3);
  }, 120_000);
});
