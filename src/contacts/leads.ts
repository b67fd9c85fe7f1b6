import { sql } from 'drizzle-orm';
import type { Services } from '../services.js';

/**
 * A contact becomes a lead once: when it got in touch, was entered by staff, or (loaded from a dial
 * list) showed interest. Later touches change nothing, except that the person who took the lead is
 * filled in when it was not known (a caller is a lead before anyone answers).
 */
export async function markLead(s: Services, contactId: string, lead: { at: Date; by: string | null; campaignId?: string | null }) {
  await s.database.db.execute(sql`
    UPDATE contacts SET
      lead_by = CASE WHEN lead_at IS NULL OR lead_by IS NULL THEN coalesce(lead_by, ${lead.by}::text) ELSE lead_by END,
      lead_campaign_id = CASE WHEN lead_at IS NULL THEN ${lead.campaignId ?? null}::text ELSE lead_campaign_id END,
      lead_at = coalesce(lead_at, ${lead.at.toISOString()}::timestamptz)
    WHERE id = ${contactId} AND (lead_at IS NULL OR (lead_by IS NULL AND ${lead.by}::text IS NOT NULL))`);
}
