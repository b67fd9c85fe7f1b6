import { api, setUnauthorizedHandler } from '../api/client';
import type { User } from '../api/types';
import { applyUserLocale } from '../i18n';
import { connectSocket, disconnectSocket } from '../realtime/socket';
import { navigate } from '../router/router';
import { createStore, useStore } from './store';

export type Session =
  | { state: 'loading' }
  | { state: 'anonymous'; notice?: 'expired' }
  | { state: 'signed-in'; user: User };

export const sessionStore = createStore<Session>({ state: 'loading' });
export const useSession = () => useStore(sessionStore);

/** Where to go after signing in, when the user opened a deep link while signed out. */
let returnTo = '/';

setUnauthorizedHandler(() => {
  if (sessionStore.get().state === 'signed-in') endSession('expired');
});

/** On page load: the httpOnly cookie (if any) decides whether we are signed in. */
export async function restoreSession() {
  try {
    const user = await api<User>('/api/me', { expect401: true });
    startSession(user);
  } catch {
    sessionStore.set({ state: 'anonymous' });
  }
}

export async function signIn(email: string, password: string) {
  const res = await api<{ user: User }>('/api/auth/login', { body: { email, password }, expect401: true });
  startSession(res.user);
  navigate(returnTo, { replace: true });
  returnTo = '/';
}

export async function signOut() {
  try {
    await api('/api/auth/logout', { method: 'POST', expect401: true });
  } catch {
    /* the cookie is gone or the server is down: either way we show the login page */
  }
  endSession();
}

export function rememberReturnTo(path: string) {
  if (path !== '/login') returnTo = path;
}

function startSession(user: User) {
  applyUserLocale(user.locale);
  sessionStore.set({ state: 'signed-in', user });
  connectSocket({ onSessionEnded: () => endSession('expired') });
}

function endSession(notice?: 'expired') {
  disconnectSocket();
  sessionStore.set(notice ? { state: 'anonymous', notice } : { state: 'anonymous' });
  navigate('/login', { replace: true });
}

/** Keeps the header in step after the user's record changes (status, name…). */
export function updateCurrentUser(patch: Partial<User>) {
  const s = sessionStore.get();
  if (s.state === 'signed-in') sessionStore.set({ state: 'signed-in', user: { ...s.user, ...patch } });
}
