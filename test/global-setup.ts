import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { migrationsDir } from '../src/server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string | null;
  }
}

/**
 * Runs once per `vitest run`. On PGlite it builds one migrated data directory and dumps it, so each test
 * file starts its own in-memory database from that copy instead of running initdb again.
 */
export default async function setup(project: TestProject) {
  const url = process.env.DATABASE_URL;
  if (url) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<[{ version: string }]>`select version()`;
      console.log(`[switchboard tests] database: PostgreSQL at ${redact(url)}, a fresh database per test file (${row.version.split(',')[0]})`);
    } catch (err) {
      throw new Error(`DATABASE_URL is set but PostgreSQL does not answer: ${(err as Error).message}`, { cause: err });
    } finally {
      await sql.end();
    }
    project.provide('pgliteTemplate', null);
    return;
  }
  const database = await openDatabase({ kind: 'pglite', dataDir: null });
  await migrate(database, migrationsDir);
  const dump = await database.dumpDataDir!();
  await database.close();
  const dir = mkdtempSync(join(tmpdir(), 'sb-pglite-'));
  const file = join(dir, 'template.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  console.log('[switchboard tests] database: PGlite (embedded), a fresh in-memory database per test file');
  return () => rmSync(dir, { recursive: true, force: true });
}

const redact = (u: string) => u.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
