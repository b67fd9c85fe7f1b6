import { useEffect, useState } from 'preact/hooks';
import type { TargetedEvent, TargetedSubmitEvent } from 'preact';
import { trackingKinds, type Source, type TrackingKind, type TrackingNumber } from '../api/types';
import { useI18n } from '../i18n';
import { listSources } from '../sources/api';
import { Empty, LoadMore, Panel } from '../ui/bits';
import { Field, FormError, Notice } from '../ui/Field';
import { fieldErrors, problemMessage } from '../ui/errors';
import { formatPhone } from '../ui/format';
import { usePaged } from '../ui/usePaged';
import { createTrackingNumber, listTrackingNumbers, updateTrackingNumber } from './api';

const emptyForm = { number: '', sourceId: '', kind: 'static' as TrackingKind };

/** Tracking numbers: which source a call to each DID is credited to; list, activate/deactivate, add. */
export function TrackingNumbersPanel() {
  const { t } = useI18n();
  const list = usePaged('tracking-numbers', (cursor) => listTrackingNumbers(cursor, 50));
  const [sources, setSources] = useState<Source[]>([]);
  const [sourcesError, setSourcesError] = useState<unknown>(null);
  const [form, setForm] = useState(emptyForm);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [toggleError, setToggleError] = useState<unknown>(null);
  const [toggling, setToggling] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);

  // Sources may be added in the panel next door, so the list is refreshed whenever the select is focused.
  const loadSources = () =>
    listSources(null, 200)
      .then((page) => {
        setSources(page.items);
        setSourcesError(null);
      })
      .catch(setSourcesError);
  useEffect(() => void loadSources(), []);

  const sourceName = (id: string) => sources.find((s) => s.id === id)?.name ?? '—';

  const set = (k: keyof typeof emptyForm) => (e: TargetedEvent<HTMLInputElement | HTMLSelectElement>) =>
    setForm({ ...form, [k]: e.currentTarget.value });

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    setCreated(null);
    setBusy(true);
    try {
      const n = await createTrackingNumber({ number: form.number.trim(), sourceId: form.sourceId, kind: form.kind });
      list.upsert(n, 'end');
      setCreated(formatPhone(n.number));
      setForm({ ...emptyForm, sourceId: form.sourceId, kind: form.kind });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const toggle = async (n: TrackingNumber) => {
    setToggleError(null);
    setToggling(n.id);
    try {
      list.upsert(await updateTrackingNumber(n.id, { active: !n.active }));
    } catch (err) {
      setToggleError(err);
    } finally {
      setToggling(null);
    }
  };

  const fe = fieldErrors(error);
  const shown = ['number', 'sourceId', 'kind'];
  return (
    <Panel title={t('tracking.title')} testId="tracking-numbers">
      <FormError message={list.error ? problemMessage(list.error, t) : null} />
      <FormError message={toggleError ? problemMessage(toggleError, t) : null} />
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="tracking-table">
            <thead>
              <tr>
                <th scope="col">{t('tracking.col.number')}</th>
                <th scope="col">{t('tracking.col.source')}</th>
                <th scope="col">{t('tracking.col.kind')}</th>
                <th scope="col">{t('tracking.col.active')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((n) => (
                <tr key={n.id} data-testid="tracking-row" data-number={n.number} class={n.active ? '' : 'is-inactive'}>
                  <td class="nowrap">{formatPhone(n.number)}</td>
                  <td>{sourceName(n.sourceId)}</td>
                  <td>{t(`tracking.kind.${n.kind}`)}</td>
                  <td>
                    <label class="toggle">
                      <input
                        type="checkbox"
                        checked={n.active}
                        disabled={toggling === n.id}
                        onChange={() => void toggle(n)}
                        data-testid="tracking-active"
                        aria-label={t('tracking.toggle', { number: formatPhone(n.number) })}
                      />
                      <span>{n.active ? t('common.yes') : t('common.no')}</span>
                    </label>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!list.loading && !list.error && list.items.length === 0 && <Empty text={t('tracking.none')} />}
      <LoadMore visible={list.hasMore} loading={list.loading} onClick={list.loadMore} />

      <h3 class="section-title">{t('tracking.form.title')}</h3>
      <FormError message={sourcesError ? problemMessage(sourcesError, t) : null} />
      <form class="form-grid form-grid--4" onSubmit={submit} noValidate data-testid="tracking-form">
        <Field label={t('tracking.form.number')} hint={t('tracking.form.numberHint')} error={fe.number}>
          {(a) => <input {...a} name="number" type="tel" required maxLength={40} value={form.number} onInput={set('number')} />}
        </Field>
        <Field label={t('tracking.form.source')} error={fe.sourceId}>
          {(a) => (
            <select {...a} name="sourceId" value={form.sourceId} onChange={set('sourceId')} onFocus={() => void loadSources()}>
              <option value="">{t('tracking.form.pickSource')}</option>
              {sources
                .filter((s) => s.active || s.id === form.sourceId)
                .map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
            </select>
          )}
        </Field>
        <Field label={t('tracking.form.kind')} error={fe.kind}>
          {(a) => (
            <select {...a} name="kind" value={form.kind} onChange={set('kind')}>
              {trackingKinds.map((k) => (
                <option key={k} value={k}>
                  {t(`tracking.kind.${k}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div class="form-actions">
          <FormError message={error && !Object.keys(fe).some((k) => shown.includes(k)) ? problemMessage(error, t) : null} />
          <Notice message={created ? t('tracking.form.created', { number: created }) : null} />
          <button type="submit" class="btn btn--primary" disabled={busy}>
            {busy ? t('common.saving') : t('tracking.form.submit')}
          </button>
        </div>
      </form>
    </Panel>
  );
}
