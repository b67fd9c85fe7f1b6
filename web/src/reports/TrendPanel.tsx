import { useI18n } from '../i18n';
import { csvUrl, getTrend, type PeriodQuery, type TrendDay } from './api';
import { formatDay } from './period';
import { ReportFrame } from './ReportFrame';
import { useReport } from './useReport';

const series = ['calls', 'newLeads', 'meetingsBooked', 'firstSales'] as const;
type Series = (typeof series)[number];

/** Day by day: calls, new leads, meetings booked and first sales, each on its own scale. */
export function TrendPanel({ period }: { period: PeriodQuery }) {
  const { t } = useI18n();
  const state = useReport(`${period.from}:${period.to}`, () => getTrend(period));
  return (
    <ReportFrame
      title={t('reports.trend.title')}
      testId="report-trend"
      state={state}
      csv={csvUrl('trend', { ...period })}
      isEmpty={(d) => d.days.length === 0}
      emptyText={t('reports.trend.none')}
    >
      {(d) => (
        <>
          <div class="trend-grid">
            {series.map((s) => (
              <TrendChart key={s} series={s} days={d.days} />
            ))}
          </div>
          <TrendTable days={d.days} />
        </>
      )}
    </ReportFrame>
  );
}

const W = 640;
const H = 150;
const PAD = { top: 14, right: 8, bottom: 22, left: 34 };

/** A whole number a little above `max` that makes a readable top of the scale. */
function niceMax(max: number): number {
  if (max <= 5) return Math.max(1, max);
  const mag = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 5, 10].find((f) => f * mag >= max) ?? 10;
  return step * mag;
}

/** Which days get a date under the axis: about six, always the first and the last. */
function tickDays(n: number): Set<number> {
  const every = Math.max(1, Math.ceil(n / 6));
  const out = new Set<number>();
  for (let i = 0; i < n; i += every) out.add(i);
  if (n > 0) out.add(n - 1);
  return out;
}

function TrendChart({ series: key, days }: { series: Series; days: TrendDay[] }) {
  const { t, locale } = useI18n();
  const values = days.map((d) => d[key]);
  const sum = values.reduce((a, b) => a + b, 0);
  const top = niceMax(Math.max(0, ...values));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(1, slot * 0.72);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const ticks = tickDays(days.length);
  const title = t(`reports.stage.${key}`);
  // Past ~45 days bars get thin: a line over them keeps the shape readable.
  const line = days.length > 45 ? values.map((v, i) => `${i === 0 ? 'M' : 'L'}${(PAD.left + slot * (i + 0.5)).toFixed(1)},${y(v).toFixed(1)}`).join(' ') : null;
  return (
    <figure class={`trend trend--${key}`} data-testid="trend-chart" data-series={key} data-sum={sum}>
      <figcaption class="trend__caption">
        <span>{title}</span> <b class="trend__sum">{sum.toLocaleString(locale)}</b>
      </figcaption>
      <svg class="trend__svg" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('reports.trend.chartAria', { series: title, sum })}>
        <line class="trend__grid" x1={PAD.left} x2={W - PAD.right} y1={PAD.top} y2={PAD.top} />
        <line class="trend__grid" x1={PAD.left} x2={W - PAD.right} y1={PAD.top + plotH / 2} y2={PAD.top + plotH / 2} />
        <line class="trend__axis" x1={PAD.left} x2={W - PAD.right} y1={PAD.top + plotH} y2={PAD.top + plotH} />
        <text class="trend__tick" x={PAD.left - 4} y={PAD.top + 4} text-anchor="end">
          {top.toLocaleString(locale)}
        </text>
        <text class="trend__tick" x={PAD.left - 4} y={PAD.top + plotH + 4} text-anchor="end">
          0
        </text>
        {days.map((d, i) => {
          const v = d[key];
          const x = PAD.left + slot * i + (slot - barW) / 2;
          return (
            <g key={d.date}>
              <rect class="trend__bar" data-testid="trend-bar" data-date={d.date} data-value={v} x={x} y={y(v)} width={barW} height={Math.max(0, PAD.top + plotH - y(v))}>
                <title>{`${formatDay(d.date, locale)}: ${v.toLocaleString(locale)}`}</title>
              </rect>
              {ticks.has(i) && (
                <text class="trend__tick" x={PAD.left + slot * (i + 0.5)} y={H - 6} text-anchor="middle">
                  {formatDay(d.date, locale)}
                </text>
              )}
            </g>
          );
        })}
        {line && <path class="trend__line" d={line} />}
      </svg>
    </figure>
  );
}

function TrendTable({ days }: { days: TrendDay[] }) {
  const { t, locale } = useI18n();
  const n = (v: number) => v.toLocaleString(locale);
  return (
    <details class="trend-table">
      <summary>{t('reports.trend.table')}</summary>
      <div class="table-wrap">
        <table class="table report-table" data-testid="trend-table">
          <thead>
            <tr>
              <th scope="col">{t('reports.col.date')}</th>
              <th scope="col" class="num">
                {t('reports.stage.calls')}
              </th>
              <th scope="col" class="num">
                {t('reports.stage.targetCalls')}
              </th>
              <th scope="col" class="num">
                {t('reports.stage.newLeads')}
              </th>
              <th scope="col" class="num">
                {t('reports.stage.meetingsBooked')}
              </th>
              <th scope="col" class="num">
                {t('reports.stage.meetingsHeld')}
              </th>
              <th scope="col" class="num">
                {t('reports.stage.firstSales')}
              </th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.date} data-testid="trend-row" data-date={d.date}>
                <th scope="row" class="nowrap">
                  {formatDay(d.date, locale, true)}
                </th>
                <td class="num">{n(d.calls)}</td>
                <td class="num">{n(d.targetCalls)}</td>
                <td class="num">{n(d.newLeads)}</td>
                <td class="num">{n(d.meetingsBooked)}</td>
                <td class="num">{n(d.meetingsHeld)}</td>
                <td class="num">{n(d.firstSales)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
