import { eq, inArray } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { contactPhones, contacts, meetings, meetingStatuses, sources, users } from '../db/schema.js';
import type { Services } from '../services.js';
import { notFound } from '../shared/errors.js';

export const MeetingSchema = z
  .object({
    id: z.string(),
    status: z.enum(meetingStatuses),
    scheduledAt: z.string(),
    durationMinutes: z.number().int(),
    location: z.string().nullable(),
    notes: z.string().nullable(),
    contact: z.object({ id: z.string(), name: z.string(), company: z.string().nullable(), phone: z.string().nullable() }),
    source: z.object({ id: z.string(), name: z.string() }).nullable(),
    callId: z.string().nullable(),
    bookedBy: z.object({ id: z.string(), name: z.string() }),
    hunter: z.object({ id: z.string(), name: z.string() }).nullable(),
    assignedAt: z.string().nullable(),
    assignedHow: z.enum(['sticky', 'pool', 'manual']).nullable(),
    outcomeReason: z.string().nullable(),
    outcomeAt: z.string().nullable(),
    rescheduledFrom: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Meeting');
export type MeetingDto = z.infer<typeof MeetingSchema>;

/** Meetings as the panel shows them (contact, source, booking operator and hunter by name). */
export async function meetingCards(s: Services, ids: string[]): Promise<Map<string, MeetingDto>> {
  const out = new Map<string, MeetingDto>();
  if (!ids.length) return out;
  const rows = await s.database.db
    .select({ m: meetings, contactName: contacts.name, company: contacts.company, sourceName: sources.name })
    .from(meetings)
    .innerJoin(contacts, eq(contacts.id, meetings.contactId))
    .leftJoin(sources, eq(sources.id, meetings.sourceId))
    .where(inArray(meetings.id, ids));
  const people = new Set<string>();
  for (const r of rows) {
    people.add(r.m.bookedBy);
    if (r.m.hunterId) people.add(r.m.hunterId);
  }
  const names = new Map(
    (await s.database.db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, [...people]))).map((u) => [u.id, u.name]),
  );
  const phones = new Map<string, string>();
  for (const p of await s.database.db
    .select({ contactId: contactPhones.contactId, phone: contactPhones.phone, position: contactPhones.position })
    .from(contactPhones)
    .where(inArray(contactPhones.contactId, [...new Set(rows.map((r) => r.m.contactId))]))
    .orderBy(contactPhones.position)) {
    if (!phones.has(p.contactId)) phones.set(p.contactId, p.phone);
  }
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  for (const { m, contactName, company, sourceName } of rows) {
    out.set(m.id, {
      id: m.id,
      status: m.status,
      scheduledAt: m.scheduledAt.toISOString(),
      durationMinutes: m.durationMinutes,
      location: m.location,
      notes: m.notes,
      contact: { id: m.contactId, name: contactName, company, phone: phones.get(m.contactId) ?? null },
      source: m.sourceId ? { id: m.sourceId, name: sourceName ?? '' } : null,
      callId: m.callId,
      bookedBy: { id: m.bookedBy, name: names.get(m.bookedBy) ?? '' },
      hunter: m.hunterId ? { id: m.hunterId, name: names.get(m.hunterId) ?? '' } : null,
      assignedAt: iso(m.assignedAt),
      assignedHow: m.assignedHow,
      outcomeReason: m.outcomeReason,
      outcomeAt: iso(m.outcomeAt),
      rescheduledFrom: iso(m.rescheduledFrom),
      createdAt: m.createdAt.toISOString(),
    });
  }
  return out;
}

export async function meetingCard(s: Services, id: string): Promise<MeetingDto> {
  const card = (await meetingCards(s, [id])).get(id);
  if (!card) throw notFound('Meeting', id);
  return card;
}
