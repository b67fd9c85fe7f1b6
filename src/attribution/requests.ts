import { z } from '@hono/zod-openapi';
import { callbackTasks, webRequests } from '../db/schema.js';
import type { Services } from '../services.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { toE164 } from '../shared/phone.js';
import { findOrCreateContactByPhone } from '../contacts/from-phone.js';
import { sessionAttribution } from './sessions.js';

export const WebRequestSchema = z
  .object({
    sessionId: z.string().regex(/^ts_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ts_… id').optional(),
    name: z.string().trim().min(1).max(200),
    phone: z.string().trim().min(3).max(40),
    comment: z.string().trim().max(2000).optional(),
  })
  .strict()
  .openapi('WebRequest');

export const WebRequestResultSchema = z.object({ requestId: z.string(), received: z.literal(true) }).openapi('WebRequestResult');

/**
 * A website form ("call me back"): finds or creates the contact, carries the visit's attribution, and
 * queues a callback task for the call centre. Nothing is stored for a phone that is not a phone.
 */
export async function captureWebRequest(s: Services, input: z.infer<typeof WebRequestSchema>) {
  const phone = toE164(input.phone, s.config.phoneRegion);
  if (!phone) {
    throw new AppError('validation_failed', 'The phone number is not valid', { errors: [{ path: 'phone', message: 'not a valid phone number' }] });
  }
  const now = s.clock.now();
  const attribution = input.sessionId ? await sessionAttribution(s, input.sessionId) : null;
  if (input.sessionId && !attribution) {
    throw new AppError('validation_failed', `Session ${input.sessionId} does not exist`, { errors: [{ path: 'sessionId', message: 'unknown session' }] });
  }
  const contact = await findOrCreateContactByPhone(s, phone, { name: input.name, sourceId: attribution?.sourceId ?? null, at: now });
  const requestId = newId('webRequest');
  const sourceId = attribution?.sourceId ?? null;
  await s.database.db.transaction(async (tx) => {
    await tx.insert(webRequests).values({
      id: requestId,
      sessionId: input.sessionId ?? null,
      name: input.name,
      phone,
      comment: input.comment ?? null,
      contactId: contact.contactId,
      sourceId,
      attributionMethod: attribution ? 'dynamic_number' : contact.known ? 'repeat_caller' : 'unknown',
      attributionUtm: attribution?.utm ?? null,
      createdAt: now,
    });
    await tx.insert(callbackTasks).values({
      id: newId('callback'),
      reason: 'web_request',
      phone,
      contactId: contact.contactId,
      sourceId,
      requestId,
      createdAt: now,
    });
  });
  s.realtime.toRoles(['operator', 'cc_admin'], 'callback:created', { requestId, phone, contactId: contact.contactId, sourceId });
  return { requestId, received: true as const };
}
