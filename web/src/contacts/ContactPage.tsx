import { useEffect, useState } from 'preact/hooks';
import type { Contact } from '../api/types';
import { useI18n } from '../i18n';
import { Link } from '../router/router';
import { useSession } from '../session/session';
import { FormError } from '../ui/Field';
import { problemMessage } from '../ui/errors';
import { formatDateTime } from '../ui/format';
import { getContact } from './api';

/** One contact's card: phones, owners, first-touch source. */
export function ContactPage({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  const [contact, setContact] = useState<Contact | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    setContact(null);
    setError(null);
    getContact(id).then(setContact, setError);
  }, [id]);

  const row = (label: string, value: string | null | undefined) => (
    <>
      <dt>{label}</dt>
      <dd>{value || <span class="muted">—</span>}</dd>
    </>
  );

  return (
    <section class="panel" data-testid="contact-page">
      <p class="back-link">
        <Link href="/">← {t('nav.home')}</Link>
      </p>
      <FormError message={error ? problemMessage(error, t) : null} />
      {!contact && !error && <p class="muted">{t('common.loading')}</p>}
      {contact && (
        <>
          <h1>
            {contact.name} <span class={`tag tag--${contact.status}`}>{t(`contact.status.${contact.status}`)}</span>
          </h1>
          <dl class="details">
            {row(t('contacts.form.company'), contact.company)}
            <dt>{t('contacts.col.phones')}</dt>
            <dd>
              {contact.phones.length
                ? contact.phones.map((p) => (
                    <div key={p}>
                      <a href={`tel:${p}`}>{p}</a>
                    </div>
                  ))
                : '—'}
            </dd>
            {row(t('contacts.form.email'), contact.email)}
            {row(t('contacts.form.taxId'), contact.taxId)}
            {row(t('contact.hunter'), contact.hunter?.name)}
            {row(t('contact.accountManager'), contact.accountManager?.name)}
            {row(t('contacts.col.source'), contact.source?.name)}
            {row(t('contact.firstTouch'), formatDateTime(contact.firstTouchAt, locale, tz))}
            {row(t('contacts.form.notes'), contact.notes)}
          </dl>
        </>
      )}
    </section>
  );
}
