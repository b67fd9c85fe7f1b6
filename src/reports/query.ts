import { sql, type SQL } from 'drizzle-orm';
import { rowsOf } from '../db/client.js';
import type { Services } from '../services.js';

/**
 * A report's statement: it reads a period's rows once, so compiling it to machine code (PostgreSQL's JIT,
 * hundreds of milliseconds for these plans) costs more than it saves, and sorting a long period's callers
 * needs more than the default working memory. Both only for this statement's transaction.
 */
export async function reportRows<T>(s: Services, q: SQL): Promise<T[]> {
  return s.database.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`);
    return rowsOf<T>(await tx.execute(q));
  });
}
