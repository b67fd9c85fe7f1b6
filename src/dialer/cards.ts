import { sql, type SQL } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { isoText } from '../db/client.js';
import { dispositionKinds, type DispositionKind } from '../db/schema.js';
import type { Services } from '../services.js';
import { notFound } from '../shared/errors.js';
import { VersionSchema } from '../call-scripts/schemas.js';
import { publishedVersionJson, type ScriptVersion } from '../call-scripts/service.js';
import { statementBatcher } from '../db/batcher.js';

export const EntrySchema = z
  .object({
    id: z.string(),
    campaign: z.object({ id: z.string(), name: z.string(), callerId: z.string().nullable() }),
    contact: z.object({ id: z.string(), name: z.string(), company: z.string().nullable(), email: z.string().nullable(), status: z.string() }),
    phone: z.string(),
    timezone: z.string(),
    fields: z.record(z.string(), z.string()).nullable(),
    attempts: z.number().int(),
    lastDisposition: z.enum(dispositionKinds).nullable(),
    personalCallback: z.boolean().openapi({ description: 'A callback this operator promised' }),
    lockedUntil: z.string().nullable(),
    history: z.array(z.object({ kind: z.enum(dispositionKinds), reason: z.string().nullable(), note: z.string().nullable(), operatorId: z.string(), at: z.string() })),
    script: VersionSchema.nullable().openapi({ description: "The published version of the campaign's call script" }),
  })
  .openapi('DialEntry');

export interface CardRow extends Record<string, unknown> {
  id: string;
  campaign_id: string;
  campaign_name: string;
  caller_id: string | null;
  contact_id: string;
  contact_name: string;
  company: string | null;
  email: string | null;
  contact_status: string;
  phone: string;
  timezone: string;
  fields: Record<string, string> | null;
  attempts: number;
  last_disposition: DispositionKind | null;
  personal_callback: boolean;
  locked_until: string | null;
  history: Array<{ kind: DispositionKind; reason: string | null; note: string | null; operatorId: string; at: string }>;
  script: ScriptVersion | null;
}

/**
 * The card of each entry row of `entries` (a relation with dial_entries' columns, such as a CTE that has
 * just changed them), with its latest 20 dispositions. `fresh` adds dispositions written by the same
 * statement, which its snapshot cannot see in the table yet.
 */
export function cardQuery(entries: SQL, opts: { extra?: SQL; fresh?: SQL } = {}) {
  const past = (limit: number) => sql`(SELECT d.kind, d.reason, d.note, d.operator_id, d.created_at, d.id FROM dispositions d
    WHERE d.entry_id = e.id ORDER BY d.created_at DESC, d.id DESC LIMIT ${limit})`;
  const history = opts.fresh
    ? sql`(SELECT f.kind, f.reason, f.note, f.operator_id, f.created_at, f.id FROM ${opts.fresh} f WHERE f.entry_id = e.id) UNION ALL ${past(19)}`
    : past(20);
  return sql`SELECT e.id, c.id AS campaign_id, c.name AS campaign_name, c.caller_id,
      ct.id AS contact_id, ct.name AS contact_name, ct.company, ct.email, ct.status AS contact_status,
      e.phone, e.timezone, e.fields, e.attempts, e.last_disposition, e.callback_owner IS NOT NULL AS personal_callback,
      ${isoText(sql`e.locked_until`)} AS locked_until,
      (SELECT coalesce(json_agg(json_build_object('kind', h.kind, 'reason', h.reason, 'note', h.note, 'operatorId', h.operator_id,
                'at', ${isoText(sql`h.created_at`)}) ORDER BY h.created_at DESC, h.id DESC), '[]'::json)
         FROM (${history}) h) AS history,
      ${publishedVersionJson(sql`c.script_id`)} AS script
      ${opts.extra ?? sql``}
    FROM ${entries} e
    JOIN campaigns c ON c.id = e.campaign_id
    JOIN contacts ct ON ct.id = e.contact_id`;
}

export function toCard(r: CardRow): z.infer<typeof EntrySchema> {
  return {
    id: r.id,
    campaign: { id: r.campaign_id, name: r.campaign_name, callerId: r.caller_id },
    contact: { id: r.contact_id, name: r.contact_name, company: r.company, email: r.email, status: r.contact_status },
    phone: r.phone,
    timezone: r.timezone,
    fields: r.fields ?? null,
    attempts: r.attempts,
    lastDisposition: r.last_disposition ?? null,
    personalCallback: r.personal_callback,
    lockedUntil: r.locked_until,
    history: r.history,
    script: r.script ?? null,
  };
}

const batchers = new WeakMap<Services, ReturnType<typeof statementBatcher>>();
/**
 * Allocations and dispositions of all the operators at once: those arriving together share a transaction
 * (each statement still sees what the earlier ones wrote, so no entry goes to two operators).
 */
export function hotPath(s: Services) {
  let b = batchers.get(s);
  if (!b) batchers.set(s, (b = statementBatcher(s.database)));
  return b;
}

export async function entryCard(s: Services, id: string) {
  const [row] = await s.database.query<CardRow>(cardQuery(sql`(SELECT * FROM dial_entries WHERE id = ${id})`), { prepared: true });
  if (!row) throw notFound('Dial entry', id);
  return toCard(row);
}
