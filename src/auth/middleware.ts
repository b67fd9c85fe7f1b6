import { eq, sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { revokedTokens, users, type Role } from '../db/schema.js';
import type { Services } from '../services.js';
import { AppError } from '../shared/errors.js';
import type { AppEnv } from '../shared/http.js';
import { auditChanges } from '../audit/middleware.js';

export const SESSION_COOKIE = 'sb_session';

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  locale: 'ru' | 'en';
  timezone: string;
}

/** Resolves a bearer token or session cookie to an active user whose token version still matches. */
export async function authenticate(services: Services, token: string | undefined): Promise<AuthUser> {
  return (await authenticateSession(services, token)).user;
}

/** `authenticate`, plus when the token expires (sockets disconnect then). */
export async function authenticateSession(
  services: Services,
  token: string | undefined,
): Promise<{ user: AuthUser; expiresAt: number; tokenId: string | null }> {
  if (!token) throw new AppError('unauthorized', 'Sign in first: send "Authorization: Bearer <token>"');
  const claims = await services.tokens.verify(token);
  if (!claims) throw new AppError('unauthorized', 'The token is invalid or has expired; sign in again');
  const [row] = await services.database.db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      locale: users.locale,
      timezone: users.timezone,
      active: users.active,
      tokenVersion: users.tokenVersion,
      revoked: claims.jti ? sql<boolean>`exists (select 1 from ${revokedTokens} where ${revokedTokens.jti} = ${claims.jti})` : sql<boolean>`false`,
    })
    .from(users)
    .where(eq(users.id, claims.sub))
    .limit(1);
  if (!row || !row.active || row.tokenVersion !== claims.ver || row.revoked) {
    throw new AppError('unauthorized', 'The session is no longer valid; sign in again');
  }
  const { active: _a, tokenVersion: _v, revoked: _r, ...user } = row;
  return { user, expiresAt: claims.exp * 1000, tokenId: claims.jti ?? null };
}

export function tokenFromHeaders(authorization: string | undefined, cookieToken: string | undefined): string | undefined {
  if (authorization) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    return m ? m[1] : undefined;
  }
  return cookieToken;
}

export type RoleRule = readonly Role[] | 'any';

/** Every protected route declares who may call it; 401 without a valid session, 403 with the wrong role. */
export function requireRole(rule: RoleRule): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const services = c.get('services');
    const token = tokenFromHeaders(c.req.header('authorization'), getCookie(c, SESSION_COOKIE));
    const { user, tokenId } = await authenticateSession(services, token);
    if (rule !== 'any' && !rule.includes(user.role)) {
      throw new AppError('forbidden', `This needs one of the roles: ${rule.join(', ')}`);
    }
    c.set('user', user);
    c.set('tokenId', tokenId);
    await next();
  };
}

/** Spread into createRoute: adds the role check and documents it in the OpenAPI operation. */
export function secured(rule: RoleRule) {
  const supervisorsOnly = rule !== 'any' && rule.every((r) => (supervisorRoles as readonly Role[]).includes(r));
  return {
    // Changes made through a route only supervisors may call are the administration's: they are audited.
    middleware: supervisorsOnly ? [requireRole(rule), auditChanges] : requireRole(rule),
    security: [{ bearerAuth: [] }, { cookieAuth: [] }] as Array<Record<string, string[]>>,
    'x-roles': rule === 'any' ? ['any signed-in user'] : [...rule],
  };
}

export const staffRoles = ['admin', 'cc_admin', 'operator', 'sales_head', 'hunter', 'client_head', 'account_manager'] as const satisfies readonly Role[];
export const supervisorRoles = ['admin', 'cc_admin', 'sales_head', 'client_head'] as const satisfies readonly Role[];
