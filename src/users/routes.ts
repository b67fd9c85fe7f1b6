import { createRoute, z } from '@hono/zod-openapi';
import { secured, staffRoles, supervisorRoles } from '../auth/middleware.js';
import { AppError } from '../shared/errors.js';
import { createRouter, IdParam, jsonBody, jsonResponse, page, PageQuery, problems, toPage } from '../shared/http.js';
import {
  AbsenceSchema,
  CreateAbsenceSchema,
  CreateUserSchema,
  SetStatusSchema,
  UpdateUserSchema,
  UserListQuery,
  UserSchema,
} from './schemas.js';
import { addAbsence, createUser, deleteAbsence, getUser, listAbsences, listUsers, managedRoles, setStatus, toUserDto, updateUser } from './service.js';

const UserId = IdParam('usr');

export function userRoutes() {
  const r = createRouter();

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/users',
      tags: ['users'],
      summary: 'List users',
      description: 'Admins see everyone; each head sees their own department.',
      ...secured(supervisorRoles),
      request: { query: UserListQuery.extend(PageQuery.shape) },
      responses: { 200: jsonResponse(page(UserSchema), 'A page of users'), 400: problems[400], 401: problems[401], 403: problems[403] },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await listUsers(c.get('services'), c.get('user'), {
        ...q,
        active: q.active === undefined ? undefined : q.active === 'true',
      });
      return c.json(toPage(rows, q.limit), 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/users',
      tags: ['users'],
      summary: 'Create a user',
      ...secured(['admin']),
      request: { body: jsonBody(CreateUserSchema) },
      responses: {
        201: jsonResponse(UserSchema, 'Created'),
        400: problems[400],
        401: problems[401],
        403: problems[403],
        409: problems[409],
      },
    }),
    async (c) => c.json(await createUser(c.get('services'), c.req.valid('json')), 201),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/users/{id}',
      tags: ['users'],
      summary: 'One user',
      ...secured(supervisorRoles),
      request: { params: UserId },
      responses: { 200: jsonResponse(UserSchema, 'The user'), 401: problems[401], 403: problems[403], 404: problems[404] },
    }),
    async (c) => {
      const user = await getUser(c.get('services'), c.req.valid('param').id);
      if (!managedRoles(c.get('user').role).includes(user.role)) {
        throw new AppError('forbidden', `A ${c.get('user').role} cannot view a ${user.role}`);
      }
      return c.json(toUserDto(user), 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'patch',
      path: '/api/users/{id}',
      tags: ['users'],
      summary: 'Change a user',
      description: 'Changing the role or password, or deactivating, ends the user\'s sessions.',
      ...secured(['admin']),
      request: { params: UserId, body: jsonBody(UpdateUserSchema) },
      responses: {
        200: jsonResponse(UserSchema, 'Updated'),
        400: problems[400],
        401: problems[401],
        403: problems[403],
        404: problems[404],
        409: problems[409],
      },
    }),
    async (c) =>
      c.json(await updateUser(c.get('services'), c.get('user'), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/users/{id}/absences',
      tags: ['users'],
      summary: "A user's absences, newest first",
      ...secured(staffRoles),
      request: { params: UserId },
      responses: {
        200: jsonResponse(z.object({ items: z.array(AbsenceSchema) }), 'Absences'),
        401: problems[401],
        403: problems[403],
        404: problems[404],
      },
    }),
    async (c) => c.json({ items: await listAbsences(c.get('services'), c.get('user'), c.req.valid('param').id) }, 200),
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/users/{id}/absences',
      tags: ['users'],
      summary: 'Record an absence (vacation, sick leave…)',
      description: 'Admins for anyone; each head for their own department. Overlapping periods are refused.',
      ...secured(supervisorRoles),
      request: { params: UserId, body: jsonBody(CreateAbsenceSchema) },
      responses: {
        201: jsonResponse(AbsenceSchema, 'Recorded'),
        400: problems[400],
        401: problems[401],
        403: problems[403],
        404: problems[404],
        409: problems[409],
      },
    }),
    async (c) =>
      c.json(await addAbsence(c.get('services'), c.get('user'), c.req.valid('param').id, c.req.valid('json')), 201),
  );

  r.openapi(
    createRoute({
      method: 'delete',
      path: '/api/users/{id}/absences/{absenceId}',
      tags: ['users'],
      summary: 'Cancel an absence',
      ...secured(supervisorRoles),
      request: {
        params: UserId.extend({
          absenceId: z.string().regex(/^abs_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an abs_… id').openapi({ param: { name: 'absenceId', in: 'path' } }),
        }),
      },
      responses: { 204: { description: 'Cancelled' }, 401: problems[401], 403: problems[403], 404: problems[404] },
    }),
    async (c) => {
      const { id, absenceId } = c.req.valid('param');
      await deleteAbsence(c.get('services'), c.get('user'), id, absenceId);
      return c.body(null, 204);
    },
  );

  r.openapi(
    createRoute({
      method: 'put',
      path: '/api/me/status',
      tags: ['users'],
      summary: 'Set my presence status',
      description: 'available, paused (with an optional reason) or offline. Supervisors get `presence:changed`.',
      ...secured(staffRoles),
      request: { body: jsonBody(SetStatusSchema) },
      responses: { 200: jsonResponse(UserSchema, 'The updated user'), 400: problems[400], 401: problems[401] },
    }),
    async (c) => c.json(await setStatus(c.get('services'), c.get('user'), c.req.valid('json')), 200),
  );

  return r;
}
