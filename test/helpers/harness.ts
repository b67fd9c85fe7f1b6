import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { io as ioClient, type Socket } from 'socket.io-client';
import { loadConfig, type Config } from '../../src/config.js';
import { startService, type RunningService } from '../../src/server.js';
import { createLogger } from '../../src/shared/logger.js';
import type { Clock } from '../../src/shared/clock.js';
import type { Role } from '../../src/db/schema.js';
import { createUser } from '../../src/users/service.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export const TEST_ADMIN = { email: 'admin@test.local', password: 'admin-password-1' };
const webDist = fileURLToPath(new URL('../../web/dist', import.meta.url));

export interface Harness extends RunningService {
  testDb: TestDatabase;
  config: Config;
  /** fetch against the running service; JSON bodies are encoded and `token` becomes a bearer header. */
  api(path: string, init?: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> }): Promise<ApiResponse>;
  /** A new active user with the role, signed in through the API. */
  user(role: Role, overrides?: { name?: string; email?: string }): Promise<TestUser>;
  adminToken(): Promise<string>;
  socket(token: string | null): Socket;
  stop(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: Role;
  name: string;
  token: string;
}

/** Starts the real service (HTTP + socket.io) on a random port over a fresh test database. */
export async function startHarness(opts: { env?: Record<string, string>; clock?: Clock } = {}): Promise<Harness> {
  const testDb = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    TOKEN_SECRET: randomBytes(32).toString('hex'),
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    WEB_DIST_DIR: webDist,
    ...(testDb.url ? { DATABASE_URL: testDb.url } : {}),
    ...opts.env,
  });
  const service = await startService(config, {
    database: testDb.database,
    logger: createLogger(config.logLevel),
    clock: opts.clock,
  });
  const sockets: Socket[] = [];
  let adminToken: string | null = null;
  let counter = 0;

  const api: Harness['api'] = async (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(service.url + path, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };

  const login = async (email: string, password: string) => {
    const res = await api('/api/auth/login', { body: { email, password } });
    if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token as string;
  };

  return {
    ...service,
    testDb,
    config,
    api,
    async adminToken() {
      adminToken ??= await login(TEST_ADMIN.email, TEST_ADMIN.password);
      return adminToken;
    },
    async user(role, overrides = {}) {
      counter += 1;
      const tag = `${role}-${counter}-${randomBytes(3).toString('hex')}`;
      const email = overrides.email ?? `${tag}@test.local`;
      const password = `pw-${randomBytes(8).toString('hex')}`;
      const name = overrides.name ?? `Test ${tag}`;
      const u = await createUser(service.services, { email, name, role, password });
      return { id: u.id, email, password, role, name, token: await login(email, password) };
    },
    socket(token) {
      const s = ioClient(service.url, {
        path: '/socket.io',
        transports: ['websocket'],
        auth: token ? { token } : {},
        reconnection: false,
        forceNew: true,
      });
      sockets.push(s);
      return s;
    },
    async stop() {
      for (const s of sockets) s.close();
      await service.close();
      await testDb.drop();
    },
  };
}

/** Waits for one event on a socket, failing after `ms`. */
export function nextEvent<T = any>(socket: Socket, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" within ${ms} ms`)), ms);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

export function emitWithAck<T = any>(socket: Socket, event: string, payload?: unknown): Promise<T> {
  return socket.timeout(5000).emitWithAck(event, payload) as Promise<T>;
}
