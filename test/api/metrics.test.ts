import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

const METRICS_TOKEN = 'scraper-token-0123456789';

describe('Prometheus metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    // Behind a trusted proxy, the forwarded address decides who is "this machine".
    h = await startHarness({ env: { METRICS_TOKEN, TRUST_PROXY: 'true' } });
  });
  afterAll(() => h?.stop());

  const scrape = (headers: Record<string, string>) => fetch(`${h.url}/metrics`, { headers });
  const remote = { 'x-forwarded-for': '203.0.113.5' };

  it('are served to the scraper, an admin and this machine only', async () => {
    expect((await scrape(remote)).status).toBe(401);
    expect((await scrape({ ...remote, authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(403);
    expect((await scrape({ ...remote, authorization: `Bearer ${(await h.user('operator')).token}` })).status).toBe(403);
    expect((await scrape({ ...remote, authorization: `Bearer ${METRICS_TOKEN}` })).status).toBe(200);
    expect((await scrape({ ...remote, authorization: `Bearer ${await h.adminToken()}` })).status).toBe(200);
    expect((await scrape({})).status).toBe(200);
  });

  it('count requests by route pattern, and report the queue, calls in progress, offers and routing latency', async () => {
    const op = await h.user('operator');
    const contact = await h.api('/api/contacts', { token: op.token, body: { name: 'Метрика', phones: ['+79175550202'] } });
    expect(contact.status).toBe(201);
    expect((await h.api(`/api/contacts/${contact.body.id}`, { token: op.token })).status).toBe(200);
    const hunter = await h.user('hunter');
    expect((await h.api('/api/me/status', { method: 'PUT', token: hunter.token, body: { status: 'available' } })).status).toBe(200);
    const when = new Date(Date.now() + 86_400_000).toISOString();
    expect((await h.api('/api/meetings', { token: op.token, body: { contactId: contact.body.id, scheduledAt: when } })).status).toBe(201);

    const res = await scrape({ authorization: `Bearer ${METRICS_TOKEN}` });
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/switchboard_http_request_duration_seconds_count\{method="POST",route="\/api\/contacts",status="201"\} 1\b/);
    // Ids never become labels.
    expect(text).toContain('route="/api/contacts/:id"');
    expect(text).not.toContain(contact.body.id);
    expect(text).toMatch(/^switchboard_queue_length 0$/m);
    expect(text).toMatch(/^switchboard_routing_latency_seconds_count\{trigger="booked"\} 1$/m);
    expect(text).toMatch(/^switchboard_meeting_offers_open [01]$/m);
    expect(text).toContain('# TYPE switchboard_calls_in_progress gauge');
    expect(text).toContain('switchboard_process_resident_memory_bytes');
  });
});
