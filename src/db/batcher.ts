import type { SQL } from 'drizzle-orm';
import type { Database } from './client.js';
import type { Statement } from './statements.js';

interface Waiting {
  q: SQL | Statement;
  resolve(rows: Record<string, unknown>[]): void;
  reject(err: unknown): void;
}

/**
 * Statements of a hot path that many requests send at once (the dialer's allocations and dispositions)
 * go to the database together: while a batch runs, new statements wait and leave in the next one (at
 * most `maxSize`); an idle batcher sends a statement at the end of the current tick. One batch at a time
 * by default: two of one instance would mostly step over each other's locked rows. A batch is one
 * transaction, so one failing statement would undo the others: a failed batch is retried one statement
 * at a time, and only the statement that fails alone fails.
 */
export function statementBatcher(database: Database, opts: { maxSize?: number; inFlight?: number } = {}) {
  const maxSize = opts.maxSize ?? 128;
  const inFlight = opts.inFlight ?? 1;
  let queue: Waiting[] = [];
  let running = 0;
  let scheduled = false;

  const runAlone = async (w: Waiting) => {
    try {
      const [rows] = await database.batch([w.q]);
      w.resolve(rows!);
    } catch (err) {
      w.reject(err);
    }
  };

  const flush = () => {
    scheduled = false;
    while (queue.length && running < inFlight) {
      const batch = queue.slice(0, maxSize);
      queue = queue.slice(batch.length);
      running++;
      void (async () => {
        try {
          const results = await database.batch(batch.map((w) => w.q));
          batch.forEach((w, i) => w.resolve(results[i]!));
        } catch (err) {
          if (batch.length === 1) batch[0]!.reject(err);
          else for (const w of batch) await runAlone(w);
        } finally {
          running--;
          if (queue.length) flush();
        }
      })();
    }
  };

  return {
    run<T extends Record<string, unknown>>(q: SQL | Statement): Promise<T[]> {
      return new Promise<T[]>((resolve, reject) => {
        queue.push({ q, resolve: resolve as Waiting['resolve'], reject });
        if (!scheduled && running < inFlight) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
