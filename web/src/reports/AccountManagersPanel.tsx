import { useI18n } from '../i18n';
import { formatMoney } from '../ui/format';
import { csvUrl, getAccountManagers, type PeriodQuery } from './api';
import { Bar, ReportFrame } from './ReportFrame';
import { useReport } from './useReport';

/** Per account manager: clients, the abandoned among them, payments and the money collected in the period. */
export function AccountManagersPanel({ period }: { period: PeriodQuery }) {
  const { t, locale } = useI18n();
  const state = useReport(`${period.from}:${period.to}`, () => getAccountManagers(period));
  return (
    <ReportFrame
      title={t('reports.accountManagers.title')}
      testId="report-account-managers"
      state={state}
      csv={csvUrl('account-managers', { ...period })}
      isEmpty={(d) => d.rows.length === 0}
      emptyText={t('reports.accountManagers.none')}
    >
      {(d) => {
        const maxCollected = Math.max(0, ...d.rows.map((r) => r.collectedMinor));
        return (
          <div class="table-wrap">
            <table class="table report-table" data-testid="account-managers-table">
              <thead>
                <tr>
                  <th scope="col">{t('reports.col.accountManager')}</th>
                  <th scope="col" class="num">
                    {t('reports.col.clients')}
                  </th>
                  <th scope="col" class="num">
                    {t('reports.col.abandoned')}
                  </th>
                  <th scope="col" class="num">
                    {t('reports.col.payments')}
                  </th>
                  <th scope="col" class="num report-bar-col">
                    {t('reports.col.collected')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.rows.map((r) => (
                  <tr key={r.userId} data-testid="account-managers-row" data-user-id={r.userId}>
                    <th scope="row">{r.name}</th>
                    <td class="num" data-col="clients">
                      {r.clients}
                    </td>
                    <td class={`num${r.abandoned > 0 ? ' report-alarm' : ''}`} data-col="abandoned">
                      {r.abandoned}
                    </td>
                    <td class="num" data-col="payments">
                      {r.payments}
                    </td>
                    <td class="num nowrap" data-col="collectedMinor">
                      {formatMoney(r.collectedMinor, d.currency, locale)}
                      <Bar value={r.collectedMinor} max={maxCollected} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      }}
    </ReportFrame>
  );
}
