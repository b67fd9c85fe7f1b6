import { Readable, Transform, type TransformCallback } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import iconv from 'iconv-lite';
import { and, asc, eq, gt } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { dialLists, importJobs, importRejects, type RejectKind } from '../db/schema.js';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError, notFound, type FieldError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { isTimeZone } from '../config.js';
import { assertCampaignAdmin } from './campaigns.js';
import { timezoneFor } from './timezones.js';
import { openStaging, type Staging, type StagedRow } from './import-staging.js';

const REJECTS_PER_INSERT = 2000;
const PROGRESS_EVERY = 10_000;
const MAX_FIELD_CHARS = 2000;

/** A column of the file: its header name, or its 1-based position. */
const ColumnRef = z.union([z.string().trim().min(1).max(200), z.number().int().min(1).max(500)]);

export const MappingSchema = z
  .object({
    name: ColumnRef.optional(),
    company: ColumnRef.optional(),
    phones: z.array(ColumnRef).min(1, 'map at least one phone column').max(5),
    email: ColumnRef.optional(),
    timezone: ColumnRef.optional().openapi({ description: 'IANA zone, e.g. Asia/Yekaterinburg' }),
    region: ColumnRef.optional().openapi({ description: 'Region or city, used for the zone when there is no timezone column' }),
    fields: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lowercase letters, digits and _'), ColumnRef).optional().openapi({
      description: 'Custom fields the script can merge in ({{fields.budget}})',
    }),
  })
  .strict()
  .openapi('ImportMapping');

export const ImportQuery = z.object({
  name: z.string().trim().min(1).max(120).openapi({ description: 'The list name' }),
  mapping: z
    .string()
    .max(8000)
    .openapi({ description: 'JSON of ImportMapping, e.g. {"name":"ФИО","phones":["Телефон"],"region":"Регион"}' }),
  encoding: z.enum(['auto', 'utf-8', 'windows-1251']).default('auto'),
  delimiter: z.enum(['auto', ',', ';', 'tab']).default('auto'),
});

export const ImportJobSchema = z
  .object({
    id: z.string(),
    listId: z.string(),
    campaignId: z.string(),
    status: z.enum(['running', 'done', 'failed']),
    phase: z.enum(['reading', 'saving', 'finished']),
    total: z.number().int(),
    imported: z.number().int(),
    duplicates: z.number().int(),
    invalid: z.number().int(),
    dnc: z.number().int(),
    skipped: z.number().int(),
    error: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    rejects: z.array(z.object({ line: z.number().int(), kind: z.string(), reason: z.string() })),
    rejectsCursor: z.string().nullable(),
    rejectsUrl: z.string(),
  })
  .openapi('ImportJob');

type Mapping = z.infer<typeof MappingSchema>;
type JobRow = typeof importJobs.$inferSelect;

/** Jobs of this process still saving (tests and shutdown wait for them). */
const saving = new Map<string, Promise<void>>();

function phaseOf(job: JobRow) {
  if (job.status !== 'running') return 'finished' as const;
  return (job.options as { phase?: 'reading' | 'saving' }).phase ?? 'reading';
}

export async function getImport(s: Services, id: string, cursor?: number) {
  const [job] = await s.database.db.select().from(importJobs).where(eq(importJobs.id, id));
  if (!job) throw notFound('Import', id);
  const rejects = await s.database.db
    .select({ line: importRejects.line, kind: importRejects.kind, reason: importRejects.reason })
    .from(importRejects)
    .where(and(eq(importRejects.jobId, id), cursor ? gt(importRejects.line, cursor) : undefined))
    .orderBy(asc(importRejects.line))
    .limit(101);
  return {
    id: job.id,
    listId: job.listId,
    campaignId: job.campaignId,
    status: job.status,
    phase: phaseOf(job),
    total: job.total,
    imported: job.imported,
    duplicates: job.duplicates,
    invalid: job.invalid,
    dnc: job.dnc,
    skipped: job.skipped,
    error: job.error,
    startedAt: job.startedAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
    rejects: rejects.slice(0, 100),
    rejectsCursor: rejects.length > 100 ? String(rejects[99]!.line) : null,
    rejectsUrl: `/api/imports/${job.id}/rejects.csv`,
  };
}

