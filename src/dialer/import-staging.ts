import type { Services } from '../services.js';
import { newId } from '../shared/ids.js';

// Rows per INSERT where there is no COPY (PGlite).
const BATCH = 2000;

/** A row read from the file and checked, waiting for the checks that need the database. */
export interface StagedRow {
  phone: string;
  extra: string[];
  name: string | null;
  company: string | null;
  email: string | null;
  timezone: string;
  fields: Record<string, string> | null;
}

export type Staged = StagedRow & { line: number };
export interface Staging {
  add(row: Staged): Promise<void>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

const stagingColumns = ['job_id', 'line', 'phone', 'extra_phones', 'name', 'company', 'email', 'timezone', 'fields', 'contact_id', 'entry_id'];
const csvValue = (v: string | null) => (v === null ? '' : `"${v.replaceAll('"', '""')}"`);

/**
 * Where read rows wait for the checks: one COPY stream for the whole file on PostgreSQL (the parser waits
 * when the database is behind), batched inserts on PGlite.
 */
export function openStaging(s: Services, jobId: string): Staging {
  const copyIn = s.database.copyIn?.bind(s.database);
  if (!copyIn) {
    let batch: Staged[] = [];
    return {
      async add(row) {
        batch.push(row);
        if (batch.length >= BATCH) {
          const b = batch;
          batch = [];
          await stage(s, jobId, b);
        }
      },
      async finish() {
        if (batch.length) await stage(s, jobId, batch);
        batch = [];
      },
      async abort() {
        batch = [];
      },
    };
  }
  const chunks: string[] = [];
  let pending = '';
  let rowsInPending = 0;
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  let drained: (() => void) | null = null;
  async function* lines() {
    for (;;) {
      if (failure) throw failure;
      const chunk = chunks.shift();
      if (chunk !== undefined) {
        if (chunks.length < 4) drained?.();
        yield chunk;
        continue;
      }
      if (ended) return;
      await new Promise<void>((r) => (wake = r));
      wake = null;
    }
  }
  const copying = copyIn('import_staging', stagingColumns, lines());
  copying.catch(() => {});
  const push = () => {
    if (!pending) return;
    chunks.push(pending);
    pending = '';
    rowsInPending = 0;
    wake?.();
  };
  const quotedJob = csvValue(jobId);
  return {
    async add(row) {
      pending +=
        `${quotedJob},${row.line},${csvValue(row.phone)},${row.extra.length ? csvValue(`{${row.extra.join(',')}}`) : ''},` +
        `${csvValue(row.name)},${csvValue(row.company)},${csvValue(row.email)},${csvValue(row.timezone)},` +
        `${row.fields ? csvValue(JSON.stringify(row.fields)) : ''},${newId('contact')},${newId('dialEntry')}\n`;
      if (++rowsInPending >= 500) {
        push();
        // Keep at most a few chunks in memory: wait for the database to take them.
        if (chunks.length > 16) await new Promise<void>((r) => (drained = r));
        drained = null;
      }
    },
    async finish() {
      push();
      ended = true;
      wake?.();
      await copying;
    },
    async abort() {
      failure = new Error('import aborted');
      ended = true;
      wake?.();
      drained?.();
      await copying.catch(() => {});
    },
  };
}

async function stage(s: Services, jobId: string, rows: Staged[]) {
  await s.database.transactionScript(async (_exec, query) => {
    await query(
      `INSERT INTO import_staging (job_id, line, phone, extra_phones, name, company, email, timezone, fields, contact_id, entry_id)
       SELECT $1, t.line, t.phone, CASE WHEN t.extra = '' THEN NULL ELSE string_to_array(t.extra, ' ') END, t.name, t.company, t.email, t.tz, t.fields::jsonb, t.cid, t.eid
       FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
            AS t(line, phone, extra, name, company, email, tz, fields, cid, eid)
       ON CONFLICT DO NOTHING`,
      [
        jobId,
        rows.map((r) => r.line),
        rows.map((r) => r.phone),
        rows.map((r) => r.extra.join(' ')),
        rows.map((r) => r.name),
        rows.map((r) => r.company),
        rows.map((r) => r.email),
        rows.map((r) => r.timezone),
        rows.map((r) => (r.fields ? JSON.stringify(r.fields) : null)),
        rows.map(() => newId('contact')),
        rows.map(() => newId('dialEntry')),
      ],
    );
  });
}
