import { eq, lt, sql } from 'drizzle-orm';
import { revokedTokens, users } from '../db/schema.js';
import type { Services } from '../services.js';
import { AppError } from '../shared/errors.js';
import { assertUnderRateLimit, consumeRateLimit, resetRateLimit } from '../shared/rate-limit.js';
import { newId } from '../shared/ids.js';
import { dummyPasswordHash, hashPassword, randomPassword, verifyPassword } from './passwords.js';
import { toUserDto } from '../users/service.js';

export async function login(s: Services, email: string, password: string, clientIp: string) {
  const { loginRateLimit: limit, loginRateWindowSeconds: window } = s.config.auth;
  // Per account every attempt counts (reset by a success); per address only failures count, so an office
  // behind one NAT can sign in all morning while one host guessing across many accounts is stopped.
  const ipKey = `login:ip:${clientIp}`;
  await assertUnderRateLimit(s.database, s.clock, ipKey, limit * 5, window);
  await consumeRateLimit(s.database, s.clock, `login:email:${email}`, limit, window);

  const [user] = await s.database.db.select().from(users).where(sql`lower(${users.email}) = ${email}`).limit(1);
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !ok || !user.active) {
    await consumeRateLimit(s.database, s.clock, ipKey, Number.MAX_SAFE_INTEGER, window);
    throw new AppError('unauthorized', 'Wrong e-mail or password');
  }
  await resetRateLimit(s.database, `login:email:${email}`);
  const now = s.clock.now();
  await s.database.db.update(users).set({ lastLoginAt: now }).where(eq(users.id, user.id));
  const { token, expiresAt } = await s.tokens.issue(user);
  return { token, expiresAt: expiresAt.toISOString(), user: toUserDto({ ...user, lastLoginAt: now }) };
}

/** Signing out one session: its token is refused from now on, on every instance. */
export async function revokeToken(s: Services, userId: string, tokenId: string) {
  const expiresAt = new Date(s.clock.now().getTime() + s.tokens.ttlSeconds * 1000);
  await s.database.db.insert(revokedTokens).values({ jti: tokenId, userId, expiresAt }).onConflictDoNothing();
}

/** Revoked tokens past their expiry are refused anyway; dropping them keeps the lookup small. */
export async function pruneRevokedTokens(s: Services) {
  await s.database.db.delete(revokedTokens).where(lt(revokedTokens.expiresAt, s.clock.now()));
}

export async function revokeAllSessions(s: Services, userId: string) {
  await s.database.db
    .update(users)
    .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
    .where(eq(users.id, userId));
}

/**
 * On a database without users, creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD, or with a random
 * password that is printed once. Safe to run from several instances at once.
 */
export async function ensureInitialAdmin(s: Services): Promise<void> {
  const password = s.config.admin.password ?? randomPassword();
  const hash = await hashPassword(password);
  const now = s.clock.now();
  const created = await s.database.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(727002)`);
    const [{ n }] = (await tx.select({ n: sql<number>`count(*)::int` }).from(users)) as [{ n: number }];
    if (n > 0) return false;
    await tx.insert(users).values({
      id: newId('user'),
      email: s.config.admin.email,
      name: 'Administrator',
      role: 'admin',
      passwordHash: hash,
      locale: 'ru',
      timezone: s.config.companyTimeZone,
      statusChangedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    return true;
  });
  if (!created) return;
  if (s.config.admin.password) {
    s.logger.info({ email: s.config.admin.email }, 'created the first admin from ADMIN_EMAIL/ADMIN_PASSWORD');
  } else {
    // Printed once, to the console only, never through the structured log sinks.
    process.stdout.write(
      `\n  First admin created: ${s.config.admin.email}\n  Password (shown once, change it after signing in): ${password}\n\n`,
    );
  }
}
