import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TEST_ADMIN, type Harness } from '../helpers/harness.js';

/** A clock the test can move, to expire tokens without waiting. */
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ clock, env: { LOGIN_RATE_LIMIT: '3', TOKEN_TTL_HOURS: '1' } });
});
afterAll(() => h?.stop());

describe('login', () => {
  it('returns an expiring token and an httpOnly cookie', async () => {
    const res = await h.api('/api/auth/login', { body: { email: TEST_ADMIN.email.toUpperCase(), password: TEST_ADMIN.password } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email: TEST_ADMIN.email, role: 'admin' });
    expect(res.body.user.passwordHash).toBeUndefined();
    const ttl = new Date(res.body.expiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(55 * 60_000);
    expect(ttl).toBeLessThanOrEqual(60 * 60_000 + 1000);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^sb_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await h.api('/api/me', { headers: { cookie: cookie.split(';')[0]! } });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(TEST_ADMIN.email);
  });

  it('wrong password and unknown e-mail give the same 401', async () => {
    const u = await h.user('operator');
    const wrong = await h.api('/api/auth/login', { body: { email: u.email, password: 'wrong-password' } });
    const unknown = await h.api('/api/auth/login', { body: { email: 'nobody@test.local', password: 'wrong-password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('stores passwords as scrypt hashes', async () => {
    const u = await h.user('hunter');
    const rows = await h.services.database.query<{ password_hash: string }>(
      (await import('drizzle-orm')).sql`select password_hash from users where id = ${u.id}`,
    );
    expect(rows[0]!.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(rows[0]!.password_hash).not.toContain(u.password);
  });

  it('limits repeated attempts on one account with 429 and Retry-After', async () => {
    const u = await h.user('operator');
    for (let i = 0; i < 3; i++) {
      expect((await h.api('/api/auth/login', { body: { email: u.email, password: 'guess-' + i } })).status).toBe(401);
    }
    const limited = await h.api('/api/auth/login', { body: { email: u.email, password: u.password } });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same address is not locked out by it.
    const other = await h.user('operator');
    expect(other.token).toBeTruthy();
  });

  it('a successful login resets the account counter', async () => {
    const u = await h.user('operator');
    for (let i = 0; i < 2; i++) await h.api('/api/auth/login', { body: { email: u.email, password: 'nope-nope' } });
    expect((await h.api('/api/auth/login', { body: { email: u.email, password: u.password } })).status).toBe(200);
    for (let i = 0; i < 2; i++) await h.api('/api/auth/login', { body: { email: u.email, password: 'nope-nope' } });
    expect((await h.api('/api/auth/login', { body: { email: u.email, password: u.password } })).status).toBe(200);
  });
});

describe('tokens and roles', () => {
  it('no token, a forged token and a garbage header → 401', async () => {
    expect((await h.api('/api/me')).status).toBe(401);
    const u = await h.user('operator');
    const [head, body] = u.token.split('.');
    const forged = `${head}.${body}.${'A'.repeat(43)}`;
    expect((await h.api('/api/me', { token: forged })).status).toBe(401);
    expect((await h.api('/api/me', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
  });

  it('an expired token → 401', async () => {
    const u = await h.user('hunter');
    expect((await h.api('/api/me', { token: u.token })).status).toBe(200);
    clock.offsetMs = 61 * 60_000;
    try {
      const res = await h.api('/api/me', { token: u.token });
      expect(res.status).toBe(401);
      expect(res.body.detail).toMatch(/expired/);
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('the wrong role → 403 naming the roles allowed', async () => {
    const op = await h.user('operator');
    const res = await h.api('/api/users', { token: op.token, body: { email: 'x@test.local', name: 'X', role: 'operator', password: 'long-enough-1' } });
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('admin');
  });

  it('deactivating a user ends their sessions at once', async () => {
    const u = await h.user('account_manager');
    const admin = await h.adminToken();
    expect((await h.api(`/api/users/${u.id}`, { method: 'PATCH', token: admin, body: { active: false } })).status).toBe(200);
    expect((await h.api('/api/me', { token: u.token })).status).toBe(401);
    expect((await h.api('/api/auth/login', { body: { email: u.email, password: u.password } })).status).toBe(401);
  });

  it('logout revokes that session and clears the cookie; logout everywhere revokes every token', async () => {
    const u = await h.user('sales_head');
    const login = async () => (await h.api('/api/auth/login', { body: { email: u.email, password: u.password } })).body.token as string;
    const other = await login();
    const out = await h.api('/api/auth/logout', { method: 'POST', token: u.token });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/sb_session=;.*Max-Age=0/i);
    expect((await h.api('/api/me', { token: u.token })).status).toBe(401);
    // The user's other sessions go on.
    expect((await h.api('/api/me', { token: other })).status).toBe(200);
    const third = await login();
    const all = await h.api('/api/auth/logout?everywhere=true', { method: 'POST', token: other });
    expect(all.status).toBe(204);
    expect((await h.api('/api/me', { token: other })).status).toBe(401);
    expect((await h.api('/api/me', { token: third })).status).toBe(401);
  });
});

describe('failed logins from one address', () => {
  it('are limited across accounts, while successes do not count', async () => {
    const victims = await Promise.all([1, 2, 3, 4, 5, 6].map(() => h.user('operator')));
    let limited = 0;
    for (let i = 0; i < 20; i++) {
      const res = await h.api('/api/auth/login', { body: { email: victims[i % victims.length]!.email, password: `bad-${i}` } });
      if (res.status === 429) limited++;
    }
    expect(limited).toBeGreaterThan(0);
  });
});
