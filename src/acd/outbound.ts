import { eq } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { callbackTasks, calls, users } from '../db/schema.js';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError, fieldError, notFound } from '../shared/errors.js';
import { toE164 } from '../shared/phone.js';
import { getCallback } from '../callbacks/service.js';
import { endpointOf } from './store.js';

/** The signed-in user and the PBX endpoint of the phone they use; 409 when they have no extension. */
async function myEndpoint(s: Services, user: AuthUser) {
  const [me] = await s.database.db.select().from(users).where(eq(users.id, user.id));
  const endpoint = me ? endpointOf(s, me) : null;
  if (!me || !endpoint) throw new AppError('conflict', 'You have no phone extension; the administrator sets it in your user record');
  return { me, endpoint };
}

export const CallOutSchema = z
  .object({
    to: z.string().trim().min(3).max(32).optional().openapi({ description: 'The number to call, any common format; normalised to E.164' }),
    callbackId: z.string().regex(/^cb_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a cb_… id').optional().openapi({
      description: 'Call back this task\'s number; the call closes the task when it reaches the client',
    }),
  })
  .strict()
  .refine((v) => !!v.to !== !!v.callbackId, { message: 'give either "to" or "callbackId"', path: ['to'] })
  .openapi('CallOut');

/**
 * Click-to-call: rings the user's phone first and then dials the number through the trunk. With a callback
 * task, the task must be theirs (or free, and it becomes theirs).
 */
export async function callOut(s: Services, user: AuthUser, input: z.infer<typeof CallOutSchema>) {
  const { me, endpoint } = await myEndpoint(s, user);
  let number: string | null;
  let callbackId: string | null = null;
  if (input.callbackId) {
    const task = await getCallback(s, input.callbackId);
    if (task.status !== 'open') throw new AppError('conflict', `This callback task is already ${task.status}`);
    if (task.claimedBy && task.claimedBy.id !== user.id) throw new AppError('conflict', `${task.claimedBy.name} is calling this client back`);
    const until = new Date(s.clock.now().getTime() + s.config.acd.callbackClaimMinutes * 60_000);
    await s.database.db.update(callbackTasks).set({ claimedBy: user.id, claimedUntil: until }).where(eq(callbackTasks.id, task.id));
    number = task.phone;
    callbackId = task.id;
  } else {
    number = toE164(input.to!, s.config.phoneRegion);
    if (!number) throw fieldError('to', `"${input.to}" is not a phone number`);
  }
  const pbx = s.telephony;
  if (!pbx.callOut) {
    throw new AppError('unavailable', `The PBX is not connected (${pbx.status().detail}); the call cannot be placed`);
  }
  const placed = await pbx.callOut({ id: me.id, status: me.status, endpoint }, number, callbackId);
  return { channelId: placed.channelId, to: number, callbackId, status: 'ringing_your_phone' as const };
}


export const MyPhoneSchema = z
  .object({
    extension: z.string().nullable(),
    device: z.enum(['softphone', 'desk']),
    softphone: z
      .object({
        wsUrl: z.string(),
        uri: z.string(),
        authorizationUser: z.string(),
        password: z.string(),
        displayName: z.string(),
      })
      .nullable()
      .openapi({ description: 'What the panel registers with; null when the user has no extension or the softphone is not configured' }),
    reason: z.enum(['no_extension', 'desk_phone', 'not_configured']).nullable(),
  })
  .openapi('MyPhone');

/** The signed-in user's phone, and the softphone registration their panel needs (theirs only). */
export async function myPhone(s: Services, user: AuthUser): Promise<z.infer<typeof MyPhoneSchema>> {
  const [me] = await s.database.db.select().from(users).where(eq(users.id, user.id));
  if (!me) throw new AppError('unauthorized', 'Your account no longer exists');
  const base = { extension: me.extension, device: me.phoneDevice };
  if (!me.extension) return { ...base, softphone: null, reason: 'no_extension' };
  if (me.phoneDevice === 'desk') return { ...base, softphone: null, reason: 'desk_phone' };
  const sp = s.config.softphone;
  if (!sp) return { ...base, softphone: null, reason: 'not_configured' };
  const sipUser = endpointOf(s, me)!.replace(/^[A-Za-z]+\//, '');
  return {
    ...base,
    softphone: { wsUrl: sp.wsUrl, uri: `sip:${sipUser}@${sp.domain}`, authorizationUser: sipUser, password: sp.password, displayName: me.name },
    reason: null,
  };
}

/** The Asterisk server that carries the call (unknown ids: the listen itself answers 404). */
export async function pbxOfCall(s: Services, callId: string): Promise<string | undefined> {
  const [call] = await s.database.db.select({ pbx: calls.pbx }).from(calls).where(eq(calls.id, callId));
  return call?.pbx;
}

/** A supervisor listens to a call in progress on their own phone (they are not heard). */
export async function listenToCall(s: Services, user: AuthUser, callId: string) {
  const { me, endpoint } = await myEndpoint(s, user);
  const [call] = await s.database.db.select({ id: calls.id, endedAt: calls.endedAt, pbx: calls.pbx }).from(calls).where(eq(calls.id, callId));
  if (!call) throw notFound('Call', callId);
  if (call.endedAt) throw new AppError('conflict', 'This call has ended');
  const pbx = s.telephony;
  if (!pbx.listen) {
    throw new AppError('unavailable', `The PBX is not connected (${pbx.status().detail}); cannot listen now`);
  }
  const placed = await pbx.listen({ id: me.id, endpoint }, callId, call.pbx);
  return { channelId: placed.channelId, callId, status: 'ringing_your_phone' as const };
}
