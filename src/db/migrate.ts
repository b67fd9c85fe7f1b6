import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './client.js';

const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
// Arbitrary constant shared by every instance, so concurrent starts apply migrations once.
const MIGRATION_LOCK = 727_001;

export interface MigrationResult {
  applied: string[];
  current: string | null;
}

/** Applies pending `sql/NNNN_name.sql` files in order, all in one transaction. Forward-only. */
export async function migrate(database: Database, dir: string): Promise<MigrationResult> {
  const files = readdirSync(dir)
    .filter((f) => MIGRATION_FILE.test(f))
    .sort();
  const versions = new Set<string>();
  for (const f of files) {
    const v = f.slice(0, 4);
    if (versions.has(v)) throw new Error(`Two migrations share version ${v} in ${dir}`);
    versions.add(v);
  }
  const applied: string[] = [];
  await database.transactionScript(async (exec, query) => {
    await query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map(
      (await query<{ version: string; checksum: string }>('SELECT version, checksum FROM schema_migrations')).map((r) => [
        r.version,
        r.checksum,
      ]),
    );
    for (const file of files) {
      const [, version, name] = MIGRATION_FILE.exec(file)!;
      const text = readFileSync(join(dir, file), 'utf8');
      const checksum = createHash('sha256').update(text).digest('hex');
      const prior = done.get(version!);
      if (prior !== undefined) {
        if (prior !== checksum) {
          throw new Error(`Migration ${file} was changed after it was applied; add a new migration instead`);
        }
        continue;
      }
      await exec(text);
      await query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [version, name, checksum]);
      applied.push(file);
    }
  });
  return { applied, current: files.length ? files[files.length - 1]! : null };
}
