import { useEffect, useRef, useState } from 'preact/hooks';
import type { TargetedEvent, TargetedMouseEvent } from 'preact';
import { callDirections, callStatuses, type Call, type CallDirection, type CallStatus, type CallUpdated } from '../api/types';
import { useI18n } from '../i18n';
import { useOnConnected, useSocketEvent } from '../realtime/hooks';
import { Link, navigate } from '../router/router';
import { useSession } from '../session/session';
import { Empty, LoadMore, Panel } from '../ui/bits';
import { Field, FormError } from '../ui/Field';
import { problemMessage } from '../ui/errors';
import { formatPhone, formatTime } from '../ui/format';
import { usePaged } from '../ui/usePaged';
import { listCalls, listenToCall } from './api';

const PAGE = 25;
const REFRESH_DEBOUNCE_MS = 300;

/**
 * Recent calls, newest first, with direction/status filters and "Load more". Any `call:updated` (and every
 * reconnect, since missed events are not replayed) re-fetches the first page, debounced, and merges it in.
 */
export function CallLogPanel() {
  const { t, locale } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  const [direction, setDirection] = useState<CallDirection | ''>('');
  const [status, setStatus] = useState<CallStatus | ''>('');
  const filter = { direction, status };
  const list = usePaged(`calls:${direction}:${status}`, (cursor) => listCalls(filter, cursor, PAGE));
  const [refreshError, setRefreshError] = useState<unknown>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const refreshRef = useRef<() => Promise<void>>(async () => {});

  refreshRef.current = async () => {
    try {
      const page = await listCalls(filter, null, PAGE);
      // Oldest first, each put at the start, so new calls end up newest-first; known ones change in place.
      for (const c of [...page.items].reverse()) list.upsert(c, 'start');
      setRefreshError(null);
    } catch (err) {
      setRefreshError(err);
    }
  };

  const scheduleRefresh = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void refreshRef.current(), REFRESH_DEBOUNCE_MS);
  };
  useEffect(() => () => clearTimeout(timer.current), []);
  useSocketEvent<CallUpdated>('call:updated', scheduleRefresh);
  useOnConnected(scheduleRefresh);

  // A call that changed and no longer matches the filters is dropped from the view.
  const shown = list.items.filter((c) => (!direction || c.direction === direction) && (!status || c.status === status));

  return (
    <Panel title={t('calls.title')} testId="call-log" actions={<span class="muted">{t('calls.live')}</span>}>
      <div class="filters">
        <Field label={t('calls.filter.direction')}>
          {(a) => (
            <select
              {...a}
              name="direction"
              value={direction}
              onChange={(e: TargetedEvent<HTMLSelectElement>) => setDirection(e.currentTarget.value as CallDirection | '')}
            >
              <option value="">{t('calls.filter.all')}</option>
              {callDirections.map((d) => (
                <option key={d} value={d}>
                  {t(`calls.direction.${d}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('calls.filter.status')}>
          {(a) => (
            <select {...a} name="status" value={status} onChange={(e: TargetedEvent<HTMLSelectElement>) => setStatus(e.currentTarget.value as CallStatus | '')}>
              <option value="">{t('calls.filter.all')}</option>
              {callStatuses.map((s) => (
                <option key={s} value={s}>
                  {t(`calls.status.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <FormError message={list.error ? problemMessage(list.error, t) : refreshError ? problemMessage(refreshError, t) : null} />
      {shown.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="calls-table">
            <thead>
              <tr>
                <th scope="col">{t('calls.col.time')}</th>
                <th scope="col">{t('calls.col.direction')}</th>
                <th scope="col">{t('calls.col.parties')}</th>
                <th scope="col">{t('calls.col.status')}</th>
                <th scope="col" class="num" title={t('calls.col.waitTalkHint')}>
                  {t('calls.col.waitTalk')}
                </th>
                <th scope="col">{t('calls.col.source')}</th>
                <th scope="col">{t('calls.col.attribution')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((c) => (
                <CallRow key={c.id} call={c} time={formatTime(c.startedAt, locale, tz)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!list.loading && !list.error && shown.length === 0 && <Empty text={t('calls.none')} />}
      <LoadMore visible={list.hasMore} loading={list.loading} onClick={list.loadMore} />
    </Panel>
  );
}

function CallRow({ call: c, time }: { call: Call; time: string }) {
  const { t } = useI18n();
  const utm = c.attribution.utm;
  const utmText = utm ? [utm.source, utm.campaign].filter(Boolean).join(' / ') : '';
  const seconds = (n: number | null) => (n === null ? '—' : t('calls.seconds', { n }));
  const href = `/calls/${encodeURIComponent(c.id)}`;
  // The whole row opens the call; the time is a real link for the keyboard and for Ctrl/⌘-click.
  const onClick = (e: TargetedMouseEvent<HTMLTableRowElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if ((e.target as Element).closest('a, button, input, select, summary')) return;
    if (window.getSelection()?.toString()) return; // selecting a number to copy it
    navigate(href);
  };
  return (
    <tr class="call-row" data-testid="call-row" data-call-id={c.id} data-status={c.status} onClick={onClick}>
      <td class="nowrap">
        <Link href={href} title={t('calls.open')} data-testid="call-link">
          {time}
        </Link>
      </td>
      <td>{t(`calls.direction.${c.direction}`)}</td>
      <td class="nowrap">
        {formatPhone(c.from)} → {formatPhone(c.did ?? c.to)}
      </td>
      <td>
        <span class={`tag tag--call-${c.status}`} data-testid="call-status">
          {t(`calls.status.${c.status}`)}
        </span>
        {!c.endedAt && c.operatorId && <ListenButton callId={c.id} />}
      </td>
      <td class="num nowrap">
        {seconds(c.waitSeconds)} / {seconds(c.talkSeconds)}
      </td>
      <td>{c.source?.name ?? '—'}</td>
      <td>
        {t(`calls.method.${c.attribution.method}`)}
        {utmText && <span class="muted"> · {utmText}</span>}
        {c.attribution.ambiguous && (
          <span class="tag tag--warn call-mark" title={t('calls.ambiguousHint')} data-testid="call-ambiguous">
            {t('calls.ambiguous')}
          </span>
        )}
        {c.repeatCaller && (
          <span class="tag call-mark" data-testid="call-repeat">
            {t('calls.repeat')}
          </span>
        )}
      </td>
    </tr>
  );
}

/** Supervisors listen to a call in conversation on their own phone. */
function ListenButton({ callId }: { callId: string }) {
  const { t } = useI18n();
  const session = useSession();
  const [state, setState] = useState<{ ok: boolean; text: string } | null>(null);
  if (session.state !== 'signed-in' || !['cc_admin', 'admin'].includes(session.user.role)) return null;
  const listen = async () => {
    try {
      await listenToCall(callId);
      setState({ ok: true, text: t('calls.listenRinging') });
    } catch (err) {
      setState({ ok: false, text: problemMessage(err, t) });
    }
  };
  return (
    <>
      {' '}
      <button type="button" class="btn btn--small" data-testid="call-listen" onClick={() => void listen()}>
        {t('calls.listen')}
      </button>
      {state && (
        <div class={`small ${state.ok ? 'muted' : 'field__error'}`} role="status">
          {state.text}
        </div>
      )}
    </>
  );
}
