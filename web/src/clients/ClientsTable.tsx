import { Fragment, type ComponentChildren } from 'preact';
import type { ClientRow } from '../api/types';
import { useI18n, type Translate } from '../i18n';
import { Link } from '../router/router';
import { useSession } from '../session/session';
import { formatDateTime } from '../ui/format';

interface Props {
  items: ClientRow[];
  /** With an "Account manager" column (the client head's view). */
  managerName?: (id: string | null) => string | null;
  /** A last column of actions per client. */
  actions?: (c: ClientRow) => ComponentChildren;
  /** A full-width row under a client (an open form), or null. */
  below?: (c: ClientRow) => ComponentChildren;
}

/**
 * Clients with category (A/B/C), payment risk group (0–3, coloured), importance, last contact and days
 * since, open tasks; abandoned clients are highlighted and clients covered for an absent colleague marked.
 */
export function ClientsTable({ items, managerName, actions, below }: Props) {
  const { t, locale } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  const columns = 6 + (managerName ? 1 : 0) + (actions ? 1 : 0);
  return (
    <div class="table-wrap">
      <table class="table client-table" data-testid="clients-table">
        <thead>
          <tr>
            <th scope="col">{t('clients.col.client')}</th>
            {managerName && <th scope="col">{t('clients.col.manager')}</th>}
            <th scope="col" title={t('clients.categoryHint')}>
              {t('clients.col.category')}
            </th>
            <th scope="col">{t('clients.col.risk')}</th>
            <th scope="col">{t('clients.col.importance')}</th>
            <th scope="col">{t('clients.col.lastContact')}</th>
            <th scope="col" class="num">
              {t('clients.col.tasks')}
            </th>
            {actions && (
              <th scope="col">
                <span class="sr-only">{t('users.col.actions')}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {items.map((c) => {
            const extra = below?.(c);
            return (
              <Fragment key={c.id}>
                <tr
                  class={`client-row${c.abandoned ? ' client-row--abandoned' : ''}`}
                  data-testid="client-row"
                  data-client-id={c.id}
                  data-abandoned={c.abandoned ? 'true' : 'false'}
                  data-manager-id={c.accountManagerId ?? ''}
                >
                  <td>
                    <Link href={`/contacts/${encodeURIComponent(c.id)}`} data-testid="client-name">
                      {c.name}
                    </Link>
                    {c.covering && (
                      <span class="tag tag--covering client-badge" title={t('clients.coveringHint')} data-testid="client-covering">
                        {t('clients.covering')}
                      </span>
                    )}
                    {c.company && <div class="muted small">{c.company}</div>}
                  </td>
                  {managerName && (
                    <td data-testid="client-manager">{managerName(c.accountManagerId) ?? <span class="tag tag--warn">{t('clients.noManager')}</span>}</td>
                  )}
                  <td>
                    {c.category ? (
                      <span class={`tag tag--cat tag--cat-${c.category}`} data-testid="client-category">
                        {c.category}
                      </span>
                    ) : (
                      <span class="muted" data-testid="client-category">
                        —
                      </span>
                    )}
                  </td>
                  <td>
                    {c.riskGroup !== null ? (
                      <span class={`tag tag--risk-${Math.min(3, Math.max(0, c.riskGroup))}`} title={riskTitle(c.riskGroup, t)} data-testid="client-risk" data-risk={c.riskGroup}>
                        {t('clients.risk', { n: c.riskGroup })}
                      </span>
                    ) : (
                      <span class="muted" data-testid="client-risk">
                        —
                      </span>
                    )}
                  </td>
                  <td data-testid="client-importance">{c.importance ? t(`clients.importance.${c.importance}`) : <span class="muted">—</span>}</td>
                  <td class="nowrap" data-testid="client-last-contact">
                    {c.lastContactAt ? (
                      <>
                        <div>{formatDateTime(c.lastContactAt, locale, tz)}</div>
                        <div class="muted small">{c.daysSinceContact ? t('clients.daysAgo', { n: c.daysSinceContact }) : t('clients.today')}</div>
                      </>
                    ) : (
                      <span class="muted">{t('clients.never')}</span>
                    )}
                    {c.abandoned && (
                      <div>
                        <span class="tag tag--abandoned" title={t('clients.abandonedHint')} data-testid="client-abandoned">
                          {t('clients.abandoned')}
                        </span>
                      </div>
                    )}
                  </td>
                  <td class="num" data-testid="client-open-tasks">
                    {c.openTasks}
                  </td>
                  {actions && <td class="actions">{actions(c)}</td>}
                </tr>
                {extra && (
                  <tr class="outcome-row">
                    <td colSpan={columns}>{extra}</td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function riskTitle(group: number, t: Translate) {
  const g = Math.min(3, Math.max(0, group)) as 0 | 1 | 2 | 3;
  return t(`clients.risk.${g}`);
}
