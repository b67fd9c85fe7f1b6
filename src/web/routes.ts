import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { AppEnv } from '../shared/http.js';

/** Serves the built web panel; any other non-API path gets index.html so the panel's router can take it. */
export function webRoutes(distDir: string) {
  const r = new Hono<AppEnv>();
  const root = resolve(distDir);
  const indexFile = join(root, 'index.html');
  if (!existsSync(indexFile)) {
    r.get('/', (c) =>
      c.text('The web panel is not built. Run `npm run build` (npm start does it for you).', 503),
    );
    return r;
  }
  const index = readFileSync(indexFile, 'utf8');
  r.use(
    '/assets/*',
    serveStatic({
      root,
      onFound: (_p, c) => {
        c.header('cache-control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  r.use('/favicon.svg', serveStatic({ root }));
  r.get('*', (c, next) => {
    const p = c.req.path;
    if (p.startsWith('/api/') || p === '/api' || p.startsWith('/socket.io') || p === '/health') return next();
    c.header('cache-control', 'no-cache');
    return c.html(index);
  });
  return r;
}
