import { sql, type SQL } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { dispositionKinds, type DispositionKind } from '../db/schema.js';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError, fieldError, notFound } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { addDnc, refusalReasonList } from './campaigns.js';
import { bookMeeting } from '../meetings/service.js';
import { type StatementGroup } from '../db/batcher.js';
import { statementTemplate } from '../db/statements.js';
import { cardQuery, hotPath, toCard, type CardRow } from './cards.js';

export const DispositionInput = z
  .object({
    kind: z.enum(dispositionKinds),
    reason: z.string().trim().min(1).max(200).optional().openapi({ description: 'With not_interested: one of the refusal reasons' }),
    callbackAt: z.iso.datetime({ offset: true }).optional().openapi({ description: 'With callback: when to call back' }),
    note: z.string().trim().max(2000).optional(),
    callId: z.string().regex(/^call_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a call_… id').optional().openapi({
      description: 'The call this disposition ends; by default your latest outbound call to the number since you took the entry',
    }),
    meeting: z
      .object({
        scheduledAt: z.iso.datetime({ offset: true }),
        durationMinutes: z.number().int().min(5).max(480).default(60),
        location: z.string().trim().max(300).optional(),
        notes: z.string().trim().max(2000).optional(),
      })
      .strict()
      .optional()
      .openapi({ description: 'With meeting_booked: the meeting, routed to a hunter' }),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind === 'not_interested' && !v.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'say why (one of the refusal reasons)' });
    if (v.kind === 'callback' && !v.callbackAt) ctx.addIssue({ code: 'custom', path: ['callbackAt'], message: 'when to call back' });
    if (v.kind === 'meeting_booked' && !v.meeting) ctx.addIssue({ code: 'custom', path: ['meeting'], message: 'the meeting booked' });
    if (v.kind !== 'callback' && v.callbackAt) ctx.addIssue({ code: 'custom', path: ['callbackAt'], message: 'only with "callback"' });
    if (v.kind !== 'meeting_booked' && v.meeting) ctx.addIssue({ code: 'custom', path: ['meeting'], message: 'only with "meeting_booked"' });
  })
  .openapi('DispositionInput');

const retryKinds = new Set<DispositionKind>(['no_answer', 'busy', 'voicemail']);

/**
 * The call a disposition of entry `e` ends: `callId`, or by default the operator's latest outbound call to
 * the number since they took the entry (not yet credited to a campaign).
 */
function callQuery(p: { opId: unknown; callId: unknown | null; at: unknown; lock: unknown }) {
  if (p.callId !== null) return sql`SELECT k.id, k.operator_id FROM calls k WHERE k.id = ${p.callId}::text`;
  const since = sql`coalesce(e.locked_until, ${p.at}::timestamptz) - ${p.lock}::interval`;
  return sql`SELECT k.id, k.operator_id FROM calls k
    WHERE k.operator_id = ${p.opId}::text AND k.direction = 'outbound' AND k.to_number = e.phone AND k.started_at >= ${since} AND k.campaign_id IS NULL
    ORDER BY k.started_at DESC LIMIT 1`;
}
const lockInterval = (s: Services) => `${s.config.dialer.lockMinutes} minutes`;

interface HoldingRow extends Record<string, unknown> {
  status: 'pending' | 'locked' | 'done';
  locked_by: string | null;
  phone: string;
  contact_id: string;
  campaign_id: string;
  source_id: string | null;
  call_id: string | null;
  call_operator: string | null;
}

/** The entry as it is, with its campaign's source and the call a disposition would end. */
async function entryToDispose(s: Services, op: AuthUser, entryId: string, callId: string | null, at: string) {
  const [row] = await s.database.query<HoldingRow>(sql`
    SELECT e.status, e.locked_by, e.phone, e.contact_id, e.campaign_id, c.source_id, k.id AS call_id, k.operator_id AS call_operator
    FROM dial_entries e JOIN campaigns c ON c.id = e.campaign_id
    LEFT JOIN LATERAL (${callQuery({ opId: op.id, callId, at, lock: lockInterval(s) })}) k ON true
    WHERE e.id = ${entryId}`);
  return row;
}

/** Why this operator cannot record a disposition of the entry now, if they cannot. */
function refusal(e: HoldingRow | undefined, op: AuthUser, entryId: string, callId: string | null) {
  if (!e) return notFound('Dial entry', entryId);
  if (e.status !== 'locked' || e.locked_by !== op.id) {
    return new AppError('conflict', e.status === 'done' ? 'This entry is finished already' : 'This entry is not yours now; take it with POST /api/dialer/next');
  }
  if (callId && !e.call_id) return fieldError('callId', `no call ${callId}`);
  if (callId && e.call_operator && e.call_operator !== op.id) return fieldError('callId', 'another operator made that call');
  return null;
}

