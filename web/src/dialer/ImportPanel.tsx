import { useEffect, useRef, useState } from 'preact/hooks';
import type { TargetedEvent, TargetedSubmitEvent } from 'preact';
import { useI18n, type Translate } from '../i18n';
import { useConnection, useSocketEvent } from '../realtime/hooks';
import { Field, FormError } from '../ui/Field';
import { fieldErrors, problemMessage } from '../ui/errors';
import { errorsUnder } from './CampaignForm';
import {
  getImport,
  rejectKinds,
  uploadList,
  type Campaign,
  type ColumnRef,
  type ImportJob,
  type ImportMapping,
  type ImportProgressEvent,
  type ImportReject,
  type Upload,
} from './adminApi';
import { readCsvHead, type CsvHead } from './csvHead';

const singleTargets = ['name', 'company', 'email', 'region', 'timezone'] as const;
type SingleTarget = (typeof singleTargets)[number];
const MAX_PHONES = 5;
const FIELD_KEY = /^[a-z][a-z0-9_]{0,39}$/;
const POLL_CONNECTED_MS = 5000;
const POLL_OFFLINE_MS = 1500;

/** Column choices hold the header index as a string; '' is "not imported". */
interface MappingState {
  single: Record<SingleTarget, string>;
  phones: string[];
  fields: Array<{ key: string; column: string }>;
}

// Header names commonly seen in Russian and English exports.
const guesses: Record<SingleTarget | 'phone', RegExp> = {
  name: /^(фио|имя|контакт|контактное лицо|name|full ?name|contact)$/i,
  company: /^(компания|организация|фирма|company|organi[sz]ation)$/i,
  email: /^(e-?mail|почта|эл\.? ?почта|электронная почта)$/i,
  region: /^(регион|город|область|region|city)$/i,
  timezone: /^(часовой пояс|пояс|timezone|time ?zone|tz)$/i,
  phone: /(телефон|тел\.?|моб\.?|мобильный|phone|mobile|cell)/i,
};

function guessMapping(header: string[]): MappingState {
  const used = new Set<number>();
  const find = (re: RegExp) => {
    const i = header.findIndex((h, idx) => !used.has(idx) && re.test(h.trim()));
    if (i >= 0) used.add(i);
    return i;
  };
  const single = Object.fromEntries(singleTargets.map((k) => [k, ''])) as Record<SingleTarget, string>;
  for (const k of singleTargets) {
    const i = find(guesses[k]);
    if (i >= 0) single[k] = String(i);
  }
  const phones: string[] = [];
  for (let i = find(guesses.phone); i >= 0 && phones.length < MAX_PHONES; i = find(guesses.phone)) phones.push(String(i));
  return { single, phones: phones.length ? phones : [''], fields: [] };
}

/** A unique, non-empty header name goes by name (readable in the job); otherwise by 1-based position. */
function columnRef(header: string[], index: string): ColumnRef {
  const i = Number(index);
  const name = header[i]?.trim() ?? '';
  const same = header.filter((h) => h.trim().toLowerCase() === name.toLowerCase()).length;
  return name && same === 1 ? name : i + 1;
}

type Stage = 'uploading' | 'saving' | 'done' | 'failed';
interface Run {
  stage: Stage;
  sent: number;
  size: number;
  /** Rows read so far, from `import:progress` while the file is still going up. */
  read: number;
  /** Steps of the saving phase done, from `import:progress`. */
  steps: { done: number; of: number } | null;
  job: ImportJob | null;
  error: unknown;
}

/** The service's reject reasons are English sentences; the known ones are shown in the user's language. */
export function rejectReason(reason: string, t: Translate): string {
  let m: RegExpExecArray | null;
  if ((m = /^same phone as line (\d+)$/.exec(reason))) return t('import.reason.sameAsLine', { line: m[1]! });
  if (reason === 'already in this campaign') return t('import.reason.inCampaign');
  if (reason === 'on the do-not-call list') return t('import.reason.dnc');
  if (reason === 'no phone number') return t('import.reason.noPhone');
  if ((m = /^not a phone number: "(.*)"$/s.exec(reason))) return t('import.reason.badPhone', { value: m[1]! });
  if ((m = /^not an e-mail address: "(.*)"$/s.exec(reason))) return t('import.reason.badEmail', { value: m[1]! });
  if ((m = /^unknown time zone "(.*)"$/s.exec(reason))) return t('import.reason.badZone', { value: m[1]! });
  if ((m = /^expected (\d+) columns, found (\d+)$/.exec(reason))) return t('import.reason.columns', { expected: m[1]!, found: m[2]! });
  if ((m = /^a value is longer than (\d+) characters$/.exec(reason))) return t('import.reason.tooLong', { max: m[1]! });
  if (reason === 'a client of the client department') return t('import.reason.client');
  if (reason === 'owned by an account manager') return t('import.reason.accountManager');
  if (reason === 'a prospect owned by a hunter') return t('import.reason.hunter');
  return reason;
}