/** Every rejected row as CSV (line, kind, reason), streamed in pages. */
export async function* rejectsCsv(s: Services, id: string): AsyncGenerator<string> {
  const [job] = await s.database.db.select({ id: importJobs.id }).from(importJobs).where(eq(importJobs.id, id));
  if (!job) throw notFound('Import', id);
  yield '\uFEFFline,kind,reason\r\n';
  let after = 0;
  for (;;) {
    const rows = await s.database.db
      .select()
      .from(importRejects)
      .where(and(eq(importRejects.jobId, id), gt(importRejects.line, after)))
      .orderBy(asc(importRejects.line))
      .limit(5000);
    if (!rows.length) return;
    yield rows.map((r) => `${r.line},${r.kind},"${r.reason.replaceAll('"', '""')}"\r\n`).join('');
    after = rows[rows.length - 1]!.line;
  }
}

function parseMapping(raw: string): Mapping {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new AppError('validation_failed', 'The mapping is not JSON', { errors: [{ path: 'query.mapping', message: 'not valid JSON' }] });
  }
  const parsed = MappingSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError('validation_failed', 'The mapping is not valid', {
      errors: parsed.error.issues.map((i) => ({ path: ['mapping', ...i.path].join('.'), message: i.message })),
    });
  }
  return parsed.data;
}

/** Counts bytes and stops the upload past the limit. */
class ByteLimit extends Transform {
  bytes = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) return done(new AppError('payload_too_large', `The file is over the ${this.limit}-byte import limit`));
    done(null, chunk);
  }
}

/**
 * Looks at the start of the file: UTF-8 (with or without a BOM) unless it is not valid UTF-8, in which
 * case Windows-1251; "," or ";" (or a tab), whichever the header line has more of outside quotes.
 */
function sniff(head: Buffer, encoding: string, delimiter: string) {
  let enc = encoding;
  if (enc === 'auto') {
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) enc = 'utf-8';
    else {
      try {
        // stream: a multi-byte character cut at the end of the sample is not an error.
        new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
        enc = 'utf-8';
      } catch {
        enc = 'windows-1251';
      }
    }
  }
  let delim = delimiter === 'tab' ? '\t' : delimiter;
  if (delim === 'auto') {
    const text = iconv.decode(head, enc);
    const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
    const count = (ch: string) => {
      let n = 0;
      let quoted = false;
      for (const c of firstLine) {
        if (c === '"') quoted = !quoted;
        else if (!quoted && c === ch) n++;
      }
      return n;
    };
    const counts = { ';': count(';'), ',': count(','), '\t': count('\t') };
    delim = (Object.entries(counts).sort((a, b) => b[1] - a[1])[0]![1] > 0 ? Object.entries(counts).sort((a, b) => b[1] - a[1])[0]![0] : ',');
  }
  return { encoding: enc, delimiter: delim };
}

/** Reads until `n` bytes (or the end) are available, then gives them back in front of the rest. */
async function peek(stream: Readable, n: number): Promise<{ head: Buffer; rest: Readable }> {
  const chunks: Buffer[] = [];
  let size = 0;
  const it = stream[Symbol.asyncIterator]();
  while (size < n) {
    const { value, done } = await it.next();
    if (done) break;
    const buf = Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);
    chunks.push(buf);
    size += buf.length;
  }
  const head = Buffer.concat(chunks);
  async function* rest() {
    if (head.length) yield head;
    for (;;) {
      const { value, done } = await it.next();
      if (done) return;
      yield value as Buffer;
    }
  }
  return { head, rest: Readable.from(rest(), { objectMode: false }) };
}

interface Resolved {
  name?: number;
  company?: number;
  phones: number[];
  email?: number;
  timezone?: number;
  region?: number;
  fields: Array<[string, number]>;
}

function resolveColumns(header: string[], mapping: Mapping): Resolved {
  const errors: FieldError[] = [];
  const names = header.map((h) => h.trim().toLowerCase());
  const find = (ref: string | number, path: string): number => {
    if (typeof ref === 'number') {
      if (ref > header.length) errors.push({ path, message: `the file has ${header.length} columns, not ${ref}` });
      return ref - 1;
    }
    const i = names.indexOf(ref.trim().toLowerCase());
    if (i < 0) errors.push({ path, message: `no column "${ref}" in the header (${header.map((h) => `"${h}"`).join(', ')})` });
    return i;
  };
  const opt = (ref: string | number | undefined, path: string) => (ref === undefined ? undefined : find(ref, path));
  const resolved: Resolved = {
    name: opt(mapping.name, 'mapping.name'),
    company: opt(mapping.company, 'mapping.company'),
    phones: mapping.phones.map((p, i) => find(p, `mapping.phones.${i}`)),
    email: opt(mapping.email, 'mapping.email'),
    timezone: opt(mapping.timezone, 'mapping.timezone'),
    region: opt(mapping.region, 'mapping.region'),
    fields: Object.entries(mapping.fields ?? {}).map(([k, ref]) => [k, find(ref, `mapping.fields.${k}`)]),
  };
  if (errors.length) throw new AppError('validation_failed', 'The mapping names columns the file does not have', { errors });
  return resolved;
}