/** What becomes of entry `e` of campaign `r` (SET assignments): retried, a personal callback, or done. */
function nextState(kind: DispositionKind, at: SQL, callbackAt: unknown, opId: unknown) {
  if (retryKinds.has(kind)) {
    const last = sql`e.attempts + 1 >= r.max_attempts`;
    return sql`status = CASE WHEN ${last} THEN 'done' ELSE 'pending' END,
      outcome = CASE WHEN ${last} THEN 'attempts_exhausted' ELSE e.outcome END,
      next_at = CASE WHEN ${last} THEN e.next_at ELSE ${at} + (r.retry_minutes ->> ${kind}::text)::int * interval '1 minute' END,
      callback_owner = NULL`;
  }
  if (kind === 'callback') return sql`status = 'pending', next_at = ${callbackAt}::timestamptz, callback_owner = ${opId}::text`;
  return sql`status = 'done', outcome = ${kind}::text, callback_owner = NULL`;
}

function checkedCallbackAt(value: string, now: Date) {
  const at = new Date(value);
  if (at.getTime() < now.getTime() - 60_000) throw fieldError('callbackAt', 'must be in the future');
  if (at.getTime() > now.getTime() + 180 * 86_400_000) throw fieldError('callbackAt', 'at most 180 days ahead');
  return at;
}

/**
 * Records how the call of an entry ended and what happens next: another try after the campaign's retry
 * time (until its attempt limit), a personal callback at the agreed time, or done (not interested with a
 * reason, wrong number, do not call — which adds the number to the do-not-call list — or a meeting,
 * booked and routed to a hunter). Only the operator holding the entry records it.
 */
export async function recordDisposition(s: Services, op: AuthUser, entryId: string, input: z.infer<typeof DispositionInput>) {
  const now = s.clock.now();
  const at = now.toISOString();
  const callId = input.callId ?? null;
  if (input.kind === 'not_interested') await refusalReasonList.assertOne(s, input.reason);
  const callbackAt = input.kind === 'callback' ? checkedCallbackAt(input.callbackAt!, now) : null;
  // A meeting or a do-not-call number outlives the entry: only once the entry is known to be theirs, and
  // the meeting first — if it cannot be booked, nothing else changes.
  let meetingId: string | null = null;
  if (input.kind === 'meeting_booked' || input.kind === 'do_not_call') {
    const e = await entryToDispose(s, op, entryId, callId, at);
    const why = refusal(e, op, entryId, callId);
    if (why) throw why;
    if (input.kind === 'meeting_booked') {
      const { scheduledAt, durationMinutes, location, notes } = input.meeting!;
      const booked = await bookMeeting(s, op, {
        contactId: e!.contact_id, scheduledAt, durationMinutes, location, notes, sourceId: e!.source_id ?? undefined, callId: e!.call_id ?? undefined,
      }, undefined, { campaignId: e!.campaign_id });
      meetingId = booked.meeting.id;
    } else {
      await addDnc(s, op, e!.phone, input.note ?? 'asked not to be called');
    }
  }
  const id = newId('disposition');
  const row = await writeDisposition(s, op, entryId, input, { id, at, callbackAt, meetingId });
  if (!row) {
    throw refusal(await entryToDispose(s, op, entryId, callId, at), op, entryId, callId) ??
      new AppError('conflict', 'This entry is not yours now (its lock ran out); take the next one');
  }
  s.realtime.toRoles(['cc_admin', 'admin'], 'dialer:disposition', { entryId, campaignId: row.campaign_id, kind: input.kind, operatorId: op.id });
  return { id, entry: toCard(row), meetingId };
}

/**
 * One statement, so all of it or nothing, and nothing unless the operator holds the entry (and, with a
 * `callId`, made that call): the entry's next state, its disposition, and the call, which belongs to the
 * campaign and is credited to the campaign's source. Answers the entry's card, or nothing.
 */
async function writeDisposition(
  s: Services,
  op: AuthUser,
  entryId: string,
  input: z.infer<typeof DispositionInput>,
  d: { id: string; at: string; callbackAt: Date | null; meetingId: string | null },
) {
  const values: DispositionValues = {
    id: d.id,
    entryId,
    opId: op.id,
    at: d.at,
    callId: input.callId ?? null,
    kind: input.kind,
    reason: input.reason ?? null,
    callbackAt: d.callbackAt?.toISOString() ?? null,
    meetingId: d.meetingId,
    note: input.note ?? null,
    lock: lockInterval(s),
  };
  const statement = dispositionStatement(input.kind, !!input.callId)(values);
  // A callback also makes the contact a lead: it has a statement of its own.
  const [row] = await (input.kind === 'callback'
    ? hotPath(s).run<CardRow>(statement)
    : hotPath(s).runInGroup<CardRow, DispositionValues>(disposeTogether, values, statement));
  return row;
}

