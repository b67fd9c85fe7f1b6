import type { User } from '../api/types';
import { ContactList } from '../contacts/ContactList';
import { useI18n } from '../i18n';
import { Panel } from '../ui/bits';
import { HomeLayout } from './HomeLayout';

export function AccountManagerHome({ user }: { user: User }) {
  const { t } = useI18n();
  return (
    <HomeLayout role="account_manager">
      <Panel title={t('accountManager.clients')} testId="my-clients">
        <ContactList filter={{ accountManagerId: user.id }} empty={t('accountManager.none')} />
      </Panel>
    </HomeLayout>
  );
}
