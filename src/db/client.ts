import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SQL, sql } from 'drizzle-orm';
import { compile, type Statement } from './statements.js';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DbKind = 'pglite' | 'postgres';

/**
 * One handle over either engine. Domain code uses `db` (drizzle) and `query` (typed raw SQL);
 * `execScript` and `transactionScript` exist for migrations, which are multi-statement SQL files.
 */
export interface Database {
  kind: DbKind;
  db: Db;
  /**
   * `prepared`, for a statement run many times a second whose text never changes (only its parameters):
   * PostgreSQL parses and plans it once per connection instead of on every call.
   */
  query<T extends Record<string, unknown>>(q: SQL, opts?: { prepared?: boolean }): Promise<T[]>;
  /**
   * Prepared statements run in order in one transaction, each seeing what the earlier ones wrote; on
   * PostgreSQL they are sent at once (pipelined), so many requests share one round trip and one commit,
   * and run with their generic plans. If one fails, none is kept. `then`, given their rows, names more
   * statements to run after them in the same transaction; their rows follow.
   */
  batch<T extends Record<string, unknown>>(qs: Array<SQL | Statement>, then?: (rows: T[][]) => Array<SQL | Statement>): Promise<T[][]>;
  transactionScript(fn: (exec: (script: string) => Promise<void>, query: <T>(text: string, params?: unknown[]) => Promise<T[]>) => Promise<void>): Promise<void>;
  ping(): Promise<boolean>;
  /**
   * A connection of its own, outside the pool, for session state such as advisory locks (the ARI lease).
   * On PGlite, whose one connection never drops, it is that connection.
   */
  openSession(name: string): Promise<DbSession>;
  close(): Promise<void>;
  /**
   * PostgreSQL only: a COPY … FROM STDIN (CSV) into `table`, fed with CSV lines; resolves when the rows are
   * in. Bulk loads (dial-list imports) use it; without it they insert in batches. Names are trusted.
   */
  copyIn?(table: string, columns: string[], lines: AsyncIterable<string>): Promise<void>;
  /** PGlite only: a tarball of the data directory (used to seed test databases quickly). */
  dumpDataDir?(): Promise<Blob>;
}

