import type { CommissionReport } from '../api/types';
import { useI18n } from '../i18n';
import { useSession } from '../session/session';
import { Empty, Panel } from '../ui/bits';
import { FormError } from '../ui/Field';
import { problemMessage } from '../ui/errors';
import { formatDateTime, formatMoney } from '../ui/format';
import { getCommissions, thisMonth } from './api';
import { useLoader } from './useLoader';

/**
 * The hunter's commission for this calendar month (browser time): earned on later sales to the clients
 * they handed over. One line per currency. Re-fetched when `refreshKey` changes and on reconnects.
 */
export function CommissionPanel({ refreshKey = 0 }: { refreshKey?: number }) {
  const { t, locale } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  const report = useLoader<CommissionReport>(() => {
    const { from, to } = thisMonth();
    return getCommissions(from, to);
  }, refreshKey);
  const data = report.data;
  return (
    <Panel
      title={t('commission.title')}
      testId="my-commission"
      actions={data && <span class="muted">{t('commission.period', { from: formatDateTime(data.from, locale, tz) })}</span>}
    >
      <FormError message={report.error ? problemMessage(report.error, t) : null} />
      {!data && !report.error && <p class="muted">{t('common.loading')}</p>}
      {data?.items.length === 0 && <Empty text={t('commission.none')} />}
      {data && data.items.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="commission-table">
            <thead>
              <tr>
                <th scope="col" class="num">
                  {t('commission.col.deals')}
                </th>
                <th scope="col" class="num">
                  {t('commission.col.sales')}
                </th>
                <th scope="col" class="num">
                  {t('commission.col.commission')}
                </th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((r) => (
                <tr key={`${r.hunterId}:${r.currency}`} data-testid="commission-row">
                  <td class="num">{r.deals}</td>
                  <td class="num nowrap">{formatMoney(r.salesMinor, r.currency, locale)}</td>
                  <td class="num nowrap commission-amount" data-testid="commission-amount">
                    {formatMoney(r.commissionMinor, r.currency, locale)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
