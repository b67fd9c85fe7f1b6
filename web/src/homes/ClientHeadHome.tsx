import { useState } from 'preact/hooks';
import { HeadClientsPanel } from '../clients/HeadClientsPanel';
import { TasksPanel } from '../clients/TasksPanel';
import { WorkloadPanel } from '../clients/WorkloadPanel';
import { useI18n } from '../i18n';
import { PresenceBoard } from '../presence/PresenceBoard';
import { HomeLayout } from './HomeLayout';

export function ClientHeadHome() {
  const { t } = useI18n();
  // A reassignment changes the workload; a recomputation the clients' categories, a task done their last
  // contact and open tasks.
  const [workloadKey, setWorkloadKey] = useState(0);
  const [clientsKey, setClientsKey] = useState(0);
  return (
    <HomeLayout role="client_head" layout="split">
      <div class="span-all">
        <WorkloadPanel refreshKey={workloadKey} onRecomputed={() => setClientsKey((n) => n + 1)} />
      </div>
      <div class="span-all">
        <HeadClientsPanel refreshKey={clientsKey} onReassigned={() => setWorkloadKey((n) => n + 1)} />
      </div>
      <TasksPanel title={t('tasks.headTitle')} testId="head-tasks" onDone={() => {
          setClientsKey((n) => n + 1);
          setWorkloadKey((n) => n + 1);
        }} />
      <PresenceBoard role="account_manager" title="presence.title.accountManagers" />
    </HomeLayout>
  );
}
