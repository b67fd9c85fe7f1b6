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
  attach(io: Server): void;
  readonly adapter: 'memory' | 'redis';
}

export const userRoom = (id: string) => `user:${id}`;
export const roleRoom = (role: Role) => `role:${role}`;

export function createRealtimeHub(adapter: 'memory' | 'redis' = 'memory'): RealtimeHub {
  let io: Server | null = null;
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
    async connectedUserIds() {
      if (!io) return new Set();
      const sockets = await io.fetchSockets();
      return new Set(sockets.map((s) => (s.data as { userId?: string }).userId).filter((v): v is string => !!v));
    },
  };
}
