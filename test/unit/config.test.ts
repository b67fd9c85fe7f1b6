import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('defaults to PGlite in ./data on port 3000 with telephony off', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.database).toEqual({ kind: 'pglite', dataDir: './data' });
    expect(c.telephony).toBeNull();
    expect(c.redisUrl).toBeNull();
    expect(c.phoneRegion).toBe('RU');
  });

  it('uses PostgreSQL when DATABASE_URL is set and ARI when ARI_URL is set', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/sb', ARI_URL: 'http://pbx:8088', ARI_USER: 'u', ARI_PASSWORD: 'p' });
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgres://u@db:5432/sb', max: 20 });
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/sb', DATABASE_POOL_SIZE: '50' }).database).toMatchObject({ max: 50 });
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '1' })).toThrow(/DATABASE_POOL_SIZE/);
    expect(c.telephony).toEqual({
      servers: [{ name: 'default', url: 'http://pbx:8088', user: 'u', password: 'p', app: 'switchboard', cel: { url: 'postgres://u@db:5432/sb', table: 'cel' } }],
      leaseCheckMs: 1000,
      connectTimeoutMs: 10_000,
    });
  });

  it('lists several Asterisk servers in ARI_SERVERS, and names what is wrong without echoing passwords', () => {
    const servers = [
      { name: 'msk', url: 'http://pbx1:8088', user: 'u', password: 'secret-one' },
      { name: 'spb', url: 'https://pbx2:8089', user: 'u', password: 'secret-two', app: 'sb' },
    ];
    const c = loadConfig({ ARI_SERVERS: JSON.stringify(servers), ARI_LEASE_CHECK_MS: '500', INSTANCE_ID: 'app-1', INSTANCE_URL: 'http://app1:3000' });
    expect(c.telephony!.servers.map((x) => [x.name, x.app])).toEqual([['msk', 'switchboard'], ['spb', 'sb']]);
    expect(c.telephony!.leaseCheckMs).toBe(500);
    expect(c.instance).toEqual({ id: 'app-1', url: 'http://app1:3000' });
    expect(loadConfig({}).instance.id).toMatch(/:\d+$/);

    const bad = problemsOf({ ARI_SERVERS: JSON.stringify([{ ...servers[0], url: 'ftp://x' }, { ...servers[0], name: 'Bad Name' }]) });
    expect(bad).toEqual(expect.arrayContaining([expect.stringMatching(/^ARI_SERVERS\[0\]\[url\]/), expect.stringMatching(/^ARI_SERVERS\[1\]\[name\]/)]));
    expect(bad.join(' ')).not.toContain('secret-one');
    expect(problemsOf({ ARI_SERVERS: '{not json' })).toEqual(['ARI_SERVERS: must be a JSON array of {name, url, user, password, app, celDatabaseUrl?, celTable?}']);
    expect(problemsOf({ ARI_SERVERS: JSON.stringify([servers[0], { ...servers[1], name: 'msk' }]) })).toEqual(['ARI_SERVERS: the name "msk" is listed twice']);
    expect(problemsOf({ ARI_SERVERS: JSON.stringify(servers), ARI_URL: 'http://pbx:8088', ARI_USER: 'u', ARI_PASSWORD: 'p' })).toEqual([
      'ARI_SERVERS/ARI_URL: set one of them, not both',
    ]);
  });

  it("gives each Asterisk server a CEL table of its own, and refuses two servers reading one", () => {
    const a = { name: 'msk', url: 'http://pbx1:8088', user: 'u', password: 'p' };
    const b = { name: 'spb', url: 'http://pbx2:8088', user: 'u', password: 'p' };
    const db = { DATABASE_URL: 'postgres://u@db:5432/sb' };
    const celOf = (env: Record<string, string>) => loadConfig(env).telephony!.servers.map((x) => x.cel);
    expect(celOf({ ...db, ARI_SERVERS: JSON.stringify([a, { ...b, celTable: 'cel_spb' }]) })).toEqual([
      { url: 'postgres://u@db:5432/sb', table: 'cel' },
      { url: 'postgres://u@db:5432/sb', table: 'cel_spb' },
    ]);
    expect(
      celOf({ ...db, CEL_DATABASE_URL: 'postgres://c@cel:5432/cel', CEL_TABLE: 'asterisk.cel', ARI_SERVERS: JSON.stringify([a, { ...b, celDatabaseUrl: 'postgres://c@cel2/cel' }]) }),
    ).toEqual([
      { url: 'postgres://c@cel:5432/cel', table: 'asterisk.cel' },
      { url: 'postgres://c@cel2/cel', table: 'asterisk.cel' },
    ]);
    // Without any PostgreSQL there is no CEL to read, and nothing to share.
    expect(celOf({ ARI_SERVERS: JSON.stringify([a, b]) })).toEqual([null, null]);
    expect(loadConfig(db).cel).toEqual({ url: 'postgres://u@db:5432/sb', table: 'cel' });

    const shared = /^ARI_SERVERS: "msk" and "spb" read CEL from one table \(cel\)/;
    expect(problemsOf({ ...db, ARI_SERVERS: JSON.stringify([a, b]) })).toEqual([expect.stringMatching(shared)]);
    // The same database however its URL is spelled, and `public.` is the default schema.
    expect(
      problemsOf({ ...db, ARI_SERVERS: JSON.stringify([{ ...a, celDatabaseUrl: 'postgres://other:pw@db/sb' }, { ...b, celTable: 'public.cel' }]) }),
    ).toEqual([expect.stringMatching(/"msk" and "spb" read CEL from one table/)]);
    const bad = problemsOf({ ...db, CEL_TABLE: 'Cel;drop', ARI_SERVERS: JSON.stringify([{ ...a, celTable: 'x y' }, { ...b, celDatabaseUrl: 'http://x' }]) });
    expect(bad).toEqual(expect.arrayContaining([expect.stringMatching(/^CEL_TABLE: /)]));
    const badServers = problemsOf({ ...db, ARI_SERVERS: JSON.stringify([{ ...a, celTable: 'x y' }, { ...b, celDatabaseUrl: 'http://x' }]) });
    expect(badServers).toEqual(
      expect.arrayContaining([expect.stringMatching(/^ARI_SERVERS\[0\]\[celTable\]/), expect.stringMatching(/^ARI_SERVERS\[1\]\[celDatabaseUrl\]/)]),
    );
  });

  it('names every bad variable', () => {
    const problems = problemsOf({
      PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', DEFAULT_PHONE_REGION: 'XX', REDIS_URL: 'nope',
      TOKEN_SECRET: 'short', COMPANY_TIMEZONE: 'Moon/Base', ADMIN_EMAIL: 'root',
    });
    for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'DEFAULT_PHONE_REGION', 'REDIS_URL', 'TOKEN_SECRET', 'COMPANY_TIMEZONE', 'ADMIN_EMAIL']) {
      expect(problems.some((p) => p.startsWith(`${name}:`)), name).toBe(true);
    }
  });

  it('needs ARI credentials with ARI_URL, and TOKEN_SECRET in production', () => {
    expect(problemsOf({ ARI_URL: 'http://pbx:8088' })).toEqual(['ARI_USER/ARI_PASSWORD: required when ARI_URL is set']);
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual(['TOKEN_SECRET: required when NODE_ENV=production']);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).database.kind).toBe('pglite');
  });
});
