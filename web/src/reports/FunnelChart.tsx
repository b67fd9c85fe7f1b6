import { Fragment } from 'preact';
import { useI18n } from '../i18n';
import { formatPercent } from '../ui/format';
import type { FunnelRow, FunnelStage } from './api';

/**
 * The period's funnel: one centred bar per stage, narrowing with the counts, and between two stages the
 * share that reached the next one.
 */
export function FunnelChart({ total, stages }: { total: FunnelRow; stages: FunnelStage[] }) {
  const { t, locale } = useI18n();
  const max = Math.max(1, ...stages.map((s) => total[s]));
  return (
    <ol class="funnel" data-testid="funnel-chart" aria-label={t('reports.funnel.chart')}>
      {stages.map((stage, i) => {
        const next = stages[i + 1];
        const rate = next ? total.conversion[`${stage}_${next}`] : undefined;
        // A stage with a few items is still visible: the bar never gets thinner than its label needs.
        const width = Math.max(6, (total[stage] / max) * 100);
        return (
          <Fragment key={stage}>
            <li class={`funnel__stage funnel__stage--${i}`} data-testid="funnel-stage" data-stage={stage} data-count={total[stage]}>
              <span class="funnel__label">{t(`reports.stage.${stage}`)}</span>
              <span class="funnel__track">
                <span class="funnel__bar" style={{ width: `${width}%` }}>
                  <span class="funnel__count">{total[stage].toLocaleString(locale)}</span>
                </span>
              </span>
            </li>
            {next && (
              <li class="funnel__step">
                <span class="funnel__rate">
                  <span aria-hidden="true">↓ </span>
                  <span class="sr-only">{t('reports.funnel.stepAria', { from: t(`reports.stage.${stage}`), to: t(`reports.stage.${next}`) })}: </span>
                  <span data-testid="funnel-step" data-pair={`${stage}_${next}`}>
                    {rate === null || rate === undefined ? '—' : formatPercent(rate, locale)}
                  </span>
                </span>
              </li>
            )}
          </Fragment>
        );
      })}
    </ol>
  );
}