export interface DbSession {
  query<T extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const toStatement = (q: SQL | Statement): Statement => (q instanceof SQL ? compile(q) : q);

/** A timestamp column as `Date.toISOString()` writes it, the same on PGlite and PostgreSQL (for JSON built in SQL). */
export const isoText = (column: SQL) => sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Rows of a raw `execute` on either engine (postgres-js returns an array, PGlite `{ rows }`). */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; max?: number }
  /** `dataDir: null` is in memory; `template` is a dumped data directory to start from (tests). */
  | { kind: 'pglite'; dataDir: string | null; template?: Blob };

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === 'postgres' ? openPostgres(target.url, target.max ?? 10) : openPglite(target.dataDir, target.template);
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { PgDialect } = await import('drizzle-orm/pg-core');
  const client = postgres(url, {
    max,
    onnotice: () => {},
    connect_timeout: 10,
    idle_timeout: 60,
    // JIT compiles a statement the planner thinks costly; the service's statements are short (a batch's
    // statement for fifty operators takes a few milliseconds, and compiling it took over a second).
    connection: { application_name: 'switchboard', jit: 'off' },
  });
  const db = drizzle({ client, schema }) as unknown as Db;
  const dialect = new PgDialect();
  return {
    kind: 'postgres',
    db,
    async query<T extends Record<string, unknown>>(q: SQL, opts?: { prepared?: boolean }) {
      if (!opts?.prepared) return (await db.execute(q)) as unknown as T[];
      const { sql: text, params } = dialect.sqlToQuery(q);
      return (await client.unsafe(text, params as never[], { prepare: true })) as unknown as T[];
    },
    async batch<T extends Record<string, unknown>>(qs: Array<SQL | Statement>, then?: (rows: T[][]) => Array<SQL | Statement>) {
      // Batched statements are a hot path's, prepared and run thousands of times: their generic plan is
      // as good as one made for the parameters, and planning every execution anew cost a tenth of the
      // database's time.
      const send = (tx: import('postgres').TransactionSql, list: Array<SQL | Statement>) =>
        Promise.all(list.map(toStatement).map(({ text, params }) => tx.unsafe(text, params as never[], { prepare: true }))) as unknown as Promise<T[][]>;
      return client.begin(async (tx) => {
        const [, first] = await Promise.all([tx.unsafe('SET LOCAL plan_cache_mode = force_generic_plan'), send(tx, qs)]);
        const more = then?.(first) ?? [];
        return more.length ? [...first, ...(await send(tx, more))] : first;
      }) as Promise<T[][]>;
    },
    async transactionScript(fn) {
      await client.begin(async (tx) => {
        await fn(
          async (script) => {
            await tx.unsafe(script).simple();
          },
          async <T>(text: string, params: unknown[] = []) => (await tx.unsafe(text, params as never[])) as unknown as T[],
        );
      });
    },
    async copyIn(table, columns, lines) {
      const { Readable } = await import('node:stream');
      const { pipeline } = await import('node:stream/promises');
      const writable = await client.unsafe(`COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv)`).writable();
      await pipeline(Readable.from(lines), writable);
    },
    async ping() {
      try {
        await client`select 1`;
        return true;
      } catch {
        return false;
      }
    },
    async openSession(name) {
      const session = postgres(url, {
        max: 1,
        onnotice: () => {},
        connect_timeout: 5,
        idle_timeout: 0,
        max_lifetime: null,
        connection: { application_name: `switchboard-${name}` },
      });
      return {
        query: async <T extends Record<string, unknown>>(text: string, params: unknown[] = []) =>
          (await session.unsafe(text, params as never[])) as unknown as T[],
        close: () => session.end({ timeout: 1 }),
      };
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

async function openPglite(dataDir: string | null, template?: Blob): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  let releaseLock = () => {};
  if (dataDir) {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    releaseLock = lockDataDir(dir);
  }
  let client: InstanceType<typeof PGlite>;
  try {
    client = await PGlite.create({
      ...(dataDir ? { dataDir: join(resolve(dataDir), 'pg') } : {}),
      ...(template ? { loadDataDir: template } : {}),
    });
  } catch (err) {
    releaseLock();
    throw err;
  }
  const db = drizzle({ client, schema }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    async query<T extends Record<string, unknown>>(q: SQL) {
      const res = (await db.execute(q)) as unknown as { rows: T[] };
      return res.rows;
    },
    async batch<T extends Record<string, unknown>>(qs: Array<SQL | Statement>, then?: (rows: T[][]) => Array<SQL | Statement>) {
      return client.transaction(async (tx) => {
        const run = async (list: Array<SQL | Statement>) => {
          const out: T[][] = [];
          for (const { text, params } of list.map(toStatement)) out.push((await tx.query<T>(text, params)).rows);
          return out;
        };
        const first = await run(qs);
        return then ? [...first, ...(await run(then(first)))] : first;
      });
    },
    async transactionScript(fn) {
      await client.transaction(async (tx) => {
        await fn(
          async (script) => {
            await tx.exec(script);
          },
          async <T>(text: string, params: unknown[] = []) => (await tx.query<T>(text, params)).rows,
        );
      });
    },
    async ping() {
      try {
        await client.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    async openSession() {
      return {
        query: async <T extends Record<string, unknown>>(text: string, params: unknown[] = []) => (await client.query<T>(text, params)).rows,
        close: async () => {},
      };
    },
    async dumpDataDir() {
      return client.dumpDataDir('none');
    },
    async close() {
      try {
        await client.close();
      } finally {
        releaseLock();
      }
    },
  };
}

/** PGlite is single-process: refuse to open a data directory another live process holds. */
function lockDataDir(dir: string): () => void {
  const lockFile = join(dir, 'switchboard.pid');
  try {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new Error(
        `DATA_DIR ${dir} is in use by another Switchboard process (pid ${pid}); stop it or set DATA_DIR/DATABASE_URL`,
      );
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
