import { useEffect, useMemo, useState } from 'preact/hooks';
import type { TargetedEvent, TargetedSubmitEvent } from 'preact';
import type { Source, User } from '../api/types';
import { useI18n } from '../i18n';
import { listSources } from '../sources/api';
import { Field, FormError } from '../ui/Field';
import { fieldErrors, problemMessage } from '../ui/errors';
import { createCampaign, listOperators, retryKinds, updateCampaign, weekdays, type Campaign, type CampaignBody, type CampaignStatus } from './adminApi';

interface FormState {
  name: string;
  status: CampaignStatus;
  priority: string;
  callerId: string;
  sourceId: string;
  start: string;
  end: string;
  days: number[];
  maxAttempts: string;
  no_answer: string;
  busy: string;
  voicemail: string;
  operatorIds: string[];
}

// The service's defaults for a new campaign.
const blank: FormState = {
  name: '',
  status: 'paused',
  priority: '0',
  callerId: '',
  sourceId: '',
  start: '09:00',
  end: '21:00',
  days: [1, 2, 3, 4, 5],
  maxAttempts: '5',
  no_answer: '120',
  busy: '15',
  voicemail: '240',
  operatorIds: [],
};

const fromCampaign = (c: Campaign): FormState => ({
  name: c.name,
  status: c.status,
  priority: String(c.priority),
  callerId: c.callerId ?? '',
  sourceId: c.source?.id ?? '',
  start: c.window.start,
  end: c.window.end,
  days: [...c.window.days],
  maxAttempts: String(c.maxAttempts),
  no_answer: String(c.retryMinutes.no_answer),
  busy: String(c.retryMinutes.busy),
  voicemail: String(c.retryMinutes.voicemail),
  operatorIds: c.operators.map((o) => o.id),
});

/** Empty stays null (the service then names the field); anything else is sent as typed. */
const num = (s: string): number | null => (s.trim() === '' ? null : Number(s.trim()));

/** Errors on `path` and anything under it (`window.days.0`, `operatorIds.3`), joined. */
export function errorsUnder(fe: Record<string, string>, path: string): string | undefined {
  const list = Object.entries(fe)
    .filter(([k]) => k === path || k.startsWith(`${path}.`))
    .map(([, v]) => v);
  return list.length ? list.join('; ') : undefined;
}

const formPaths = ['name', 'status', 'priority', 'callerId', 'sourceId', 'window', 'maxAttempts', 'retryMinutes', 'operatorIds'];

