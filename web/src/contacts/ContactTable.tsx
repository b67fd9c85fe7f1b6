import type { Contact } from '../api/types';
import { useI18n } from '../i18n';
import { Link } from '../router/router';
import { formatDateTime } from '../ui/format';

/** Contacts as a table: name and company, phones and e-mail, status, owners, source, creation time. */
export function ContactTable({ items, timeZone }: { items: Contact[]; timeZone?: string | undefined }) {
  const { t, locale } = useI18n();
  return (
    <div class="table-wrap">
      <table class="table" data-testid="contact-table">
        <thead>
          <tr>
            <th scope="col">{t('contacts.col.name')}</th>
            <th scope="col">{t('contacts.col.phones')}</th>
            <th scope="col">{t('contacts.col.status')}</th>
            <th scope="col">{t('contacts.col.owners')}</th>
            <th scope="col">{t('contacts.col.source')}</th>
            <th scope="col">{t('contacts.col.created')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id} data-testid="contact-row">
              <td>
                <Link href={`/contacts/${c.id}`}>{c.name}</Link>
                {c.company && <div class="muted small">{c.company}</div>}
              </td>
              <td class="nowrap">
                {c.phones.map((p) => (
                  <div key={p}>
                    <a href={`tel:${p}`}>{p}</a>
                  </div>
                ))}
                {c.email && <div class="muted small">{c.email}</div>}
              </td>
              <td>
                <span class={`tag tag--${c.status}`}>{t(`contact.status.${c.status}`)}</span>
              </td>
              <td class="small">
                {c.hunter && <div>{t('contacts.hunter', { name: c.hunter.name })}</div>}
                {c.accountManager && <div>{t('contacts.accountManager', { name: c.accountManager.name })}</div>}
                {!c.hunter && !c.accountManager && <span class="muted">—</span>}
              </td>
              <td class="small">{c.source?.name ?? <span class="muted">—</span>}</td>
              <td class="small nowrap">{formatDateTime(c.createdAt, locale, timeZone)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
