import { z } from 'zod';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { users, type Role } from '../db/schema.js';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { staffRoles, supervisorRoles } from '../auth/middleware.js';
import { SetStatusSchema } from '../users/schemas.js';
import { managedRoles, setStatus } from '../users/service.js';
import { answerOffer, openOffersOf } from '../meetings/routing.js';
import { DeclineSchema } from '../meetings/service.js';
import { wallboardRoles, wallboardSnapshot } from '../reports/wallboard.js';

/**
 * A client-to-server socket event: who may send it, what its payload must look like, and the domain
 * function it calls. The same functions serve the HTTP routes.
 */
export interface SocketEvent<S extends z.ZodType = z.ZodType> {
  event: string;
  roles: readonly Role[];
  payload: S;
  handle(s: Services, user: AuthUser, payload: z.infer<S>): Promise<unknown>;
}

const defineEvent = <S extends z.ZodType>(e: SocketEvent<S>) => e as unknown as SocketEvent;

const OfferRef = z.object({ offerId: z.string().regex(/^ofr_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an ofr_… id') }).strict();

export const socketEvents: SocketEvent[] = [
  defineEvent({
    event: 'meeting:offers',
    roles: ['hunter'],
    payload: z.object({}).strict().optional(),
    handle: (s, user) => openOffersOf(s, user.id),
  }),
  defineEvent({
    event: 'meeting:accept',
    roles: ['hunter'],
    payload: OfferRef,
    async handle(s, user, p) {
      await answerOffer(s, user, p.offerId, { accept: true });
      return { offerId: p.offerId, status: 'accepted' };
    },
  }),
  defineEvent({
    event: 'meeting:decline',
    roles: ['hunter'],
    payload: OfferRef.extend({ reason: DeclineSchema.shape.reason }),
    async handle(s, user, p) {
      await answerOffer(s, user, p.offerId, { accept: false, reason: p.reason });
      return { offerId: p.offerId, status: 'declined' };
    },
  }),
  defineEvent({
    event: 'status:set',
    roles: staffRoles,
    payload: SetStatusSchema,
    handle: (s, user, p) => setStatus(s, user, p),
  }),
  defineEvent({
    event: 'wallboard:snapshot',
    roles: wallboardRoles,
    payload: z.object({}).strict().optional(),
    handle: (s) => wallboardSnapshot(s),
  }),
  defineEvent({
    event: 'presence:list',
    roles: supervisorRoles,
    payload: z.object({}).strict().optional(),
    async handle(s, user) {
      const visible = managedRoles(user.role);
      const rows = await s.database.db
        .select({
          id: users.id,
          name: users.name,
          role: users.role,
          status: users.status,
          reason: users.statusReason,
          since: users.statusChangedAt,
        })
        .from(users)
        .where(and(eq(users.active, true), inArray(users.role, [...visible])))
        .orderBy(asc(users.name))
        .limit(1000);
      const connected = await s.realtime.connectedUserIds();
      return rows.map((r) => ({ ...r, since: r.since.toISOString(), connected: connected.has(r.id) }));
    },
  }),
];
