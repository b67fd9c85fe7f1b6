import { useState } from 'preact/hooks';
import type { Presence, PresenceChanged, PresenceConnection, Role, UserStatus } from '../api/types';
import { type MessageKey, useI18n } from '../i18n';
import { useOnConnected, useSocketEvent } from '../realtime/hooks';
import { request } from '../realtime/socket';
import { useSession } from '../session/session';
import { Empty, Panel, StatusBadge } from '../ui/bits';
import { problemMessage } from '../ui/errors';
import { formatTime } from '../ui/format';

const order: Record<UserStatus, number> = { on_call: 0, ringing: 1, wrap_up: 2, available: 3, paused: 4, offline: 5 };

/**
 * Live presence of one team (the supervisor's `presence:list`, kept current by `presence:changed` and
 * `presence:connection`).
 * Reloaded on every reconnect, since events missed while offline are not replayed.
 */
export function PresenceBoard({ role, title }: { role: Role; title: MessageKey }) {
  const { t, locale } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  const [people, setPeople] = useState<Presence[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = () =>
    request<Presence[]>('presence:list')
      .then((list) => {
        setPeople(list.filter((p) => p.role === role));
        setError(null);
      })
      .catch(setError);
  useOnConnected(() => void load());

  useSocketEvent<PresenceConnection>('presence:connection', (e) => {
    if (e.role !== role) return;
    setPeople((prev) => prev && prev.map((p) => (p.id === e.userId ? { ...p, connected: e.connected } : p)));
  });

  useSocketEvent<PresenceChanged>('presence:changed', (e) => {
    if (e.role !== role) return;
    setPeople((prev) => {
      if (!prev) return prev;
      const next = { status: e.status, reason: e.reason, since: e.since, name: e.name };
      if (prev.some((p) => p.id === e.userId)) return prev.map((p) => (p.id === e.userId ? { ...p, ...next } : p));
      // Changing one's status needs a connection, so a newcomer is connected.
      return [...prev, { id: e.userId, role: e.role, connected: true, ...next }];
    });
  });

  const sorted = [...(people ?? [])].sort((a, b) => order[a.status] - order[b.status] || a.name.localeCompare(b.name));
  // Busy on the phone (ringing, on a call, wrap-up) counts as available in the summary.
  const counts = { available: 0, paused: 0, offline: 0 };
  for (const p of sorted) counts[p.status === 'paused' || p.status === 'offline' ? p.status : 'available'] += 1;

  return (
    <Panel title={t(title)} testId={`presence-${role}`} actions={people && <span class="muted">{t('presence.summary', counts)}</span>}>
      {error ? <p class="alert alert--error">{problemMessage(error, t)}</p> : null}
      {!people && !error && <p class="muted">{t('presence.waiting')}</p>}
      {people && sorted.length === 0 && <Empty text={t('presence.none')} />}
      {sorted.length > 0 && (
        <ul class="presence-list">
          {sorted.map((p) => (
            <li key={p.id} class="presence-item" data-testid="presence-item" data-status={p.status}>
              <span class="presence-item__name">{p.name}</span>
              <StatusBadge status={p.status} reason={p.reason} />
              <span class="presence-item__meta muted">
                {t('presence.since', { time: formatTime(p.since, locale, tz) })}
                {' · '}
                <span class={p.connected ? 'online' : ''}>{p.connected ? t('presence.connected') : t('presence.notConnected')}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
