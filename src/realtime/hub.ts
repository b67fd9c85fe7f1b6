import type { Server } from 'socket.io';
import type { Role } from '../db/schema.js';

/**
 * What domain code uses to push events. The socket.io server is attached once the HTTP server exists;
 * before that (or in HTTP-only tests) there is nobody to deliver to, so events are dropped.
 */
export interface RealtimeHub {
  toUser(userId: string, event: string, payload: unknown): void;
  toRoles(roles: readonly Role[], event: string, payload: unknown): void;
  /** User ids with at least one connected socket, across all instances when the Redis adapter is on. */
  connectedUserIds(): Promise<Set<string>>;
  /**
   * The same, cheap enough to ask many times a second: sockets on this instance exactly, sockets on
   * other instances (Redis adapter) as seen at most `maxAgeMs` ago.
   */
  presenceSnapshot(maxAgeMs?: number): Promise<Set<string>>;
  /** Socket bookkeeping by the realtime server. */
  socketOpened(user: { id: string; role: Role }, emit: (event: string, payload: unknown) => void): void;
  socketClosed(userId: string): void;
  /** Runs when a user's socket connects (e.g. to resend what is still waiting for them). */
  onSocketOpened(hook: (user: { id: string; role: Role }, emit: (event: string, payload: unknown) => void) => void | Promise<void>): void;
  attach(io: Server): void;
  readonly adapter: 'memory' | 'redis';
}

export const userRoom = (id: string) => `user:${id}`;
export const roleRoom = (role: Role) => `role:${role}`;

export function createRealtimeHub(adapter: 'memory' | 'redis' = 'memory'): RealtimeHub {
  let io: Server | null = null;
  const local = new Map<string, number>();
  const hooks: Array<Parameters<RealtimeHub['onSocketOpened']>[0]> = [];
  let remote: { at: number; ids: Set<string>; pending: Promise<Set<string>> | null } = { at: 0, ids: new Set(), pending: null };
  const fetchAll = async () => {
    if (!io) return new Set<string>();
    const sockets = await io.fetchSockets();
    return new Set(sockets.map((s) => (s.data as { userId?: string }).userId).filter((v): v is string => !!v));
  };
  return {
    adapter,
    attach(server) {
      io = server;
    },
    toUser(userId, event, payload) {
      io?.to(userRoom(userId)).emit(event, payload);
    },
    toRoles(roles, event, payload) {
      if (io && roles.length) io.to(roles.map(roleRoom)).emit(event, payload);
    },
    connectedUserIds: fetchAll,
    async presenceSnapshot(maxAgeMs = 1000) {
      const mine = new Set(local.keys());
      if (adapter === 'memory') return mine;
      if (Date.now() - remote.at > maxAgeMs) {
        remote.pending ??= fetchAll()
          .catch(() => remote.ids)
          .then((ids) => {
            remote = { at: Date.now(), ids, pending: null };
            return ids;
          });
        await remote.pending;
      }
      for (const id of remote.ids) mine.add(id);
      return mine;
    },
    socketOpened(user, emit) {
      local.set(user.id, (local.get(user.id) ?? 0) + 1);
      for (const hook of hooks) void Promise.resolve(hook(user, emit)).catch(() => {});
    },
    socketClosed(userId) {
      const n = (local.get(userId) ?? 1) - 1;
      if (n > 0) local.set(userId, n);
      else local.delete(userId);
    },
    onSocketOpened(hook) {
      hooks.push(hook);
    },
  };
}
