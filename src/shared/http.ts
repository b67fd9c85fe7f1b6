import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError, type FieldError } from './errors.js';

export type AppEnv = {
  Variables: {
    services: Services;
    requestId: string;
    user: AuthUser;
    /** The id of the token the request was signed with (null for tokens issued before ids existed). */
    tokenId: string | null;
  };
};

export function zodFieldErrors(error: ZodError, prefix?: string): FieldError[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: i.message,
    code: i.code,
  }));
}

export function validationError(error: ZodError, prefix?: string): AppError {
  const errors = zodFieldErrors(error, prefix);
  return new AppError('validation_failed', `${errors.length} field(s) failed validation`, { errors });
}

/** A router whose request validation failures become problem+json 400s naming every field. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const prefix = result.target === 'json' || result.target === 'form' ? undefined : result.target;
        throw validationError(result.error, prefix);
      }
    },
  });
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string(), code: z.string().optional() })).optional(),
  })
  .openapi('Problem');

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

export const problems = {
  400: problem('Malformed or invalid request; `errors` lists each field'),
  401: problem('Missing, invalid or expired credentials'),
  403: problem('Authenticated, but the role may not do this'),
  404: problem('Unknown id'),
  409: problem('Conflicts with existing data'),
  410: problem('No longer exists (expired)'),
  413: problem('Body over the size limit'),
  429: problem('Too many requests'),
  503: problem('A dependency (database, PBX) is unavailable; retry later'),
} as const;

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  description,
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'Page size, 1–200' }),
  cursor: z.string().max(64).optional().openapi({ description: '`nextCursor` from the previous page' }),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** Ids are prefixed ulids, so keyset paging by id follows creation order. */
export function toPage<T extends { id: string }>(rows: T[], limit: number) {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

export const IdParam = (prefix: string) =>
  z.object({
    id: z
      .string()
      .regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `must be a ${prefix}_… id`)
      .openapi({ param: { name: 'id', in: 'path' }, example: `${prefix}_01JD0000000000000000000000` }),
  });

/** Keyset cursor over (a timestamp, id), newest first: opaque to clients. */
export const encodeTimeCursor = (at: string, id: string) => Buffer.from(`${at}|${id}`).toString('base64url');

export function decodeTimeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || !id || Number.isNaN(Date.parse(at))) {
    throw new AppError('validation_failed', 'The cursor is not one this API gave out', { errors: [{ path: 'query.cursor', message: 'invalid cursor' }] });
  }
  return { at: new Date(at), id };
}
