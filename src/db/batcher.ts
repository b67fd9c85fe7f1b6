import type { SQL } from 'drizzle-orm';
import type { Database } from './client.js';
import type { Statement } from './statements.js';

type Rows = Record<string, unknown>[];

/**
 * Requests of one kind that a batch can answer with one statement for all of them (say, the next entry
 * for each of fifty operators): one plan, one index walk and one update instead of fifty.
 */
export interface StatementGroup<M> {
  /** The one statement for these members, in their order of arrival (at least two). */
  build(members: M[]): Statement;
  /**
   * Each member's rows out of that statement's rows, or undefined for a member it did not settle: that
   * member's own statement then runs after it, in the same transaction.
   */
  split(rows: Rows, members: M[]): Array<Rows | undefined>;
}

interface Waiting {
  /** The request's own statement: run alone, in a batch without others of its group, or after its group's. */
  q: SQL | Statement;
  group?: { of: StatementGroup<unknown>; member: unknown };
  resolve(rows: Rows): void;
  reject(err: unknown): void;
}

/** One statement of a batch: a request's own, or its group's for several requests. */
type Unit = { one: Waiting } | { of: StatementGroup<unknown>; members: Waiting[] };

/** The batch's statements: each group's goes where its first member arrived. */
function plan(batch: Waiting[]): Unit[] {
  const units: Unit[] = [];
  const groups = new Map<StatementGroup<unknown>, Waiting[]>();
  for (const w of batch) {
    if (!w.group) {
      units.push({ one: w });
      continue;
    }
    let members = groups.get(w.group.of);
    if (!members) {
      groups.set(w.group.of, (members = []));
      units.push({ of: w.group.of, members });
    }
    members.push(w);
  }
  return units.map((u) => ('members' in u && u.members.length === 1 ? { one: u.members[0]! } : u));
}

/**
 * Statements of a hot path that many requests send at once (the dialer's allocations and dispositions)
 * go to the database together: while a batch runs, new statements wait and leave in the next one (at
 * most `maxSize`); an idle batcher sends a statement at the end of the current tick. One batch at a time
 * by default: two of one instance would mostly step over each other's locked rows. A batch is one
 * transaction, so one failing statement would undo the others: a failed batch is retried one statement
 * at a time, and only the statement that fails alone fails.
 *
 * Requests sent with `runInGroup` that meet others of their group in a batch share one statement; those
 * it leaves unsettled run their own right after it.
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

  const runBatch = async (batch: Waiting[]) => {
    const units = plan(batch);
    const settled = new Map<Waiting, Rows>();
    const unsettled: Waiting[] = [];
    const statements = units.map((u) => ('one' in u ? u.one.q : u.of.build(u.members.map((w) => w.group!.member))));
    if (units.every((u) => 'one' in u)) {
      const results = await database.batch(statements);
      units.forEach((u, i) => (u as { one: Waiting }).one.resolve(results[i]!));
      return;
    }
    const results = await database.batch(statements, (first) => {
      units.forEach((u, i) => {
        if ('one' in u) return settled.set(u.one, first[i]!);
        const parts = u.of.split(first[i]!, u.members.map((w) => w.group!.member));
        u.members.forEach((w, k) => (parts[k] ? settled.set(w, parts[k]) : unsettled.push(w)));
      });
      return unsettled.map((w) => w.q);
    });
    unsettled.forEach((w, k) => settled.set(w, results[units.length + k]!));
    for (const w of batch) w.resolve(settled.get(w)!);
  };

  const flush = () => {
    scheduled = false;
    while (queue.length && running < inFlight) {
      const batch = queue.slice(0, maxSize);
      queue = queue.slice(batch.length);
      running++;
      void (async () => {
        try {
          await runBatch(batch);
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

  const enqueue = (w: Waiting) => {
    queue.push(w);
    if (!scheduled && running < inFlight) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  return {
    run<T extends Record<string, unknown>>(q: SQL | Statement): Promise<T[]> {
      return new Promise<T[]>((resolve, reject) => enqueue({ q, resolve: resolve as Waiting['resolve'], reject }));
    },
    /** Like `run`, but shares one statement with the other members of `group` in its batch. */
    runInGroup<T extends Record<string, unknown>, M>(group: StatementGroup<M>, member: M, own: SQL | Statement): Promise<T[]> {
      return new Promise<T[]>((resolve, reject) =>
        enqueue({ q: own, group: { of: group as StatementGroup<unknown>, member }, resolve: resolve as Waiting['resolve'], reject }),
      );
    },
  };
}
