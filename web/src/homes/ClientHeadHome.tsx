import { ContactList } from '../contacts/ContactList';
import { useI18n } from '../i18n';
import { PresenceBoard } from '../presence/PresenceBoard';
import { Panel } from '../ui/bits';
import { HomeLayout } from './HomeLayout';

export function ClientHeadHome() {
  const { t } = useI18n();
  return (
    <HomeLayout role="client_head" layout="split">
      <Panel title={t('clientHead.active')} testId="active-clients">
        <ContactList filter={{ status: 'active' }} empty={t('clientHead.none')} />
      </Panel>
      <PresenceBoard role="account_manager" title="presence.title.accountManagers" />
    </HomeLayout>
  );
}