type DispositionValues = Record<(typeof dispositionParams)[number], string | null>;

/**
 * The dispositions (all but callbacks) of many operators recording at once, in one statement that does
 * for each what `dispositionStatement` does for one. A disposition of an entry that is not (or no longer)
 * its operator's, or the second of one entry in the batch, is left to its own statement, which then finds
 * nothing to change.
 */
const disposeTogether: StatementGroup<DispositionValues> = {
  build(members) {
    const column = (k: keyof DispositionValues) => members.map((m) => m[k]);
    return disposeGroupStatement({
      ids: column('id'), entryIds: column('entryId'), opIds: column('opId'), ats: column('at'), callIds: column('callId'),
      kinds: column('kind'), reasons: column('reason'), meetingIds: column('meetingId'), notes: column('note'), lock: members[0]!.lock,
    });
  },
  split(rows, members) {
    const byId = new Map(rows.map((r) => [r.disposition_id as string, r]));
    return members.map((m) => {
      const row = byId.get(m.id!);
      return row && [row];
    });
  },
};

const retrying = sql.raw(`(${[...retryKinds].map((k) => `'${k}'`).join(', ')})`);
const disposeGroupStatement = statementTemplate(
  ['ids', 'entryIds', 'opIds', 'ats', 'callIds', 'kinds', 'reasons', 'meetingIds', 'notes', 'lock'] as const,
  (p) => {
    const retry = sql`h.kind IN ${retrying}`;
    const last = sql`e.attempts + 1 >= r.max_attempts`;
    return sql`
    WITH asked AS (
      SELECT r.id, r.entry_id, r.op, r.at::timestamptz AS at, r.call_id, r.kind, r.reason, r.meeting_id, r.note, r.ord
      FROM unnest(${p.ids}::text[], ${p.entryIds}::text[], ${p.opIds}::text[], ${p.ats}::text[], ${p.callIds}::text[], ${p.kinds}::text[],
                  ${p.reasons}::text[], ${p.meetingIds}::text[], ${p.notes}::text[])
        WITH ORDINALITY AS r(id, entry_id, op, at, call_id, kind, reason, meeting_id, note, ord)
    ), held AS (
      SELECT DISTINCT ON (a.entry_id) a.*, e.phone, e.locked_until FROM asked a JOIN dial_entries e ON e.id = a.entry_id
      WHERE e.status = 'locked' AND e.locked_by = a.op
      ORDER BY a.entry_id, a.ord
    ), call AS (
      SELECT h.id AS disposition_id, k.id, k.operator_id FROM held h JOIN calls k ON k.id = h.call_id
      UNION ALL
      SELECT h.id, k.id, k.operator_id FROM held h CROSS JOIN LATERAL (
        SELECT k.id, k.operator_id FROM calls k
        WHERE k.operator_id = h.op AND k.direction = 'outbound' AND k.to_number = h.phone AND k.campaign_id IS NULL
          AND k.started_at >= coalesce(h.locked_until, h.at) - ${p.lock}::interval
        ORDER BY k.started_at DESC LIMIT 1
      ) k WHERE h.call_id IS NULL
    ), updated AS (
      UPDATE dial_entries e SET
        status = CASE WHEN ${retry} AND NOT ${last} THEN 'pending' ELSE 'done' END,
        outcome = CASE WHEN NOT ${retry} THEN h.kind WHEN ${last} THEN 'attempts_exhausted' ELSE e.outcome END,
        next_at = CASE WHEN ${retry} AND NOT ${last} THEN h.at + (r.retry_minutes ->> h.kind)::int * interval '1 minute' ELSE e.next_at END,
        callback_owner = NULL, attempts = e.attempts + 1, last_disposition = h.kind, locked_by = NULL, locked_until = NULL, updated_at = h.at
      FROM held h, campaigns r
      WHERE e.id = h.entry_id AND r.id = e.campaign_id AND e.status = 'locked' AND e.locked_by = h.op
        AND (h.call_id IS NULL OR EXISTS (SELECT 1 FROM call WHERE call.disposition_id = h.id AND (call.operator_id IS NULL OR call.operator_id = h.op)))
      RETURNING e.*, r.source_id AS campaign_source_id, h.id AS disposition_id, h.op AS disposed_by, h.kind AS disposed_as,
        h.reason AS disposed_reason, h.meeting_id AS disposed_meeting, h.note AS disposed_note, h.at AS disposed_at
    ), recorded AS (
      INSERT INTO dispositions (id, entry_id, campaign_id, contact_id, operator_id, call_id, kind, reason, callback_at, meeting_id, note, created_at)
      SELECT u.disposition_id, u.id, u.campaign_id, u.contact_id, u.disposed_by, c.id, u.disposed_as, u.disposed_reason, NULL,
        u.disposed_meeting, u.disposed_note, u.disposed_at
      FROM updated u LEFT JOIN call c ON c.disposition_id = u.disposition_id
      RETURNING *
    ), credited AS (
      UPDATE calls k SET campaign_id = u.campaign_id, contact_id = coalesce(k.contact_id, u.contact_id),
        source_id = coalesce(u.campaign_source_id, k.source_id),
        attribution_method = CASE WHEN u.campaign_source_id IS NULL THEN k.attribution_method ELSE 'campaign' END,
        updated_at = u.disposed_at
      FROM updated u JOIN call c ON c.disposition_id = u.disposition_id WHERE k.id = c.id
    )
    ${cardQuery(sql`updated`, { fresh: sql`recorded`, extra: sql`, e.disposition_id` })}`;
  },
);

