import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { parse as parseCookies } from 'hono/utils/cookie';
import type { Services } from '../services.js';
import { authenticate, authenticateSession, SESSION_COOKIE, tokenFromHeaders, type AuthUser } from '../auth/middleware.js';
import { AppError, databaseUnavailable, isDatabaseUnavailable, toProblem } from '../shared/errors.js';
import { validationError } from '../shared/http.js';
import { roleRoom, userRoom } from './hub.js';
import { socketEvents } from './events.js';
import { goOfflineIfStillGone, presenceAudience } from '../users/service.js';
import { startWallboardPush } from '../reports/wallboard.js';

type Ack = (response: { ok: true; data: unknown } | { ok: false; error: ReturnType<typeof toProblem> }) => void;

export interface RealtimeServer {
  io: Server;
  close(): Promise<void>;
}

/** socket.io on the service's HTTP server, authenticated with the same tokens as the API. */
export async function startRealtime(httpServer: HttpServer, services: Services): Promise<RealtimeServer> {
  const io = new Server(httpServer, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000 },
  });

  const redisClients: Array<{ isOpen: boolean; isReady: boolean; quit(): Promise<unknown>; destroy(): void }> = [];
  if (services.config.redisUrl) {
    const pub = createClient({ url: services.config.redisUrl, disableOfflineQueue: true });
    const sub = pub.duplicate();
    // The adapter fires publishes without awaiting them; with Redis down each would be an unhandled
    // rejection. Events then stay on this instance, which is the intended degraded mode.
    const publish = pub.publish.bind(pub);
    Object.defineProperty(pub, 'publish', {
      value: (channel: string, message: string) =>
        publish(channel, message).catch((err: Error) => {
          services.logger.warn({ err: err.message }, 'redis publish failed; event delivered on this instance only');
          return 0;
        }),
    });
    // Closing, the adapter unsubscribes without awaiting either: those fail when the client is dropped.
    for (const name of ['unsubscribe', 'pUnsubscribe'] as const) {
      const original = (sub[name] as (...args: unknown[]) => Promise<unknown>).bind(sub);
      Object.defineProperty(sub, name, {
        value: (...args: unknown[]) => original(...args).catch((err: Error) => services.logger.debug({ err: err.message }, 'redis unsubscribe failed')),
      });
    }
    for (const c of [pub, sub]) {
      c.on('error', (err: Error) => services.logger.warn({ err: err.message }, 'redis adapter connection error'));
      redisClients.push(c as never);
    }
    // Connecting in the background: with Redis down, sockets on this instance keep working.
    Promise.all([pub.connect(), sub.connect()]).catch((err: Error) =>
      services.logger.error({ err: err.message }, 'redis adapter could not connect; events stay on this instance'),
    );
    io.adapter(createAdapter(pub as never, sub as never));
  }

  io.use(async (socket, next) => {
    try {
      const token = socketToken(socket);
      const { user, expiresAt } = await authenticateSession(services, token);
      socket.data.userId = user.id;
      socket.data.user = user;
      socket.data.expiresAt = expiresAt;
      next();
    } catch (err) {
      const problem = err instanceof AppError ? toProblem(err) : toProblem(new AppError('internal', 'Authentication failed'));
      const e = new Error(problem.detail) as Error & { data: unknown };
      e.data = problem;
      next(e);
    }
  });

  const state = { closing: false };
  io.on('connection', (socket) => onConnection(io, socket, services, state));
  services.realtime.attach(io);
  const stopWallboard = startWallboardPush(io, services);

  return {
    io,
    async close() {
      state.closing = true;
      stopWallboard();
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      // A client still reconnecting (Redis was down) would wait for Redis to quit: drop it instead, and give
      // a ready one a moment to quit politely.
      await Promise.allSettled(
        redisClients.map(async (c) => {
          if (c.isReady) await Promise.race([c.quit().catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref())]);
          if (c.isOpen) c.destroy();
        }),
      );
    },
  };
}

