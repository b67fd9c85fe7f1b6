import { useI18n } from '../i18n';
import { csvUrl, getOperators, operatorStatuses, type OperatorRow, type PeriodQuery } from './api';
import { formatSeconds } from './period';
import { ReportFrame } from './ReportFrame';
import { useReport } from './useReport';

/** Per operator: calls handled and made, talk and handle time, time by status and pause reason, meetings booked. */
export function OperatorsPanel({ period }: { period: PeriodQuery }) {
  const { t, locale } = useI18n();
  const state = useReport(`${period.from}:${period.to}`, () => getOperators(period));
  const rate = (v: number | null) => (v === null ? '—' : v.toLocaleString(locale, { maximumFractionDigits: 2 }));
  return (
    <ReportFrame
      title={t('reports.operators.title')}
      testId="report-operators"
      state={state}
      csv={csvUrl('operators', { ...period })}
      isEmpty={(d) => d.rows.length === 0}
      emptyText={t('reports.operators.none')}
    >
      {(d) => (
        <>
          <StatusLegend />
          <div class="table-wrap">
            <table class="table report-table" data-testid="operators-table">
              <thead>
                <tr>
                  <th scope="col">{t('reports.col.operator')}</th>
                  <th scope="col" class="num">
                    {t('reports.col.callsHandled')}
                  </th>
                  <th scope="col" class="num">
                    {t('reports.col.callsMade')}
                  </th>
                  <th scope="col" class="num">
                    {t('reports.col.talk')}
                  </th>
                  <th scope="col" class="num">
                    {t('reports.col.avgHandle')}
                  </th>
                  <th scope="col" class="num">
                    {t('reports.col.loggedIn')}
                  </th>
                  <th scope="col" class="status-mix-col">
                    {t('reports.col.statusMix')}
                  </th>
                  <th scope="col">{t('reports.col.pauses')}</th>
                  <th scope="col" class="num">
                    {t('reports.stage.meetingsBooked')}
                  </th>
                  <th scope="col" class="num">
                    {t('reports.col.meetingsPerHour')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.rows.map((r) => (
                  <tr key={r.userId} data-testid="operators-row" data-user-id={r.userId}>
                    <th scope="row">{r.name}</th>
                    <td class="num" data-col="callsHandled">
                      {r.callsHandled}
                    </td>
                    <td class="num" data-col="callsMade">
                      {r.callsMade}
                    </td>
                    <td class="num nowrap" data-col="talkSeconds">
                      {formatSeconds(r.talkSeconds)}
                    </td>
                    <td class="num nowrap" data-col="avgHandleSeconds">
                      {formatSeconds(r.avgHandleSeconds)}
                    </td>
                    <td class="num nowrap" data-col="loggedInSeconds">
                      {formatSeconds(r.loggedInSeconds)}
                    </td>
                    <td>
                      <StatusMix row={r} />
                    </td>
                    <td class="small" data-col="pauses">
                      {r.pauseSeconds.length === 0 ? (
                        <span class="muted">—</span>
                      ) : (
                        <ul class="report-pauses">
                          {r.pauseSeconds.map((p) => (
                            <li key={p.reason}>
                              {p.reason || t('reports.operators.noReason')}: <span class="nowrap">{formatSeconds(p.seconds)}</span>
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td class="num" data-col="meetingsBooked">
                      {r.meetingsBooked}
                    </td>
                    <td class="num" data-col="meetingsPerHour">
                      {rate(r.meetingsPerHour)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </ReportFrame>
  );
}

/** Where the operator's logged-in time went, as one stacked bar. */
function StatusMix({ row }: { row: OperatorRow }) {
  const { t } = useI18n();
  const total = operatorStatuses.reduce((a, s) => a + row.statusSeconds[s], 0);
  const parts = operatorStatuses.map((s) => `${t(`status.${s}`)}: ${formatSeconds(row.statusSeconds[s])}`).join(', ');
  if (total <= 0) return <span class="muted">—</span>;
  return (
    <div class="status-mix" role="img" aria-label={parts} title={parts} data-testid="status-mix">
      {operatorStatuses.map((s) =>
        row.statusSeconds[s] > 0 ? <span key={s} class={`status-mix__part status-mix__part--${s}`} style={{ width: `${(row.statusSeconds[s] / total) * 100}%` }} /> : null,
      )}
    </div>
  );
}

function StatusLegend() {
  const { t } = useI18n();
  return (
    <p class="status-legend small muted" aria-hidden="true">
      {operatorStatuses.map((s) => (
        <span key={s} class="status-legend__item">
          <span class={`status-mix__swatch status-mix__part--${s}`} /> {t(`status.${s}`)}
        </span>
      ))}
    </p>
  );
}
