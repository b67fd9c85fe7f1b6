import { useEffect, useRef, useState } from 'preact/hooks';
import type { Distribution } from '../api/types';
import { useI18n, type Translate } from '../i18n';
import { useOnConnected, useSocketEvent } from '../realtime/hooks';
import { Empty, Panel } from '../ui/bits';
import { FormError } from '../ui/Field';
import { problemMessage } from '../ui/errors';
import { formatDateTime, formatPercent } from '../ui/format';
import { getDistribution } from './api';

const REFRESH_DEBOUNCE_MS = 1000;

/** From the first day of this month (browser time) to a day ahead, so that nothing assigned today is cut off. */
function monthRange(now = new Date()) {
  const from = new Date(now.getFullYear(), now.getMonth(), 1);
  const to = new Date(now.getTime() + 86_400_000);
  return { from: from.toISOString(), to: to.toISOString() };
}

/**
 * Meetings assigned to each hunter this month against the share their routing weight entitles them to,
 * with how they answer offers. Re-fetched (debounced) on `meeting:updated` and reconnects.
 */
export function DistributionPanel() {
  const { t, locale } = useI18n();
  const [data, setData] = useState<Distribution | null>(null);
  const [error, setError] = useState<unknown>(null);
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = async () => {
    const mine = ++seq.current;
    const { from, to } = monthRange();
    try {
      const d = await getDistribution(from, to);
      if (mine !== seq.current) return;
      setData(d);
      setError(null);
    } catch (err) {
      if (mine === seq.current) setError(err);
    }
  };
  const scheduleRefresh = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(), REFRESH_DEBOUNCE_MS);
  };
  useEffect(() => {
    void load();
    return () => {
      clearTimeout(timer.current);
      seq.current++;
    };
  }, []);
  useSocketEvent('meeting:updated', scheduleRefresh);
  useOnConnected(scheduleRefresh);

  const pct = (v: number) => formatPercent(v, locale);
  // Bars share one scale: the largest share or target on screen fills the track.
  const scale = Math.max(0.0001, ...(data?.hunters ?? []).flatMap((h) => [h.share, h.targetShare]));

  return (
    <Panel
      title={t('distribution.title')}
      testId="distribution"
      actions={data && <span class="muted">{t('distribution.period', { from: formatDateTime(data.from, locale), total: data.total })}</span>}
    >
      <FormError message={error ? problemMessage(error, t) : null} />
      {!data && !error && <p class="muted">{t('common.loading')}</p>}
      {data?.hunters.length === 0 && <Empty text={t('distribution.none')} />}
      {data && data.hunters.length > 0 && (
        <>
          <div class="table-wrap">
            <table class="table" data-testid="distribution-table">
              <thead>
                <tr>
                  <th scope="col">{t('distribution.col.hunter')}</th>
                  <th scope="col" class="num">
                    {t('distribution.col.weight')}
                  </th>
                  <th scope="col" class="num">
                    {t('distribution.col.assigned')}
                  </th>
                  <th scope="col" class="num">
                    {t('distribution.col.share')}
                  </th>
                  <th scope="col" class="num">
                    {t('distribution.col.target')}
                  </th>
                  <th scope="col" class="dist-bar-col">
                    {t('distribution.col.bar')}
                  </th>
                  <th scope="col" class="num">
                    {t('distribution.col.accepted')}
                  </th>
                  <th scope="col" class="num">
                    {t('distribution.col.declined')}
                  </th>
                  <th scope="col" class="num">
                    {t('distribution.col.expired')}
                  </th>
                  <th scope="col" class="num">
                    {t('distribution.col.avgAccept')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.hunters.map((h) => {
                  const over = h.share > h.targetShare + 1e-9;
                  return (
                    <tr key={h.id} data-testid="distribution-row" data-hunter-id={h.id} class={h.active ? '' : 'is-inactive'}>
                      <td>
                        {h.name}
                        {!h.active && <span class="muted small"> · {t('distribution.inactive')}</span>}
                      </td>
                      <td class="num">{h.weight.toLocaleString(locale)}</td>
                      <td class="num" data-testid="distribution-assigned">
                        {h.assigned}
                      </td>
                      <td class="num" data-testid="distribution-share">
                        {pct(h.share)}
                      </td>
                      <td class="num" data-testid="distribution-target">
                        {pct(h.targetShare)}
                      </td>
                      <td class="dist-bar-col">
                        <div class="dist-bar" role="img" aria-label={t('distribution.bar', { share: pct(h.share), target: pct(h.targetShare) })}>
                          <div class={`dist-bar__fill${over ? ' dist-bar__fill--over' : ''}`} style={{ width: `${(h.share / scale) * 100}%` }} />
                          <div class="dist-bar__target" style={{ left: `${(h.targetShare / scale) * 100}%` }} />
                        </div>
                      </td>
                      <td class="num">{h.offers.accepted}</td>
                      <td class="num">{h.offers.declined}</td>
                      <td class="num">{h.offers.expired}</td>
                      <td class="num nowrap">{duration(h.avgSecondsToAccept, t)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p class="dist-legend muted small">
            <span class="dist-legend__share" aria-hidden="true" /> {t('distribution.legendShare')}
            <span class="dist-legend__target" aria-hidden="true" /> {t('distribution.legendTarget')}
          </p>
        </>
      )}
    </Panel>
  );
}


function duration(seconds: number | null, t: Translate) {
  if (seconds === null) return '—';
  if (seconds < 60) return t('calls.seconds', { n: seconds });
  return t('distribution.minSec', { m: Math.floor(seconds / 60), s: seconds % 60 });
}
