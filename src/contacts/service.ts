import { aliasedTable, and, asc, desc, eq, ilike, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import { contactPhones, contacts, sources, users, type Role } from '../db/schema.js';
import type { Db } from '../db/client.js';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError, isUniqueViolation, notFound, type FieldError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { phoneDigits, toE164 } from '../shared/phone.js';
import type { ContactListQuery, CreateContactSchema, UpdateContactSchema } from './schemas.js';

const hunters = aliasedTable(users, 'hunter');
const managers = aliasedTable(users, 'manager');

/** Contacts newest first, with their phones, owners and first-touch source. */
async function loadContacts(db: Db, where: SQL | undefined, limit: number) {
  const rows = await db
    .select({
      c: contacts,
      hunterName: hunters.name,
      managerName: managers.name,
      sourceName: sources.name,
    })
    .from(contacts)
    .leftJoin(hunters, eq(hunters.id, contacts.hunterId))
    .leftJoin(managers, eq(managers.id, contacts.accountManagerId))
    .leftJoin(sources, eq(sources.id, contacts.firstSourceId))
    .where(where)
    .orderBy(desc(contacts.id))
    .limit(limit);
  if (!rows.length) return [];
  const phones = await db
    .select()
    .from(contactPhones)
    .where(inArray(contactPhones.contactId, rows.map((r) => r.c.id)))
    .orderBy(asc(contactPhones.position));
  const byContact = new Map<string, string[]>();
  for (const p of phones) byContact.set(p.contactId, [...(byContact.get(p.contactId) ?? []), p.phone]);
  return rows.map(({ c, hunterName, managerName, sourceName }) => ({
    id: c.id,
    name: c.name,
    company: c.company,
    email: c.email,
    taxId: c.taxId,
    status: c.status,
    phones: byContact.get(c.id) ?? [],
    hunter: c.hunterId ? { id: c.hunterId, name: hunterName ?? '' } : null,
    accountManager: c.accountManagerId ? { id: c.accountManagerId, name: managerName ?? '' } : null,
    source: c.firstSourceId ? { id: c.firstSourceId, name: sourceName ?? '' } : null,
    firstTouchAt: c.firstTouchAt.toISOString(),
    notes: c.notes,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  }));
}
export type ContactDto = Awaited<ReturnType<typeof loadContacts>>[number];

export async function getContact(s: Services, id: string): Promise<ContactDto> {
  const [c] = await loadContacts(s.database.db, eq(contacts.id, id), 1);
  if (!c) throw notFound('Contact', id);
  return c;
}

export async function listContacts(s: Services, q: z.infer<typeof ContactListQuery> & { limit: number; cursor?: string }) {
  const conds: SQL[] = [];
  if (q.q) {
    const like = `%${q.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    conds.push(or(ilike(contacts.name, like), ilike(contacts.company, like), ilike(contacts.email, like))!);
  }
  if (q.phone) {
    const e164 = toE164(q.phone, s.config.phoneRegion);
    const digits = phoneDigits(q.phone);
    if (!e164 && digits.length < 3) {
      throw new AppError('validation_failed', 'The phone filter needs a number or at least 3 digits', {
        errors: [{ path: 'query.phone', message: 'not a phone number' }],
      });
    }
    const match = e164 ? sql`p.phone = ${e164}` : sql`p.phone LIKE ${`%${digits}%`}`;
    conds.push(sql`EXISTS (SELECT 1 FROM contact_phones p WHERE p.contact_id = ${contacts.id} AND ${match})`);
  }
  if (q.status) conds.push(eq(contacts.status, q.status));
  if (q.hunterId) conds.push(eq(contacts.hunterId, q.hunterId));
  if (q.accountManagerId) conds.push(eq(contacts.accountManagerId, q.accountManagerId));
  if (q.cursor) conds.push(lt(contacts.id, q.cursor));
  return loadContacts(s.database.db, conds.length ? and(...conds) : undefined, q.limit + 1);
}

/** Normalizes every number, reporting each bad one by its position; drops repeats within the list. */
export function normalizePhones(s: Services, raw: string[]): string[] {
  const errors: FieldError[] = [];
  const out: string[] = [];
  raw.forEach((p, i) => {
    const e164 = toE164(p, s.config.phoneRegion);
    if (!e164) errors.push({ path: `phones.${i}`, message: `"${p}" is not a valid phone number` });
    else if (!out.includes(e164)) out.push(e164);
  });
  if (errors.length) throw new AppError('validation_failed', 'Some phone numbers are not valid', { errors });
  return out;
}

async function assertPhonesFree(db: Db, phones: string[], exceptContactId?: string) {
  if (!phones.length) return;
  const taken = await db.select().from(contactPhones).where(inArray(contactPhones.phone, phones));
  const conflicts = taken.filter((t) => t.contactId !== exceptContactId);
  if (conflicts.length) {
    throw new AppError('conflict', `Phone ${conflicts[0]!.phone} already belongs to contact ${conflicts[0]!.contactId}`, {
      errors: conflicts.map((t) => ({ path: `phones.${phones.indexOf(t.phone)}`, message: `belongs to ${t.contactId}` })),
      existingContactId: conflicts[0]!.contactId,
    });
  }
}

const ownerRules: Record<'hunterId' | 'accountManagerId', { role: Role; setBy: Role[] }> = {
  hunterId: { role: 'hunter', setBy: ['admin', 'sales_head'] },
  accountManagerId: { role: 'account_manager', setBy: ['admin', 'client_head'] },
};

async function checkOwners(s: Services, actor: AuthUser, input: { hunterId?: string | null; accountManagerId?: string | null }) {
  for (const field of ['hunterId', 'accountManagerId'] as const) {
    const value = input[field];
    if (value === undefined) continue;
    const rule = ownerRules[field];
    if (!rule.setBy.includes(actor.role)) {
      throw new AppError('forbidden', `Only ${rule.setBy.join(' or ')} may set ${field}`);
    }
    if (value === null) continue;
    const [u] = await s.database.db
      .select({ role: users.role, active: users.active })
      .from(users)
      .where(eq(users.id, value))
      .limit(1);
    if (!u || !u.active || u.role !== rule.role) {
      throw new AppError('validation_failed', `${field} must name an active ${rule.role}`, {
        errors: [{ path: field, message: `not an active ${rule.role}` }],
      });
    }
  }
}

/** A phone taken by a concurrent request: report it the same way as one taken earlier. */
async function phoneConflict(s: Services, err: unknown, phones: string[], contactId?: string): Promise<never> {
  if (isUniqueViolation(err, 'contact_phones_pkey')) {
    await assertPhonesFree(s.database.db, phones, contactId);
    throw new AppError('conflict', 'One of the phones was just given to another contact', {
      errors: [{ path: 'phones', message: 'already taken' }],
    });
  }
  throw err;
}

export async function createContact(s: Services, actor: AuthUser | null, input: z.infer<typeof CreateContactSchema>) {
  const phones = normalizePhones(s, input.phones);
  if (actor) await checkOwners(s, actor, input);
  if (input.sourceId) {
    const [src] = await s.database.db.select({ id: sources.id }).from(sources).where(eq(sources.id, input.sourceId)).limit(1);
    if (!src) {
      throw new AppError('validation_failed', `Source ${input.sourceId} does not exist`, {
        errors: [{ path: 'sourceId', message: 'unknown source' }],
      });
    }
  }
  const id = newId('contact');
  const now = s.clock.now();
  try {
    await s.database.db.transaction(async (tx) => {
      await assertPhonesFree(tx, phones);
      await tx.insert(contacts).values({
        id,
        name: input.name,
        company: input.company ?? null,
        email: input.email ?? null,
        taxId: input.taxId ?? null,
        notes: input.notes ?? null,
        hunterId: input.hunterId ?? null,
        accountManagerId: input.accountManagerId ?? null,
        firstSourceId: input.sourceId ?? null,
        firstTouchAt: now,
        leadAt: now,
        leadBy: actor?.id ?? null,
        createdBy: actor?.id ?? null,
        createdAt: now,
        updatedAt: now,
      });
      if (phones.length) {
        await tx.insert(contactPhones).values(phones.map((phone, position) => ({ phone, contactId: id, position, createdAt: now })));
      }
    });
  } catch (err) {
    await phoneConflict(s, err, phones);
  }
  return getContact(s, id);
}

export async function updateContact(s: Services, actor: AuthUser, id: string, patch: z.infer<typeof UpdateContactSchema>) {
  const phones = patch.phones ? normalizePhones(s, patch.phones) : undefined;
  await checkOwners(s, actor, patch);
  const now = s.clock.now();
  try {
    await s.database.db.transaction(async (tx) => {
      const [current] = await tx.select({ id: contacts.id, email: contacts.email, status: contacts.status }).from(contacts).where(eq(contacts.id, id)).for('update');
      if (!current) throw notFound('Contact', id);
      if (actor.role === 'hunter' && (current.status === 'active' || current.status === 'lost')) {
        throw new AppError('forbidden', 'This client was handed to the client department; hunters see it read-only');
      }
      const { phones: _p, ...fields } = patch;
      const remainingEmail = fields.email === undefined ? current.email : fields.email;
      if (phones && phones.length === 0 && !remainingEmail) {
        throw new AppError('validation_failed', 'A contact needs at least one phone or an e-mail', {
          errors: [{ path: 'phones', message: 'cannot remove every phone of a contact without an e-mail' }],
        });
      }
      await tx.update(contacts).set({ ...fields, updatedAt: now }).where(eq(contacts.id, id));
      if (phones) {
        await assertPhonesFree(tx, phones, id);
        await tx.delete(contactPhones).where(eq(contactPhones.contactId, id));
        if (phones.length) {
          await tx.insert(contactPhones).values(phones.map((phone, position) => ({ phone, contactId: id, position, createdAt: now })));
        }
      }
    });
  } catch (err) {
    await phoneConflict(s, err, phones ?? [], id);
  }
  return getContact(s, id);
}
