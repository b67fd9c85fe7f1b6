import type { Locale } from '../api/types';
import { useI18n, type Translate } from '../i18n';
import { formatMoney, formatPercent } from '../ui/format';
import { csvUrl, getFunnel, type FunnelReport, type FunnelRow, type GroupBy, type PeriodQuery } from './api';
import { FunnelChart } from './FunnelChart';
import { Bar, ReportFrame } from './ReportFrame';
import { useReport } from './useReport';

/** A row's name: the service's label, or the panel's own for the group of calls with no source/campaign/person. */
export function groupLabel(row: FunnelRow, groupBy: GroupBy, t: Translate): string {
  return row.key === null ? t(`reports.noKey.${groupBy}`) : row.label;
}

const pct = (rate: number | null | undefined, locale: Locale) => (rate === null || rate === undefined ? '—' : formatPercent(rate, locale));

interface Props {
  period: PeriodQuery;
  groupBy: GroupBy;
  groupings: GroupBy[];
  onGroupBy(g: GroupBy): void;
}

/** Calls → leads → meetings → first sales for the period, by source, campaign, operator or hunter. */
export function FunnelPanel({ period, groupBy, groupings, onGroupBy }: Props) {
  const { t } = useI18n();
  const state = useReport(`${period.from}:${period.to}:${groupBy}`, () => getFunnel(period, groupBy));
  const controls = (
    <div class="field">
      <label for="funnel-group-by">{t('reports.groupBy')}</label>
      <select id="funnel-group-by" data-testid="funnel-group-by" value={groupBy} disabled={groupings.length < 2} onChange={(e) => onGroupBy(e.currentTarget.value as GroupBy)}>
        {groupings.map((g) => (
          <option key={g} value={g}>
            {t(`reports.groupBy.${g}`)}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <ReportFrame
      title={t('reports.funnel.title')}
      testId="report-funnel"
      state={state}
      csv={csvUrl('funnel', { ...period, groupBy })}
      controls={controls}
      isEmpty={(d) => d.rows.length === 0 && d.total.calls === 0}
      emptyText={t('reports.funnel.none')}
    >
      {(d) => (
        <>
          <div class="funnel-layout">
            <FunnelChart total={d.total} stages={d.stages} />
            <GroupBars report={d} />
          </div>
          <FunnelTable report={d} />
        </>
      )}
    </ReportFrame>
  );
}

type Metric = { key: 'calls' | 'newLeads' | 'meetingsBooked' | 'firstSales' | 'revenueMinor' | 'costPerLeadMinor'; money?: boolean };

/** Two figures worth comparing across the groups of each grouping. */
const barMetrics: Record<GroupBy, [Metric, Metric]> = {
  source: [{ key: 'newLeads' }, { key: 'costPerLeadMinor', money: true }],
  campaign: [{ key: 'calls' }, { key: 'meetingsBooked' }],
  operator: [{ key: 'calls' }, { key: 'meetingsBooked' }],
  hunter: [{ key: 'firstSales' }, { key: 'revenueMinor', money: true }],
};

function GroupBars({ report }: { report: FunnelReport }) {
  const { t, locale } = useI18n();
  const metrics = barMetrics[report.groupBy];
  if (report.rows.length === 0) return null;
  const rows = report.rows.slice(0, 12);
  return (
    <div class="group-bars" data-testid="funnel-bars">
      {metrics.map((m, i) => {
        const value = (r: FunnelRow) => r[m.key];
        const max = Math.max(0, ...rows.map((r) => value(r) ?? 0));
        const currency = (r: FunnelRow) => (m.key === 'costPerLeadMinor' ? (r.costCurrency ?? report.currency) : report.currency);
        return (
          <div key={m.key} class="group-bars__metric">
            <h3 class="group-bars__title">{t(`reports.metric.${m.key}`)}</h3>
            <ul class="group-bars__list">
              {rows.map((r) => {
                const v = value(r);
                return (
                  <li key={r.key ?? ''} class="group-bars__row" data-testid={`funnel-bar-${i}`} data-key={r.key ?? ''} data-value={v ?? ''}>
                    <span class="group-bars__label">{groupLabel(r, report.groupBy, t)}</span>
                    <Bar value={v} max={max} variant={i === 0 ? 'primary' : 'accent'} />
                    <span class="group-bars__value">{m.money ? formatMoney(v, currency(r), locale) : (v ?? 0).toLocaleString(locale)}</span>
                  </li>
                );
              })}
            </ul>
          </div>
        );
      })}
      {report.rows.length > rows.length && <p class="muted small">{t('reports.funnel.barsTop', { n: rows.length, total: report.rows.length })}</p>}
    </div>
  );
}

function FunnelTable({ report }: { report: FunnelReport }) {
  const { t, locale } = useI18n();
  const { stages, groupBy } = report;
  const withCost = groupBy === 'source';
  const money = (minor: number | null, currency?: string | null) => formatMoney(minor, currency ?? report.currency, locale);

  const cells = (r: FunnelRow) => (
    <>
      {stages.map((s, i) => {
        const prev = i > 0 ? stages[i - 1] : undefined;
        return (
          <td key={s} class="num" data-col={s} data-value={r[s]}>
            {r[s].toLocaleString(locale)}
            {prev && (
              <span class="funnel-rate" data-col={`${prev}_${s}`} title={t('reports.funnel.stepAria', { from: t(`reports.stage.${prev}`), to: t(`reports.stage.${s}`) })}>
                {pct(r.conversion[`${prev}_${s}`], locale)}
              </span>
            )}
          </td>
        );
      })}
      <td class="num nowrap" data-col="revenueMinor" data-value={r.revenueMinor}>
        {money(r.revenueMinor)}
      </td>
      {withCost && (
        <>
          <td class="num nowrap" data-col="costMinor" data-value={r.costMinor ?? ''}>
            {money(r.costMinor, r.costCurrency)}
          </td>
          <td class="num nowrap" data-col="costPerLeadMinor" data-value={r.costPerLeadMinor ?? ''}>
            {money(r.costPerLeadMinor, r.costCurrency)}
          </td>
          <td class="num nowrap" data-col="costPerMeetingMinor" data-value={r.costPerMeetingMinor ?? ''}>
            {money(r.costPerMeetingMinor, r.costCurrency)}
          </td>
          <td class="num nowrap" data-col="costPerFirstSaleMinor" data-value={r.costPerFirstSaleMinor ?? ''}>
            {money(r.costPerFirstSaleMinor, r.costCurrency)}
          </td>
        </>
      )}
      <td class="num" data-col="newLeads_firstSales">
        {pct(r.conversion.newLeads_firstSales, locale)}
      </td>
      <td class="num" data-col="calls_firstSales">
        {pct(r.conversion.calls_firstSales, locale)}
      </td>
    </>
  );

  return (
    <div class="table-wrap">
      <table class="table report-table funnel-table" data-testid="funnel-table">
        <caption class="sr-only">{t('reports.funnel.tableCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t(`reports.groupBy.${groupBy}`)}</th>
            {stages.map((s) => (
              <th key={s} scope="col" class="num">
                {t(`reports.stage.${s}`)}
              </th>
            ))}
            <th scope="col" class="num">
              {t('reports.col.revenue')}
            </th>
            {withCost && (
              <>
                <th scope="col" class="num">
                  {t('reports.col.cost')}
                </th>
                <th scope="col" class="num">
                  {t('reports.col.costPerLead')}
                </th>
                <th scope="col" class="num">
                  {t('reports.col.costPerMeeting')}
                </th>
                <th scope="col" class="num">
                  {t('reports.col.costPerFirstSale')}
                </th>
              </>
            )}
            <th scope="col" class="num">
              {t('reports.col.leadToSale')}
            </th>
            <th scope="col" class="num">
              {t('reports.col.callToSale')}
            </th>
          </tr>
        </thead>
        <tbody>
          {report.rows.map((r) => (
            <tr key={r.key ?? ''} data-testid="funnel-row" data-key={r.key ?? ''} class={r.key === null ? 'report-row--none' : ''}>
              <th scope="row" data-col="label">
                {groupLabel(r, groupBy, t)}
              </th>
              {cells(r)}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-testid="funnel-total">
            <th scope="row" data-col="label">
              {t('reports.total')}
            </th>
            {cells(report.total)}
          </tr>
        </tfoot>
      </table>
      <p class="muted small">{t('reports.funnel.rateHint')}</p>
    </div>
  );
}
