import { and, asc, desc, eq, gt, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import type { z } from '@hono/zod-openapi';
import { calls, callScripts, callScriptVersions, contacts, dialEntries, scriptRuns, users, type ScriptGraph } from '../db/schema.js';
import { isoText, rowsOf } from '../db/client.js';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError, fieldError, isUniqueViolation, notFound } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { GraphSchema, RunInput, ScriptInput, ScriptListQuery, ScriptPatch, StatsQuery } from './schemas.js';
import { validateGraph } from './validate.js';

export const scriptAdmins = ['admin', 'cc_admin'] as const;
export const scriptReaders = ['admin', 'cc_admin', 'operator'] as const;

type Graph = z.infer<typeof GraphSchema>;
type Row = typeof callScripts.$inferSelect;

/** What a new script starts with: a greeting that leads to an outcome, ready to be grown. */
const starterGraph = (): ScriptGraph => ({
  start: 'greeting',
  steps: [
    {
      id: 'greeting',
      kind: 'say',
      title: 'Greeting',
      text: 'Good afternoon, {{contact.name}}! My name is {{operator.name}}.',
      fields: [],
      options: [{ id: 'continue', label: 'Continue', next: 'done' }],
      outcome: null,
    },
    { id: 'done', kind: 'outcome', title: 'Done', text: 'Thank you for your time!', fields: [], options: [], outcome: { kind: 'completed' } },
  ],
});

function taken(err: unknown, name?: string): never {
  if (isUniqueViolation(err, 'call_scripts_name_key')) {
    throw new AppError('conflict', `A script named "${name}" exists already`, { errors: [{ path: 'name', message: 'already taken' }] });
  }
  if (isUniqueViolation(err, 'call_scripts_inbound_key')) {
    throw new AppError('conflict', 'Another script is the inbound script; clear its "inbound" first', { errors: [{ path: 'inbound', message: 'another script has it' }] });
  }
  throw err;
}

async function summaries(s: Services, rows: Row[]) {
  if (!rows.length) return [];
  // jsonb equality is structural: the draft is unchanged when it equals the published graph.
  const published = await s.database.db
    .select({ scriptId: callScriptVersions.scriptId, at: callScriptVersions.publishedAt, same: sql<boolean>`${callScripts.draft} = ${callScriptVersions.graph}` })
    .from(callScriptVersions)
    .innerJoin(callScripts, and(eq(callScripts.id, callScriptVersions.scriptId), eq(callScripts.publishedVersion, callScriptVersions.version)))
    .where(inArray(callScriptVersions.scriptId, rows.map((r) => r.id)));
  const byScript = new Map(published.map((p) => [p.scriptId, p]));
  return rows.map((r) => {
    const p = byScript.get(r.id);
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      inbound: r.inbound,
      publishedVersion: r.publishedVersion,
      publishedAt: p?.at.toISOString() ?? null,
      draftChanged: !p?.same,
      draftUpdatedAt: r.draftUpdatedAt.toISOString(),
      createdAt: r.createdAt.toISOString(),
    };
  });
}

async function full(s: Services, row: Row) {
  const [summary] = await summaries(s, [row]);
  const versions = await s.database.db
    .select({ version: callScriptVersions.version, at: callScriptVersions.publishedAt, byId: users.id, byName: users.name })
    .from(callScriptVersions)
    .leftJoin(users, eq(users.id, callScriptVersions.publishedBy))
    .where(eq(callScriptVersions.scriptId, row.id))
    .orderBy(desc(callScriptVersions.version));
  return {
    ...summary!,
    draft: row.draft,
    issues: validateGraph(row.draft),
    versions: versions.map((v) => ({ version: v.version, publishedAt: v.at.toISOString(), publishedBy: v.byId ? { id: v.byId, name: v.byName! } : null })),
  };
}

async function row(s: Services, id: string): Promise<Row> {
  const [r] = await s.database.db.select().from(callScripts).where(eq(callScripts.id, id));
  if (!r) throw notFound('Call script', id);
  return r;
}

export async function listScripts(s: Services, q: z.infer<typeof ScriptListQuery>) {
  const conds: SQL[] = [];
  if (q.cursor) conds.push(gt(callScripts.id, q.cursor));
  if (q.q) conds.push(ilike(callScripts.name, `%${q.q.replace(/[\\%_]/g, '\\$&')}%`));
  const rows = await s.database.db
    .select()
    .from(callScripts)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(callScripts.id))
    .limit(q.limit + 1);
  const items = await summaries(s, rows.slice(0, q.limit));
  return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null };
}

export const getScript = async (s: Services, id: string) => full(s, await row(s, id));

