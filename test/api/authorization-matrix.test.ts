import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { roles, type Role } from '../../src/db/schema.js';
import { socketEvents } from '../../src/realtime/events.js';
import { startHarness, type Harness, type TestUser } from '../helpers/harness.js';

/**
 * Every route of the API and every socket event, called with no token and with a user of each role:
 * exactly the roles the operation declares get past the role check, everyone else gets 403, and nobody
 * without a token gets anything but 401. The routes come from the running app itself, so a route added
 * without a declared rule fails here.
 */
const PUBLIC: Record<string, string> = {
  'GET /health': 'liveness for load balancers',
  'POST /api/auth/login': 'signing in',
  'GET /api/openapi.json': 'the API description',
  'GET /api/docs': 'the API reference page',
  'GET /api/docs/init.js': 'its script',
  'GET /api/docs/{asset}': 'its assets',
  'POST /api/track/sessions': 'the website tracking snippet (CORS, rate-limited per address)',
  'POST /api/track/sessions/{id}/ping': 'the website tracking snippet (CORS, rate-limited per address)',
  'POST /api/track/requests': 'the website call-me-back form (CORS, rate-limited per address)',
};
/** Signing out ends the session the matrix uses; it is checked on its own below. */
const SESSION_ENDING = new Set(['POST /api/auth/logout']);

const fakeId = 'zz_01J00000000000000000000000';
const fill = (path: string) => path.replace(/\{[^}]+\}/g, fakeId);

describe('authorization matrix: every route and socket event, every role', () => {
  let h: Harness;
  const users = new Map<Role, TestUser>();
  let doc: any;

  beforeAll(async () => {
    h = await startHarness();
    for (const role of roles) users.set(role, await h.user(role));
    doc = (await h.api('/api/openapi.json')).body;
  });
  afterAll(() => h?.stop());

  const operations = () => {
    const out: Array<{ key: string; method: string; path: string; roles: string[] | null }> = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        const key = `${method.toUpperCase()} ${path}`;
        out.push({ key, method: method.toUpperCase(), path, roles: op['x-roles'] ?? null });
      }
    }
    return out;
  };

  it('every API route of the app is described with its roles, or is one of the few public ones', () => {
    const app = createApp(h.services);
    const described = new Set(operations().map((o) => o.key));
    const undeclared: string[] = [];
    for (const r of app.routes) {
      if (!r.path.startsWith('/api/') || r.method === 'ALL') continue;
      const key = `${r.method} ${r.path.replace(/:([A-Za-z_]+)(\{[^}]*\})?/g, '{$1}')}`;
      if (!described.has(key) && !PUBLIC[key] && !SESSION_ENDING.has(key)) undeclared.push(key);
    }
    expect(undeclared).toEqual([]);
    for (const o of operations()) {
      if (PUBLIC[o.key]) expect(o.roles, o.key).toBeNull();
      else expect(o.roles, `${o.key} declares no roles`).not.toBeNull();
    }
  });

  it('no token: 401 on every protected route', async () => {
    const wrong: string[] = [];
    for (const o of operations()) {
      if (!o.roles) continue;
      const res = await h.api(fill(o.path), { method: o.method, body: ['POST', 'PUT', 'PATCH'].includes(o.method) ? {} : undefined });
      if (res.status !== 401) wrong.push(`${o.key}: ${res.status}`);
      // A forged or expired token is no better.
      const forged = await h.api(fill(o.path), { method: o.method, token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA' });
      if (forged.status !== 401) wrong.push(`${o.key} (forged token): ${forged.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('each role gets past exactly the routes that declare it, and 403 elsewhere', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const o of operations()) {
      if (!o.roles || SESSION_ENDING.has(o.key)) continue;
      const allowed = o.roles.includes('any signed-in user') ? [...roles] : o.roles;
      for (const role of roles) {
        const res = await h.api(fill(o.path), {
          method: o.method,
          token: users.get(role)!.token,
          body: ['POST', 'PUT', 'PATCH'].includes(o.method) ? {} : undefined,
        });
        checked++;
        const isAllowed = allowed.includes(role);
        if (res.status === 401) wrong.push(`${o.key} as ${role}: 401`);
        else if (res.status >= 500) wrong.push(`${o.key} as ${role}: ${res.status} ${res.body?.detail ?? ''}`);
        else if (isAllowed && res.status === 403 && /needs one of the roles/.test(res.body?.detail ?? '')) wrong.push(`${o.key} as ${role}: refused by the role check`);
        else if (!isAllowed && res.status !== 403) wrong.push(`${o.key} as ${role}: ${res.status}, expected 403`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(500);
  });

  it('signing out revokes the token for every route and socket', async () => {
    const u = await h.user('operator');
    const out = await h.api('/api/auth/logout', { method: 'POST', token: u.token });
    expect(out.status).toBeLessThan(300);
    expect((await h.api('/api/me', { token: u.token })).status).toBe(401);
    const s = h.socket(u.token);
    const err = await new Promise<Error>((resolve) => s.once('connect_error', resolve));
    expect(err.message).toMatch(/sign|session|token|expired|revoked/i);
  });

  it('each socket event: the declared roles get past the role check, everyone else gets forbidden', async () => {
    const wrong: string[] = [];
    for (const role of roles) {
      const s = h.socket(users.get(role)!.token);
      await new Promise<void>((resolve, reject) => {
        s.once('session:ready', () => resolve());
        s.once('connect_error', reject);
      });
      for (const def of socketEvents) {
        const ack = await s.timeout(5000).emitWithAck(def.event, {});
        const allowed = def.roles.includes(role);
        if (allowed && !ack.ok && ack.error.code === 'forbidden' && /needs one of the roles/.test(ack.error.detail)) wrong.push(`${def.event} as ${role}: refused`);
        if (!allowed && (ack.ok || ack.error.code !== 'forbidden')) wrong.push(`${def.event} as ${role}: ${JSON.stringify(ack).slice(0, 120)}`);
        if (!ack.ok && ack.error.status >= 500) wrong.push(`${def.event} as ${role}: ${ack.error.status}`);
      }
      s.close();
    }
    expect(wrong).toEqual([]);
    // Without a token there is no socket at all.
    const anon = h.socket(null);
    const err = await new Promise<Error>((resolve) => anon.once('connect_error', resolve));
    expect(err).toBeInstanceOf(Error);
    anon.close();
  });
});
