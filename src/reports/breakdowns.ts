import { sql } from 'drizzle-orm';
import type { Services } from '../services.js';
import type { Role } from '../db/schema.js';
import { scriptStats } from '../call-scripts/service.js';
import { periodDto, resolvePeriod } from './period.js';
import { reportRows } from './query.js';

export const refusalReaders = ['admin', 'cc_admin', 'sales_head'] as const satisfies readonly Role[];
export const branchReaders = ['admin', 'cc_admin'] as const satisfies readonly Role[];

/** "Not interested" dispositions of the period by reason, most frequent first. */
export async function refusalsReport(s: Services, q: { from?: string; to?: string; campaignId?: string }) {
  const period = resolvePeriod(q, s.clock.now(), s.config.companyTimeZone);
  const rows = await reportRows<{ reason: string | null; count: number }>(s, sql`
    SELECT reason, count(*)::int AS count FROM dispositions
    WHERE kind = 'not_interested' AND created_at >= ${period.from.toISOString()}::timestamptz AND created_at < ${period.to.toISOString()}::timestamptz
      ${q.campaignId ? sql`AND campaign_id = ${q.campaignId}` : sql``}
    GROUP BY 1 ORDER BY 2 DESC, 1`);
  const total = rows.reduce((n, r) => n + r.count, 0);
  return {
    period: periodDto(period),
    campaignId: q.campaignId ?? null,
    total,
    rows: rows.map((r) => ({ reason: r.reason ?? '', count: r.count, share: total ? Math.round((r.count / total) * 10_000) / 10_000 : 0 })),
  };
}

/** A script's steps and answers in the period: runs through each and the share of them that ended in a meeting. */
export async function scriptBranchesReport(s: Services, q: { scriptId: string; version?: number; from?: string; to?: string }) {
  const period = resolvePeriod(q, s.clock.now(), s.config.companyTimeZone);
  const st = await scriptStats(s, q.scriptId, { version: q.version, from: period.from.toISOString(), to: period.to.toISOString() });
  const conv = (meetings: number, passed: number) => (passed ? Math.round((meetings / passed) * 10_000) / 10_000 : null);
  const rows = st.steps.flatMap((step) => [
    { stepId: step.stepId, stepTitle: step.title, optionId: null as string | null, optionLabel: null as string | null, passed: step.passed, meetings: step.meetings, conversion: conv(step.meetings, step.passed) },
    ...step.options.map((o) => ({ stepId: step.stepId, stepTitle: step.title, optionId: o.optionId, optionLabel: o.label, passed: o.chosen, meetings: o.meetings, conversion: conv(o.meetings, o.chosen) })),
  ]);
  return { period: periodDto(period), scriptId: q.scriptId, version: st.version, runs: st.runs, meetings: st.meetings, rows };
}