export async function createScript(s: Services, by: AuthUser, input: z.infer<typeof ScriptInput>) {
  const now = s.clock.now();
  try {
    const [r] = await s.database.db
      .insert(callScripts)
      .values({
        id: newId('callScript'),
        name: input.name,
        description: input.description ?? null,
        inbound: input.inbound,
        draft: (input.graph as ScriptGraph | undefined) ?? starterGraph(),
        draftUpdatedAt: now,
        createdBy: by.id,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return full(s, r!);
  } catch (err) {
    taken(err, input.name);
  }
}

export async function updateScript(s: Services, id: string, patch: z.infer<typeof ScriptPatch>) {
  await row(s, id);
  try {
    const [r] = await s.database.db
      .update(callScripts)
      .set({ ...patch, updatedAt: s.clock.now() })
      .where(eq(callScripts.id, id))
      .returning();
    return full(s, r!);
  } catch (err) {
    taken(err, patch.name);
  }
}

/** Drafts are saved as they are, problems and all; `issues` tells what publishing would refuse. */
export async function saveDraft(s: Services, id: string, graph: Graph) {
  await row(s, id);
  const now = s.clock.now();
  const [r] = await s.database.db
    .update(callScripts)
    .set({ draft: graph as ScriptGraph, draftUpdatedAt: now, updatedAt: now })
    .where(eq(callScripts.id, id))
    .returning();
  return full(s, r!);
}

/** Validates the draft and, when nothing is wrong, freezes it as the next version operators get. */
export async function publish(s: Services, by: AuthUser, id: string) {
  const version = await s.database.db.transaction(async (tx) => {
    const [r] = await tx.select().from(callScripts).where(eq(callScripts.id, id)).for('update');
    if (!r) throw notFound('Call script', id);
    const issues = validateGraph(r.draft);
    if (issues.length) {
      throw new AppError('validation_failed', `The draft cannot be published: ${issues.length} problem(s). ${issues[0]!.message}`, {
        errors: issues.map((i) => ({ path: `draft.${i.path}`, message: i.message, code: i.code })),
        issues,
      });
    }
    if (r.publishedVersion) {
      const [same] = await tx
        .select({ version: callScriptVersions.version })
        .from(callScriptVersions)
        .where(and(eq(callScriptVersions.scriptId, id), eq(callScriptVersions.version, r.publishedVersion), sql`${callScriptVersions.graph} = ${callScripts.draft}`))
        .innerJoin(callScripts, eq(callScripts.id, callScriptVersions.scriptId));
      if (same) throw new AppError('conflict', `Nothing changed since version ${r.publishedVersion}`);
    }
    const next = (r.publishedVersion ?? 0) + 1;
    const now = s.clock.now();
    await tx.insert(callScriptVersions).values({ scriptId: id, version: next, name: r.name, graph: r.draft, publishedBy: by.id, publishedAt: now });
    await tx.update(callScripts).set({ publishedVersion: next, updatedAt: now }).where(eq(callScripts.id, id));
    return next;
  });
  return getVersion(s, id, version);
}

/** A published version as the API gives it, built in SQL so that entry cards and screen pops carry it in their own query. */
function versionJson(where: SQL) {
  return sql`(SELECT json_build_object('scriptId', v.script_id, 'name', v.name, 'version', v.version, 'graph', v.graph,
      'publishedAt', ${isoText(sql`v.published_at`)},
      'publishedBy', CASE WHEN pu.id IS NULL THEN NULL ELSE json_build_object('id', pu.id, 'name', pu.name) END)
    FROM call_script_versions v LEFT JOIN users pu ON pu.id = v.published_by WHERE ${where})`;
}

/** The published version (JSON, or NULL) of the script whose id `scriptId` evaluates to. */
export const publishedVersionJson = (scriptId: SQL) =>
  versionJson(sql`(v.script_id, v.version) = (SELECT cs.id, cs.published_version FROM call_scripts cs WHERE cs.id = ${scriptId})`);

export interface ScriptVersion {
  scriptId: string;
  name: string;
  version: number;
  graph: ScriptGraph;
  publishedAt: string;
  publishedBy: { id: string; name: string } | null;
}

export async function getVersion(s: Services, scriptId: string, version: number): Promise<ScriptVersion> {
  const [r] = await s.database.query<{ v: ScriptVersion | null }>(sql`SELECT ${versionJson(sql`v.script_id = ${scriptId} AND v.version = ${version}`)} AS v`);
  if (!r?.v) {
    await row(s, scriptId);
    throw new AppError('not_found', `Call script ${scriptId} has no version ${version}`);
  }
  return r.v;
}

/** The script for a call's screen pop: its campaign's published script, else the administrator's inbound script. */
export async function scriptForCall(s: Services, campaignId: string | null): Promise<ScriptVersion | null> {
  const campaignScript = campaignId ? publishedVersionJson(sql`(SELECT c.script_id FROM campaigns c WHERE c.id = ${campaignId})`) : sql`NULL::json`;
  const [r] = await s.database.query<{ v: ScriptVersion | null }>(
    sql`SELECT coalesce(${campaignScript}, ${publishedVersionJson(sql`(SELECT i.id FROM call_scripts i WHERE i.inbound)`)}) AS v`,
  );
  return r?.v ?? null;
}

/**
 * Stores one walk of a published script on a call: the path must follow the version's answers from its
 * start, answers must belong to the steps walked, and required ones of every step moved past are given.
 */
export async function recordRun(s: Services, op: AuthUser, input: z.infer<typeof RunInput>) {
  const v = await getVersion(s, input.scriptId, input.version).catch((err) => {
    if (err instanceof AppError && err.code === 'not_found') throw fieldError('version', err.message);
    throw err;
  });
  const steps = new Map(v.graph.steps.map((st) => [st.id, st]));
  if (input.path[0]!.stepId !== v.graph.start) throw fieldError('path.0.stepId', `the script starts at "${v.graph.start}"`);
  const choices: string[] = [];
  const visited = new Set<string>();
  input.path.forEach((p, i) => {
    const step = steps.get(p.stepId);
    if (!step) throw fieldError(`path.${i}.stepId`, `version ${v.version} has no step "${p.stepId}"`);
    visited.add(step.id);
    const last = i === input.path.length - 1;
    if (last) {
      if (p.optionId) throw fieldError(`path.${i}.optionId`, 'the last step walked has no answer chosen');
      return;
    }
    const option = step.options.find((o) => o.id === p.optionId);
    if (!option) throw fieldError(`path.${i}.optionId`, `step "${step.id}" has no answer "${p.optionId ?? ''}"`);
    if (option.next !== input.path[i + 1]!.stepId) throw fieldError(`path.${i + 1}.stepId`, `the answer "${option.label}" leads to "${option.next}"`);
    choices.push(`${step.id}:${option.id}`);
    for (const f of step.fields) {
      if (f.required && (input.answers[f.key] === undefined || input.answers[f.key] === '')) {
        throw fieldError(`answers.${f.key}`, `"${f.label}" is required at step "${step.title}"`);
      }
    }
  });
  const fields = new Map(v.graph.steps.filter((st) => visited.has(st.id)).flatMap((st) => st.fields.map((f) => [f.key, f] as const)));
  for (const [key, value] of Object.entries(input.answers)) {
    const f = fields.get(key);
    if (!f) throw fieldError(`answers.${key}`, 'no step walked captures this field');
    const ok =
      f.type === 'number' ? typeof value === 'number' : f.type === 'yes_no' ? typeof value === 'boolean' : typeof value === 'string' && (f.type !== 'choice' || f.choices.includes(value));
    if (!ok) throw fieldError(`answers.${key}`, f.type === 'choice' ? `one of: ${f.choices.join(', ')}` : `must be ${f.type === 'yes_no' ? 'true or false' : `a ${f.type}`}`);
  }
  const contactId = await linkedContact(s, op, input);
  const lastStep = steps.get(input.path[input.path.length - 1]!.stepId)!;
  const [r] = await s.database.db
    .insert(scriptRuns)
    .values({
      id: newId('scriptRun'),
      scriptId: v.scriptId,
      version: v.version,
      callId: input.callId ?? null,
      entryId: input.entryId ?? null,
      contactId,
      operatorId: op.id,
      path: input.path.map((p) => p.stepId),
      choices,
      answers: input.answers,
      outcome: lastStep.outcome?.kind ?? null,
      createdAt: s.clock.now(),
    })
    .returning();
  return runDto(r!);
}

/** The call and dial entry a run names must exist and be the operator's; the contact follows from them. */
async function linkedContact(s: Services, op: AuthUser, input: z.infer<typeof RunInput>): Promise<string | null> {
  let contactId = input.contactId ?? null;
  if (input.callId) {
    const [c] = await s.database.db.select({ operatorId: calls.operatorId, contactId: calls.contactId }).from(calls).where(eq(calls.id, input.callId));
    if (!c) throw fieldError('callId', `no call ${input.callId}`);
    if (op.role === 'operator' && c.operatorId && c.operatorId !== op.id) throw fieldError('callId', 'another operator took that call');
    contactId ??= c.contactId;
  }
  if (input.entryId) {
    const [e] = await s.database.db.select({ lockedBy: dialEntries.lockedBy, contactId: dialEntries.contactId }).from(dialEntries).where(eq(dialEntries.id, input.entryId));
    if (!e) throw fieldError('entryId', `no dial entry ${input.entryId}`);
    if (op.role === 'operator' && e.lockedBy !== op.id) throw fieldError('entryId', 'you do not hold this entry');
    if (contactId && contactId !== e.contactId) throw fieldError('contactId', 'not the contact of this entry');
    contactId = e.contactId;
  }
  if (input.contactId && !input.entryId) {
    const [c] = await s.database.db.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, input.contactId));
    if (!c) throw fieldError('contactId', `no contact ${input.contactId}`);
  }
  return contactId;
}