const emailRe = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** One data row: the staged columns, or why it cannot be kept. */
function readRow(s: Services, cols: Resolved, record: string[], width: number): { row: StagedRow } | { reason: string } {
  if (record.length !== width) return { reason: `expected ${width} columns, found ${record.length}` };
  // PostgreSQL cannot store U+0000 (COPY would drop or refuse the row).
  if (record.some((c) => c.includes('\u0000'))) return { reason: 'contains a NUL (\\u0000) character, which cannot be stored' };
  const cell = (i: number | undefined) => (i === undefined ? '' : (record[i] ?? '').trim());
  const phones: string[] = [];
  const bad: string[] = [];
  for (const i of cols.phones) {
    const raw = cell(i);
    if (!raw) continue;
    const p = parsePhoneNumberFromString(raw, s.config.phoneRegion);
    if (p?.isValid()) {
      if (!phones.includes(p.number)) phones.push(p.number);
    } else bad.push(raw);
  }
  if (!phones.length) return { reason: bad.length ? `not a phone number: "${bad[0]!.slice(0, 60)}"` : 'no phone number' };
  const email = cell(cols.email);
  if (email && !emailRe.test(email)) return { reason: `not an e-mail address: "${email.slice(0, 60)}"` };
  for (const v of record) if (v.length > MAX_FIELD_CHARS) return { reason: `a value is longer than ${MAX_FIELD_CHARS} characters` };
  const tzCell = cell(cols.timezone);
  if (tzCell && !isTimeZone(tzCell)) return { reason: `unknown time zone "${tzCell.slice(0, 60)}"` };
  const fields = cols.fields.length ? Object.fromEntries(cols.fields.map(([k, i]) => [k, cell(i)])) : null;
  return {
    row: {
      phone: phones[0]!,
      extra: phones.slice(1),
      name: cell(cols.name).slice(0, 200) || null,
      company: cell(cols.company).slice(0, 200) || null,
      email: email || null,
      timezone: tzCell || timezoneFor(cell(cols.region), phones[0]!, s.config.companyTimeZone),
      fields,
    },
  };
}


/**
 * Imports a CSV into a new dial list of the campaign. The file is streamed (never held whole): rows are
 * read, checked and staged in batches; then, in one transaction, duplicates (in the file and in the
 * campaign), do-not-call numbers and contacts that belong to someone are set aside, new contacts and the
 * list's entries are written. Until that transaction commits the list is "importing" and none of its
 * entries are handed out; if it fails, nothing of it is kept and the list says "failed".
 * Returns the job after reading; saving goes on in the background (progress over socket.io).
 */
