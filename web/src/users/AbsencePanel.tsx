import { useEffect, useState } from 'preact/hooks';
import type { TargetedEvent, TargetedSubmitEvent } from 'preact';
import { ApiError } from '../api/client';
import { absenceReasons, type Absence, type AbsenceReason, type User } from '../api/types';
import { useI18n } from '../i18n';
import { Field, FormError, Notice } from '../ui/Field';
import { fieldErrors, problemMessage } from '../ui/errors';
import { formatDateTime, zonedInputToIso } from '../ui/format';
import { addAbsence, deleteAbsence, listAbsences } from './api';

/** Records a vacation / sick leave for one user and lists the periods already recorded. */
export function AbsencePanel({ user, onClose }: { user: User; onClose: () => void }) {
  const { t, locale } = useI18n();
  // Periods are entered and shown in the employee's own time zone.
  const tz = user.timezone;
  const [form, setForm] = useState({ from: '', to: '', reason: 'vacation' as AbsenceReason, note: '' });
  const [items, setItems] = useState<Absence[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    listAbsences(user.id).then((r) => setItems(r.items), setError);
  }, [user.id]);

  const set = (k: keyof typeof form) => (e: TargetedEvent<HTMLInputElement | HTMLSelectElement>) =>
    setForm({ ...form, [k]: e.currentTarget.value });

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const from = zonedInputToIso(form.from, tz);
    const to = zonedInputToIso(form.to, tz);
    if (!from || !to) {
      setError(localError(!from ? 'from' : 'to', t('absence.dateRequired')));
      return;
    }
    setBusy(true);
    try {
      const a = await addAbsence(user.id, { from, to, reason: form.reason, ...(form.note.trim() ? { note: form.note.trim() } : {}) });
      setItems((prev) => [a, ...(prev ?? [])]);
      setForm({ from: '', to: '', reason: form.reason, note: '' });
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (a: Absence) => {
    setError(null);
    try {
      await deleteAbsence(user.id, a.id);
      setItems((prev) => (prev ?? []).filter((x) => x.id !== a.id));
    } catch (err) {
      setError(err);
    }
  };

  const fe = fieldErrors(error);
  return (
    <div class="subpanel" data-testid="absence-panel">
      <div class="subpanel__head">
        <h3>{t('absence.title', { name: user.name })}</h3>
        <button type="button" class="btn btn--ghost btn--small" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      <p class="muted small">{t('absence.zone', { zone: tz })}</p>
      <form class="form-grid" onSubmit={submit} noValidate>
        <Field label={t('absence.from')} error={fe.from}>
          {(a) => <input {...a} type="datetime-local" required value={form.from} onInput={set('from')} />}
        </Field>
        <Field label={t('absence.to')} error={fe.to}>
          {(a) => <input {...a} type="datetime-local" required value={form.to} onInput={set('to')} />}
        </Field>
        <Field label={t('absence.reason')} error={fe.reason}>
          {(a) => (
            <select {...a} value={form.reason} onChange={set('reason')}>
              {absenceReasons.map((r) => (
                <option key={r} value={r}>
                  {t(`absence.reason.${r}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('absence.note')} error={fe.note}>
          {(a) => <input {...a} maxLength={500} value={form.note} onInput={set('note')} />}
        </Field>
        <div class="form-actions">
          <FormError message={error && !Object.keys(fe).length ? problemMessage(error, t) : null} />
          <Notice message={saved ? t('absence.saved') : null} />
          <button type="submit" class="btn btn--primary" disabled={busy}>
            {t('absence.submit')}
          </button>
        </div>
      </form>
      <h4>{t('absence.list')}</h4>
      {items === null && !error && <p class="muted">{t('common.loading')}</p>}
      {items?.length === 0 && <p class="muted">{t('absence.none')}</p>}
      {items && items.length > 0 && (
        <ul class="absence-list">
          {items.map((a) => (
            <li key={a.id}>
              <span>
                {formatDateTime(a.from, locale, tz)} – {formatDateTime(a.to, locale, tz)}
              </span>
              <span class="tag">{t(`absence.reason.${a.reason}`)}</span>
              {a.note && <span class="muted">{a.note}</span>}
              <button type="button" class="btn btn--ghost btn--small" onClick={() => void remove(a)}>
                {t('absence.delete')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A client-side check shaped like the service's validation problem, so it renders the same way. */
function localError(path: string, message: string) {
  return new ApiError({ type: 'about:blank', title: '', status: 400, detail: message, code: 'validation_failed', errors: [{ path, message }] });
}
