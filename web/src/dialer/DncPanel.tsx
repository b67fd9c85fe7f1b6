import { useEffect, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { useI18n } from '../i18n';
import { Empty, LoadMore, Panel } from '../ui/bits';
import { Field, FormError, Notice } from '../ui/Field';
import { fieldErrors, problemMessage } from '../ui/errors';
import { formatDateTime, formatPhone } from '../ui/format';
import { usePaged } from '../ui/usePaged';
import { addDnc, listDnc, removeDnc, type DncRow } from './adminApi';

/** The do-not-call list: search by digits, page, add a number with a reason, take one off. */
export function DncPanel() {
  const { t, locale } = useI18n();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [phone, setPhone] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [rowError, setRowError] = useState<unknown>(null);

  // Typing pauses briefly before searching; the service matches the digits.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(q.replace(/\D/g, '')), 300);
    return () => clearTimeout(timer);
  }, [q]);
  const list = usePaged(`dnc:${query}`, (cursor) => listDnc(query, cursor));

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    setNotice(null);
    setBusy(true);
    try {
      const row = await addDnc(phone.trim(), reason.trim());
      list.upsert(row, 'start');
      setNotice(t('dnc.added', { phone: formatPhone(row.phone) }));
      setPhone('');
      setReason('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (row: DncRow) => {
    setRowError(null);
    setNotice(null);
    setRemoving(row.id);
    try {
      await removeDnc(row.phone);
      list.reload();
      setNotice(t('dnc.removed', { phone: formatPhone(row.phone) }));
    } catch (err) {
      setRowError(err);
    } finally {
      setRemoving(null);
      setConfirming(null);
    }
  };

  const fe = fieldErrors(error);
  return (
    <Panel title={t('dnc.title')} testId="dnc">
      <form class="form-grid" onSubmit={submit} noValidate data-testid="dnc-form">
        <Field label={t('dnc.form.phone')} hint={t('dnc.form.phoneHint')} error={fe.phone}>
          {(a) => <input {...a} name="phone" type="tel" required maxLength={32} value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />}
        </Field>
        <Field label={t('dnc.form.reason')} error={fe.reason}>
          {(a) => <input {...a} name="reason" maxLength={200} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
        </Field>
        <div class="form-actions">
          <FormError message={error && !fe.phone && !fe.reason ? problemMessage(error, t) : null} />
          <button type="submit" class="btn btn--primary" disabled={busy} data-testid="dnc-add">
            {busy ? t('common.saving') : t('dnc.form.submit')}
          </button>
        </div>
      </form>
      <Notice message={notice} />

      <div class="field">
        <label for="dnc-q">{t('dnc.search')}</label>
        <input id="dnc-q" type="search" inputMode="tel" value={q} placeholder={t('dnc.searchPlaceholder')} onInput={(e) => setQ(e.currentTarget.value)} data-testid="dnc-search" />
      </div>
      <FormError message={list.error ? problemMessage(list.error, t) : rowError ? problemMessage(rowError, t) : null} />
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="dnc-table">
            <thead>
              <tr>
                <th scope="col">{t('dnc.col.phone')}</th>
                <th scope="col">{t('dnc.col.reason')}</th>
                <th scope="col">{t('dnc.col.added')}</th>
                <th scope="col">
                  <span class="sr-only">{t('dnc.col.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((d) => (
                <tr key={d.id} data-testid="dnc-row" data-phone={d.phone}>
                  <td class="nowrap">{formatPhone(d.phone)}</td>
                  <td class="break">{d.reason ?? '—'}</td>
                  <td class="nowrap">{formatDateTime(d.createdAt, locale)}</td>
                  <td class="nowrap">
                    {confirming === d.id ? (
                      <>
                        <button type="button" class="btn btn--small btn--danger" disabled={removing === d.id} onClick={() => void remove(d)} data-testid="dnc-confirm-remove">
                          {t('dnc.confirmRemove')}
                        </button>{' '}
                        <button type="button" class="btn btn--small btn--ghost" onClick={() => setConfirming(null)}>
                          {t('common.cancel')}
                        </button>
                      </>
                    ) : (
                      <button
                        type="button"
                        class="btn btn--small"
                        onClick={() => setConfirming(d.id)}
                        data-testid="dnc-remove"
                        aria-label={t('dnc.removeNumber', { phone: formatPhone(d.phone) })}
                      >
                        {t('dnc.remove')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!list.loading && !list.error && list.items.length === 0 && <Empty text={query ? t('dnc.noMatch') : t('dnc.none')} />}
      <LoadMore visible={list.hasMore} loading={list.loading} onClick={list.loadMore} />
    </Panel>
  );
}
