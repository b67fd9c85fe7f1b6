import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import { FormError } from '../ui/Field';
import { problemMessage } from '../ui/errors';
import { formatPercent } from '../ui/format';
import { getStats, type ScriptStats } from './api';

/** Which steps and answers lead to meetings: runs through each step/answer and how many ended in a meeting. */
export function ScriptStatsPanel({ scriptId, versions }: { scriptId: string; versions: number[] }) {
  const { t, locale } = useI18n();
  const latest = versions.length ? Math.max(...versions) : null;
  const [version, setVersion] = useState<number | null>(latest);
  const [stats, setStats] = useState<ScriptStats | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    getStats(scriptId, { version })
      .then(
        (s) => live && setStats(s),
        (err) => live && setError(err),
      )
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [scriptId, version, reloads]);

  const pct = (meetings: number, passed: number) => (passed > 0 ? formatPercent(meetings / passed, locale) : '—');
  return (
    <section class="panel script-stats" data-testid="script-stats">
      <header class="panel__head">
        <h2>{t('scripts.stats.title')}</h2>
        <div class="panel__actions">
          <select aria-label={t('scripts.stats.version')} value={version ?? ''} onChange={(e) => setVersion(Number(e.currentTarget.value))} data-testid="stats-version">
            {[...versions]
              .sort((a, b) => b - a)
              .map((v) => (
                <option key={v} value={v}>
                  {t('scripts.versionN', { version: v })}
                </option>
              ))}
          </select>{' '}
          <button type="button" class="btn btn--small" onClick={() => setReloads((n) => n + 1)} disabled={loading} data-testid="stats-refresh">
            {t('scripts.stats.refresh')}
          </button>
        </div>
      </header>
      <p class="muted small">{t('scripts.stats.lead')}</p>
      <FormError message={error ? problemMessage(error, t) : null} />
      {stats && (
        <>
          <p data-testid="stats-summary">
            {t('scripts.stats.summary', { runs: stats.runs, meetings: stats.meetings, pct: pct(stats.meetings, stats.runs) })}
          </p>
          {stats.outcomes.length > 0 && (
            <p class="small" data-testid="stats-outcomes">
              {stats.outcomes.map((o) => `${t(`scripts.outcome.${o.kind}`)}: ${o.count}`).join(' · ')}
            </p>
          )}
          <div class="table-wrap">
            <table class="table" data-testid="stats-table">
              <thead>
                <tr>
                  <th scope="col">{t('scripts.stats.step')}</th>
                  <th scope="col" class="num">
                    {t('scripts.stats.passed')}
                  </th>
                  <th scope="col" class="num">
                    {t('scripts.stats.meetings')}
                  </th>
                  <th scope="col" class="num">
                    {t('scripts.stats.conversion')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {stats.steps.map((s) => (
                  <Fragment key={s.stepId}>
                    <tr data-testid="stats-step" data-step-id={s.stepId} data-passed={s.passed} data-meetings={s.meetings} class={`stats-step stats-step--${s.kind}`}>
                      <td>
                        <strong>{s.title || s.stepId}</strong> <span class="tag">{t(`scripts.kind.${s.kind}`)}</span>
                      </td>
                      <td class="num">{s.passed}</td>
                      <td class="num">{s.meetings}</td>
                      <td class="num">{pct(s.meetings, s.passed)}</td>
                    </tr>
                    {s.options.map((o) => (
                      <tr key={`${s.stepId}-${o.optionId}`} data-testid="stats-option" data-step-id={s.stepId} data-option-id={o.optionId} class="stats-option">
                        <td class="stats-option__label">
                          ↳ «{o.label}» <span class="muted small">→ {o.next}</span>
                        </td>
                        <td class="num">{o.chosen}</td>
                        <td class="num">{o.meetings}</td>
                        <td class="num">{pct(o.meetings, o.chosen)}</td>
                      </tr>
                    ))}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
