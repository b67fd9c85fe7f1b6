import type { User } from '../api/types';
import { ContactList } from '../contacts/ContactList';
import { ContactSearch } from '../contacts/ContactSearch';
import { useI18n } from '../i18n';
import { Panel } from '../ui/bits';
import { HomeLayout } from './HomeLayout';

export function HunterHome({ user }: { user: User }) {
  const { t } = useI18n();
  return (
    <HomeLayout role="hunter">
      <Panel title={t('hunter.prospects')} testId="my-prospects">
        <ContactList filter={{ hunterId: user.id }} empty={t('hunter.none')} />
      </Panel>
      <ContactSearch />
    </HomeLayout>
  );
}