const runDto = (r: typeof scriptRuns.$inferSelect) => ({
  id: r.id,
  scriptId: r.scriptId,
  version: r.version,
  callId: r.callId,
  entryId: r.entryId,
  contactId: r.contactId,
  operatorId: r.operatorId,
  path: r.path,
  choices: r.choices,
  answers: r.answers,
  outcome: r.outcome,
  createdAt: r.createdAt.toISOString(),
});

/** The script runs on one call, for the call's page. */
export async function runsOfCall(s: Services, callId: string) {
  const rows = await s.database.db.select().from(scriptRuns).where(eq(scriptRuns.callId, callId)).orderBy(asc(scriptRuns.createdAt));
  return rows.map(runDto);
}

interface CountRow extends Record<string, unknown> {
  k: 'step' | 'choice' | 'outcome' | 'all';
  key: string | null;
  n: number | string;
  m: number | string;
}

/**
 * Which argument works: per step and answer of one version, the runs that passed it and how many of them
 * ended in a meeting — the script's own meeting outcome, a meeting booked on the run's call, or the
 * meeting disposition of its dial entry.
 */
export async function scriptStats(s: Services, id: string, q: z.infer<typeof StatsQuery>) {
  const script = await row(s, id);
  const version = q.version ?? script.publishedVersion;
  if (!version) return { version: 0, runs: 0, meetings: 0, steps: [], outcomes: [] };
  const v = await getVersion(s, id, version);
  const period = [q.from ? sql`AND r.created_at >= ${q.from}::timestamptz` : sql``, q.to ? sql`AND r.created_at < ${q.to}::timestamptz` : sql``];
  const rows = rowsOf<CountRow>(
    await s.database.db.execute(sql`
      WITH r AS (
        SELECT r.path, r.choices, r.outcome,
          (r.outcome = 'meeting_booked'
           OR EXISTS (SELECT 1 FROM meetings m WHERE r.call_id IS NOT NULL AND m.call_id = r.call_id)
           OR EXISTS (SELECT 1 FROM dispositions d WHERE r.entry_id IS NOT NULL AND d.entry_id = r.entry_id
                        AND d.kind = 'meeting_booked' AND d.operator_id = r.operator_id
                        AND d.created_at BETWEEN r.created_at - interval '1 hour' AND r.created_at + interval '1 hour')) AS met
        FROM script_runs r
        WHERE r.script_id = ${id} AND r.version = ${version} ${period[0]} ${period[1]}
      )
      SELECT 'all' AS k, NULL AS key, count(*) AS n, count(*) FILTER (WHERE met) AS m FROM r
      UNION ALL
      SELECT 'step', p.key, count(*), count(*) FILTER (WHERE met) FROM r CROSS JOIN LATERAL (SELECT DISTINCT unnest(r.path) AS key) p GROUP BY p.key
      UNION ALL
      SELECT 'choice', c.key, count(*), count(*) FILTER (WHERE met) FROM r CROSS JOIN LATERAL (SELECT DISTINCT unnest(r.choices) AS key) c GROUP BY c.key
      UNION ALL
      SELECT 'outcome', r.outcome, count(*), count(*) FILTER (WHERE met) FROM r WHERE r.outcome IS NOT NULL GROUP BY r.outcome`),
  );
  const count = (k: CountRow['k'], key: string | null) => rows.find((x) => x.k === k && x.key === key);
  const num = (x: CountRow | undefined, f: 'n' | 'm') => Number(x?.[f] ?? 0);
  const all = count('all', null);
  return {
    version,
    runs: num(all, 'n'),
    meetings: num(all, 'm'),
    steps: v.graph.steps.map((st) => {
      const c = count('step', st.id);
      return {
        stepId: st.id,
        title: st.title,
        kind: st.kind,
        passed: num(c, 'n'),
        meetings: num(c, 'm'),
        options: st.options.map((o) => {
          const oc = count('choice', `${st.id}:${o.id}`);
          return { optionId: o.id, label: o.label, next: o.next, chosen: num(oc, 'n'), meetings: num(oc, 'm') };
        }),
      };
    }),
    outcomes: rows.filter((x) => x.k === 'outcome').map((x) => ({ kind: x.key as NonNullable<typeof scriptRuns.$inferSelect.outcome>, count: num(x, 'n') })),
  };
}
