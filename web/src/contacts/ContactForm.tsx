import { useEffect, useState } from 'preact/hooks';
import type { TargetedEvent, TargetedSubmitEvent } from 'preact';
import type { Contact, Source } from '../api/types';
import { useI18n } from '../i18n';
import { Link } from '../router/router';
import { listSources } from '../sources/api';
import { Panel } from '../ui/bits';
import { Field, FormError } from '../ui/Field';
import { fieldErrors, problemMessage, problemOf } from '../ui/errors';
import { createContact, getContact, type NewContact } from './api';

const empty = { name: '', company: '', phones: '', email: '', taxId: '', notes: '', sourceId: '' };

/** New contact: phones one per line; each bad line is named; a taken phone links to its contact. */
export function ContactForm({ onCreated }: { onCreated?: (c: Contact) => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState(empty);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [existing, setExisting] = useState<{ id: string; name: string | null } | null>(null);
  const [created, setCreated] = useState<Contact | null>(null);
  const [sources, setSources] = useState<Source[]>([]);

  useEffect(() => {
    listSources(null)
      .then((p) => setSources(p.items.filter((s) => s.active)))
      .catch(() => setSources([]));
  }, []);

  const set = (k: keyof typeof empty) => (e: TargetedEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
    setForm({ ...form, [k]: e.currentTarget.value });

  const phoneLines = form.phones.split('\n').map((l) => l.trim());
  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setExisting(null);
    setCreated(null);
    const body: NewContact = { name: form.name.trim(), phones: phoneLines.filter(Boolean) };
    if (form.company.trim()) body.company = form.company.trim();
    if (form.email.trim()) body.email = form.email.trim();
    if (form.taxId.trim()) body.taxId = form.taxId.trim();
    if (form.notes.trim()) body.notes = form.notes.trim();
    if (form.sourceId) body.sourceId = form.sourceId;
    try {
      const c = await createContact(body);
      setCreated(c);
      setForm(empty);
      onCreated?.(c);
    } catch (err) {
      setError(err);
      const p = problemOf(err);
      const id = p?.status === 409 && typeof p.existingContactId === 'string' ? p.existingContactId : null;
      if (id) {
        setExisting({ id, name: null });
        getContact(id)
          .then((c) => setExisting({ id, name: c.name }))
          .catch(() => {});
      }
    } finally {
      setBusy(false);
    }
  };

  const fe = fieldErrors(error);
  // The service numbers phones by position in what was sent (blank lines dropped): map back to textarea lines.
  const sentLines = phoneLines.flatMap((l, i) => (l ? [i + 1] : []));
  const phoneError = Object.entries(fe)
    .filter(([k]) => k === 'phones' || k.startsWith('phones.'))
    .map(([k, msg]) => {
      const line = sentLines[Number(k.split('.')[1])];
      return line ? t('contacts.form.phoneLine', { line, message: msg }) : msg;
    })
    .join('; ');
  const status = problemOf(error)?.status;

  return (
    <Panel title={t('contacts.form.title')} testId="contact-form">
      <form class="form-grid" onSubmit={submit} noValidate>
        <Field label={t('contacts.form.name')} error={fe.name}>
          {(a) => <input {...a} required maxLength={200} value={form.name} onInput={set('name')} />}
        </Field>
        <Field label={t('contacts.form.company')} error={fe.company}>
          {(a) => <input {...a} maxLength={200} value={form.company} onInput={set('company')} />}
        </Field>
        <Field label={t('contacts.form.phones')} hint={t('contacts.form.phonesHint')} error={status === 409 ? undefined : phoneError || undefined} class="span-2">
          {(a) => <textarea {...a} rows={3} value={form.phones} onInput={set('phones')} />}
        </Field>
        <Field label={t('contacts.form.email')} error={fe.email}>
          {(a) => <input {...a} type="email" maxLength={254} value={form.email} onInput={set('email')} />}
        </Field>
        <Field label={t('contacts.form.taxId')} error={fe.taxId}>
          {(a) => <input {...a} maxLength={20} value={form.taxId} onInput={set('taxId')} />}
        </Field>
        <Field label={t('contacts.form.source')} error={fe.sourceId}>
          {(a) => (
            <select {...a} value={form.sourceId} onChange={set('sourceId')}>
              <option value="">{t('contacts.form.noSource')}</option>
              {sources.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('contacts.form.notes')} error={fe.notes} class="span-2">
          {(a) => <textarea {...a} rows={2} maxLength={5000} value={form.notes} onInput={set('notes')} />}
        </Field>
        <div class="span-2">
          {status === 409 ? (
            <div class="alert alert--error" role="alert" data-testid="contact-conflict">
              {t('contacts.form.conflict')}{' '}
              {existing ? <Link href={`/contacts/${existing.id}`}>{existing.name ?? existing.id}</Link> : problemMessage(error, t)}
            </div>
          ) : (
            <FormError message={error ? problemMessage(error, t) : null} />
          )}
          {created && (
            <div class="alert alert--ok" role="status" data-testid="contact-created">
              {t('contacts.form.created')} <Link href={`/contacts/${created.id}`}>{created.name}</Link>
            </div>
          )}
          <button type="submit" class="btn btn--primary" disabled={busy}>
            {busy ? t('common.saving') : t('contacts.form.submit')}
          </button>
        </div>
      </form>
    </Panel>
  );
}
