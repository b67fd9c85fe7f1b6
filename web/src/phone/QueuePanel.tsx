import { useEffect, useState } from 'preact/hooks';
import { useLoader } from '../clients/useLoader';
import { useI18n } from '../i18n';
import { useSocketEvent } from '../realtime/hooks';
import { FormError } from '../ui/Field';
import { Empty, Panel } from '../ui/bits';
import { problemMessage } from '../ui/errors';
import { formatPhone } from '../ui/format';
import { getQueue } from './api';
import { clock } from './PhonePanel';

/** Callers waiting for an operator now, in the order they are served, with their wait and who is being rung. */
export function QueuePanel() {
  const { t } = useI18n();
  // The wait shown keeps counting from when the list was read.
  const queue = useLoader(async () => ({ items: (await getQueue()).items, at: Date.now() }));
  const [, tick] = useState(0);
  useEffect(() => {
    const ticker = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(ticker);
  }, []);
  useSocketEvent('acd:queue', queue.schedule);

  const items = queue.data?.items ?? null;
  const since = (Date.now() - (queue.data?.at ?? Date.now())) / 1000;
  const longest = items?.length ? Math.max(...items.map((q) => q.waitSeconds)) + since : 0;
  return (
    <Panel
      title={t('queue.calls.title')}
      testId="call-queue"
      actions={<span class="muted" data-testid="call-queue-summary">{t('queue.calls.summary', { n: items?.length ?? 0, longest: clock(longest) })}</span>}
    >
      <FormError message={queue.error ? problemMessage(queue.error, t) : null} />
      {items?.length === 0 && <Empty text={t('queue.calls.none')} />}
      {items && items.length > 0 && (
        <ol class="plain call-queue">
          {items.map((q) => (
            <li key={q.callId} data-testid="call-queue-row" data-call-id={q.callId}>
              <strong>{q.position}.</strong> {q.contact?.name ?? formatPhone(q.from)} · {q.source ?? t('phone.pop.unknownSource')} ·{' '}
              <span data-testid="call-queue-wait">{clock(q.waitSeconds + since)}</span>
              {q.ringing.length > 0 && <span class="muted"> · {t('queue.calls.ringing', { names: q.ringing.map((r) => r.name).join(', ') })}</span>}
            </li>
          ))}
        </ol>
      )}
    </Panel>
  );
}
