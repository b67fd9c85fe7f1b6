import { z } from 'zod';
import { hostname } from 'node:os';
import { isSupportedCountry } from 'libphonenumber-js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .min(1)
    .optional()
    .refine(
      (v) => {
        if (v === undefined) return true;
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a URL with one of: ${protocols.join(', ')}` },
    );

/** A table name, optionally schema-qualified: lowercase letters, digits and "_". */
const CEL_TABLE_PATTERN = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;
const CEL_TABLE_MESSAGE = 'a table name (optionally schema.table) of lowercase letters, digits and "_"';
const isPostgresUrl = (v: string) => URL.canParse(v) && ['postgres:', 'postgresql:'].includes(new URL(v).protocol);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  /** Connections to PostgreSQL per instance (call capture and HTTP share them). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(20),
  DATA_DIR: z.string().min(1).default('./data'),
  ARI_URL: optionalUrl(['http:', 'https:']),
  ARI_USER: z.string().min(1).optional(),
  ARI_PASSWORD: z.string().min(1).optional(),
  ARI_APP: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" and "-" only')
    .default('switchboard'),
  /**
   * Several Asterisk servers: a JSON array of {name, url, user, password, app}. Without it, ARI_URL and
   * its companions describe the one server.
   */
  ARI_SERVERS: z.string().trim().min(2).optional(),
  /** How often the instance holding a server's ARI lease checks it, and how often a standby tries to take it. */
  ARI_LEASE_CHECK_MS: z.coerce.number().int().min(100).max(30_000).default(1000),
  /** How long connecting to a server (its API description, then the events websocket) may take before it is tried again. */
  ARI_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(500).max(120_000).default(10_000),
  /** This instance's name in leases and logs (default: host name and process id). */
  INSTANCE_ID: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'letters, digits and . _ : -').optional(),
  /** Where the other instances reach this one's HTTP port (default: http://127.0.0.1:PORT). */
  INSTANCE_URL: optionalUrl(['http:', 'https:']),
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  /** The bearer token Prometheus scrapes /metrics with (admins and this machine need none). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  ADMIN_EMAIL: z.string().email().default('admin@switchboard.local'),
  ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  TOKEN_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  COOKIE_SECURE: bool.optional(),
  TRUST_PROXY: bool.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEFAULT_PHONE_REGION: z
    .string()
    .toUpperCase()
    .refine((v) => isSupportedCountry(v), 'must be an ISO 3166-1 alpha-2 country code, e.g. RU')
    .default('RU'),
  DEFAULT_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code, e.g. RUB').default('RUB'),
  COMPANY_TIMEZONE: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Moscow')
    .default('Europe/Moscow'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  LOGIN_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  WEB_DIST_DIR: z.string().min(1).default('./web/dist'),
  ARI_PBX_NAME: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'lowercase letters, digits, "_" and "-"').default('default'),
  CEL_DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  /** The table Asterisk's cel_pgsql writes into (cel_pgsql.conf `table`); ARI_SERVERS may give each server its own. */
  CEL_TABLE: z.string().regex(CEL_TABLE_PATTERN, CEL_TABLE_MESSAGE).default('cel'),
  TARGET_CALL_SECONDS: z.coerce.number().int().min(0).default(30),
  TRACKING_SESSION_TTL_SECONDS: z.coerce.number().int().min(30).default(900),
  TRACKING_GRACE_SECONDS: z.coerce.number().int().min(0).default(1800),
  TRACKING_QUARANTINE_SECONDS: z.coerce.number().int().min(0).optional(),
  TRACKING_CORS_ORIGINS: z.string().default('*'),
  TRACKING_RATE_LIMIT: z.coerce.number().int().min(1).default(60),
  MEETING_OFFER_SECONDS: z.coerce.number().int().min(5).max(86_400).default(300),
  ROUTING_PERIOD: z.enum(['month', 'week']).default('month'),
  ROUTING_RETURN_POLICY: z.enum(['team_level', 'catch_up']).default('team_level'),
  ROUTING_SWEEP_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  FIRST_DEAL_CREDIT_LIMIT: z.coerce.number().min(0).default(200),
  FIRST_DEAL_DEFERRAL_DAYS: z.coerce.number().int().min(0).max(365).default(10),
  DEFERRAL_DAYS: z.coerce.number().int().min(0).max(365).default(14),
  ACCOUNT_MANAGER_TARGET_CLIENTS: z.coerce.number().int().min(1).default(40),
  HUNTER_COMMISSION_PERCENT: z.coerce.number().min(0).max(100).default(3),
  CATEGORY_A_ABOVE: z.coerce.number().min(0).default(500),
  CATEGORY_B_FROM: z.coerce.number().min(0).default(100),
  CATEGORY_PERIOD_DAYS: z.coerce.number().int().min(1).max(3660).default(30),
  CLIENT_LOST_AFTER_DAYS: z.coerce.number().int().min(1).default(180),
  CLIENT_ABANDONED_AFTER_DAYS: z.coerce.number().int().min(1).default(30),
  /** A user whose last panel closed is set offline after this many seconds (a reload does not count). */
  OFFLINE_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(60),
  CATEGORY_RECOMPUTE_HOURS: z.coerce.number().min(0.01).max(24 * 31).default(24),
  /** How long one person's phone rings for a waiting caller before the next person is tried. */
  ACD_RING_SECONDS: z.coerce.number().int().min(3).max(120).default(15),
  /** A caller nobody has answered by then hears a message and gets a callback task. */
  ACD_MAX_WAIT_SECONDS: z.coerce.number().int().min(5).max(3600).default(120),
  /** Past this wait the caller is answered, hears music on hold and their position in the queue. */
  ACD_ANNOUNCE_AFTER_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  ACD_ANNOUNCE_EVERY_SECONDS: z.coerce.number().int().min(5).max(3600).default(30),
  /** Seconds after each call before the operator is offered the next one. */
  WRAP_UP_SECONDS: z.coerce.number().int().min(0).max(3600).default(15),
  /** A callback task older than this is shown as late. */
  CALLBACK_SLA_MINUTES: z.coerce.number().int().min(1).max(10_080).default(30),
  /** How long a claimed callback task stays with the operator who took it. */
  CALLBACK_CLAIM_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
  /** The ARI endpoints of a user's phones; {ext} is their extension. */
  OPERATOR_SOFTPHONE_ENDPOINT: z.string().regex(/\{ext\}/, 'must contain {ext}').default('PJSIP/web{ext}'),
  OPERATOR_DESK_ENDPOINT: z.string().regex(/\{ext\}/, 'must contain {ext}').default('PJSIP/op{ext}'),
  /** The caller id presented on calls placed from the panel (click-to-call, callbacks). */
  OUTBOUND_CALLER_ID: z.string().regex(/^\+?[0-9]{3,15}$/, 'digits, optionally with a leading +').optional(),
  /** The browser softphone: Asterisk's SIP-over-WebSocket address as the operator's browser reaches it. */
  SOFTPHONE_WS_URL: optionalUrl(['ws:', 'wss:']),
  /** The SIP domain of the operators' endpoints (default: the WebSocket URL's host). */
  SOFTPHONE_SIP_DOMAIN: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'a host name or address').optional(),
  /** The softphone endpoints' SIP password, handed to the signed-in user's own panel only. */
  SOFTPHONE_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  /** The largest CSV a dial-list import accepts (streamed; never held in memory). */
  IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).default(512 * 1024 * 1024),
  /** How long an operator holds a dial-list entry without a disposition before it goes back. */
  DIALER_LOCK_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  /** A personal callback waits for its operator this long past its time while they are offline. */
  DIALER_CALLBACK_GRACE_MINUTES: z.coerce.number().int().min(0).max(1440).default(15),
  /** Record answered calls that the app bridges (stored by Asterisk, streamed by the service). */
  RECORD_CALLS: bool.default(true),
  /** A waiting caller answered within this many seconds counts toward the service level. */
  SERVICE_LEVEL_SECONDS: z.coerce.number().int().min(1).max(3600).default(20),
  /** How often each instance looks for wallboard changes to push to the supervisors connected to it. */
  WALLBOARD_REFRESH_MS: z.coerce.number().int().min(200).max(60_000).default(2000),
  REPORT_ROLLUP_REFRESH_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
});

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export type Config = ReturnType<typeof loadConfig>;

/** Where one Asterisk's cel_pgsql writes its CEL rows: a database and a table of that server alone. */
export interface CelStore {
  url: string;
  table: string;
}

/** One Asterisk server: `name` is stored with each call it carries. */
export interface AriServer {
  name: string;
  url: string;
  user: string;
  password: string;
  app: string;
  /** Its CEL rows (calls missed while ARI was down are recovered from them); null: no CEL. */
  cel: CelStore | null;
}

const serverSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'lowercase letters, digits, "_" and "-"'),
    url: z.string().refine((v) => URL.canParse(v) && ['http:', 'https:'].includes(new URL(v).protocol), 'must be an http(s) URL'),
    user: z.string().min(1),
    password: z.string().min(1),
    app: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" and "-" only').default('switchboard'),
    /** Where this server's CEL rows are, when not in CEL_DATABASE_URL / CEL_TABLE. */
    celDatabaseUrl: z.string().refine(isPostgresUrl, 'must be a postgres:// URL').optional(),
    celTable: z.string().regex(CEL_TABLE_PATTERN, CEL_TABLE_MESSAGE).optional(),
  })
  .strict();
type ServerInput = z.infer<typeof serverSchema>;

/** The same database and table, however the URL spells credentials or the schema is named. */
function celStoreKey(store: CelStore): string {
  const u = new URL(store.url);
  const table = store.table.startsWith('public.') ? store.table.slice('public.'.length) : store.table;
  return `${u.hostname}:${u.port || '5432'}${u.pathname}|${table}`;
}

/**
 * Each server's CEL store. Two servers must never read one table: recovery takes every call in it that
 * the database does not have as its server's, so one server would import the other's calls.
 */
function resolveCel(servers: ServerInput[], defaults: { url: string | null; table: string }, problems: string[]): AriServer[] {
  const resolved = servers.map(({ celDatabaseUrl, celTable, ...server }) => {
    const url = celDatabaseUrl ?? defaults.url;
    return { ...server, cel: url ? { url, table: celTable ?? defaults.table } : null };
  });
  const owner = new Map<string, string>();
  for (const server of resolved) {
    if (!server.cel) continue;
    const key = celStoreKey(server.cel);
    const other = owner.get(key);
    if (other) {
      problems.push(
        `ARI_SERVERS: "${other}" and "${server.name}" read CEL from one table (${server.cel.table}); give each server the table its own ` +
          `Asterisk writes into (celTable, or celDatabaseUrl), or one server would import the other's calls`,
      );
    } else owner.set(key, server.name);
  }
  return resolved;
}

