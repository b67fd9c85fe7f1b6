import { useState } from 'preact/hooks';
import { MyClientsPanel } from '../clients/MyClientsPanel';
import { TasksPanel } from '../clients/TasksPanel';
import { useI18n } from '../i18n';
import { HomeLayout } from './HomeLayout';

export function AccountManagerHome() {
  const { t } = useI18n();
  // A task done counts as contact with the client and lowers its open tasks: "My clients" re-fetches.
  const [done, setDone] = useState(0);
  return (
    <HomeLayout role="account_manager">
      <TasksPanel title={t('tasks.title')} testId="my-tasks" onDone={() => setDone((n) => n + 1)} />
      <MyClientsPanel refreshKey={done} />
    </HomeLayout>
  );
}
