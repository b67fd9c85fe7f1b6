import { useI18n } from '../i18n';
import { useSession } from '../session/session';
import { Empty, LoadMore } from '../ui/bits';
import { FormError } from '../ui/Field';
import { problemMessage } from '../ui/errors';
import { usePaged } from '../ui/usePaged';
import { type ContactFilter, listContacts } from './api';
import { ContactTable } from './ContactTable';

/** A paged list of contacts matching a fixed filter (my prospects, my clients, active clients…). */
export function ContactList({ filter, empty, testId }: { filter: ContactFilter; empty: string; testId?: string }) {
  const { t } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  const list = usePaged(JSON.stringify(filter), (cursor) => listContacts(filter, cursor));
  return (
    <div data-testid={testId}>
      <FormError message={list.error ? problemMessage(list.error, t) : null} />
      {list.items.length > 0 && <ContactTable items={list.items} timeZone={tz} />}
      {!list.loading && !list.error && list.items.length === 0 && <Empty text={empty} />}
      {list.loading && list.items.length === 0 && <p class="muted">{t('common.loading')}</p>}
      <LoadMore visible={list.hasMore} loading={list.loading} onClick={list.loadMore} />
    </div>
  );
}
