import { randomBytes } from 'node:crypto';
import { sign, verify } from 'hono/jwt';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { Role } from '../db/schema.js';
import type { Clock } from '../shared/clock.js';

export interface TokenClaims {
  sub: string;
  role: Role;
  ver: number;
  iat: number;
  exp: number;
  /** The token's own id, by which signing out revokes it. */
  jti?: string;
}

export interface TokenService {
  issue(user: { id: string; role: Role; tokenVersion: number }): Promise<{ token: string; expiresAt: Date }>;
  /** Returns the claims, or null for a token that is malformed, forged or expired. */
  verify(token: string): Promise<TokenClaims | null>;
  ttlSeconds: number;
}

export function createTokenService(secret: string, ttlSeconds: number, clock: Clock): TokenService {
  return {
    ttlSeconds,
    async issue(user) {
      const iat = Math.floor(clock.now().getTime() / 1000);
      const exp = iat + ttlSeconds;
      const claims: TokenClaims = { sub: user.id, role: user.role, ver: user.tokenVersion, iat, exp, jti: randomBytes(16).toString('base64url') };
      return { token: await sign({ ...claims }, secret, 'HS256'), expiresAt: new Date(exp * 1000) };
    },
    async verify(token) {
      try {
        // Time claims are checked against the service's clock (so tests and the server agree), not hono's.
        const payload = (await verify(token, secret, { alg: 'HS256', exp: false, nbf: false, iat: false })) as unknown as TokenClaims;
        if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return null;
        if (payload.exp * 1000 <= clock.now().getTime()) return null;
        return payload;
      } catch {
        return null;
      }
    },
  };
}

/**
 * The signing key: TOKEN_SECRET when configured, otherwise one generated once and kept in the database,
 * so every instance sharing the database accepts the same tokens and restarts keep sessions.
 */
export async function resolveTokenSecret(configured: string | null, database: Database): Promise<{ secret: string; generated: boolean }> {
  if (configured) return { secret: configured, generated: false };
  const candidate = randomBytes(48).toString('base64url');
  await database.query(
    sql`INSERT INTO settings (key, value) VALUES ('token_secret', ${candidate}) ON CONFLICT (key) DO NOTHING`,
  );
  const rows = await database.query<{ value: string }>(sql`SELECT value FROM settings WHERE key = 'token_secret'`);
  return { secret: rows[0]!.value, generated: true };
}
