import { useEffect, useState } from 'preact/hooks';
import type { User } from '../api/types';
import { useI18n } from '../i18n';
import { AccountManagersPanel } from './AccountManagersPanel';
import { groupingsFor, reportsFor, type GroupBy, type PeriodQuery, type ReportKind } from './api';
import { FunnelPanel } from './FunnelPanel';
import { HuntersPanel } from './HuntersPanel';
import { OperatorsPanel } from './OperatorsPanel';
import { PeriodPicker } from './PeriodPicker';
import { isDay, presetPeriod, todayIn } from './period';
import { RefusalsPanel } from './RefusalsPanel';
import { TrendPanel } from './TrendPanel';
import './reports.css';

interface View {
  tab: ReportKind;
  period: PeriodQuery;
  groupBy: GroupBy;
}

/** The view from `?tab=…&from=…&to=…&groupBy=…`, with what the role may not see replaced by its first choice. */
function readView(user: User, today: string): View {
  const q = new URLSearchParams(location.search);
  const tabs = reportsFor(user.role);
  const groupings = groupingsFor(user.role);
  const tab = tabs.find((k) => k === q.get('tab')) ?? tabs[0] ?? 'funnel';
  const groupBy = groupings.find((g) => g === q.get('groupBy')) ?? groupings[0] ?? 'source';
  const from = q.get('from');
  const to = q.get('to');
  const period = isDay(from) && isDay(to) ? { from, to } : presetPeriod('month', today);
  return { tab, period, groupBy };
}

/** `/reports`: the period, then one tab per report the user may see. */
export function ReportsPage({ user }: { user: User }) {
  const { t } = useI18n();
  const today = todayIn(user.timezone);
  const tabs = reportsFor(user.role);
  const groupings = groupingsFor(user.role);
  const [view, setView] = useState<View>(() => readView(user, today));
  const change = (patch: Partial<View>) => setView((v) => ({ ...v, ...patch }));
  const onTabKey = (e: KeyboardEvent) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = tabs[(tabs.indexOf(view.tab) + step + tabs.length) % tabs.length]!;
    change({ tab: next });
    document.getElementById(`report-tab-${next}`)?.focus();
  };

  // The address keeps the view, so a reload or a shared link opens the same report.
  useEffect(() => {
    const qs = new URLSearchParams({ tab: view.tab, from: view.period.from, to: view.period.to });
    if (view.tab === 'funnel') qs.set('groupBy', view.groupBy);
    const next = `/reports?${qs.toString()}`;
    if (location.pathname === '/reports' && `${location.pathname}${location.search}` !== next) history.replaceState(null, '', next);
  }, [view]);

  return (
    <div class="reports-page" data-testid="reports-page">
      <div class="reports-page__head">
        <h1>{t('reports.title')}</h1>
        <PeriodPicker value={view.period} today={today} onChange={(period) => change({ period })} />
      </div>
      {tabs.length === 0 ? (
        <p class="empty">{t('reports.nothing')}</p>
      ) : (
        <>
          <div class="report-tabs" role="tablist" aria-label={t('reports.title')} onKeyDown={onTabKey}>
            {tabs.map((k) => (
              <button
                key={k}
                type="button"
                role="tab"
                id={`report-tab-${k}`}
                aria-selected={view.tab === k}
                tabIndex={view.tab === k ? 0 : -1}
                aria-controls="report-tabpanel"
                class={`report-tabs__tab${view.tab === k ? ' is-active' : ''}`}
                data-testid={`report-tab-${k}`}
                onClick={() => change({ tab: k })}
              >
                {t(`reports.tab.${k}`)}
              </button>
            ))}
          </div>
          <div role="tabpanel" id="report-tabpanel" aria-labelledby={`report-tab-${view.tab}`}>
            {view.tab === 'funnel' && <FunnelPanel period={view.period} groupBy={view.groupBy} groupings={groupings} onGroupBy={(groupBy) => change({ groupBy })} />}
            {view.tab === 'trend' && <TrendPanel period={view.period} />}
            {view.tab === 'operators' && <OperatorsPanel period={view.period} />}
            {view.tab === 'hunters' && <HuntersPanel period={view.period} />}
            {view.tab === 'account-managers' && <AccountManagersPanel period={view.period} />}
            {view.tab === 'refusals' && <RefusalsPanel period={view.period} role={user.role} />}
          </div>
        </>
      )}
    </div>
  );
}
