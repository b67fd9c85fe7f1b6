import { useState } from 'preact/hooks';
import type { ClientHandedOver, Locale, RecomputeSummary } from '../api/types';
import { useI18n } from '../i18n';
import { useSocketEvent } from '../realtime/hooks';
import { Empty, Panel } from '../ui/bits';
import { FormError, Notice } from '../ui/Field';
import { problemMessage } from '../ui/errors';
import { getWorkload, recomputeClients } from './api';
import { useLoader } from './useLoader';

/**
 * Each account manager's clients and abandoned clients, load against the target, who covers them while
 * absent, and the "overloaded — hire" signal; with the button that recomputes categories now. Re-fetched
 * on handoffs, `tasks:changed`, `refreshKey` changes (a reassignment here) and reconnects.
 */
export function WorkloadPanel({ refreshKey = 0, onRecomputed }: { refreshKey?: number; onRecomputed?: (s: RecomputeSummary) => void }) {
  const { t, locale } = useI18n();
  const workload = useLoader(getWorkload, refreshKey);
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<RecomputeSummary | null>(null);
  const [error, setError] = useState<unknown>(null);
  useSocketEvent<ClientHandedOver>('client:handed-over', workload.schedule);
  useSocketEvent('tasks:changed', workload.schedule);

  const recompute = async () => {
    setBusy(true);
    setError(null);
    setSummary(null);
    try {
      const s = await recomputeClients();
      setSummary(s);
      void workload.reload();
      onRecomputed?.(s);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const data = workload.data;
  const nameOf = (id: string) => data?.managers.find((m) => m.id === id)?.name ?? id;
  return (
    <Panel
      title={t('workload.title')}
      testId="workload"
      actions={
        <button type="button" class="btn btn--small" data-testid="recompute" disabled={busy} onClick={() => void recompute()}>
          {busy ? t('workload.recomputing') : t('workload.recompute')}
        </button>
      }
    >
      <div aria-live="polite" data-testid="recompute-result">
        <Notice message={summary ? (summary.skipped ? t('workload.skipped') : t('workload.recomputed', { clients: summary.clients, changed: summary.changed, debtTasks: summary.debtTasks })) : null} />
        <FormError message={error ? problemMessage(error, t) : null} />
      </div>
      <FormError message={workload.error ? problemMessage(workload.error, t) : null} />
      {!data && !workload.error && <p class="muted">{t('common.loading')}</p>}
      {data && <p class="muted small">{t('workload.target', { n: data.targetClients, days: data.abandonedAfterDays })}</p>}
      {data?.managers.length === 0 && <Empty text={t('workload.none')} />}
      {data && data.managers.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="workload-table">
            <thead>
              <tr>
                <th scope="col">{t('workload.col.manager')}</th>
                <th scope="col" class="num">
                  {t('workload.col.clients')}
                </th>
                <th scope="col" class="num">
                  {t('workload.col.abandoned')}
                </th>
                <th scope="col" class="dist-bar-col">
                  {t('workload.col.load')}
                </th>
                <th scope="col">{t('workload.col.coveredBy')}</th>
                <th scope="col">{t('workload.col.signal')}</th>
              </tr>
            </thead>
            <tbody>
              {data.managers.map((m) => (
                <tr key={m.id} data-testid="workload-row" data-manager-id={m.id} data-overloaded={m.overloaded ? 'true' : 'false'}>
                  <td>{m.name}</td>
                  <td class="num" data-testid="workload-clients">
                    {m.clients}
                  </td>
                  <td class={`num${m.abandoned > 0 ? ' workload__abandoned' : ''}`} data-testid="workload-abandoned">
                    {m.abandoned}
                  </td>
                  <td class="dist-bar-col">
                    <div class="nowrap" data-testid="workload-load">
                      {percent(m.loadVsTarget, locale)}
                    </div>
                    <div class="dist-bar" role="img" aria-label={percent(m.loadVsTarget, locale)}>
                      <div class={`dist-bar__fill${m.loadVsTarget > 1 ? ' dist-bar__fill--over' : ''}`} style={{ width: `${Math.min(1, m.loadVsTarget) * 100}%` }} />
                    </div>
                  </td>
                  <td data-testid="workload-covered-by">
                    {m.coveredBy ? (
                      <>
                        <span class="tag tag--covering">{t('workload.absent')}</span> {nameOf(m.coveredBy)}
                      </>
                    ) : (
                      <span class="muted">—</span>
                    )}
                  </td>
                  <td>
                    {m.overloaded && (
                      <span class="tag tag--overloaded" title={t('workload.overloadedHint')} data-testid="workload-overloaded">
                        {t('workload.overloaded')}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

function percent(v: number, locale: Locale) {
  return new Intl.NumberFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { style: 'percent', maximumFractionDigits: 0 }).format(v);
}
