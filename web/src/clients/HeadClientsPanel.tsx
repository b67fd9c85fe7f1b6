import { useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import type { ClientHandedOver, ClientRow, User } from '../api/types';
import { useI18n } from '../i18n';
import { useSocketEvent } from '../realtime/hooks';
import { Empty, Panel } from '../ui/bits';
import { Field, FormError, Notice } from '../ui/Field';
import { fieldErrors, problemMessage } from '../ui/errors';
import { listAccountManagers, listClients, reassignClient } from './api';
import { ClientsTable } from './ClientsTable';
import { useLoader } from './useLoader';

/** The service's largest page. */
const LIMIT = 500;

/**
 * Every client (or one manager's, or only the abandoned ones) with its account manager, and a form to
 * give a client to another manager with a reason. Re-fetched on handoffs, `tasks:changed`, `refreshKey`
 * changes (a recomputation) and reconnects; a reassignment here calls `onReassigned`.
 */
export function HeadClientsPanel({ refreshKey = 0, onReassigned }: { refreshKey?: number; onReassigned?: () => void }) {
  const { t } = useI18n();
  const [managerFilter, setManagerFilter] = useState('');
  const [abandonedOnly, setAbandonedOnly] = useState(false);
  const [reassigning, setReassigning] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const clients = useLoader(
    () => listClients({ limit: LIMIT, ...(managerFilter ? { accountManagerId: managerFilter } : {}), ...(abandonedOnly ? { abandoned: true } : {}) }),
    `${refreshKey}:${managerFilter}:${abandonedOnly}`,
  );
  const managers = useLoader(async () => [...(await listAccountManagers()).items].sort((a, b) => a.name.localeCompare(b.name)));
  useSocketEvent<ClientHandedOver>('client:handed-over', clients.schedule);
  useSocketEvent('tasks:changed', clients.schedule);

  const nameOf = (id: string | null) => (id ? (managers.data?.find((m) => m.id === id)?.name ?? id) : null);
  const data = clients.data;
  return (
    <Panel
      title={t('clients.title')}
      testId="all-clients"
      actions={
        <span class="muted">
          {data && data.total > data.items.length ? `${t('clients.shown', { shown: data.items.length, total: data.total })} · ` : ''}
          {t('clients.live')}
        </span>
      }
    >
      <div class="filters filters--end">
        <Field label={t('clients.filter.manager')}>
          {(a) => (
            <select {...a} name="managerFilter" value={managerFilter} onChange={(e) => setManagerFilter(e.currentTarget.value)}>
              <option value="">{t('clients.filter.allManagers')}</option>
              {(managers.data ?? []).map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <label class="toggle">
          <input type="checkbox" name="abandonedOnly" checked={abandonedOnly} onChange={(e) => setAbandonedOnly(e.currentTarget.checked)} />
          {t('clients.filter.abandoned')}
        </label>
      </div>
      <div aria-live="polite" data-testid="clients-notice">
        <Notice message={notice} />
      </div>
      <FormError message={clients.error ? problemMessage(clients.error, t) : null} />
      <FormError message={managers.error ? problemMessage(managers.error, t) : null} />
      {!data && !clients.error && <p class="muted">{t('common.loading')}</p>}
      {data?.items.length === 0 && <Empty text={t('clients.noneAll')} />}
      {data && data.items.length > 0 && (
        <ClientsTable
          items={data.items}
          managerName={nameOf}
          actions={(c) => (
            <button
              type="button"
              class="btn btn--small"
              data-testid="client-reassign"
              aria-expanded={reassigning === c.id}
              onClick={() => {
                setNotice(null);
                setReassigning(reassigning === c.id ? null : c.id);
                // A manager hired since the page opened belongs in the select.
                if (reassigning !== c.id) void managers.reload();
              }}
            >
              {t('clients.reassign')}
            </button>
          )}
          below={(c) =>
            reassigning === c.id ? (
              <ReassignForm
                client={c}
                managers={managers.data}
                onCancel={() => setReassigning(null)}
                onDone={(to) => {
                  setReassigning(null);
                  setNotice(t('clients.reassigned', { name: c.name, manager: nameOf(to) ?? to }));
                  void clients.reload();
                  onReassigned?.();
                }}
              />
            ) : null
          }
        />
      )}
    </Panel>
  );
}

function ReassignForm({ client, managers, onCancel, onDone }: { client: ClientRow; managers: User[] | null; onCancel: () => void; onDone: (to: string) => void }) {
  const { t } = useI18n();
  const [managerId, setManagerId] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<{ accountManagerId?: string; reason?: string }>({});
  const choices = (managers ?? []).filter((m) => m.active && m.id !== client.accountManagerId);

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const problems = {
      ...(managerId ? {} : { accountManagerId: t('clients.reassign.managerRequired') }),
      ...(reason.trim() ? {} : { reason: t('clients.reassign.reasonRequired') }),
    };
    setLocal(problems);
    if (Object.keys(problems).length) return;
    setBusy(true);
    setError(null);
    try {
      await reassignClient(client.id, managerId, reason.trim());
      onDone(managerId);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const fe = fieldErrors(error);
  return (
    <form class="outcome-form" onSubmit={submit} noValidate data-testid="reassign-form" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <h3>{t('clients.reassign.title', { name: client.name })}</h3>
      <div class="outcome-form__fields">
        <Field label={t('clients.reassign.manager')} error={local.accountManagerId ?? fe.accountManagerId}>
          {(a) => (
            <select {...a} name="accountManagerId" value={managerId} onChange={(e) => setManagerId(e.currentTarget.value)}>
              <option value="">{managers === null ? t('common.loading') : t('clients.reassign.pick')}</option>
              {choices.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('clients.reassign.reason')} error={local.reason ?? fe.reason} class="field--grow">
          {(a) => (
            <input
              {...a}
              name="reason"
              maxLength={300}
              required
              placeholder={t('clients.reassign.reasonPlaceholder')}
              value={reason}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
          )}
        </Field>
      </div>
      {managers !== null && choices.length === 0 && <p class="muted small">{t('clients.reassign.noManagers')}</p>}
      <FormError message={error && !fe.accountManagerId && !fe.reason ? problemMessage(error, t) : null} />
      <div class="offer__actions">
        <button type="submit" class="btn btn--primary" disabled={busy} data-testid="reassign-submit">
          {t('clients.reassign.submit')}
        </button>
        <button type="button" class="btn btn--ghost" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