const dispositionParams = ['id', 'entryId', 'opId', 'at', 'callId', 'kind', 'reason', 'callbackAt', 'meetingId', 'note', 'lock'] as const;
const dispositionStatements = new Map<string, ReturnType<typeof statementTemplate<(typeof dispositionParams)[number]>>>();

/** The disposition statement of each kind, with or without a given call: built once, filled in per request. */
function dispositionStatement(kind: DispositionKind, withCall: boolean) {
  const key = `${kind}:${withCall}`;
  let t = dispositionStatements.get(key);
  if (!t) {
    t = statementTemplate(dispositionParams, (p) => {
      const at = sql`${p.at}::timestamptz`;
      const theirCall = withCall ? sql`AND EXISTS (SELECT 1 FROM call WHERE call.operator_id IS NULL OR call.operator_id = ${p.opId}::text)` : sql``;
      return sql`
    WITH held AS (
      SELECT e.id, e.phone, e.locked_until FROM dial_entries e WHERE e.id = ${p.entryId}::text AND e.status = 'locked' AND e.locked_by = ${p.opId}::text
    ), call AS (
      SELECT k.id, k.operator_id FROM held e CROSS JOIN LATERAL (${callQuery({ opId: p.opId, callId: withCall ? p.callId : null, at: p.at, lock: p.lock })}) k
    ), updated AS (
      UPDATE dial_entries e SET ${nextState(kind, at, p.callbackAt, p.opId)},
        attempts = e.attempts + 1, last_disposition = ${p.kind}::text, locked_by = NULL, locked_until = NULL, updated_at = ${at}
      FROM campaigns r
      WHERE r.id = e.campaign_id AND e.id = ${p.entryId}::text AND e.status = 'locked' AND e.locked_by = ${p.opId}::text ${theirCall}
      RETURNING e.*, r.source_id AS campaign_source_id
    ), recorded AS (
      INSERT INTO dispositions (id, entry_id, campaign_id, contact_id, operator_id, call_id, kind, reason, callback_at, meeting_id, note, created_at)
      SELECT ${p.id}::text, u.id, u.campaign_id, u.contact_id, ${p.opId}::text, (SELECT id FROM call), ${p.kind}::text, ${p.reason}::text,
        ${p.callbackAt}::timestamptz, ${p.meetingId}::text, ${p.note}::text, ${at}
      FROM updated u
      RETURNING *
    ), credited AS (
      UPDATE calls k SET campaign_id = u.campaign_id, contact_id = coalesce(k.contact_id, u.contact_id),
        source_id = coalesce(u.campaign_source_id, k.source_id),
        attribution_method = CASE WHEN u.campaign_source_id IS NULL THEN k.attribution_method ELSE 'campaign' END,
        updated_at = ${at}
      FROM updated u WHERE k.id = (SELECT id FROM call)
    )${kind === 'callback' ? leadByCallback(at, p.opId) : sql``}
    ${cardQuery(sql`updated`, { fresh: sql`recorded` })}`;
    });
    dispositionStatements.set(key, t);
  }
  return t;
}

/** A contact from a dial list who asks to be called back has shown interest: a lead of this campaign. */
const leadByCallback = (at: SQL, opId: unknown) => sql`, lead AS (
      UPDATE contacts k SET lead_at = ${at}, lead_by = coalesce(k.lead_by, ${opId}::text), lead_campaign_id = u.campaign_id
      FROM updated u WHERE k.id = u.contact_id AND k.lead_at IS NULL
    )`;