export async function importList(s: Services, actor: AuthUser, campaignId: string, q: z.infer<typeof ImportQuery>, body: ReadableStream<Uint8Array> | null) {
  const campaign = await assertCampaignAdmin(s, campaignId);
  const mapping = parseMapping(q.mapping);
  if (!body) throw new AppError('validation_failed', 'Send the CSV file as the request body', { errors: [{ path: 'body', message: 'empty' }] });
  const now = s.clock.now();
  const listId = newId('dialList');
  const jobId = newId('importJob');
  await s.database.db.insert(dialLists).values({ id: listId, campaignId, name: q.name, status: 'importing', createdBy: actor.id, createdAt: now });
  await s.database.db.insert(importJobs).values({
    id: jobId,
    listId,
    campaignId,
    status: 'running',
    options: { phase: 'reading', encoding: q.encoding, delimiter: q.delimiter, mapping },
    createdBy: actor.id,
    startedAt: now,
  });
  const counts = { total: 0, invalid: 0 };
  const progress = (phase: string, step?: { done: number; of: number }) => {
    const event = { jobId, listId, campaignId, phase, total: counts.total, invalid: counts.invalid, ...(step ? { stepsDone: step.done, steps: step.of } : {}) };
    // Only administrators import, and every one of them sees the progress (the importer once, by role).
    s.realtime.toRoles(['cc_admin', 'admin'], 'import:progress', event);
  };

  let stagingRef: Staging | null = null;
  try {
    const limit = new ByteLimit(s.config.dialer.importMaxBytes);
    const raw = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>).pipe(limit);
    raw.on('error', () => {});
    const { head, rest } = await peek(raw, 64 * 1024);
    if (!head.length) throw new AppError('validation_failed', 'The file is empty', { errors: [{ path: 'body', message: 'empty file' }] });
    const { encoding, delimiter } = sniff(head, q.encoding, q.delimiter);
    const text = rest.pipe(iconv.decodeStream(encoding, { stripBOM: true }));
    const parser = text.pipe(
      parseCsv({ delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true, info: true, trim: false, max_record_size: 1_000_000 }),
    );
    limit.on('error', (err) => parser.destroy(err));
    text.on('error', (err) => parser.destroy(err));

    let cols: Resolved | null = null;
    let width = 0;
    const staging = openStaging(s, jobId);
    stagingRef = staging;
    let rejects: Array<{ line: number; reason: string }> = [];
    const flushRejects = async () => {
      if (rejects.length) {
        await s.database.db.insert(importRejects).values(rejects.map((r) => ({ jobId, line: r.line, kind: 'invalid' as RejectKind, reason: r.reason }))).onConflictDoNothing();
      }
      rejects = [];
    };
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const { record, info } = item;
      if (!cols) {
        cols = resolveColumns(record, mapping);
        width = record.length;
        continue;
      }
      counts.total++;
      const read = readRow(s, cols, record, width);
      if ('row' in read) await staging.add({ ...read.row, line: info.lines });
      else {
        counts.invalid++;
        rejects.push({ line: info.lines, reason: read.reason });
        if (rejects.length >= REJECTS_PER_INSERT) await flushRejects();
      }
      if (counts.total % PROGRESS_EVERY === 0) {
        await s.database.db.update(importJobs).set({ total: counts.total, invalid: counts.invalid }).where(eq(importJobs.id, jobId));
        progress('reading');
      }
    }
    if (!cols) throw new AppError('validation_failed', 'The file has no header row', { errors: [{ path: 'body', message: 'no header' }] });
    await staging.finish();
    await flushRejects();
    await s.database.db
      .update(importJobs)
      .set({ total: counts.total, invalid: counts.invalid, options: { phase: 'saving', encoding, delimiter, mapping } })
      .where(eq(importJobs.id, jobId));
  } catch (err) {
    await stagingRef?.abort();
    await failImport(s, jobId, listId, err);
    progress('failed');
    if (err instanceof AppError) {
      err.extra.importId = jobId;
      throw err;
    }
    throw new AppError('validation_failed', `The file could not be read as CSV: ${(err as Error).message}`, {
      importId: jobId,
      errors: [{ path: 'body', message: (err as Error).message.slice(0, 300) }],
    });
  }
  progress('saving');
  const done = saveImport(s, jobId, listId, campaign.id, campaign.sourceId, actor.id, (step) => progress('saving', step))
    .then(() => progress('finished'))
    .catch(async (err: Error) => {
      s.logger.error({ err, jobId }, 'saving an import failed');
      await failImport(s, jobId, listId, err).catch(() => {});
      progress('failed');
    })
    .finally(() => saving.delete(jobId));
  saving.set(jobId, done);
  return getImport(s, jobId);
}

/** Resolves when the imports this process is saving are finished. */
export async function importsSettled() {
  await Promise.all([...saving.values()]);
}

async function failImport(s: Services, jobId: string, listId: string, err: unknown) {
  const message = err instanceof Error ? err.message : String(err);
  await s.database.transactionScript(async (_exec, query) => {
    await query('DELETE FROM import_staging WHERE job_id = $1', [jobId]);
    await query("UPDATE dial_lists SET status = 'failed' WHERE id = $1", [listId]);
    await query("UPDATE import_jobs SET status = 'failed', error = $2, finished_at = $3 WHERE id = $1", [jobId, message.slice(0, 500), new Date().toISOString()]);
  });
}

