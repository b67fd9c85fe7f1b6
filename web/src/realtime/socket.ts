import { io, type Socket } from 'socket.io-client';
import type { Problem } from '../api/types';
import { createStore } from '../session/store';

export type ConnectionState = 'connected' | 'connecting' | 'disconnected';

export const connectionStore = createStore<ConnectionState>('disconnected');
export const socketStore = createStore<Socket | null>(null);
/**
 * Server time minus this browser's time in ms, taken from `session:ready` on every connect (0 before the
 * first). Deadlines set by the service (offer expiry) are counted down against `serverNow()`, so a
 * browser whose clock is off still shows the time that is really left.
 */
export const clockOffsetStore = createStore<number>(0);
export const serverNow = () => Date.now() + clockOffsetStore.get();

type Ack<T> = { ok: true; data: T } | { ok: false; error: Problem };

export class SocketError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.name = 'SocketError';
  }
}

interface Handlers {
  /** The server refused or ended the session: the user must sign in again. */
  onSessionEnded(): void;
}

let socket: Socket | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

/** Opens the panel's one socket; the session cookie authenticates it (same origin). */
export function connectSocket(handlers: Handlers): Socket {
  disconnectSocket();
  const s = io({ path: '/socket.io', transports: ['websocket', 'polling'], withCredentials: true });
  socket = s;
  socketStore.set(s);
  connectionStore.set('connecting');
  s.on('connect', () => connectionStore.set('connected'));
  s.on('disconnect', (reason) => {
    connectionStore.set('disconnected');
    // socket.io does not retry after a server-side disconnect; the session may still be fine, so try again.
    if (reason === 'io server disconnect') {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => {
        if (socket === s) {
          connectionStore.set('connecting');
          s.connect();
        }
      }, 2000);
    }
  });
  s.io.on('reconnect_attempt', () => connectionStore.set('connecting'));
  s.on('connect_error', (err: Error & { data?: Partial<Problem> }) => {
    if (err.data?.code === 'unauthorized') {
      handlers.onSessionEnded();
      return;
    }
    connectionStore.set(s.active ? 'connecting' : 'disconnected');
  });
  s.on('session:expired', () => handlers.onSessionEnded());
  s.on('session:ready', (p: { serverTime?: unknown } | undefined) => {
    const at = typeof p?.serverTime === 'string' ? Date.parse(p.serverTime) : NaN;
    if (Number.isFinite(at)) clockOffsetStore.set(at - Date.now());
  });
  return s;
}

export function disconnectSocket() {
  clearTimeout(retryTimer);
  if (socket) {
    socket.removeAllListeners();
    socket.io.removeAllListeners();
    socket.disconnect();
    socket = null;
    socketStore.set(null);
  }
  connectionStore.set('disconnected');
}

export function currentSocket(): Socket | null {
  return socket;
}

/** Emits a client event and resolves with its acknowledged data, or rejects with the problem. */
export async function request<T>(event: string, payload?: unknown, timeoutMs = 5000): Promise<T> {
  const s = socket;
  if (!s || !s.connected) throw new SocketError(notConnected);
  const args = payload === undefined ? [] : [payload];
  const res = (await s.timeout(timeoutMs).emitWithAck(event, ...args)) as Ack<T>;
  if (!res.ok) throw new SocketError(res.error);
  return res.data;
}

const notConnected: Problem = {
  type: 'about:blank',
  title: 'Not connected',
  status: 0,
  detail: 'The real-time connection is not established',
  code: 'network',
};