function parseServers(text: string, problems: string[]): ServerInput[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    problems.push('ARI_SERVERS: must be a JSON array of {name, url, user, password, app, celDatabaseUrl?, celTable?}');
    return [];
  }
  const parsed = z.array(serverSchema).min(1, 'list at least one server').safeParse(raw);
  if (!parsed.success) {
    // Never echo the value: it holds passwords.
    for (const i of parsed.error.issues) problems.push(`ARI_SERVERS${i.path.map((p) => `[${String(p)}]`).join('')}: ${i.message}`);
    return [];
  }
  const names = parsed.data.map((s) => s.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) problems.push(`ARI_SERVERS: the name "${dup}" is listed twice`);
  const endpoints = parsed.data.map((s) => `${s.url}|${s.app}`);
  if (new Set(endpoints).size !== endpoints.length) problems.push('ARI_SERVERS: two servers share one URL and app name');
  return parsed.data;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The only place that reads process.env. Throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.ARI_URL && (!e.ARI_USER || !e.ARI_PASSWORD)) {
    problems.push('ARI_USER/ARI_PASSWORD: required when ARI_URL is set');
  }
  const cel = { url: e.CEL_DATABASE_URL ?? e.DATABASE_URL ?? null, table: e.CEL_TABLE };
  let servers: AriServer[] = [];
  if (e.ARI_SERVERS) {
    if (e.ARI_URL) problems.push('ARI_SERVERS/ARI_URL: set one of them, not both');
    servers = resolveCel(parseServers(e.ARI_SERVERS, problems), cel, problems);
  } else if (e.ARI_URL && e.ARI_USER && e.ARI_PASSWORD) {
    servers = resolveCel([{ name: e.ARI_PBX_NAME, url: e.ARI_URL, user: e.ARI_USER, password: e.ARI_PASSWORD, app: e.ARI_APP }], cel, problems);
  }
  if (!!e.SOFTPHONE_WS_URL !== !!e.SOFTPHONE_PASSWORD) {
    problems.push('SOFTPHONE_WS_URL/SOFTPHONE_PASSWORD: set both for the browser softphone, or neither');
  }
  if (e.NODE_ENV === 'production' && !e.TOKEN_SECRET) {
    problems.push('TOKEN_SECRET: required when NODE_ENV=production');
  }
  if (problems.length) throw new ConfigError(problems);

  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    database: e.DATABASE_URL
      ? ({ kind: 'postgres', url: e.DATABASE_URL, max: e.DATABASE_POOL_SIZE } as const)
      : ({ kind: 'pglite', dataDir: e.DATA_DIR } as const),
    dataDir: e.DATA_DIR,
    /** The Asterisk servers; the first one places the panel's calls (click-to-call). Null: telephony off. */
    telephony: servers.length ? { servers, leaseCheckMs: e.ARI_LEASE_CHECK_MS, connectTimeoutMs: e.ARI_CONNECT_TIMEOUT_MS } : null,
    instance: {
      id: e.INSTANCE_ID ?? `${hostname()}:${process.pid}`,
      /** Null: http://127.0.0.1 and the port the service listens on. */
      url: e.INSTANCE_URL ?? null,
    },
    /**
     * Where Asterisk's cel_pgsql writes by default (CEL_DATABASE_URL, CEL_TABLE); calls missed while ARI
     * was down are recovered from it. Each server in `telephony.servers` has its own `cel`.
     */
    cel: cel.url ? { url: cel.url, table: cel.table } : null,
    calls: { targetSeconds: e.TARGET_CALL_SECONDS },
    tracking: {
      sessionTtlSeconds: e.TRACKING_SESSION_TTL_SECONDS,
      graceSeconds: e.TRACKING_GRACE_SECONDS,
      // A released number rests at least as long as late calls are still credited to its last visitor.
      quarantineSeconds: Math.max(e.TRACKING_QUARANTINE_SECONDS ?? e.TRACKING_GRACE_SECONDS, e.TRACKING_GRACE_SECONDS),
      corsOrigins: e.TRACKING_CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
      rateLimitPerMinute: e.TRACKING_RATE_LIMIT,
    },
    redisUrl: e.REDIS_URL ?? null,
    metricsToken: e.METRICS_TOKEN ?? null,
    admin: { email: e.ADMIN_EMAIL.toLowerCase(), password: e.ADMIN_PASSWORD ?? null },
    auth: {
      tokenSecret: e.TOKEN_SECRET ?? null,
      tokenTtlSeconds: Math.round(e.TOKEN_TTL_HOURS * 3600),
      cookieSecure: e.COOKIE_SECURE ?? e.NODE_ENV === 'production',
      loginRateLimit: e.LOGIN_RATE_LIMIT,
      loginRateWindowSeconds: e.LOGIN_RATE_WINDOW_SECONDS,
    },
    http: { trustProxy: e.TRUST_PROXY, bodyLimitBytes: e.BODY_LIMIT_BYTES },
    logLevel: e.LOG_LEVEL,
    phoneRegion: e.DEFAULT_PHONE_REGION as import('libphonenumber-js').CountryCode,
    currency: e.DEFAULT_CURRENCY,
    companyTimeZone: e.COMPANY_TIMEZONE,
    offlineGraceSeconds: e.OFFLINE_GRACE_SECONDS,
    clients: {
      firstDealCreditLimitMinor: Math.round(e.FIRST_DEAL_CREDIT_LIMIT * 100),
      firstDealDeferralDays: e.FIRST_DEAL_DEFERRAL_DAYS,
      deferralDays: e.DEFERRAL_DAYS,
      managerTargetClients: e.ACCOUNT_MANAGER_TARGET_CLIENTS,
      commissionPercent: e.HUNTER_COMMISSION_PERCENT,
      categoryAAboveMinor: Math.round(e.CATEGORY_A_ABOVE * 100),
      categoryBFromMinor: Math.round(e.CATEGORY_B_FROM * 100),
      categoryPeriodDays: e.CATEGORY_PERIOD_DAYS,
      lostAfterDays: e.CLIENT_LOST_AFTER_DAYS,
      abandonedAfterDays: e.CLIENT_ABANDONED_AFTER_DAYS,
      recomputeHours: e.CATEGORY_RECOMPUTE_HOURS,
    },
    routing: {
      offerSeconds: e.MEETING_OFFER_SECONDS,
      period: e.ROUTING_PERIOD,
      returnPolicy: e.ROUTING_RETURN_POLICY,
      sweepMs: e.ROUTING_SWEEP_MS,
    },
    acd: {
      ringSeconds: e.ACD_RING_SECONDS,
      maxWaitSeconds: e.ACD_MAX_WAIT_SECONDS,
      announceAfterSeconds: e.ACD_ANNOUNCE_AFTER_SECONDS,
      announceEverySeconds: e.ACD_ANNOUNCE_EVERY_SECONDS,
      wrapUpSeconds: e.WRAP_UP_SECONDS,
      callbackSlaMinutes: e.CALLBACK_SLA_MINUTES,
      callbackClaimMinutes: e.CALLBACK_CLAIM_MINUTES,
      softphoneEndpoint: e.OPERATOR_SOFTPHONE_ENDPOINT,
      deskEndpoint: e.OPERATOR_DESK_ENDPOINT,
      outboundCallerId: e.OUTBOUND_CALLER_ID ?? null,
      recordCalls: e.RECORD_CALLS,
    },
    dialer: {
      importMaxBytes: e.IMPORT_MAX_BYTES,
      lockMinutes: e.DIALER_LOCK_MINUTES,
      callbackGraceMinutes: e.DIALER_CALLBACK_GRACE_MINUTES,
    },
    softphone:
      e.SOFTPHONE_WS_URL && e.SOFTPHONE_PASSWORD
        ? { wsUrl: e.SOFTPHONE_WS_URL, domain: e.SOFTPHONE_SIP_DOMAIN ?? new URL(e.SOFTPHONE_WS_URL).hostname, password: e.SOFTPHONE_PASSWORD }
        : null,
    webDistDir: e.WEB_DIST_DIR,
    reports: { serviceLevelSeconds: e.SERVICE_LEVEL_SECONDS, wallboardRefreshMs: e.WALLBOARD_REFRESH_MS, rollupRefreshMs: e.REPORT_ROLLUP_REFRESH_MS },
  };
}
