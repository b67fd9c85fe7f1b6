import { useEffect, useState } from 'preact/hooks';
import type { Role } from '../api/types';
import { useI18n } from '../i18n';
import { formatPercent } from '../ui/format';
import { csvUrl, getRefusals, listCampaignNames, type PeriodQuery } from './api';
import { Bar, ReportFrame } from './ReportFrame';
import { useReport } from './useReport';

/** Who may list campaigns, and so filter refusals by one. */
const campaignReaders: readonly Role[] = ['admin', 'cc_admin'];

/** "Not interested" outcomes by reason, for every campaign or one. */
export function RefusalsPanel({ period, role }: { period: PeriodQuery; role: Role }) {
  const { t, locale } = useI18n();
  const [campaignId, setCampaignId] = useState('');
  const [campaigns, setCampaigns] = useState<Array<{ id: string; name: string }> | null>(null);
  useEffect(() => {
    if (!campaignReaders.includes(role)) return;
    listCampaignNames().then(setCampaigns, () => setCampaigns(null));
  }, [role]);
  const state = useReport(`${period.from}:${period.to}:${campaignId}`, () => getRefusals(period, campaignId || undefined));

  const controls = campaigns && campaigns.length > 0 && (
    <div class="field">
      <label for="refusals-campaign">{t('reports.refusals.campaign')}</label>
      <select id="refusals-campaign" data-testid="refusals-campaign" value={campaignId} onChange={(e) => setCampaignId(e.currentTarget.value)}>
        <option value="">{t('reports.refusals.allCampaigns')}</option>
        {campaigns.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <ReportFrame
      title={t('reports.refusals.title')}
      testId="report-refusals"
      state={state}
      csv={csvUrl('refusals', { ...period, campaignId: campaignId || undefined })}
      controls={controls || undefined}
      isEmpty={(d) => d.rows.length === 0}
      emptyText={t('reports.refusals.none')}
    >
      {(d) => {
        const max = Math.max(0, ...d.rows.map((r) => r.count));
        return (
          <>
            <p data-testid="refusals-total">{t('reports.refusals.total', { total: d.total.toLocaleString(locale) })}</p>
            <div class="table-wrap">
              <table class="table report-table" data-testid="refusals-table">
                <thead>
                  <tr>
                    <th scope="col">{t('reports.col.reason')}</th>
                    <th scope="col" class="num">
                      {t('reports.col.count')}
                    </th>
                    <th scope="col" class="num">
                      {t('reports.col.share')}
                    </th>
                    <th scope="col" class="report-bar-col">
                      <span class="sr-only">{t('reports.col.bar')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {d.rows.map((r) => (
                    <tr key={r.reason} data-testid="refusals-row" data-reason={r.reason}>
                      <th scope="row">{r.reason || t('reports.refusals.noReason')}</th>
                      <td class="num" data-col="count">
                        {r.count}
                      </td>
                      <td class="num" data-col="share">
                        {formatPercent(r.share, locale)}
                      </td>
                      <td>
                        <Bar value={r.count} max={max} variant="warn" />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        );
      }}
    </ReportFrame>
  );
}
