import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Harness } from './harness.js';

const mainJs = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const webDist = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface Instance {
  id: string;
  url: string;
  child: ChildProcess;
  /** Everything the process logged (JSON lines). */
  logs: string[];
  health(): Promise<any>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** What instances need to share the harness's database and sessions: its database, token secret and admin. */
export const harnessEnv = (h: Harness) => ({ DATABASE_URL: h.testDb.url!, TOKEN_SECRET: h.config.auth.tokenSecret!, ADMIN_EMAIL: h.config.admin.email });

/**
 * The built service (`dist/main.js`, as `npm start` runs it) in a process of its own, so that a test can
 * kill it outright. Resolves once it answers /health.
 */
export async function spawnInstance(id: string, env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const logs: string[] = [];
  const child = spawn(process.execPath, ['--enable-source-maps', mainJs], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      INSTANCE_ID: id,
      LOG_LEVEL: 'info',
      WEB_DIST_DIR: webDist,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    let rest = '';
    stream.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      logs.push(...lines.filter(Boolean));
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const instance: Instance = {
    id,
    url,
    child,
    logs,
    async health() {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3000) });
      return res.json();
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`instance ${id} exited with ${child.exitCode}:\n${logs.slice(-20).join('\n')}`);
    try {
      await instance.health();
      return instance;
    } catch {
      if (Date.now() > deadline) {
        await instance.kill();
        throw new Error(`instance ${id} did not answer /health within 30 s:\n${logs.slice(-20).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