/** The checks that need the database, and the writes, in one transaction. */
async function saveImport(
  s: Services,
  jobId: string,
  listId: string,
  campaignId: string,
  sourceId: string | null,
  actorId: string,
  onStep: (step: { done: number; of: number }) => void,
) {
  const now = s.clock.now().toISOString();
  // The checks and writes in order; each is a step of the saving phase on the administrator's progress bar,
  // and the tally with the bookkeeping after them is the last.
  const steps: Array<[string, unknown[]]> = [
    [
      `UPDATE import_staging s SET verdict = 'duplicate', reason = 'same phone as line ' || f.first
       FROM (SELECT phone, min(line) AS first FROM import_staging WHERE job_id = $1 GROUP BY phone HAVING count(*) > 1) f
       WHERE s.job_id = $1 AND s.phone = f.phone AND s.line <> f.first`,
      [jobId],
    ],
    [
      `UPDATE import_staging s SET verdict = 'duplicate', reason = 'already in this campaign'
       FROM dial_entries e WHERE s.job_id = $1 AND s.verdict IS NULL AND e.campaign_id = $2 AND e.phone = s.phone`,
      [jobId, campaignId],
    ],
    [
      `UPDATE import_staging s SET verdict = 'dnc', reason = 'on the do-not-call list'
       FROM dnc_numbers d WHERE s.job_id = $1 AND s.verdict IS NULL AND d.phone = s.phone`,
      [jobId],
    ],
    // Known numbers: a client, or a prospect someone owns, is not cold-called; a free prospect is.
    [
      `UPDATE import_staging s SET existing = true, contact_id = c.id,
              verdict = CASE WHEN c.status IN ('active', 'lost') OR c.hunter_id IS NOT NULL OR c.account_manager_id IS NOT NULL THEN 'skipped' END,
              reason = CASE WHEN c.status IN ('active', 'lost') THEN 'a client of the client department'
                            WHEN c.account_manager_id IS NOT NULL THEN 'owned by an account manager'
                            WHEN c.hunter_id IS NOT NULL THEN 'a prospect owned by a hunter' END
       FROM contact_phones p JOIN contacts c ON c.id = p.contact_id
       WHERE s.job_id = $1 AND s.verdict IS NULL AND p.phone = s.phone`,
      [jobId],
    ],
    [
      `INSERT INTO contacts (id, name, company, email, status, first_source_id, first_touch_at, created_by, created_at, updated_at)
       SELECT contact_id, coalesce(name, phone), company, email, 'new', $2, $3::timestamptz, $4, $3::timestamptz, $3::timestamptz
       FROM import_staging WHERE job_id = $1 AND verdict IS NULL AND NOT existing`,
      [jobId, sourceId, now, actorId],
    ],
    [
      `INSERT INTO contact_phones (phone, contact_id, position, created_at)
       SELECT phone, contact_id, 0, $2::timestamptz FROM import_staging WHERE job_id = $1 AND verdict IS NULL AND NOT existing
       UNION ALL
       SELECT x.phone, s.contact_id, x.ord::int, $2::timestamptz
       FROM import_staging s CROSS JOIN LATERAL unnest(s.extra_phones) WITH ORDINALITY AS x(phone, ord)
       WHERE s.job_id = $1 AND s.verdict IS NULL AND NOT s.existing
       ON CONFLICT DO NOTHING`,
      [jobId, now],
    ],
    [
      `INSERT INTO dial_entries (id, campaign_id, list_id, contact_id, phone, timezone, line, fields, status, next_at, created_at, updated_at)
       SELECT entry_id, $2, $3, contact_id, phone, timezone, line, fields, 'pending', $4::timestamptz, $4::timestamptz, $4::timestamptz
       FROM import_staging WHERE job_id = $1 AND verdict IS NULL
       ON CONFLICT (campaign_id, phone) DO NOTHING`,
      [jobId, campaignId, listId, now],
    ],
    [
      `INSERT INTO import_rejects (job_id, line, kind, reason)
       SELECT job_id, line, verdict, reason FROM import_staging WHERE job_id = $1 AND verdict IS NOT NULL
       ON CONFLICT DO NOTHING`,
      [jobId],
    ],
  ];
  await s.database.transactionScript(async (_exec, query) => {
    for (const [i, [text, params]] of steps.entries()) {
      await query(text, params);
      onStep({ done: i + 1, of: steps.length + 1 });
    }
    const tally = await query<{ verdict: string | null; n: number }>(
      'SELECT verdict, count(*)::int AS n FROM import_staging WHERE job_id = $1 GROUP BY verdict',
      [jobId],
    );
    const n = (v: string | null) => tally.find((t) => t.verdict === v)?.n ?? 0;
    await query('DELETE FROM import_staging WHERE job_id = $1', [jobId]);
    await query("UPDATE dial_lists SET status = 'ready' WHERE id = $1", [listId]);
    await query(
      `UPDATE import_jobs SET status = 'done', imported = $2, duplicates = $3, dnc = $4, skipped = $5, finished_at = $6::timestamptz,
              options = options || '{"phase": "finished"}'::jsonb
       WHERE id = $1`,
      [jobId, n(null), n('duplicate'), n('dnc'), n('skipped'), s.clock.now().toISOString()],
    );
    onStep({ done: steps.length + 1, of: steps.length + 1 });
  });
}
