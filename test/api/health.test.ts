import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

describe('health and API document', () => {
  it('GET /health reports the database kind and telephony off', async () => {
    const res = await h.api('/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.db).toEqual({ kind: process.env.DATABASE_URL ? 'postgres' : 'pglite', ok: true });
    expect(res.body.telephony.state).toBe('off');
    expect(res.body.telephony.detail).toMatch(/ARI_URL/);
  });

  it('publishes OpenAPI generated from the validating schemas, with roles per operation', async () => {
    const res = await h.api('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/api/auth/login', '/api/users', '/api/users/{id}', '/api/users/{id}/absences', '/api/me/status', '/api/contacts', '/api/contacts/{id}', '/api/sources']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    const createUser = doc.paths['/api/users'].post;
    expect(createUser['x-roles']).toEqual(['admin']);
    expect(createUser.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/CreateUser');
    expect(doc.components.schemas.CreateUser.required).toEqual(expect.arrayContaining(['email', 'name', 'role', 'password']));
    expect(doc.paths['/api/auth/login'].post.security).toBeUndefined();
  });

  it('serves a readable API reference page', async () => {
    const page = await fetch(`${h.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/api/docs/swagger-ui-bundle.js');
    const js = await fetch(`${h.url}/api/docs/swagger-ui-bundle.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${h.url}/api/docs/..%2fpackage.json`)).status).toBe(404);
  });

  it('sets security headers', async () => {
    const res = await fetch(`${h.url}/health`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const csp = (await fetch(`${h.url}/api/docs`)).headers.get('content-security-policy');
    expect(csp).toContain("default-src 'self'");
  });
});
