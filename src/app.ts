import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { bodyLimit } from 'hono/body-limit';
import { ZodError } from 'zod';
import type { Services } from './services.js';
import { AppError, databaseUnavailable, isDatabaseUnavailable, isDatetimeOutOfRange, isUnstorableText, toProblem, type ErrorCode } from './shared/errors.js';
import { createRouter, validationError, type AppEnv } from './shared/http.js';
import { authRoutes } from './auth/routes.js';
import { userRoutes } from './users/routes.js';
import { contactRoutes } from './contacts/routes.js';
import { sourceRoutes } from './sources/routes.js';
import { healthRoutes } from './health/routes.js';
import { docsRoutes } from './docs/routes.js';
import { webRoutes } from './web/routes.js';
import { meetingRoutes } from './meetings/routes.js';
import { clientRoutes } from './clients/routes.js';
import { pauseReasonList } from './users/pause-reasons.js';
import { acdRoutes } from './acd/routes.js';
import { dialerRoutes, importPath } from './dialer/routes.js';
import { callRoutes } from './calls/routes.js';
import { attributionRoutes } from './attribution/routes.js';
import { callScriptRoutes } from './call-scripts/routes.js';
import { reportRoutes } from './reports/routes.js';
import { auditRoutes } from './audit/routes.js';
import { metricsRoutes } from './metrics/routes.js';

const statusCodes: Partial<Record<number, ErrorCode>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
};

function problemResponse(c: Context<AppEnv>, err: AppError) {
  const body = toProblem(err, c.get('requestId'));
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (err.extra.retryAfterSeconds) headers['retry-after'] = String(err.extra.retryAfterSeconds);
  return c.body(JSON.stringify(body), err.status as never, headers);
}

/** Builds the HTTP application from its dependencies; main.ts and the tests both call this. */
export function createApp(services: Services, opts: { startedAt?: Date } = {}) {
  const app = createRouter();
  const log = services.logger;

  app.use(requestId({ headerName: 'x-request-id' }));
  app.use(async (c, next) => {
    c.set('services', services);
    const started = performance.now();
    await next();
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const line = { requestId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms };
    // By route pattern (never the raw path: ids would make a series per entity).
    const route = c.req.routePath === '/*' || c.req.routePath === '*' ? 'other' : c.req.routePath;
    services.metrics.httpRequests.observe({ method: c.req.method, route, status: String(c.res.status) }, ms / 1000);
    if (c.res.status >= 500) log.error(line, 'request failed');
    else log.debug(line, 'request');
  });
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  const limitBody = bodyLimit({
    maxSize: services.config.http.bodyLimitBytes,
    onError: () => {
      throw new AppError('payload_too_large', `The body is over the ${services.config.http.bodyLimitBytes}-byte limit`);
    },
  });
  // A dial-list CSV is streamed and counted against IMPORT_MAX_BYTES by the import itself.
  app.use('/api/*', (c, next) => (c.req.method === 'POST' && importPath.test(c.req.path) ? next() : limitBody(c, next)));

  app.route('/', healthRoutes(opts.startedAt ?? services.clock.now()));
  app.route('/', authRoutes());
  app.route('/', userRoutes());
  app.route('/', contactRoutes());
  app.route('/', sourceRoutes());
  app.route('/', callRoutes());
  app.route('/', acdRoutes());
  app.route('/', dialerRoutes());
  app.route('/', callScriptRoutes());
  app.route('/', reportRoutes());
  app.route('/', meetingRoutes());
  app.route('/', clientRoutes());
  app.route('/', pauseReasonList.routes());
  app.route('/', attributionRoutes(services.config.tracking.corsOrigins));
  app.route('/', auditRoutes());
  app.route('/', metricsRoutes());
  app.route('/', docsRoutes());

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'The token from POST /api/auth/login',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'cookieAuth', { type: 'apiKey', in: 'cookie', name: 'sb_session' });
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard API',
      version: '1',
      description:
        'Call capture, call-centre scripts and dial lists, meeting routing and client handoff. ' +
        'Errors are application/problem+json. Each operation lists the roles allowed in `x-roles`.',
    },
  });

  app.route('/', webRoutes(services.config.webDistDir));

  app.notFound((c) => problemResponse(c, new AppError('not_found', `No route for ${c.req.method} ${c.req.path}`)));

  app.onError((err, c) => {
    if (err instanceof AppError) return problemResponse(c, err);
    if (err instanceof ZodError) return problemResponse(c, validationError(err));
    if (isDatabaseUnavailable(err)) {
      log.warn({ err: (err as Error).message, requestId: c.get('requestId'), path: c.req.path }, 'database unavailable');
      return problemResponse(c, databaseUnavailable());
    }
    if (isUnstorableText(err)) return problemResponse(c, new AppError('validation_failed', 'Text may not contain NUL (\\u0000) characters'));
    if (isDatetimeOutOfRange(err)) return problemResponse(c, new AppError('validation_failed', 'A date is outside the range this service stores (years 1–9999)'));
    if (err instanceof HTTPException && err.status < 500) {
      const code = statusCodes[err.status] ?? 'bad_request';
      const detail = /malformed json/i.test(err.message) ? 'The body is not valid JSON' : err.message || code;
      return problemResponse(c, new AppError(code, detail));
    }
    log.error({ err, requestId: c.get('requestId'), method: c.req.method, path: c.req.path }, 'unhandled error');
    return problemResponse(c, new AppError('internal', 'Something went wrong; quote the request id when reporting it'));
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