/** Tells supervisors when a user's first panel opens or last one closes (across instances with Redis). */
async function announceConnection(io: Server, services: Services, user: AuthUser, connected: boolean) {
  const sockets = await io.in(userRoom(user.id)).fetchSockets();
  if (connected ? sockets.length !== 1 : sockets.length !== 0) return;
  services.realtime.toRoles(presenceAudience, 'presence:connection', { userId: user.id, role: user.role, connected });
}

function onConnection(io: Server, socket: Socket, services: Services, state: { closing: boolean }) {
  const user = socket.data.user as AuthUser;
  void socket.join([userRoom(user.id), roleRoom(user.role)]);
  const announce = async (connected: boolean) =>
    state.closing ||
    announceConnection(io, services, user, connected).catch((err: Error) =>
      services.logger.warn({ err: err.message, userId: user.id }, 'could not announce socket presence'),
    );
  void announce(true);
  services.realtime.socketOpened(user, (event, payload) => socket.emit(event, payload));
  socket.on('disconnect', () => {
    services.realtime.socketClosed(user.id);
    void announce(false);
    if (state.closing) return;
    // Offline by itself once no panel of the user has come back within the grace period.
    const timer = setTimeout(() => {
      if (state.closing) return;
      goOfflineIfStillGone(services, user.id, async () => (await io.in(userRoom(user.id)).fetchSockets()).length === 0).catch((err: Error) =>
        services.logger.warn({ err: err.message, userId: user.id }, 'could not set a disconnected user offline'),
      );
    }, services.config.offlineGraceSeconds * 1000);
    timer.unref();
  });

  // A socket does not outlive its token.
  const msLeft = (socket.data.expiresAt as number) - services.clock.now().getTime();
  const expiry = setTimeout(() => {
    socket.emit('session:expired', {});
    socket.disconnect(true);
  }, Math.max(0, Math.min(msLeft, 2 ** 31 - 1)));
  socket.on('disconnect', () => clearTimeout(expiry));

  for (const def of socketEvents) {
    socket.on(def.event, async (...args: unknown[]) => {
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as Ack) : undefined;
      try {
        if (!def.roles.includes(user.role)) {
          throw new AppError('forbidden', `"${def.event}" needs one of the roles: ${def.roles.join(', ')}`);
        }
        // The session may have been revoked since the socket connected.
        await authenticateAgain(socket, services);
        const parsed = def.payload.safeParse(args[0] ?? undefined);
        if (!parsed.success) throw validationError(parsed.error);
        const data = await def.handle(services, user, parsed.data);
        ack?.({ ok: true, data });
      } catch (err) {
        if (!(err instanceof AppError)) services.logger.error({ err, event: def.event, userId: user.id }, 'socket event failed');
        const appErr = err instanceof AppError ? err : isDatabaseUnavailable(err) ? databaseUnavailable() : new AppError('internal', 'Something went wrong');
        ack?.({ ok: false, error: toProblem(appErr) });
        if (appErr.code === 'unauthorized') socket.disconnect(true);
      }
    });
  }
  socket.emit('session:ready', { user, serverTime: services.clock.now().toISOString() });
}

async function authenticateAgain(socket: Socket, services: Services) {
  const last = (socket.data.checkedAt as number | undefined) ?? 0;
  const now = Date.now();
  if (now - last < 5000) return;
  await authenticate(services, socketToken(socket));
  socket.data.checkedAt = now;
}

/** The token from the handshake's `auth.token`, an Authorization header, or the web panel's session cookie. */
function socketToken(socket: Socket): string | undefined {
  const authToken = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
  if (typeof authToken === 'string' && authToken) return authToken;
  const cookieHeader = socket.handshake.headers.cookie;
  const cookie = cookieHeader ? parseCookies(cookieHeader, SESSION_COOKIE)[SESSION_COOKIE] : undefined;
  return tokenFromHeaders(socket.handshake.headers.authorization, cookie);
}
