import { eq } from 'drizzle-orm';
import { contactPhones, contacts } from '../db/schema.js';
import type { Services } from '../services.js';
import { isUniqueViolation } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { markLead } from './leads.js';

/**
 * The contact a caller or website visitor belongs to: found by number, or created as a new prospect that
 * keeps this first-touch source. `known` tells whether it existed before.
 */
export async function findOrCreateContactByPhone(
  s: Services,
  phone: string,
  opts: { name?: string; sourceId: string | null; at: Date },
): Promise<{ contactId: string; known: boolean; firstSourceId: string | null }> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const [found] = await s.database.db
      .select({ contactId: contactPhones.contactId, firstSourceId: contacts.firstSourceId, leadAt: contacts.leadAt })
      .from(contactPhones)
      .innerJoin(contacts, eq(contacts.id, contactPhones.contactId))
      .where(eq(contactPhones.phone, phone))
      .limit(1);
    if (found) {
      // A contact from a dial list who calls or writes in is a lead now.
      if (!found.leadAt) await markLead(s, found.contactId, { at: opts.at, by: null });
      return { contactId: found.contactId, known: true, firstSourceId: found.firstSourceId };
    }
    const id = newId('contact');
    try {
      await s.database.db.transaction(async (tx) => {
        await tx.insert(contacts).values({
          id,
          name: opts.name?.trim() || phone,
          firstSourceId: opts.sourceId,
          firstTouchAt: opts.at,
          leadAt: opts.at,
          createdAt: opts.at,
          updatedAt: opts.at,
        });
        await tx.insert(contactPhones).values({ phone, contactId: id, position: 0, createdAt: opts.at });
      });
      return { contactId: id, known: false, firstSourceId: opts.sourceId };
    } catch (err) {
      // Another call or request created it a moment ago: read it back.
      if (!isUniqueViolation(err)) throw err;
    }
  }
  throw new Error(`could not find or create a contact for ${phone}`);
}
