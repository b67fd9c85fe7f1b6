import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, jsonResponse } from '../shared/http.js';
import type { Services } from '../services.js';
import type { Telephony } from '../telephony/telephony.js';

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'down']),
    db: z.object({ kind: z.enum(['pglite', 'postgres']), ok: z.boolean() }),
    telephony: z.object({
      state: z.enum(['off', 'connecting', 'connected', 'reconnecting']),
      detail: z.string(),
      since: z.string(),
      servers: z
        .array(
          z.object({
            name: z.string(),
            role: z.enum(['holder', 'standby']).openapi({ description: 'holder: this instance holds the ARI connection' }),
            state: z.enum(['off', 'connecting', 'connected', 'reconnecting']),
            detail: z.string(),
            since: z.string(),
            holder: z.string().nullable().openapi({ description: 'The id of the instance that holds it, when one does' }),
          }),
        )
        .openapi({ description: 'Each Asterisk server, and which instance holds its connection' }),
    }),
    instance: z.string().openapi({ description: "This instance's id (INSTANCE_ID)" }),
    realtime: z.object({ adapter: z.enum(['memory', 'redis']) }),
    uptimeSeconds: z.number(),
  })
  .openapi('Health');

const servers = (s: Services) => {
  const t = s.telephony as Partial<Telephony>;
  return t.servers ? t.servers().map((x) => ({ ...x, holder: x.holder?.instanceId ?? null })) : [];
};

export function healthRoutes(startedAt: Date) {
  const r = createRouter();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      tags: ['health'],
      summary: 'Liveness and dependencies',
      description: '200 while the database answers (telephony being off is not a failure); 503 when it does not.',
      responses: { 200: jsonResponse(HealthSchema, 'Healthy'), 503: jsonResponse(HealthSchema, 'Database unreachable') },
    }),
    async (c) => {
      const s = c.get('services');
      const ok = await s.database.ping();
      const body = {
        status: ok ? ('ok' as const) : ('down' as const),
        db: { kind: s.database.kind, ok },
        telephony: { ...s.telephony.status(), servers: servers(s) },
        instance: s.config.instance.id,
        realtime: { adapter: s.realtime.adapter },
        uptimeSeconds: Math.round((s.clock.now().getTime() - startedAt.getTime()) / 1000),
      };
      c.header('cache-control', 'no-store');
      return ok ? c.json(body, 200) : c.json(body, 503);
    },
  );
  return r;
}
