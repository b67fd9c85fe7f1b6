import { useI18n } from '../i18n';
import { formatMoney, formatPercent } from '../ui/format';
import { csvUrl, getHunters, type PeriodQuery } from './api';
import { formatSeconds } from './period';
import { Bar, ReportFrame } from './ReportFrame';
import { useReport } from './useReport';

/** Per hunter: how they answered offers, meetings held, first sales, their conversion, revenue and commission. */
export function HuntersPanel({ period }: { period: PeriodQuery }) {
  const { t, locale } = useI18n();
  const state = useReport(`${period.from}:${period.to}`, () => getHunters(period));
  return (
    <ReportFrame
      title={t('reports.hunters.title')}
      testId="report-hunters"
      state={state}
      csv={csvUrl('hunters', { ...period })}
      isEmpty={(d) => d.rows.length === 0}
      emptyText={t('reports.hunters.none')}
    >
      {(d) => {
        const maxRevenue = Math.max(0, ...d.rows.map((r) => r.revenueMinor));
        const money = (v: number) => formatMoney(v, d.currency, locale);
        return (
          <div class="table-wrap">
            <table class="table report-table" data-testid="hunters-table">
              <thead>
                <tr>
                  <th scope="col">{t('reports.col.hunter')}</th>
                  <th scope="col" class="num">
                    {t('reports.col.offers')}
                  </th>
                  <th scope="col" class="num">
                    {t('reports.col.accepted')}
                  </th>
                  <th scope="col" class="num">
                    {t('reports.col.declined')}
                  </th>
                  <th scope="col" class="num">
                    {t('reports.col.expired')}
                  </th>
                  <th scope="col" class="num">
                    {t('reports.col.avgToAccept')}
                  </th>
                  <th scope="col" class="num">
                    {t('reports.stage.meetingsHeld')}
                  </th>
                  <th scope="col" class="num">
                    {t('reports.stage.firstSales')}
                  </th>
                  <th scope="col" class="num">
                    {t('reports.col.meetingToSale')}
                  </th>
                  <th scope="col" class="num report-bar-col">
                    {t('reports.col.revenue')}
                  </th>
                  <th scope="col" class="num">
                    {t('reports.col.commission')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.rows.map((r) => (
                  <tr key={r.userId} data-testid="hunters-row" data-user-id={r.userId}>
                    <th scope="row">{r.name}</th>
                    <td class="num" data-col="offers">
                      {r.offers}
                    </td>
                    <td class="num" data-col="accepted">
                      {r.accepted}
                    </td>
                    <td class="num" data-col="declined">
                      {r.declined}
                    </td>
                    <td class="num" data-col="expired">
                      {r.expired}
                    </td>
                    <td class="num nowrap" data-col="avgSecondsToAccept">
                      {formatSeconds(r.avgSecondsToAccept)}
                    </td>
                    <td class="num" data-col="meetingsHeld">
                      {r.meetingsHeld}
                    </td>
                    <td class="num" data-col="firstSales">
                      {r.firstSales}
                    </td>
                    <td class="num" data-col="conversion">
                      {r.conversion === null ? '—' : formatPercent(r.conversion, locale)}
                    </td>
                    <td class="num nowrap" data-col="revenueMinor">
                      {money(r.revenueMinor)}
                      <Bar value={r.revenueMinor} max={maxRevenue} />
                    </td>
                    <td class="num nowrap" data-col="commissionMinor">
                      {money(r.commissionMinor)}
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
