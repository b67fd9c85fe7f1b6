import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { BODY_LIMIT_BYTES: '2048' } });
});
afterAll(() => h?.stop());

describe('errors are problem+json', () => {
  it('malformed JSON → 400', async () => {
    const res = await h.api('/api/auth/login', { body: '{"email": ', method: 'POST' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 400, code: 'bad_request', detail: 'The body is not valid JSON' });
    expect(res.body.type).toBe('/problems/bad_request');
    expect(res.body.requestId).toEqual(res.headers.get('x-request-id'));
  });

  it('wrong types → 400 naming every field', async () => {
    const token = await h.adminToken();
    const res = await h.api('/api/users', { token, body: { email: 'not-an-email', name: 5, role: 'boss', password: 'short' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['email', 'name', 'password', 'role']);
  });

  it('unknown fields are refused, not silently dropped', async () => {
    const token = await h.adminToken();
    const res = await h.api('/api/sources', { token, body: { name: 'X', channel: 'other', colour: 'red' } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.errors)).toContain('colour');
  });

  it('a body that is not JSON at all → 415', async () => {
    const res = await h.api('/api/auth/login', { body: 'email=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('unsupported_media_type');
  });

  it('unknown route → 404', async () => {
    const res = await h.api('/api/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 404, code: 'not_found', detail: 'No route for GET /api/no-such-thing' });
  });

  it('malformed id in the path → 400, unknown id → 404', async () => {
    const token = await h.adminToken();
    expect((await h.api('/api/contacts/123', { token })).status).toBe(400);
    const res = await h.api('/api/contacts/cnt_01JD0000000000000000000000', { token });
    expect(res.status).toBe(404);
    expect(res.body.detail).toContain('cnt_01JD0000000000000000000000');
  });

  it('body over the limit → 413', async () => {
    const res = await h.api('/api/auth/login', { body: { email: 'a@b.c', password: 'x'.repeat(4000) } });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
  });

  it('an unexpected error → 500 with a request id and no stack', async () => {
    const app = createApp(h.services);
    app.get('/api/test-boom', () => {
      throw new Error('secret internals at /srv/app.ts:12');
    });
    const res = await app.request('/api/test-boom');
    expect(res.status).toBe(500);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.code).toBe('internal');
    expect(body.requestId).toBeTruthy();
    expect(JSON.stringify(body)).not.toContain('secret internals');
    expect(JSON.stringify(body)).not.toContain('app.ts');
  });
});
