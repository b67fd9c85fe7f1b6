/**
 * npm run bench:routing — N meetings waiting at once for H hunters while C socket.io clients are
 * connected. Prints routings/s (each meeting decided and offered), socket delivery latency of offers
 * (commit → hunter's socket); then the hunters accept every offer over their sockets (accepts/s) and
 * the fairness spread (max − min of assigned/weight) is printed. Last, B more meetings are booked
 * through POST /api/meetings with K requests in flight: bookings/s and request latency end to end.
 *
 *   BENCH_MEETINGS=10000 BENCH_HUNTERS=50 BENCH_CLIENTS=1000 BENCH_HTTP_MEETINGS=2000 BENCH_CONCURRENCY=64 npm run bench:routing
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test   (a server where it may create a database)
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { io as ioClient, type Socket } from 'socket.io-client';
import { loadConfig } from '../src/config.js';
import { startService } from '../src/server.js';
import { openDatabase } from '../src/db/client.js';
import { createLogger } from '../src/shared/logger.js';
import { hashPassword } from '../src/auth/passwords.js';
import { newId } from '../src/shared/ids.js';
import { users, contacts, contactPhones, meetings } from '../src/db/schema.js';
import { routeMeeting } from '../src/meetings/routing.js';
import { pct } from './bench-stats.js';

const meetingsN = Number(process.env.BENCH_MEETINGS ?? 10_000);
const huntersN = Number(process.env.BENCH_HUNTERS ?? 50);
const clientsN = Math.max(huntersN, Number(process.env.BENCH_CLIENTS ?? 1000));
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 64);
const httpN = Number(process.env.BENCH_HTTP_MEETINGS ?? 2000);
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';


async function main() {
  const dbName = `sb_bench_routing_${Date.now().toString(36)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  const config = loadConfig({
    DATABASE_URL: url.toString(),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    TOKEN_SECRET: 'b'.repeat(40),
    ADMIN_PASSWORD: 'bench-password-1',
    MEETING_OFFER_SECONDS: '600',
  });
  const database = await openDatabase(config.database);
  const service = await startService(config, { database, logger: createLogger('warn') });
  const s = service.services;
  let exitCode: number;
  const sockets: Socket[] = [];
  try {
    // People: hunters (weights 1 and 2 alternate) and other staff, all with one password hash.
    const hash = await hashPassword('bench-password-1');
    const now = new Date();
    const people = Array.from({ length: clientsN }, (_, i) => ({
      id: newId('user'),
      email: `bench-${i}@bench.local`,
      name: i < huntersN ? `Hunter ${i}` : `Operator ${i}`,
      role: (i < huntersN ? 'hunter' : 'operator') as 'hunter' | 'operator',
      passwordHash: hash,
      timezone: 'Europe/Moscow',
      createdAt: now,
      updatedAt: now,
    }));
    for (let i = 0; i < people.length; i += 500) await s.database.db.insert(users).values(people.slice(i, i + 500));
    const hunters = people.slice(0, huntersN);
    const weightOf = (i: number) => (i % 2 ? 2 : 1);
    for (let i = 0; i < hunters.length; i++) {
      await s.database.query(sql`INSERT INTO hunter_routing (user_id, weight) VALUES (${hunters[i]!.id}, ${weightOf(i)})`);
    }
    const booker = people[huntersN] ?? hunters[0]!;
    const tokenOf = async (p: (typeof people)[number]) => (await s.tokens.issue({ id: p.id, role: p.role, tokenVersion: 0 })).token;

    // Prospects to book for.
    const ids = Array.from({ length: meetingsN + httpN }, () => newId('contact'));
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      await s.database.db.insert(contacts).values(chunk.map((id, j) => ({ id, name: `Lead ${i + j}`, createdAt: now, updatedAt: now, firstTouchAt: now })));
      await s.database.db.insert(contactPhones).values(chunk.map((id, j) => ({ phone: `+7918${String(1000000 + i + j)}`, contactId: id, createdAt: now })));
    }

    // Clients: every person connected; hunters accept each offer at once.
    const delivery: number[] = [];
    const sinceDecision: number[] = [];
    const received: Array<{ socket: Socket; offerId: string }> = [];
    // Socket delivery is timed from the emit (after the routing transaction commits) to the client.
    const emittedAt = new Map<string, number>();
    const toUser = s.realtime.toUser.bind(s.realtime);
    s.realtime.toUser = (userId, event, payload) => {
      if (event === 'meeting:offered') emittedAt.set((payload as { offerId: string }).offerId, performance.now());
      toUser(userId, event, payload);
    };
    const offerMs = config.routing.offerSeconds * 1000;
    let connectedN = 0;
    const connectStart = Date.now();
    for (let i = 0; i < people.length; i += 100) {
      await Promise.all(
        people.slice(i, i + 100).map(async (p) => {
          const socket = ioClient(service.url, { transports: ['websocket'], auth: { token: await tokenOf(p) }, reconnection: false, forceNew: true });
          sockets.push(socket);
          if (p.role === 'hunter') {
            socket.on('meeting:offered', (o: { offerId: string; expiresAt: string }) => {
              delivery.push(performance.now() - (emittedAt.get(o.offerId) ?? NaN));
              sinceDecision.push(Date.now() - (Date.parse(o.expiresAt) - offerMs));
              received.push({ socket, offerId: o.offerId });
            });
          }
          await new Promise<void>((resolve, reject) => {
            socket.once('session:ready', () => resolve());
            socket.once('connect_error', reject);
          });
          connectedN++;
        }),
      );
    }
    console.log(`bench:routing — ${meetingsN} meetings, ${huntersN} hunters (weights 1 and 2), ${connectedN} sockets connected in ${((Date.now() - connectStart) / 1000).toFixed(1)} s, ${concurrency} bookings in flight`);

    const token = await tokenOf(booker);
    const when = new Date(Date.now() + 86_400_000);
    // Phase 1: N meetings booked at once (stored in bulk), all handed to the router together.
    const meetingIds = ids.slice(0, meetingsN).map(() => newId('meeting'));
    for (let i = 0; i < meetingIds.length; i += 1000) {
      await s.database.db.insert(meetings).values(
        meetingIds.slice(i, i + 1000).map((id, j) => ({ id, contactId: ids[i + j]!, bookedBy: booker.id, scheduledAt: when, durationMinutes: 60, createdAt: now, updatedAt: now })),
      );
    }
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const started = Date.now();
    const results = await Promise.all(meetingIds.map((id) => routeMeeting(s, id, 'booked')));
    const seconds = (Date.now() - started) / 1000;
    loop.disable();
    const failed = results.filter((fx) => !fx.offered).length;

    // Every offer must have reached its hunter; then the hunters accept them all, 64 at a time.
    const offersDeadline = Date.now() + 30_000;
    while (received.length < meetingsN - failed && Date.now() < offersDeadline) await new Promise((r) => setTimeout(r, 100));
    const acceptStarted = Date.now();
    let nextAccept = 0;
    let refused = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (nextAccept < received.length) {
          const { socket, offerId } = received[nextAccept++]!;
          const ack = (await socket.timeout(30_000).emitWithAck('meeting:accept', { offerId })) as { ok: boolean };
          if (!ack.ok) refused++;
        }
      }),
    );
    const acceptSeconds = (Date.now() - acceptStarted) / 1000;
    const deadline = Date.now() + 60_000;
    let assigned = 0;
    while (Date.now() < deadline) {
      const [row] = await s.database.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM meetings WHERE status = 'assigned'`);
      assigned = row!.n;
      if (assigned >= meetingsN - failed) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const per = await s.database.query<{ hunter_id: string; n: number }>(sql`SELECT hunter_id, count(*)::int AS n FROM meetings WHERE hunter_id IS NOT NULL GROUP BY hunter_id`);
    const loads = hunters.map((h, i) => (per.find((r) => r.hunter_id === h.id)?.n ?? 0) / weightOf(i));
    const spread = Math.max(...loads) - Math.min(...loads);
    const [dup] = await s.database.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM (SELECT meeting_id FROM meeting_offers WHERE status = 'accepted' GROUP BY meeting_id HAVING count(*) > 1) d`);

    console.log(`routed: ${meetingsN - failed} of ${meetingsN} offered in ${seconds.toFixed(2)} s → ${((meetingsN - failed) / seconds).toFixed(0)} routings/s`);
    console.log(`accepted over sockets: ${received.length - refused} (${refused} refused) in ${acceptSeconds.toFixed(1)} s → ${((received.length - refused) / acceptSeconds).toFixed(0)} accepts/s`);
    console.log(`assigned: ${assigned}, double-assigned: ${dup!.n}; fairness spread (max − min of assigned/weight): ${spread.toFixed(2)} (loads ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)})`);
    console.log(`offer delivery (emit after commit → hunter's socket): p50 ${pct(delivery, 50).toFixed(1)} ms, p99 ${pct(delivery, 99).toFixed(1)} ms (n=${delivery.length}); decision → hunter's socket p50 ${pct(sinceDecision, 50)} ms, p99 ${pct(sinceDecision, 99)} ms`);
    console.log(`event-loop delay while routing: p50 ${(loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms`);
    // Phase 2: bookings through the API, K in flight.
    const bookLatency: number[] = [];
    let next = meetingsN;
    let httpFailed = 0;
    const httpStarted = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < ids.length) {
          const contactId = ids[next++]!;
          const t = Date.now();
          const res = await fetch(`${service.url}/api/meetings`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ contactId, scheduledAt: when.toISOString() }),
          });
          const body = (await res.json()) as { status?: string };
          if (res.status !== 201 || body.status !== 'offered') httpFailed++;
          bookLatency.push(Date.now() - t);
        }
      }),
    );
    const httpSeconds = (Date.now() - httpStarted) / 1000;
    if (httpN) {
      console.log(
        `API bookings: ${httpN - httpFailed} of ${httpN} booked and offered in ${httpSeconds.toFixed(1)} s → ${((httpN - httpFailed) / httpSeconds).toFixed(0)} bookings/s (${concurrency} in flight; request p50 ${pct(bookLatency, 50)} ms, p99 ${pct(bookLatency, 99)} ms)`,
      );
    }
    const ok = failed === 0 && httpFailed === 0 && refused === 0 && assigned === meetingsN && dup!.n === 0 && spread <= 1;
    console.log(ok ? 'RESULT: every meeting assigned once, spread within 1' : 'RESULT: FAILED (see figures above)');
    exitCode = ok ? 0 : 1;
  } finally {
    for (const socket of sockets) socket.close();
    await service.close();
    await database.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
  process.exit(exitCode);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