const kindLabel = (kind: string, t: Translate) =>
  (rejectKinds as readonly string[]).includes(kind) ? t(`import.kind.${kind as (typeof rejectKinds)[number]}`) : kind;

/**
 * Imports a dial list into a campaign: pick a CSV, name the list, map its columns (read from the header
 * row here in the browser), upload it as the request body, then follow the import live
 * (`import:progress`, with polling as the fallback) to its counts and rejected rows.
 */
export function ImportPanel({ campaign, onFinished }: { campaign: Campaign; onFinished: () => void }) {
  const { t, locale } = useI18n();
  const connection = useConnection();
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [head, setHead] = useState<CsvHead | null>(null);
  const [headError, setHeadError] = useState<string | null>(null);
  const [listName, setListName] = useState('');
  const [mapping, setMapping] = useState<MappingState | null>(null);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [run, setRun] = useState<Run | null>(null);
  const [rejects, setRejects] = useState<ImportReject[]>([]);
  const [rejectsCursor, setRejectsCursor] = useState<string | null>(null);
  const [moreBusy, setMoreBusy] = useState(false);
  const upload = useRef<Upload | null>(null);
  const finishedFor = useRef<string | null>(null);

  useEffect(() => () => upload.current?.abort(), []);

  const pickFile = async (e: TargetedEvent<HTMLInputElement>) => {
    const f = e.currentTarget.files?.[0] ?? null;
    setFile(f);
    setHead(null);
    setMapping(null);
    setHeadError(null);
    setLocalErrors({});
    setRun(null);
    if (!f) return;
    setListName((prev) => prev || f.name.replace(/\.(csv|txt|tsv)$/i, ''));
    try {
      const h = await readCsvHead(f);
      if (!h.header.length || h.header.every((c) => !c)) {
        setHeadError(t('import.noHeader'));
        return;
      }
      setHead(h);
      setMapping(guessMapping(h.header));
    } catch {
      setHeadError(t('import.unreadable'));
    }
  };

  const applyJob = (job: ImportJob) => {
    setRun((r) => (r && (!r.job || r.job.id === job.id) ? { ...r, job, stage: job.status === 'done' ? 'done' : job.status === 'failed' ? 'failed' : 'saving' } : r));
    if (job.status !== 'running' && finishedFor.current !== job.id) {
      finishedFor.current = job.id;
      setRejects(job.rejects);
      setRejectsCursor(job.rejectsCursor);
      onFinished();
    }
  };

  const refresh = async (id: string) => {
    try {
      applyJob(await getImport(id));
    } catch {
      /* the next event or poll tries again */
    }
  };

  const jobId = run?.job?.id ?? null;
  const running = run?.stage === 'saving' && jobId !== null;

  useSocketEvent<ImportProgressEvent>('import:progress', (e) => {
    if (e.campaignId !== campaign.id || !run) return;
    if (run.stage === 'uploading' && !run.job) {
      setRun((r) => (r ? { ...r, read: Math.max(r.read, e.total) } : r));
      return;
    }
    if (e.jobId !== jobId) return;
    if (e.phase === 'finished' || e.phase === 'failed') void refresh(e.jobId);
    else {
      const steps = e.steps ? { done: e.stepsDone ?? 0, of: e.steps } : null;
      setRun((r) => (r?.job ? { ...r, steps: steps ?? r.steps, job: { ...r.job, total: e.total, invalid: e.invalid } } : r));
    }
  });

  // Polling in case an event is missed (or the socket is down); faster while disconnected.
  useEffect(() => {
    if (!running || !jobId) return;
    const timer = setInterval(() => void refresh(jobId), connection === 'connected' ? POLL_CONNECTED_MS : POLL_OFFLINE_MS);
    return () => clearInterval(timer);
  }, [running, jobId, connection]);

  const buildMapping = (m: MappingState, header: string[]): { mapping: ImportMapping | null; errors: Record<string, string> } => {
    const errors: Record<string, string> = {};
    const phones = m.phones.filter((p) => p !== '').map((p) => columnRef(header, p));
    if (!phones.length) errors['mapping.phones'] = t('import.needPhone');
    const out: ImportMapping = { phones };
    for (const k of singleTargets) if (m.single[k] !== '') out[k] = columnRef(header, m.single[k]);
    const fields: Record<string, ColumnRef> = {};
    m.fields.forEach((f, i) => {
      const key = f.key.trim();
      if (!key && f.column === '') return;
      if (!FIELD_KEY.test(key)) errors[`fieldRow.${i}`] = t('import.badFieldKey');
      else if (key in fields) errors[`fieldRow.${i}`] = t('import.dupFieldKey');
      else if (f.column === '') errors[`fieldRow.${i}`] = t('import.pickColumn');
      else fields[key] = columnRef(header, f.column);
    });
    if (Object.keys(fields).length) out.fields = fields;
    return { mapping: Object.keys(errors).length ? null : out, errors };
  };

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!file || !head || !mapping) return;
    const built = buildMapping(mapping, head.header);
    const errors = { ...built.errors };
    if (!listName.trim()) errors['query.name'] = t('import.needName');
    setLocalErrors(errors);
    if (!built.mapping || Object.keys(errors).length) return;
    finishedFor.current = null;
    setRejects([]);
    setRejectsCursor(null);
    setRun({ stage: 'uploading', sent: 0, size: file.size, read: 0, steps: null, job: null, error: null });
    const u = uploadList(campaign.id, { name: listName.trim(), mapping: built.mapping, encoding: head.encoding, delimiter: head.delimiter }, file, (sent, size) =>
      setRun((r) => (r && r.stage === 'uploading' ? { ...r, sent, size } : r)),
    );
    upload.current = u;
    try {
      const job = await u.done;
      setRun((r) => (r ? { ...r, sent: r.size, job, stage: 'saving' } : r));
      applyJob(job);
      // The import may have finished before this answer arrived; ask once rather than wait for a poll.
      if (job.status === 'running') void refresh(job.id);
    } catch (err) {
      setRun((r) => (r ? { ...r, stage: 'failed', error: err } : r));
      onFinished();
    } finally {
      upload.current = null;
    }
  };

  const loadMoreRejects = async () => {
    if (!jobId || !rejectsCursor) return;
    setMoreBusy(true);
    try {
      const page = await getImport(jobId, rejectsCursor);
      setRejects((prev) => [...prev, ...page.rejects]);
      setRejectsCursor(page.rejectsCursor);
    } catch {
      /* the button stays for another try */
    } finally {
      setMoreBusy(false);
    }
  };

  const startOver = () => {
    setRun(null);
    setFile(null);
    setHead(null);
    setMapping(null);
    setListName('');
    setRejects([]);
    setRejectsCursor(null);
    if (fileInput.current) fileInput.current.value = '';
  };

  const serverErrors = fieldErrors(run?.error);
  const fe = { ...serverErrors, ...localErrors };
  const busy = run?.stage === 'uploading' || run?.stage === 'saving';
  const header = head?.header ?? [];
  const columnOptions = (value: string, onChange: (v: string) => void, a: Record<string, unknown>, name: string) => (
    <select {...a} name={name} value={value} onChange={(e) => onChange(e.currentTarget.value)} disabled={busy}>
      <option value="">{t('import.notImported')}</option>
      {header.map((h, i) => (
        <option key={i} value={String(i)}>
          {h || t('import.columnN', { n: i + 1 })}
        </option>
      ))}
    </select>
  );
  const setSingle = (k: SingleTarget) => (v: string) => setMapping((m) => (m ? { ...m, single: { ...m.single, [k]: v } } : m));
  const otherErrors =
    run?.error &&
    !Object.keys(serverErrors).some((k) => k === 'query.name' || k.startsWith('mapping') || k === 'body')
      ? problemMessage(run.error, t)
      : null;

  return (
    <div class="import" data-testid="import">
      <h4 class="section-title">{t('import.title')}</h4>
      <form class="form-grid" onSubmit={submit} noValidate data-testid="import-form">
        <Field label={t('import.file')} hint={t('import.fileHint')} error={headError ?? fe.body}>
          {(a) => <input {...a} ref={fileInput} type="file" name="file" accept=".csv,.txt,.tsv,text/csv" onChange={pickFile} disabled={busy} />}
        </Field>
        <Field label={t('import.listName')} error={fe['query.name']}>
          {(a) => (
            <input {...a} name="listName" maxLength={120} value={listName} onInput={(e) => setListName(e.currentTarget.value)} disabled={busy} />
          )}
        </Field>

        {head && mapping && (
          <div class="span-2" data-testid="import-mapping">
            <p class="muted small" data-testid="import-detected">
              {t('import.detected', {
                columns: header.length,
                encoding: head.encoding === 'utf-8' ? 'UTF-8' : 'Windows-1251',
                delimiter: head.delimiter === 'tab' ? t('import.tab') : `«${head.delimiter}»`,
              })}
            </p>
            {head.sample.length > 0 && (
              <div class="table-wrap">
                <table class="table csv-preview" data-testid="import-preview">
                  <caption class="sr-only">{t('import.preview')}</caption>
                  <thead>
                    <tr>
                      {header.map((h, i) => (
                        <th key={i} scope="col">
                          {h || t('import.columnN', { n: i + 1 })}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {head.sample.map((row, r) => (
                      <tr key={r}>
                        {header.map((_, i) => (
                          <td key={i} title={row[i] ?? ''}>
                            {row[i] ?? ''}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <div class="mapping-grid">
              {singleTargets.map((k) => (
                <Field key={k} label={t(`import.map.${k}`)} error={errorsUnder(fe, `mapping.${k}`)}>
                  {(a) => columnOptions(mapping.single[k], setSingle(k), a, `map-${k}`)}
                </Field>
              ))}
            </div>
            <h5 class="fieldset-title">{t('import.map.phones')}</h5>
            {mapping.phones.map((p, i) => (
              <div class="mapping-row" key={i}>
                <Field label={t('import.map.phoneN', { n: i + 1 })} error={fe[`mapping.phones.${i}`]}>
                  {(a) =>
                    columnOptions(p, (v) => setMapping((m) => (m ? { ...m, phones: m.phones.map((x, j) => (j === i ? v : x)) } : m)), a, `map-phone-${i}`)
                  }
                </Field>
                {mapping.phones.length > 1 && (
                  <button
                    type="button"
                    class="btn btn--small btn--ghost"
                    disabled={busy}
                    onClick={() => setMapping((m) => (m ? { ...m, phones: m.phones.filter((_, j) => j !== i) } : m))}
                  >
                    {t('import.remove')}
                  </button>
                )}
              </div>
            ))}
            {(fe['mapping.phones'] || fe['mapping']) && (
              <small class="field__error" data-testid="field-error">
                {fe['mapping.phones'] ?? fe['mapping']}
              </small>
            )}
            {mapping.phones.length < MAX_PHONES && (
              <button
                type="button"
                class="btn btn--small"
                disabled={busy}
                onClick={() => setMapping((m) => (m ? { ...m, phones: [...m.phones, ''] } : m))}
                data-testid="import-add-phone"
              >
                {t('import.addPhone')}
              </button>
            )}
            <h5 class="fieldset-title">{t('import.map.fields')}</h5>
            <p class="muted small">{t('import.map.fieldsHint')}</p>
            {mapping.fields.map((f, i) => (
              <div class="mapping-row" key={i} data-testid="import-field-row">
                <Field label={t('import.fieldKey')} error={fe[`fieldRow.${i}`] ?? errorsUnder(fe, `mapping.fields.${f.key.trim()}`)}>
                  {(a) => (
                    <input
                      {...a}
                      name={`field-key-${i}`}
                      maxLength={40}
                      placeholder="budget"
                      value={f.key}
                      disabled={busy}
                      onInput={(e) => {
                        const key = e.currentTarget.value;
                        setMapping((m) => (m ? { ...m, fields: m.fields.map((x, j) => (j === i ? { ...x, key } : x)) } : m));
                      }}
                    />
                  )}
                </Field>
                <Field label={t('import.fieldColumn')}>
                  {(a) =>
                    columnOptions(
                      f.column,
                      (column) => setMapping((m) => (m ? { ...m, fields: m.fields.map((x, j) => (j === i ? { ...x, column } : x)) } : m)),
                      a,
                      `field-column-${i}`,
                    )
                  }
                </Field>
                <button
                  type="button"
                  class="btn btn--small btn--ghost"
                  disabled={busy}
                  onClick={() => setMapping((m) => (m ? { ...m, fields: m.fields.filter((_, j) => j !== i) } : m))}
                >
                  {t('import.remove')}
                </button>
              </div>
            ))}
            <button
              type="button"
              class="btn btn--small"
              disabled={busy}
              onClick={() => setMapping((m) => (m ? { ...m, fields: [...m.fields, { key: '', column: '' }] } : m))}
              data-testid="import-add-field"
            >
              {t('import.addField')}
            </button>
          </div>
        )}

        <div class="form-actions">
          <FormError message={otherErrors} />
          <button type="submit" class="btn btn--primary" disabled={!head || busy} data-testid="import-submit">
            {run?.stage === 'uploading' ? t('import.uploading') : t('import.submit')}
          </button>
        </div>
      </form>

      {run && <ImportProgress run={run} />}

      {run?.job && run.stage !== 'uploading' && run.stage !== 'saving' && (
        <div data-testid="import-result">
          {run.job.status === 'failed' && <FormError message={t('import.saveFailed', { error: run.job.error ?? '' })} />}
          <dl class="import-counts" data-testid="import-counts">
            {(['total', 'imported', 'duplicates', 'invalid', 'dnc', 'skipped'] as const).map((k) => (
              <div key={k}>
                <dt>{t(`import.count.${k}`)}</dt>
                <dd data-testid={`import-count-${k}`}>{run.job![k].toLocaleString(locale === 'ru' ? 'ru-RU' : 'en-GB')}</dd>
              </div>
            ))}
          </dl>
          {rejects.length > 0 && (
            <>
              <h5 class="fieldset-title">{t('import.rejects.title')}</h5>
              <div class="table-wrap">
                <table class="table" data-testid="import-rejects">
                  <thead>
                    <tr>
                      <th scope="col" class="num">
                        {t('import.rejects.line')}
                      </th>
                      <th scope="col">{t('import.rejects.kind')}</th>
                      <th scope="col">{t('import.rejects.reason')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rejects.map((r) => (
                      <tr key={r.line} data-testid="import-reject" data-line={r.line} data-kind={r.kind}>
                        <td class="num">{r.line}</td>
                        <td>{kindLabel(r.kind, t)}</td>
                        <td class="break">{rejectReason(r.reason, t)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {rejectsCursor && (
                <div class="load-more">
                  <button type="button" class="btn" disabled={moreBusy} onClick={() => void loadMoreRejects()}>
                    {moreBusy ? t('common.loading') : t('common.loadMore')}
                  </button>
                </div>
              )}
              <p>
                <a href={run.job.rejectsUrl} download class="btn btn--small" data-testid="import-rejects-link">
                  {t('import.rejects.download')}
                </a>
              </p>
            </>
          )}
          <button type="button" class="btn btn--small" onClick={startOver} data-testid="import-again">
            {t('import.again')}
          </button>
        </div>
      )}
    </div>
  );
}

function ImportProgress({ run }: { run: Run }) {
  const { t } = useI18n();
  const job = run.job;
  const saved = run.steps ? Math.floor((run.steps.done / run.steps.of) * 100) : null;
  const percent = run.stage === 'uploading' ? (run.size ? Math.min(99, Math.floor((run.sent / run.size) * 100)) : 0) : run.stage === 'saving' ? saved : 100;
  const label =
    run.stage === 'uploading'
      ? run.read
        ? t('import.progress.readingRows', { percent: percent ?? 0, rows: run.read })
        : t('import.progress.reading', { percent: percent ?? 0 })
      : run.stage === 'saving'
        ? t('import.progress.saving', { rows: job?.total ?? 0 }) + (saved === null ? '' : ` — ${saved}%`)
        : run.stage === 'done'
          ? t('import.progress.done', { imported: job?.imported ?? 0, total: job?.total ?? 0 })
          : t('import.progress.failed');
  return (
    <div class={`import-progress import-progress--${run.stage}`} data-testid="import-progress" data-stage={run.stage}>
      <div
        class="import-progress__bar"
        role="progressbar"
        aria-label={t('import.progress.label')}
        aria-valuemin={0}
        aria-valuemax={100}
        {...(percent === null ? {} : { 'aria-valuenow': percent })}
        aria-valuetext={label}
      >
        <div
          class={`import-progress__fill${percent === null ? ' import-progress__fill--indeterminate' : ''}`}
          style={percent === null ? undefined : { width: `${run.stage === 'failed' ? 100 : percent}%` }}
        />
      </div>
      <div class="import-progress__label" role="status" data-testid="import-progress-label">
        {label}
      </div>
    </div>
  );
}
