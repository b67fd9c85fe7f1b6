import { mkdtempSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { migrationsDir } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t?.drop());

function copyOfMigrations() {
  const dir = mkdtempSync(join(tmpdir(), 'sb-mig-'));
  for (const f of readdirSync(migrationsDir)) copyFileSync(join(migrationsDir, f), join(dir, f));
  return dir;
}

describe('migrations', () => {
  it('are applied once; a second run is a no-op', async () => {
    const again = await migrate(t.database, migrationsDir);
    expect(again.applied).toEqual([]);
    const rows = await t.database.query<{ version: string }>(sql`select version from schema_migrations order by version`);
    expect(rows.map((r) => r.version)).toEqual(readdirSync(migrationsDir).filter((f) => f.endsWith('.sql')).map((f) => f.slice(0, 4)));
  });

  it('apply a new file in order, and roll back all of a failing run', async () => {
    const dir = copyOfMigrations();
    writeFileSync(join(dir, '9000_probe.sql'), 'CREATE TABLE probe_a (id int);');
    writeFileSync(join(dir, '9001_broken.sql'), 'CREATE TABLE probe_b (id int); SELECT no_such_function();');
    await expect(migrate(t.database, dir)).rejects.toThrow();
    const tables = await t.database.query<{ n: number }>(sql`select count(*)::int as n from information_schema.tables where table_name in ('probe_a', 'probe_b')`);
    expect(tables[0]!.n).toBe(0);
    writeFileSync(join(dir, '9001_broken.sql'), 'CREATE TABLE probe_b (id int);');
    expect((await migrate(t.database, dir)).applied).toEqual(['9000_probe.sql', '9001_broken.sql']);
  });

  it('refuse a migration edited after it was applied', async () => {
    const dir = copyOfMigrations();
    writeFileSync(join(dir, '9000_probe.sql'), 'CREATE TABLE probe_a (id int, changed int);');
    writeFileSync(join(dir, '9001_broken.sql'), 'CREATE TABLE probe_b (id int);');
    await expect(migrate(t.database, dir)).rejects.toThrow(/9000_probe\.sql was changed/);
  });
});
