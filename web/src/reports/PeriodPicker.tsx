import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import type { PeriodQuery } from './api';
import { isDay, presetOf, presetPeriod, presets } from './period';

/**
 * From/to days and the usual presets. A typed date is applied once it is a whole date; the service
 * judges the period (to before from, longer than it allows) and the report shows its answer.
 */
export function PeriodPicker({ value, today, onChange }: { value: PeriodQuery; today: string; onChange(p: PeriodQuery): void }) {
  const { t } = useI18n();
  const [from, setFrom] = useState(value.from);
  const [to, setTo] = useState(value.to);
  useEffect(() => {
    setFrom(value.from);
    setTo(value.to);
  }, [value.from, value.to]);
  const active = presetOf(value, today);

  const apply = (next: PeriodQuery) => {
    if (isDay(next.from) && isDay(next.to) && (next.from !== value.from || next.to !== value.to)) onChange(next);
  };

  return (
    <div class="period" data-testid="period" role="group" aria-label={t('reports.period')}>
      <div class="period__presets" role="group" aria-label={t('reports.period.presets')}>
        {presets.map((p) => (
          <button
            key={p}
            type="button"
            class={`btn btn--small${active === p ? ' is-active' : ''}`}
            aria-pressed={active === p}
            data-testid={`period-${p}`}
            onClick={() => onChange(presetPeriod(p, today))}
          >
            {t(`reports.period.${p}`)}
          </button>
        ))}
      </div>
      <div class="period__dates">
        <div class="field">
          <label for="period-from">{t('reports.period.from')}</label>
          <input
            id="period-from"
            type="date"
            data-testid="period-from"
            value={from}
            max={to || undefined}
            onInput={(e) => setFrom(e.currentTarget.value)}
            onChange={(e) => apply({ from: e.currentTarget.value, to })}
          />
        </div>
        <div class="field">
          <label for="period-to">{t('reports.period.to')}</label>
          <input
            id="period-to"
            type="date"
            data-testid="period-to"
            value={to}
            min={from || undefined}
            onInput={(e) => setTo(e.currentTarget.value)}
            onChange={(e) => apply({ from, to: e.currentTarget.value })}
          />
        </div>
      </div>
    </div>
  );
}
