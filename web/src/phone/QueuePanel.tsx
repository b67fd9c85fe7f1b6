import { useEffect, useRef, useState } from 'preact/hooks';
import type { QueueEntry } from '../api/types';
import { useI18n } from '../i18n';
import { useOnConnected, useSocketEvent } from '../realtime/hooks';
import { FormError } from '../ui/Field';
import { Empty, Panel } from '../ui/bits';
import { problemMessage } from '../ui/errors';
import { formatPhone } from '../ui/format';
import { getQueue } from './api';
import { clock } from './PhonePanel';

const REFRESH_DEBOUNCE_MS = 300;

/** Callers waiting for an operator now, in the order they are served, with their wait and who is being rung. */
export function QueuePanel() {
  const { t } = useI18n();
  const [items, setItems] = useState<QueueEntry[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadedAt, setLoadedAt] = useState(Date.now());
  const [, tick] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = async () => {
    try {
      setItems((await getQueue()).items);
      setLoadedAt(Date.now());
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  const scheduleRefresh = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(), REFRESH_DEBOUNCE_MS);
  };
  useEffect(() => {
    void load();
    const ticker = setInterval(() => tick((n) => n + 1), 1000);
    return () => {
      clearTimeout(timer.current);
      clearInterval(ticker);
    };
  }, []);
  useSocketEvent('acd:queue', scheduleRefresh);
  useOnConnected(scheduleRefresh);

  const longest = items?.length ? Math.max(...items.map((q) => q.waitSeconds)) + (Date.now() - loadedAt) / 1000 : 0;
  return (
    <Panel
      title={t('queue.calls.title')}
      testId="call-queue"
      actions={<span class="muted" data-testid="call-queue-summary">{t('queue.calls.summary', { n: items?.length ?? 0, longest: clock(longest) })}</span>}
    >
      <FormError message={error ? problemMessage(error, t) : null} />
      {items?.length === 0 && <Empty text={t('queue.calls.none')} />}
      {items && items.length > 0 && (
        <ol class="plain call-queue">
          {items.map((q) => (
            <li key={q.callId} data-testid="call-queue-row" data-call-id={q.callId}>
              <strong>{q.position}.</strong> {q.contact?.name ?? formatPhone(q.from)} · {q.source ?? t('phone.pop.unknownSource')} ·{' '}
              <span data-testid="call-queue-wait">{clock(q.waitSeconds + (Date.now() - loadedAt) / 1000)}</span>
              {q.ringing.length > 0 && <span class="muted"> · {t('queue.calls.ringing', { names: q.ringing.map((r) => r.name).join(', ') })}</span>}
            </li>
          ))}
        </ol>
      )}
    </Panel>
  );
}
