import { useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { useI18n } from '../i18n';
import { useSession } from '../session/session';
import { Empty, LoadMore, Panel } from '../ui/bits';
import { FormError } from '../ui/Field';
import { problemMessage } from '../ui/errors';
import { usePaged } from '../ui/usePaged';
import { type ContactFilter, listContacts, searchFilter } from './api';
import { ContactTable } from './ContactTable';

/** Search the one contact base by phone (full or ≥3 digits) or by name, company, e-mail. */
export function ContactSearch() {
  const { t } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  const [text, setText] = useState('');
  const [filter, setFilter] = useState<ContactFilter | null>(null);
  const [hint, setHint] = useState<string | null>(null);
  const results = usePaged(filter ? JSON.stringify(filter) : null, (cursor) => listContacts(filter ?? {}, cursor));

  const submit = (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = searchFilter(text);
    setHint(f ? null : t('contacts.search.tooShort'));
    setFilter(f);
  };

  return (
    <Panel title={t('contacts.search.title')} testId="contact-search">
      <form class="search-row" role="search" onSubmit={submit}>
        <label class="sr-only" for="contact-search-input">
          {t('contacts.search.label')}
        </label>
        <input
          id="contact-search-input"
          type="search"
          placeholder={t('contacts.search.placeholder')}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit" class="btn btn--primary">
          {t('contacts.search.submit')}
        </button>
      </form>
      {hint && <p class="muted small">{hint}</p>}
      <FormError message={results.error ? problemMessage(results.error, t) : null} />
      {filter && results.items.length > 0 && <ContactTable items={results.items} timeZone={tz} />}
      {filter && !results.loading && !results.error && results.items.length === 0 && <Empty text={t('contacts.search.none')} />}
      {filter && results.loading && results.items.length === 0 && <p class="muted">{t('common.loading')}</p>}
      <LoadMore visible={results.hasMore} loading={results.loading} onClick={results.loadMore} />
    </Panel>
  );
}
