import { createRoute } from '@hono/zod-openapi';
import { secured, staffRoles } from '../auth/middleware.js';
import { createRouter, IdParam, jsonBody, jsonResponse, page, PageQuery, problems, toPage } from '../shared/http.js';
import { ContactListQuery, ContactSchema, CreateContactSchema, UpdateContactSchema } from './schemas.js';
import { createContact, getContact, listContacts, updateContact } from './service.js';

const ContactId = IdParam('cnt');

export function contactRoutes() {
  const r = createRouter();

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/contacts',
      tags: ['contacts'],
      summary: 'Search contacts',
      description: 'Newest first. Filter by name/company/e-mail (`q`), phone (full or partial), status or owner.',
      ...secured(staffRoles),
      request: { query: ContactListQuery.extend(PageQuery.shape) },
      responses: { 200: jsonResponse(page(ContactSchema), 'A page of contacts'), 400: problems[400], 401: problems[401] },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(toPage(await listContacts(c.get('services'), q), q.limit), 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/contacts',
      tags: ['contacts'],
      summary: 'Create a contact',
      description:
        'Phones are normalized to E.164; a number already on another contact is a 409 naming that contact. ' +
        'Owners can be set by admins and the matching head only.',
      ...secured(staffRoles),
      request: { body: jsonBody(CreateContactSchema) },
      responses: {
        201: jsonResponse(ContactSchema, 'Created'),
        400: problems[400],
        401: problems[401],
        403: problems[403],
        409: problems[409],
      },
    }),
    async (c) => c.json(await createContact(c.get('services'), c.get('user'), c.req.valid('json')), 201),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/contacts/{id}',
      tags: ['contacts'],
      summary: 'One contact with phones, owners and first-touch source',
      ...secured(staffRoles),
      request: { params: ContactId },
      responses: { 200: jsonResponse(ContactSchema, 'The contact'), 400: problems[400], 401: problems[401], 404: problems[404] },
    }),
    async (c) => c.json(await getContact(c.get('services'), c.req.valid('param').id), 200),
  );

  r.openapi(
    createRoute({
      method: 'patch',
      path: '/api/contacts/{id}',
      tags: ['contacts'],
      summary: 'Change a contact',
      description: '`phones` replaces the whole list. Owners can be changed by admins and the matching head only.',
      ...secured(staffRoles),
      request: { params: ContactId, body: jsonBody(UpdateContactSchema) },
      responses: {
        200: jsonResponse(ContactSchema, 'Updated'),
        400: problems[400],
        401: problems[401],
        403: problems[403],
        404: problems[404],
        409: problems[409],
      },
    }),
    async (c) =>
      c.json(await updateContact(c.get('services'), c.get('user'), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  return r;
}
