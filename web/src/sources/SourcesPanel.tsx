import { useState } from 'preact/hooks';
import type { TargetedEvent, TargetedSubmitEvent } from 'preact';
import { sourceChannels, type SourceChannel } from '../api/types';
import { useI18n } from '../i18n';
import { Empty, LoadMore, Panel } from '../ui/bits';
import { Field, FormError, Notice } from '../ui/Field';
import { fieldErrors, problemMessage } from '../ui/errors';
import { currencyExponent, formatMoney, parseMoney } from '../ui/format';
import { usePaged } from '../ui/usePaged';
import { createSource, listSources, type NewSource } from './api';

// The service does not publish its default currency; nearly all have two decimals (kopecks, cents).
const DEFAULT_EXPONENT = 2;
const emptyForm = { name: '', channel: 'paid_search' as SourceChannel, cost: '', currency: '', utmSource: '' };

/** Marketing sources: the list and a form to add one (cost typed in currency units, sent in minor units). */
export function SourcesPanel() {
  const { t, locale } = useI18n();
  const list = usePaged('sources', (cursor) => listSources(cursor, 50));
  const [form, setForm] = useState(emptyForm);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [costError, setCostError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);

  const set = (k: keyof typeof emptyForm) => (e: TargetedEvent<HTMLInputElement | HTMLSelectElement>) =>
    setForm({ ...form, [k]: e.currentTarget.value });

  const currency = form.currency.trim().toUpperCase();

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    setCreated(null);
    setCostError(null);
    const body: NewSource = { name: form.name.trim(), channel: form.channel };
    if (form.cost.trim()) {
      const minor = parseMoney(form.cost, currency ? currencyExponent(currency) : DEFAULT_EXPONENT);
      if (minor === null) {
        setCostError(t('sources.form.badCost'));
        return;
      }
      body.monthlyCost = minor;
    }
    if (currency) body.currency = currency;
    if (form.utmSource.trim()) body.utmSource = form.utmSource.trim();
    setBusy(true);
    try {
      const s = await createSource(body);
      list.upsert(s, 'end');
      setCreated(s.name);
      setForm({ ...emptyForm, channel: form.channel, currency: form.currency });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const fe = fieldErrors(error);
  const shown = ['name', 'channel', 'monthlyCost', 'currency', 'utmSource'];
  return (
    <Panel title={t('sources.title')} testId="sources">
      <FormError message={list.error ? problemMessage(list.error, t) : null} />
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="sources-table">
            <thead>
              <tr>
                <th scope="col">{t('sources.col.name')}</th>
                <th scope="col">{t('sources.col.channel')}</th>
                <th scope="col" class="num">
                  {t('sources.col.cost')}
                </th>
                <th scope="col">{t('sources.col.utm')}</th>
                <th scope="col">{t('sources.col.active')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((s) => (
                <tr key={s.id} data-testid="source-row" class={s.active ? '' : 'is-inactive'}>
                  <td>{s.name}</td>
                  <td>{t(`channel.${s.channel}`)}</td>
                  <td class="num nowrap">{formatMoney(s.monthlyCost, s.currency, locale)}</td>
                  <td class="break">{s.utmSource ?? '—'}</td>
                  <td>{s.active ? t('common.yes') : t('common.no')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!list.loading && !list.error && list.items.length === 0 && <Empty text={t('sources.none')} />}
      <LoadMore visible={list.hasMore} loading={list.loading} onClick={list.loadMore} />

      <h3 class="section-title">{t('sources.form.title')}</h3>
      <form class="form-grid form-grid--4" onSubmit={submit} noValidate data-testid="source-form">
        <Field label={t('sources.form.name')} error={fe.name}>
          {(a) => <input {...a} required maxLength={200} value={form.name} onInput={set('name')} />}
        </Field>
        <Field label={t('sources.form.channel')} error={fe.channel}>
          {(a) => (
            <select {...a} value={form.channel} onChange={set('channel')}>
              {sourceChannels.map((c) => (
                <option key={c} value={c}>
                  {t(`channel.${c}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('sources.form.cost')} hint={t('sources.form.costHint')} error={costError ?? fe.monthlyCost}>
          {(a) => <input {...a} inputMode="decimal" value={form.cost} onInput={set('cost')} />}
        </Field>
        <Field label={t('sources.form.currency')} hint={t('sources.form.currencyHint')} error={fe.currency}>
          {(a) => <input {...a} maxLength={3} class="upper" placeholder="RUB" value={form.currency} onInput={set('currency')} />}
        </Field>
        <Field label={t('sources.form.utm')} hint={t('sources.form.utmHint')} error={fe.utmSource}>
          {(a) => <input {...a} name="utmSource" maxLength={200} placeholder="yandex" value={form.utmSource} onInput={set('utmSource')} />}
        </Field>
        <div class="form-actions">
          <FormError message={error && !Object.keys(fe).some((k) => shown.includes(k)) ? problemMessage(error, t) : null} />
          <Notice message={created ? t('sources.form.created', { name: created }) : null} />
          <button type="submit" class="btn btn--primary" disabled={busy}>
            {busy ? t('common.saving') : t('sources.form.submit')}
          </button>
        </div>
      </form>
    </Panel>
  );
}
