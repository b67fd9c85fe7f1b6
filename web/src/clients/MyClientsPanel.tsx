import type { ClientHandedOver, ClientReassigned } from '../api/types';
import { useI18n } from '../i18n';
import { useSocketEvent } from '../realtime/hooks';
import { Empty, Panel } from '../ui/bits';
import { FormError } from '../ui/Field';
import { problemMessage } from '../ui/errors';
import { listClients } from './api';
import { ClientsTable } from './ClientsTable';
import { useLoader } from './useLoader';

/** The service's largest page; an account manager has a few dozen clients. */
const LIMIT = 500;

/**
 * The account manager's clients, and those of absent colleagues they cover. A client handed over by a
 * first sale (`client:handed-over`) or reassigned to or from them (`client:reassigned`) shows up or leaves
 * without a reload; `refreshKey` changes (a task done here) re-fetch it too.
 */
export function MyClientsPanel({ refreshKey = 0 }: { refreshKey?: number }) {
  const { t } = useI18n();
  const clients = useLoader(() => listClients({ limit: LIMIT }), refreshKey);
  useSocketEvent<ClientHandedOver>('client:handed-over', clients.schedule);
  useSocketEvent<ClientReassigned>('client:reassigned', clients.schedule);
  useSocketEvent('tasks:changed', clients.schedule);
  const data = clients.data;
  return (
    <Panel
      title={t('accountManager.clients')}
      testId="my-clients"
      actions={
        <span class="muted">
          {data && data.total > data.items.length ? `${t('clients.shown', { shown: data.items.length, total: data.total })} · ` : ''}
          {t('clients.live')}
        </span>
      }
    >
      <FormError message={clients.error ? problemMessage(clients.error, t) : null} />
      {!data && !clients.error && <p class="muted">{t('common.loading')}</p>}
      {data?.items.length === 0 && <Empty text={t('clients.none')} />}
      {data && data.items.length > 0 && <ClientsTable items={data.items} />}
    </Panel>
  );
}