/** Creates a campaign or edits one: everything the dialer needs to know about it. */
export function CampaignForm({ campaign, onSaved, onCancel }: { campaign: Campaign | null; onSaved: (c: Campaign) => void; onCancel?: () => void }) {
  const { t, locale } = useI18n();
  const [form, setForm] = useState<FormState>(campaign ? fromCampaign(campaign) : blank);
  const [sources, setSources] = useState<Source[]>([]);
  const [operators, setOperators] = useState<User[] | null>(null);
  const [refsError, setRefsError] = useState<unknown>(null);
  const [opFilter, setOpFilter] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => setForm(campaign ? fromCampaign(campaign) : blank), [campaign?.id]);

  const loadSources = () =>
    listSources(null, 200)
      .then((p) => setSources(p.items))
      .catch(setRefsError);
  useEffect(() => {
    void loadSources();
    listOperators().then(setOperators, setRefsError);
  }, []);

  const dayNames = useMemo(() => {
    const fmt = new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { weekday: 'short', timeZone: 'UTC' });
    // 2024-01-01 was a Monday: ISO weekday d is January d.
    return Object.fromEntries(weekdays.map((d) => [d, fmt.format(new Date(Date.UTC(2024, 0, d)))]));
  }, [locale]);

  const set = (k: keyof FormState) => (e: TargetedEvent<HTMLInputElement | HTMLSelectElement>) => setForm({ ...form, [k]: e.currentTarget.value });
  const toggleDay = (d: number) =>
    setForm((f) => ({ ...f, days: f.days.includes(d) ? f.days.filter((x) => x !== d) : [...f.days, d].sort((a, b) => a - b) }));
  const toggleOperator = (id: string) =>
    setForm((f) => ({ ...f, operatorIds: f.operatorIds.includes(id) ? f.operatorIds.filter((x) => x !== id) : [...f.operatorIds, id] }));

  // Operators already on the campaign stay listed even when they are no longer active.
  const pickable = useMemo(() => {
    const all: Array<{ id: string; name: string; email?: string }> = [...(operators ?? [])];
    for (const o of campaign?.operators ?? []) if (!all.some((a) => a.id === o.id)) all.push(o);
    const q = opFilter.trim().toLowerCase();
    return all
      .filter((o) => !q || o.name.toLowerCase().includes(q) || (o.email ?? '').toLowerCase().includes(q) || form.operatorIds.includes(o.id))
      .sort((a, b) => a.name.localeCompare(b.name, locale));
  }, [operators, campaign, opFilter, form.operatorIds, locale]);

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    const body: CampaignBody = {
      name: form.name.trim(),
      status: form.status,
      priority: num(form.priority),
      callerId: form.callerId.trim() || null,
      sourceId: form.sourceId || null,
      window: { start: form.start, end: form.end, days: form.days },
      maxAttempts: num(form.maxAttempts),
      retryMinutes: { no_answer: num(form.no_answer), busy: num(form.busy), voicemail: num(form.voicemail) },
      operatorIds: form.operatorIds,
    };
    setBusy(true);
    try {
      onSaved(campaign ? await updateCampaign(campaign.id, body) : await createCampaign(body));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const fe = fieldErrors(error);
  const unplaced = error && !Object.keys(fe).some((k) => formPaths.some((p) => k === p || k.startsWith(`${p}.`)));
  return (
    <form class="form-grid form-grid--4" onSubmit={submit} noValidate data-testid="campaign-form">
      <FormError message={refsError ? problemMessage(refsError, t) : null} />
      <Field label={t('campaigns.form.name')} error={fe.name} class="span-2">
        {(a) => <input {...a} name="name" required maxLength={120} value={form.name} onInput={set('name')} />}
      </Field>
      <Field label={t('campaigns.form.status')} error={fe.status}>
        {(a) => (
          <select {...a} name="status" value={form.status} onChange={set('status')}>
            <option value="active">{t('campaigns.status.active')}</option>
            <option value="paused">{t('campaigns.status.paused')}</option>
          </select>
        )}
      </Field>
      <Field label={t('campaigns.form.priority')} hint={t('campaigns.form.priorityHint')} error={fe.priority}>
        {(a) => <input {...a} name="priority" type="number" min={0} max={100} step={1} value={form.priority} onInput={set('priority')} />}
      </Field>
      <Field label={t('campaigns.form.callerId')} hint={t('campaigns.form.callerIdHint')} error={fe.callerId}>
        {(a) => <input {...a} name="callerId" type="tel" maxLength={32} value={form.callerId} onInput={set('callerId')} />}
      </Field>
      <Field label={t('campaigns.form.source')} hint={t('campaigns.form.sourceHint')} error={fe.sourceId}>
        {(a) => (
          <select {...a} name="sourceId" value={form.sourceId} onChange={set('sourceId')} onFocus={() => void loadSources()}>
            <option value="">{t('campaigns.form.noSource')}</option>
            {sources
              .filter((s) => s.active || s.id === form.sourceId)
              .map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            {campaign?.source && !sources.some((s) => s.id === campaign.source!.id) && <option value={campaign.source.id}>{campaign.source.name}</option>}
          </select>
        )}
      </Field>
      <Field label={t('campaigns.form.maxAttempts')} error={fe.maxAttempts}>
        {(a) => <input {...a} name="maxAttempts" type="number" min={1} max={50} step={1} value={form.maxAttempts} onInput={set('maxAttempts')} />}
      </Field>

      <h4 class="fieldset-title">{t('campaigns.form.window')}</h4>
      <Field label={t('campaigns.form.windowStart')} error={fe['window.start']}>
        {(a) => <input {...a} name="windowStart" type="time" value={form.start} onInput={set('start')} />}
      </Field>
      <Field label={t('campaigns.form.windowEnd')} hint={t('campaigns.form.windowHint')} error={fe['window.end']}>
        {(a) => <input {...a} name="windowEnd" type="time" value={form.end} onInput={set('end')} />}
      </Field>
      <div class={`field span-2${errorsUnder(fe, 'window.days') ? ' field--invalid' : ''}`} role="group" aria-label={t('campaigns.form.days')}>
        <span class="field__legend">{t('campaigns.form.days')}</span>
        <div class="weekday-picks" data-testid="campaign-days">
          {weekdays.map((d) => (
            <label key={d} class="toggle">
              <input type="checkbox" name="day" value={d} checked={form.days.includes(d)} onChange={() => toggleDay(d)} />
              <span>{dayNames[d]}</span>
            </label>
          ))}
        </div>
        {errorsUnder(fe, 'window.days') && (
          <small class="field__error" data-testid="field-error">
            {errorsUnder(fe, 'window.days')}
          </small>
        )}
      </div>
      {fe.window && <FormError message={fe.window} />}

      <h4 class="fieldset-title">{t('campaigns.form.retry')}</h4>
      {retryKinds.map((k) => (
        <Field key={k} label={t(`campaigns.retry.${k}`)} error={errorsUnder(fe, `retryMinutes.${k}`)}>
          {(a) => <input {...a} name={`retry_${k}`} type="number" min={1} max={10080} step={1} value={form[k]} onInput={set(k)} />}
        </Field>
      ))}
      <div class="field">{fe.retryMinutes && <small class="field__error">{fe.retryMinutes}</small>}</div>

      <div class={`field span-all${errorsUnder(fe, 'operatorIds') ? ' field--invalid' : ''}`}>
        <label for="campaign-op-filter">{t('campaigns.form.operators', { n: form.operatorIds.length })}</label>
        <input
          id="campaign-op-filter"
          type="search"
          placeholder={t('campaigns.form.operatorsFilter')}
          value={opFilter}
          onInput={(e) => setOpFilter(e.currentTarget.value)}
        />
        {operators === null && !refsError ? (
          <p class="muted small">{t('common.loading')}</p>
        ) : pickable.length === 0 ? (
          <p class="muted small">{t('campaigns.form.noOperators')}</p>
        ) : (
          <div class="operator-picks" data-testid="campaign-operators">
            {pickable.map((o) => (
              <label key={o.id} class="toggle" data-testid="campaign-operator">
                <input type="checkbox" value={o.id} checked={form.operatorIds.includes(o.id)} onChange={() => toggleOperator(o.id)} />
                <span>{o.name}</span>
              </label>
            ))}
          </div>
        )}
        {errorsUnder(fe, 'operatorIds') && (
          <small class="field__error" data-testid="field-error">
            {errorsUnder(fe, 'operatorIds')}
          </small>
        )}
      </div>

      <div class="form-actions">
        <FormError message={unplaced ? problemMessage(error, t) : error ? t('errors.validation') : null} />
        <div class="search-row">
          <button type="submit" class="btn btn--primary" disabled={busy} data-testid="campaign-save">
            {busy ? t('common.saving') : campaign ? t('campaigns.form.save') : t('campaigns.form.create')}
          </button>
          {onCancel && (
            <button type="button" class="btn" onClick={onCancel}>
              {t('common.cancel')}
            </button>
          )}
        </div>
      </div>
    </form>
  );
}
