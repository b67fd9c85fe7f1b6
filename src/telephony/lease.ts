import type { DbSession } from '../db/client.js';
import type { Services } from '../services.js';

/**
 * The right to hold one Asterisk server's ARI connection. Every instance runs one lease per server; the
 * one whose own database session holds the server's advisory lock is the holder, the others are
 * standbys that try again every `checkMs`. PostgreSQL frees the lock the moment the holder's session
 * ends (process killed, connection dropped), so a standby takes over within one check.
 *
 * The holder checks its lock every `checkMs`. If the check fails or takes longer than a few periods, it
 * gives the connection up at once (a holder that cannot reach the database must not keep taking calls
 * it cannot store) and closes its session, so that PostgreSQL frees the lock for someone who can.
 *
 * The `pbx_leases` row only tells the others who holds the lock, where to reach it and how its ARI
 * connection is; the lock decides.
 */
export interface LeaseHolderInfo {
  instanceId: string;
  instanceUrl: string;
  ariState: string;
  detail: string;
  renewedAt: Date;
}

export interface PbxLease {
  holding(): boolean;
  /** The latest known holder (this instance included), or null when nobody has renewed it lately. */
  holder(): LeaseHolderInfo | null;
  stop(): Promise<void>;
}

export interface LeaseOptions {
  pbx: string;
  instanceId: string;
  instanceUrl: () => string;
  checkMs: number;
  /** This instance's ARI state, written to the lease row at each renewal. */
  ariState: () => { state: string; detail: string };
  onAcquired(): Promise<void> | void;
  onLost(reason: string): Promise<void> | void;
}

const LOCK_CLASS = `hashtext('switchboard:' || current_database())`;

export function startPbxLease(s: Services, o: LeaseOptions): PbxLease {
  const log = s.logger.child({ module: 'ari-lease', pbx: o.pbx });
  let session: DbSession | null = null;
  let holding = false;
  let holder: LeaseHolderInfo | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let lastError = '';
  const timeoutMs = Math.max(2000, 3 * o.checkMs);

  const withTimeout = <T>(p: Promise<T>, what: string) =>
    new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${what} took longer than ${timeoutMs} ms`)), timeoutMs);
      p.then(
        (v) => (clearTimeout(t), resolve(v)),
        (e) => (clearTimeout(t), reject(e as Error)),
      );
    });

  async function dropSession() {
    const old = session;
    session = null;
    // Ending the session is what frees the lock if PostgreSQL still thinks we hold it.
    if (old) await old.close().catch(() => {});
  }

  async function renew(sess: DbSession) {
    const { state, detail } = o.ariState();
    const rows = await sess.query<{ held: boolean }>(
      `WITH held AS (
         SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                          AND classid = (${LOCK_CLASS})::oid AND objid = hashtext($1)::oid AND objsubid = 2) AS held
       ), upsert AS (
         INSERT INTO pbx_leases (pbx, instance_id, instance_url, acquired_at, renewed_at, ari_state, detail)
         SELECT $1, $2, $3, now(), now(), $4, $5 FROM held WHERE held
         ON CONFLICT (pbx) DO UPDATE SET renewed_at = now(), ari_state = excluded.ari_state, detail = excluded.detail,
           instance_url = excluded.instance_url,
           acquired_at = CASE WHEN pbx_leases.instance_id = excluded.instance_id THEN pbx_leases.acquired_at ELSE now() END,
           instance_id = excluded.instance_id
       )
       SELECT held FROM held`,
      [o.pbx, o.instanceId, o.instanceUrl(), state, detail],
    );
    return rows[0]?.held === true;
  }

  async function readHolder(sess: DbSession) {
    const [row] = await sess.query<{ instance_id: string; instance_url: string; ari_state: string; detail: string; renewed_at: Date }>(
      `SELECT instance_id, instance_url, ari_state, detail, renewed_at FROM pbx_leases
        WHERE pbx = $1 AND renewed_at > now() - make_interval(secs => $2)`,
      [o.pbx, timeoutMs / 1000 + 1],
    );
    holder = row
      ? { instanceId: row.instance_id, instanceUrl: row.instance_url, ariState: row.ari_state, detail: row.detail, renewedAt: new Date(row.renewed_at) }
      : null;
  }

  async function lose(reason: string) {
    if (!holding) return;
    holding = false;
    holder = null;
    log.warn({ reason }, 'gave up the ARI connection');
    await dropSession();
    await o.onLost(reason);
  }

  async function step() {
    try {
      session ??= await withTimeout(s.database.openSession(`lease-${o.pbx}`), 'opening a lease session');
      const sess = session;
      if (holding) {
        const still = await withTimeout(renew(sess), 'the lease check');
        if (!still) return await lose('the database no longer holds our lock (our session was ended)');
        await readHolder(sess);
      } else {
        const [got] = await withTimeout(
          sess.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock((${LOCK_CLASS}), hashtext($1)) AS ok`, [o.pbx]),
          'taking the lease',
        );
        if (got?.ok) {
          holding = true;
          await withTimeout(renew(sess), 'recording the lease');
          await readHolder(sess);
          log.info('took the ARI connection');
          await o.onAcquired();
        } else {
          await readHolder(sess);
        }
      }
      if (lastError) log.info('lease checks work again');
      lastError = '';
    } catch (err) {
      const message = (err as Error).message;
      if (message !== lastError) log.warn({ err: message }, 'lease check failed');
      lastError = message;
      if (holding) await lose(`the database did not answer: ${message}`);
      else await dropSession();
    }
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      running = step().finally(schedule);
    }, o.checkMs);
    timer.unref();
  }
  running = step().finally(schedule);

  return {
    holding: () => holding,
    holder: () => holder,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => {});
      if (holding && session) {
        holding = false;
        await o.onLost('shutting down');
        // Let a standby take over at once instead of after the row goes stale.
        await session
          .query(`DELETE FROM pbx_leases WHERE pbx = $1 AND instance_id = $2`, [o.pbx, o.instanceId])
          .then(() => session?.query(`SELECT pg_advisory_unlock((${LOCK_CLASS}), hashtext($1))`, [o.pbx]))
          .catch(() => {});
      }
      await dropSession();
    },
  };
}
