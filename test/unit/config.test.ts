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
      servers: [{ name: 'default', url: 'http://pbx:8088', user: 'u', password: 'p', app: 'switchboard' }],
      leaseCheckMs: 1000,
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
    expect(problemsOf({ ARI_SERVERS: '{not json' })).toEqual(['ARI_SERVERS: must be a JSON array of {name, url, user, password, app}']);
    expect(problemsOf({ ARI_SERVERS: JSON.stringify([servers[0], { ...servers[1], name: 'msk' }]) })).toEqual(['ARI_SERVERS: the name "msk" is listed twice']);
    expect(problemsOf({ ARI_SERVERS: JSON.stringify(servers), ARI_URL: 'http://pbx:8088', ARI_USER: 'u', ARI_PASSWORD: 'p' })).toEqual([
      'ARI_SERVERS/ARI_URL: set one of them, not both',
    ]);
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
