import { createRoute, z } from '@hono/zod-openapi';
import { clientAddress } from '../shared/client-address.js';
import { deleteCookie, setCookie } from 'hono/cookie';
import { createRouter, jsonBody, jsonResponse, problems } from '../shared/http.js';
import { EmailSchema, UpdateMeSchema, UserSchema } from '../users/schemas.js';
import { getUser, toUserDto, updateMe } from '../users/service.js';
import { login, revokeAllSessions, revokeToken } from './service.js';
import { SESSION_COOKIE, secured } from './middleware.js';

const LoginSchema = z
  .object({ email: EmailSchema, password: z.string().min(1).max(200) })
  .strict()
  .openapi('Login');

const SessionSchema = z
  .object({ token: z.string(), expiresAt: z.string(), user: UserSchema })
  .openapi('Session');

export function authRoutes() {
  const r = createRouter();

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/auth/login',
      tags: ['auth'],
      summary: 'Sign in with e-mail and password',
      description:
        'Returns a bearer token and sets an httpOnly session cookie for the web panel. Rate-limited per address and per account.',
      request: { body: jsonBody(LoginSchema) },
      responses: {
        200: jsonResponse(SessionSchema, 'Signed in'),
        400: problems[400],
        401: problems[401],
        429: problems[429],
      },
    }),
    async (c) => {
      const s = c.get('services');
      const { email, password } = c.req.valid('json');
      const session = await login(s, email, password, clientAddress(c));
      setCookie(c, SESSION_COOKIE, session.token, {
        httpOnly: true,
        secure: s.config.auth.cookieSecure,
        sameSite: 'Lax',
        path: '/',
        maxAge: s.tokens.ttlSeconds,
      });
      return c.json(session, 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/auth/logout',
      tags: ['auth'],
      summary: 'Sign out',
      description: 'Revokes the token the request carries (bearer or cookie) and clears the cookie. With `everywhere=true` every token issued to the user stops working.',
      ...secured('any'),
      request: { query: z.object({ everywhere: z.enum(['true', 'false']).optional() }) },
      responses: { 204: { description: 'Signed out' }, 401: problems[401] },
    }),
    async (c) => {
      const s = c.get('services');
      if (c.req.valid('query').everywhere === 'true') await revokeAllSessions(s, c.get('user').id);
      else if (c.get('tokenId')) await revokeToken(s, c.get('user').id, c.get('tokenId')!);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/me',
      tags: ['auth'],
      summary: 'The signed-in user',
      ...secured('any'),
      responses: { 200: jsonResponse(UserSchema, 'The user'), 401: problems[401] },
    }),
    async (c) => c.json(toUserDto(await getUser(c.get('services'), c.get('user').id)), 200),
  );

  r.openapi(
    createRoute({
      method: 'patch',
      path: '/api/me',
      tags: ['auth'],
      summary: 'Change my name, language, time zone or password',
      description: 'A new password needs `currentPassword` and ends every other session (sign in again).',
      ...secured('any'),
      request: { body: jsonBody(UpdateMeSchema) },
      responses: { 200: jsonResponse(UserSchema, 'The user'), 400: problems[400], 401: problems[401] },
    }),
    async (c) => c.json(await updateMe(c.get('services'), c.get('user'), c.req.valid('json')), 200),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/company',
      tags: ['auth'],
      summary: 'Company-wide settings the panel needs',
      ...secured('any'),
      responses: {
        200: jsonResponse(
          z.object({ currency: z.string(), phoneRegion: z.string(), timeZone: z.string() }).openapi('Company'),
          'Settings',
        ),
        401: problems[401],
      },
    }),
    async (c) => {
      const { currency, phoneRegion, companyTimeZone } = c.get('services').config;
      return c.json({ currency, phoneRegion, timeZone: companyTimeZone }, 200);
    },
  );

  return r;
}
