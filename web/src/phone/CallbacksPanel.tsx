import { useEffect, useState } from 'preact/hooks';
import { useLoader } from '../clients/useLoader';
import type { Callback } from '../api/types';
import { useI18n } from '../i18n';
import { useSocketEvent } from '../realtime/hooks';
import { useSession } from '../session/session';
import { FormError } from '../ui/Field';
import { Empty, LoadMore, Panel } from '../ui/bits';
import { problemMessage } from '../ui/errors';
import { formatPhone } from '../ui/format';
import { callOut, listCallbacks, takeNextCallback } from './api';
import { clock } from './PhonePanel';

/**
 * Callback tasks for callers nobody answered, first in first out, with their age against the SLA.
 * Operators take the next one and call back from here; the call closes the task when the client answers.
 */
export function CallbacksPanel() {
  const { t } = useI18n();
  const session = useSession();
  const me = session.state === 'signed-in' ? session.user : null;
  // The first page, live; later pages as asked for. Ages keep counting from when the page was read.
  const first = useLoader(async () => ({ page: await listCallbacks(null), at: Date.now() }));
  const [more, setMore] = useState<{ items: Callback[]; cursor: string | null } | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [, tick] = useState(0);

  useEffect(() => {
    const ticker = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(ticker);
  }, []);
  // A fresh first page replaces whatever was paged in after it.
  useEffect(() => setMore(null), [first.data]);
  useSocketEvent('callback:created', first.schedule);
  useSocketEvent('callback:updated', first.schedule);

  const items = first.data ? [...first.data.page.items, ...(more?.items ?? [])] : null;
  const cursor = more ? more.cursor : (first.data?.page.nextCursor ?? null);
  const loadedAt = first.data?.at ?? Date.now();
  const load = () => first.reload();
  const loadMore = async () => {
    if (!cursor) return;
    setLoading(true);
    try {
      const page = await listCallbacks(cursor);
      setMore((prev) => ({ items: [...(prev?.items ?? []), ...page.items], cursor: page.nextCursor }));
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };

  const takeNext = async () => {
    setError(null);
    setNotice(null);
    try {
      const { task } = await takeNextCallback();
      setNotice(task ? t('callbacks.taken', { phone: formatPhone(task.phone) }) : t('callbacks.noneFree'));
      await load();
    } catch (err) {
      setError(err);
    }
  };
  const callBack = async (task: Callback) => {
    setError(null);
    setNotice(null);
    try {
      const res = await callOut({ callbackId: task.id });
      setNotice(t('phone.dialing', { number: formatPhone(res.to) }));
      await load();
    } catch (err) {
      setError(err);
    }
  };

  const age = (c: Callback) => c.ageSeconds + (Date.now() - loadedAt) / 1000;
  return (
    <Panel
      title={t('callbacks.title')}
      testId="callbacks"
      actions={
        me?.role === 'operator' || me?.role === 'cc_admin' ? (
          <button type="button" class="btn btn--primary" onClick={() => void takeNext()} data-testid="callbacks-next">
            {t('callbacks.takeNext')}
          </button>
        ) : undefined
      }
    >
      <FormError message={error || first.error ? problemMessage(error ?? first.error, t) : null} />
      {notice && <p class="alert alert--ok" role="status" data-testid="callbacks-notice">{notice}</p>}
      {items === null && !first.error && <p class="muted">{t('common.loading')}</p>}
      {items?.length === 0 && <Empty text={t('callbacks.none')} />}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="callbacks-table">
            <thead>
              <tr>
                <th>{t('callbacks.col.phone')}</th>
                <th>{t('callbacks.col.reason')}</th>
                <th>{t('callbacks.col.source')}</th>
                <th>{t('callbacks.col.age')}</th>
                <th>{t('callbacks.col.holder')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {items.map((c) => {
                const mine = c.claimedBy?.id === me?.id;
                return (
                  <tr key={c.id} data-testid="callback-row" data-callback-id={c.id} class={c.late ? 'row--late' : undefined}>
                    <td>
                      {formatPhone(c.phone)}
                      {c.contact && <div class="small muted">{c.contact.name}</div>}
                    </td>
                    <td>{t(`callbacks.reason.${c.reason}`)}</td>
                    <td>{c.source?.name ?? '—'}</td>
                    <td data-testid="callback-age" class={c.late ? 'late' : undefined}>
                      {clock(age(c))}
                      {c.late && <span class="tag tag--warn"> {t('callbacks.late')}</span>}
                    </td>
                    <td>{c.claimedBy ? c.claimedBy.name : '—'}</td>
                    <td>
                      {(mine || !c.claimedBy) && me?.role !== 'admin' && (
                        <button type="button" class="btn btn--small" onClick={() => void callBack(c)} data-testid="callback-call">
                          {t('callbacks.callBack')}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore visible={!!cursor} loading={loading} onClick={() => void loadMore()} />
    </Panel>
  );
}
