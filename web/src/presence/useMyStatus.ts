import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { PresenceChanged, User, UserStatus } from '../api/types';
import { request } from '../realtime/socket';
import { useConnection, useSocketEvent } from '../realtime/hooks';
import { updateCurrentUser, useSession } from '../session/session';

/** The signed-in user's presence and a setter: over the socket when it is up, over HTTP otherwise. */
export function useMyStatus() {
  const session = useSession();
  const conn = useConnection();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const user = session.state === 'signed-in' ? session.user : null;

  // Another tab (or a supervisor tool) may change our status: follow it.
  useSocketEvent<PresenceChanged>('presence:changed', (e) => {
    if (user && e.userId === user.id) updateCurrentUser({ status: e.status, statusReason: e.reason, statusChangedAt: e.since });
  });

  const setStatus = async (status: UserStatus, reason?: string): Promise<boolean> => {
    const body = status === 'paused' && reason?.trim() ? { status, reason: reason.trim() } : { status };
    setBusy(true);
    setError(null);
    try {
      const updated =
        conn === 'connected' ? await request<User>('status:set', body) : await api<User>('/api/me/status', { method: 'PUT', body });
      updateCurrentUser({ status: updated.status, statusReason: updated.statusReason, statusChangedAt: updated.statusChangedAt });
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };

  return {
    status: user?.status ?? 'offline',
    reason: user?.statusReason ?? null,
    since: user?.statusChangedAt ?? null,
    setStatus,
    busy,
    error,
  };
}
