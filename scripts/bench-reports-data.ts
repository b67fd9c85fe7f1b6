/**
 * A year of a call centre's work for bench:reports, generated inside PostgreSQL with set-based SQL on one
 * connection (the intermediate tables are temporary): users, sources with their tracking numbers, campaigns
 * with dial lists, contacts, inbound and outbound calls, dispositions, meetings with their offers, first and
 * later deals, handoffs with their introduction tasks, payments and the operators' state log. The year ends at `now`; the rows are
 * consistent with one another the way the service writes them (a caller's first call creates the contact
 * and its first source, a dial-list contact becomes a lead with its first callback or booked meeting, a
 * meeting is held before its first deal, …).
 */
import type { Sql } from 'postgres';

export interface YearSizes {
  calls: number;
  /** Share of the calls that are outbound campaign calls. */
  outboundShare: number;
  contacts: number;
  meetings: number;
  firstDeals: number;
  laterDeals: number;
  sources: number;
  campaigns: number;
  operators: number;
  hunters: number;
  managers: number;
}

export interface YearSettings {
  now: Date;
  timeZone: string;
  currency: string;
  passwordHash: string;
  targetCallSeconds: number;
  maxWaitSeconds: number;
  wrapUpSeconds: number;
  offerSeconds: number;
  commissionPercent: number;
  firstDealDeferralDays: number;
  firstDealCreditLimitMinor: number;
  /** Also log each call's ringing / on_call / wrap_up / available states, as the phone does. */
  statePerCall: boolean;
}

const inboundSources: Array<[name: string, channel: string, monthlyCostMinor: number | null, utm: string | null]> = [
  ['Яндекс.Директ — поиск', 'paid_search', 45_000_000, 'yandex'],
  ['Google Ads', 'paid_search', 30_000_000, 'google'],
  ['Сайт (органика)', 'organic', null, null],
  ['VK Реклама', 'paid_social', 15_000_000, 'vk'],
  ['Telegram Ads', 'paid_social', 12_000_000, 'telegram'],
  ['Яндекс.Директ — РСЯ', 'display', 10_000_000, 'yandex_rsya'],
  ['2ГИС', 'other', 3_000_000, '2gis'],
  ['Авито', 'other', 8_000_000, 'avito'],
  ['Рекомендации', 'referral', null, null],
  ['Партнёры', 'partner', 5_000_000, 'partners'],
  ['Email-рассылка', 'email', 1_500_000, 'email'],
  ['Выставка', 'offline', 20_000_000, null],
  ['Наружная реклама', 'offline', 6_000_000, null],
  ['Радио', 'offline', 9_000_000, null],
  ['Яндекс.Карты', 'other', 2_000_000, 'yandex_maps'],
  ['Прочее', 'other', null, null],
];
const coldLists = ['Холодная база: ритейл', 'Холодная база: HoReCa', 'Холодная база: офисы', 'Холодная база: склады'];
const refusals = ['Дорого', 'Есть поставщик', 'Нет потребности', 'Не ЛПР', 'Не сейчас', 'Другое'];
const pauses = ['Перерыв', 'Обед', 'Обучение'];
const terminal = `('not_interested', 'wrong_number', 'do_not_call', 'meeting_booked')`;

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const arr = (xs: readonly string[]) => `ARRAY[${xs.map(lit).join(', ')}]::text[]`;
/** A ulid-shaped id (prefix, 12 hex digits of the time in ms, 14 of a sequence): unique and sortable by time. */
const bid = (prefix: string, at: string, seq: string) =>
  `('${prefix}_' || lpad(upper(to_hex((extract(epoch FROM ${at}) * 1000)::bigint)), 12, '0') || lpad(upper(to_hex((${seq})::bigint)), 14, '0'))`;
/** The caller's number of contact `idx`; the tracking number of source `idx`. */
const phoneOf = (idx: string) => `('+7916' || lpad((${idx})::text, 7, '0'))`;
const trackingOf = (idx: string) => `('+7495' || (2000000 + (${idx}))::text)`;
const mainNumber = `'+74951000000'`;

/** Generates the year; returns how long each step took (ms), in order. */
export async function generateYear(gen: Sql, z: YearSizes, o: YearSettings) {
  if (z.operators < 2 || z.hunters < 1 || z.managers < 1 || z.campaigns < 1 || z.sources < 2) throw new Error('sizes: at least 2 operators and sources, 1 hunter, manager and campaign');
  const steps: Array<[string, number]> = [];
  const run = async (label: string, text: string) => {
    const t = performance.now();
    await gen.unsafe(text);
    steps.push([label, performance.now() - t]);
  };
  const one = async <T>(text: string) => ((await gen.unsafe(text)) as unknown as T[])[0]!;
  const now = `${lit(o.now.toISOString())}::timestamptz`;
  const tz = lit(o.timeZone);

  // People, sources, campaigns: a handful of rows, ids made here.
  const seq = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
  const ops = seq(z.operators, (i) => `usr_OPERATOR${String(i).padStart(14, '0')}`);
  const hunters = seq(z.hunters, (i) => `usr_HUNTER${String(i).padStart(16, '0')}`);
  const managers = seq(z.managers, (i) => `usr_MANAGER${String(i).padStart(15, '0')}`);
  const ccAdmin = 'usr_CCADMIN000000000000000';
  const heads = [ccAdmin, 'usr_SALESHEAD0000000000000', 'usr_CLIENTHEAD000000000000'];
  const cold = Math.min(coldLists.length, Math.floor(z.sources / 5));
  const inS = z.sources - cold;
  const srcs = seq(z.sources, (i) => `src_BENCH${String(i).padStart(17, '0')}`);
  const camps = seq(z.campaigns, (i) => `cmp_BENCH${String(i).padStart(17, '0')}`);
  const lists = seq(z.campaigns, (i) => `dl_BENCH${String(i).padStart(18, '0')}`);
  const campSource = (c: number) => (cold > 0 && c < Math.ceil(z.campaigns * 0.8) ? inS + (c % cold) : null);
  const P = Math.floor(z.operators / 2);
  // Operators work in two shifts (before and after 14:30), each person two days off in seven.
  const works = (d: string, k: string) => (P >= 7 ? `((${d}) + (${k})) % 7 < 5` : 'true');
  const opOf = (d: string, tod: string, r: string) => {
    const k = `floor(${r} * ${P})::int`;
    const shifted = P >= 7 ? `CASE WHEN ((${d}) + ${k}) % 7 >= 5 THEN CASE WHEN ${k} >= 2 THEN ${k} - 2 ELSE ${k} + 5 END ELSE ${k} END` : k;
    return `(CASE WHEN ${tod} < 52200 THEN 0 ELSE ${P} END + ${shifted})`;
  };
  const yearStart = `(SELECT day_start FROM g_days WHERE d = 364)`;

  await gen.unsafe(`SET temp_buffers = '2GB'`);
  await gen.unsafe(`SET work_mem = '256MB'`);
  await gen.unsafe(`SET maintenance_work_mem = '1GB'`);
  await gen.unsafe(`SET synchronous_commit = off`);
  // Foreign keys are checked once, set-based, after the load (checkReferences) instead of row by row;
  // that takes a superuser, without one they are checked as the rows go in.
  const deferChecks = await gen.unsafe(`SET session_replication_role = replica`).then(() => true, () => false);

  const staffAt = `${now} - interval '400 days'`;
  const userRows = [
    ...ops.map((id, i) => [id, `operator${i + 1}@bench.local`, `Оператор ${i + 1}`, 'operator', `'${1001 + i}'`]),
    ...hunters.map((id, i) => [id, `hunter${i + 1}@bench.local`, `Хантер ${i + 1}`, 'hunter', 'NULL']),
    ...managers.map((id, i) => [id, `manager${i + 1}@bench.local`, `Менеджер ${i + 1}`, 'account_manager', 'NULL']),
    [heads[0]!, 'cc@bench.local', 'Администратор КЦ', 'cc_admin', 'NULL'],
    [heads[1]!, 'sales-head@bench.local', 'Руководитель продаж', 'sales_head', 'NULL'],
    [heads[2]!, 'client-head@bench.local', 'Руководитель клиентского отдела', 'client_head', 'NULL'],
  ];
  await run(
    'users, sources, campaigns',
    `
    INSERT INTO users (id, email, name, role, password_hash, timezone, extension, status, status_changed_at, created_at, updated_at)
    VALUES ${userRows.map(([id, email, name, role, ext]) => `(${lit(id!)}, ${lit(email!)}, ${lit(name!)}, ${lit(role!)}, ${lit(o.passwordHash)}, ${tz}, ${ext}, 'offline', ${staffAt}, ${staffAt}, ${staffAt})`).join(',\n')};
    INSERT INTO hunter_routing (user_id, weight) SELECT unnest(${arr(hunters)}), 1;
    INSERT INTO pause_reasons (id, label, position) VALUES ${pauses.map((l, i) => `('pr_BENCH${i}', ${lit(l)}, ${i})`).join(', ')};
    INSERT INTO refusal_reasons (id, label, position) VALUES ${refusals.map((l, i) => `('rr_BENCH${i}', ${lit(l)}, ${i})`).join(', ')};
    INSERT INTO sources (id, name, channel, monthly_cost_minor, currency, utm_source, created_at, updated_at)
    VALUES ${srcs
      .map((id, i) => {
        const [name, channel, cost, utm] = i < inS ? (inboundSources[i] ?? [`Источник ${i + 1}`, 'other', 1_000_000 * (i % 7), null]) : [coldLists[i - inS]!, 'cold_list', 1_000_000 * (i - inS + 1), null];
        return `(${lit(id)}, ${lit(name)}, ${lit(channel)}, ${cost ?? 'NULL'}, ${lit(o.currency)}, ${utm ? lit(utm) : 'NULL'}, ${staffAt}, ${staffAt})`;
      })
      .join(',\n')};
    INSERT INTO tracking_numbers (id, number, source_id, kind, created_at, updated_at)
    SELECT 'tn_BENCH' || lpad(i::text, 18, '0'), ${trackingOf('i')}, (${arr(srcs)})[i + 1], 'static', ${staffAt}, ${staffAt} FROM generate_series(0, ${inS - 1}) i;

    CREATE TEMP TABLE g_days AS
    WITH base AS (
      SELECT d, date_trunc('day', ${now} AT TIME ZONE ${tz}) - d * interval '1 day' AS midnight,
             extract(epoch FROM (${now} AT TIME ZONE ${tz}) - date_trunc('day', ${now} AT TIME ZONE ${tz})) AS now_tod
      FROM generate_series(0, 364) d
    ), spans AS (
      -- Inbound 08:00–21:00, outbound 09:00–20:00 on weekdays; today only until an hour ago (every call has ended).
      SELECT d, midnight AT TIME ZONE ${tz} AS day_start, extract(isodow FROM midnight)::int AS dow,
        CASE WHEN d = 0 THEN greatest(0, least(46800, now_tod - 28800 - 3900)) ELSE 46800 END AS span_in,
        CASE WHEN d = 0 THEN greatest(0, least(39600, now_tod - 32400 - 3900)) ELSE 39600 END AS span_out,
        to_char(midnight, 'MM-DD') BETWEEN '01-01' AND '01-08' AS holiday,
        0.75 + 0.5 * (364 - d) / 364.0 AS growth
      FROM base
    ), weights AS (
      SELECT *, growth * CASE WHEN holiday THEN 0.15 WHEN dow = 6 THEN 0.35 WHEN dow = 7 THEN 0.2 ELSE 1 END * span_in / 46800.0 AS w_in,
                growth * CASE WHEN holiday OR dow >= 6 THEN 0 ELSE 1 END * span_out / 39600.0 AS w_out
      FROM spans
    ), cum AS (
      SELECT *, sum(w_in) OVER (ORDER BY d DESC) AS c_in, sum(w_out) OVER (ORDER BY d DESC) AS c_out,
             sum(w_in) OVER () AS t_in, sum(w_out) OVER () AS t_out FROM weights
    )
    SELECT d, day_start, span_in, span_out,
      (round(${Math.round(z.calls * (1 - z.outboundShare))} * c_in / t_in) - round(${Math.round(z.calls * (1 - z.outboundShare))} * (c_in - w_in) / t_in))::int AS n_in,
      (round(${z.calls - Math.round(z.calls * (1 - z.outboundShare))} * c_out / t_out) - round(${z.calls - Math.round(z.calls * (1 - z.outboundShare))} * (c_out - w_out) / t_out))::int AS n_out
    FROM cum;

    CREATE TEMP TABLE g_camp AS
    SELECT c, a_start, CASE WHEN c = ${z.campaigns - 1} THEN 100000 ELSE a_start + 150 END AS a_end,
      (${arr(camps)})[c + 1] AS id, (${arr(lists)})[c + 1] AS list_id, src_idx,
      ${yearStart} + (a_start - 1) * interval '1 day' + interval '10 hours' AS imported_at
    FROM (SELECT c, floor(c * 300.0 / ${z.campaigns})::int AS a_start, (ARRAY[${seq(z.campaigns, (c) => String(campSource(c) ?? 'NULL')).join(', ')}]::int[])[c + 1] AS src_idx
          FROM generate_series(0, ${z.campaigns - 1}) c) x;
    INSERT INTO campaigns (id, name, status, priority, caller_id, source_id, created_by, created_at, updated_at)
    SELECT id, 'Кампания ' || (c + 1), CASE WHEN a_end > 364 THEN 'active' ELSE 'paused' END, 10 * (c % 3), ${mainNumber},
           (${arr(srcs)})[src_idx + 1], ${lit(ccAdmin)}, imported_at - interval '1 hour', imported_at FROM g_camp;
    INSERT INTO dial_lists (id, campaign_id, name, status, created_by, created_at)
    SELECT list_id, id, 'База ' || (c + 1), 'ready', ${lit(ccAdmin)}, imported_at FROM g_camp;
    INSERT INTO campaign_members (campaign_id, user_id) SELECT g.id, u FROM g_camp g CROSS JOIN unnest(${arr(ops)}) u;
    ANALYZE g_days; ANALYZE g_camp;`,
  );

  // Inbound calls: the day's count spread over its hours; a share of them is a new caller's first call.
  const nIn = Math.round(z.calls * (1 - z.outboundShare));
  const dialContacts = Math.round(z.contacts * 0.3);
  const perCampaign = Math.max(1, Math.floor(dialContacts / z.campaigns));
  const pNew = Math.min(1, (z.contacts - perCampaign * z.campaigns) / Math.max(1, nIn * 0.98));
  await run(
    'inbound calls (scratch)',
    `
    CREATE TEMP TABLE g_in_raw AS
    SELECT g.d, g.day_start, 28800 + g.span_in * (random() + random() + random()) / 3 AS tod,
      random() AS r_out, random() AS r_wait, random() AS r_short, random() AS r_talk, random() AS r_src,
      random() AS r_op, random() AS r_new, random() AS r_anon, random() AS r_rep, random() AS r_pick
    FROM g_days g CROSS JOIN LATERAL generate_series(1, g.n_in) i;

    CREATE TEMP TABLE g_in AS
    WITH numbered AS (
      SELECT r.*, r.day_start + make_interval(secs => r.tod) AS started_at,
             (row_number() OVER (ORDER BY r.day_start + make_interval(secs => r.tod)) - 1)::int AS n
      FROM g_in_raw r
    ), flagged AS (
      SELECT *, n > 0 AND r_anon < 0.02 AS anon, n = 0 OR (r_anon >= 0.02 AND r_new < ${pNew}) AS is_new FROM numbered
    ), counted AS (
      SELECT *, (sum(is_new::int) OVER (ORDER BY n))::int AS seen FROM flagged
    )
    SELECT n, d, started_at, is_new,
      -- A repeat call comes from a contact seen before, mostly a recent one.
      CASE WHEN is_new THEN seen - 1 WHEN anon THEN NULL ELSE seen - 1 - floor(seen * power(r_pick, 3))::int END AS contact_idx,
      CASE WHEN r_out < 0.86 THEN 'answered' WHEN r_out < 0.97 THEN 'abandoned' ELSE 'missed' END AS outcome,
      (CASE WHEN r_out < 0.86 THEN 2 + floor(power(r_wait, 2) * 70) WHEN r_out < 0.97 THEN 4 + floor(r_wait * 90) ELSE ${o.maxWaitSeconds + 2} END)::int AS wait_s,
      (CASE WHEN r_out >= 0.86 THEN 0 WHEN r_short < 0.3 THEN 4 + floor(r_talk * 25) ELSE least(3000, 30 + floor(-ln(1 - r_talk) * 140)) END)::int AS talk_s,
      CASE WHEN r_out < 0.86 THEN ${opOf('d', 'tod', 'r_op')} END AS op_idx,
      CASE WHEN r_src < 0.04 THEN NULL ELSE floor(${inS} * power((r_src - 0.04) / 0.96, 1.6))::int END AS src_own,
      r_rep
    FROM counted;
    DROP TABLE g_in_raw;

    CREATE TEMP TABLE g_cin AS
    SELECT contact_idx AS idx, started_at AS first_at, src_own AS src_idx, ${bid('cnt', 'started_at', 'contact_idx')} AS id FROM g_in WHERE is_new;
    ANALYZE g_in; ANALYZE g_cin;

    CREATE TEMP TABLE g_in2 AS
    SELECT i.n, i.d, i.started_at, i.outcome, i.wait_s, i.talk_s, i.op_idx, i.contact_idx, c.id AS contact_id, i.is_new,
      CASE WHEN v.via_main THEN c.src_idx ELSE i.src_own END AS src_idx,
      CASE WHEN v.via_main THEN 'repeat_caller' WHEN i.src_own IS NULL THEN 'unknown' ELSE 'static_number' END AS method,
      CASE WHEN v.via_main OR i.src_own IS NULL THEN ${mainNumber} ELSE ${trackingOf('i.src_own')} END AS did,
      ${bid('call', 'i.started_at', 'i.n')} AS call_id,
      CASE WHEN i.outcome = 'answered' THEN i.started_at + make_interval(secs => i.wait_s) END AS answered_at,
      i.started_at + make_interval(secs => i.wait_s + i.talk_s) AS ended_at,
      i.outcome = 'answered' AND i.talk_s >= ${o.targetCallSeconds} AS target
    FROM g_in i LEFT JOIN g_cin c ON c.idx = i.contact_idx
    -- A known caller who dials the main number (not a tracking number) is credited to their first source.
    CROSS JOIN LATERAL (SELECT NOT i.is_new AND i.contact_idx IS NOT NULL AND (i.src_own IS NULL OR i.r_rep < 0.3) AS via_main) v;
    DROP TABLE g_in;
    ANALYZE g_in2;`,
  );
  const inC = Number((await one<{ n: string }>(`SELECT count(*) AS n FROM g_cin`)).n);

  // Outbound: campaigns run ~150 days each, staggered over the year; a dial-list entry is called until an
  // answered call settles it (the last call decides; the ones before end in no answer, busy or "call back").
  await run(
    'outbound calls (scratch)',
    `
    CREATE TEMP TABLE g_dc AS
    SELECT e, g.c, ${inC} + e AS idx, ${bid('cnt', 'g.imported_at', `${inC} + e`)} AS contact_id, ${bid('de', 'g.imported_at', 'e')} AS entry_id,
      ${phoneOf(`${inC} + e`)} AS phone, g.imported_at, g.src_idx
    FROM generate_series(0, ${perCampaign * z.campaigns - 1}) e JOIN g_camp g ON g.c = e / ${perCampaign};

    CREATE TEMP TABLE g_out_raw AS
    SELECT g.d, g.day_start, 32400 + g.span_out * (random() + random()) / 2 AS tod, r.c_lo, r.c_hi,
      random() AS r_camp, random() AS r_entry, random() AS r_out, random() AS r_wait, random() AS r_short, random() AS r_talk,
      random() AS r_op, random() AS r_kind, random() AS r_reason
    FROM g_days g
    CROSS JOIN LATERAL (SELECT coalesce(min(c) FILTER (WHERE a_end > 364 - g.d), max(c)) AS c_lo, max(c) AS c_hi FROM g_camp WHERE a_start <= 364 - g.d) r
    CROSS JOIN LATERAL generate_series(1, g.n_out) i;

    CREATE TEMP TABLE g_out AS
    WITH x AS (
      SELECT r.*, r.day_start + make_interval(secs => r.tod) AS started_at, r.c_lo + floor(r.r_camp * (r.c_hi - r.c_lo + 1))::int AS c,
        CASE WHEN r_out < 0.45 THEN 'answered' WHEN r_out < 0.75 THEN 'missed' WHEN r_out < 0.92 THEN 'busy' ELSE 'failed' END AS outcome
      FROM g_out_raw r
    ), y AS (
      SELECT x.*, x.c * ${perCampaign} + floor(x.r_entry * ${perCampaign})::int AS e, (${nIn} + row_number() OVER (ORDER BY started_at) - 1)::int AS n,
        (CASE outcome WHEN 'answered' THEN 4 + floor(r_wait * 20) WHEN 'missed' THEN 30 + floor(r_wait * 15) WHEN 'busy' THEN 2 + floor(r_wait * 5) ELSE 1 END)::int AS wait_s,
        (CASE WHEN outcome <> 'answered' THEN 0 WHEN r_short < 0.4 THEN 3 + floor(r_talk * 27) ELSE least(3000, 30 + floor(-ln(1 - r_talk) * 120)) END)::int AS talk_s
      FROM x
    )
    SELECT n, d, started_at, c, e, outcome, wait_s, talk_s, ${opOf('d', 'tod', 'r_op')} AS op_idx, r_kind, r_reason,
      ${bid('call', 'started_at', 'n')} AS call_id,
      CASE WHEN outcome = 'answered' THEN started_at + make_interval(secs => wait_s) END AS answered_at,
      started_at + make_interval(secs => wait_s + talk_s) AS ended_at,
      row_number() OVER (PARTITION BY e ORDER BY started_at) AS attempt, count(*) OVER (PARTITION BY e) AS attempts
    FROM y;
    DROP TABLE g_out_raw;
    ANALYZE g_dc; ANALYZE g_out;`,
  );
  const touched = Number((await one<{ n: string }>(`SELECT count(DISTINCT e) AS n FROM g_out WHERE attempt = attempts AND outcome = 'answered'`)).n);
  const pMeet = Math.min(0.4, Math.round(z.meetings * 0.2) / Math.max(1, touched));
  await run(
    'dispositions (scratch)',
    `
    CREATE TEMP TABLE g_disp AS
    SELECT o.*, dc.contact_id, dc.entry_id, k.kind,
      CASE WHEN k.kind = 'not_interested' THEN (${arr(refusals)})[1 + floor(${refusals.length} * power(o.r_reason, 1.5))::int] END AS reason,
      o.ended_at + interval '20 seconds' AS created_at,
      ${bid('dsp', "o.ended_at + interval '20 seconds'", 'o.n')} AS id
    FROM g_out o JOIN g_dc dc USING (e)
    CROSS JOIN LATERAL (SELECT CASE
        WHEN o.outcome = 'busy' THEN 'busy'
        WHEN o.outcome = 'failed' THEN 'no_answer'
        WHEN o.outcome = 'missed' THEN CASE WHEN o.r_kind < 0.8 THEN 'no_answer' ELSE 'voicemail' END
        -- Before the last call: an answering machine, or someone who asks to be called back.
        WHEN o.attempt < o.attempts THEN CASE WHEN o.r_kind < 0.25 THEN 'callback' ELSE 'voicemail' END
        WHEN o.r_kind < ${pMeet} THEN 'meeting_booked'
        WHEN o.r_kind < ${pMeet + 0.55} THEN 'not_interested'
        WHEN o.r_kind < ${pMeet + 0.62} THEN 'wrong_number'
        WHEN o.r_kind < ${pMeet + 0.65} THEN 'do_not_call'
        ELSE 'callback' END AS kind) k;
    ANALYZE g_disp;`,
  );
  const mOut = Number((await one<{ n: string }>(`SELECT count(*) AS n FROM g_disp WHERE kind = 'meeting_booked'`)).n);

  // Meetings: booked on outbound calls and on inbound target calls (one per contact), routed evenly.
  await run(
    'meetings, deals, payments (scratch)',
    `
    CREATE TEMP TABLE g_meet AS
    WITH src AS (
      SELECT d.contact_id, d.op_idx, d.call_id, g.src_idx, d.created_at FROM g_disp d JOIN g_camp g USING (c) WHERE d.kind = 'meeting_booked'
      UNION ALL
      (SELECT contact_id, op_idx, call_id, src_idx, ended_at + interval '30 seconds'
       FROM (SELECT DISTINCT ON (contact_idx) * FROM g_in2 WHERE target AND contact_idx IS NOT NULL ORDER BY contact_idx, n) f
       ORDER BY random() LIMIT ${Math.max(0, z.meetings - mOut)})
    ), m AS MATERIALIZED (
      SELECT src.*, (row_number() OVER (ORDER BY created_at) - 1)::int AS m,
        random() AS r_day, random() AS r_hour, random() AS r_st, random() AS r_off, random() AS r_acc, random() AS r_lost FROM src
    ), s AS (
      SELECT m.*, m.m % ${z.hunters} AS hunter_idx, ${bid('mtg', 'm.created_at', 'm.m')} AS id,
        (date_trunc('day', m.created_at AT TIME ZONE ${tz}) + make_interval(days => 1 + floor(m.r_day * 6)::int, hours => 10 + floor(m.r_hour * 8)::int)) AT TIME ZONE ${tz} AS scheduled_at,
        m.created_at + interval '1 second' AS first_offered_at,
        CASE WHEN ${z.hunters} > 1 AND m.r_off < 0.15 THEN 'declined' WHEN ${z.hunters} > 1 AND m.r_off < 0.25 THEN 'expired' END AS first_offer
      FROM m
    ), t AS (
      SELECT s.*,
        CASE WHEN s.first_offer = 'declined' THEN s.first_offered_at + make_interval(secs => 31 + floor(s.r_acc * 120))
             WHEN s.first_offer = 'expired' THEN s.first_offered_at + make_interval(secs => ${o.offerSeconds + 1})
             ELSE s.first_offered_at END AS offered_at,
        CASE WHEN s.scheduled_at + interval '1 hour' > ${now} THEN 'assigned' WHEN s.r_st < 0.6 THEN 'held' WHEN s.r_st < 0.82 THEN 'no_show' ELSE 'cancelled' END AS status
      FROM s
    )
    SELECT t.*, t.offered_at + make_interval(secs => 10 + floor(t.r_acc * 170)) AS assigned_at,
      CASE WHEN t.status = 'held' THEN t.scheduled_at + interval '5 minutes' END AS held_at
    FROM t;
    ANALYZE g_meet;

    CREATE TEMP TABLE g_first AS
    WITH pick AS MATERIALIZED (
      SELECT g.*, random() AS r_gap, random() AS r_amt FROM g_meet g WHERE g.status = 'held' AND g.held_at < ${now} - interval '1 day' ORDER BY random() LIMIT ${z.firstDeals}
    ), dated AS (
      SELECT p.*, p.held_at + make_interval(secs => 3600 + least(extract(epoch FROM ${now} - p.held_at) - 7200, 14 * 86400) * power(p.r_gap, 2)) AS deal_date FROM pick p
    ), ranked AS (
      SELECT dated.*, (row_number() OVER (ORDER BY deal_date) - 1)::int AS k FROM dated
    )
    SELECT contact_id, id AS meeting_id, hunter_idx, held_at, deal_date, k, k % ${z.managers} AS am_idx,
      (5000 + floor(r_amt * 15000))::bigint AS amount, ${bid('deal', 'deal_date', 'k')} AS deal_id
    FROM ranked;
    ANALYZE g_first;

    CREATE TEMP TABLE g_later AS
    WITH raw AS MATERIALIZED (
      SELECT i, floor(random() * (SELECT count(*) FROM g_first))::int AS k, random() AS r_date, random() AS r_amt FROM generate_series(0, ${z.laterDeals - 1}) i
    ), dated AS (
      SELECT raw.i, f.contact_id, f.hunter_idx, f.am_idx,
        f.deal_date + make_interval(secs => 60 + (extract(epoch FROM ${now} - f.deal_date) - 120) * raw.r_date) AS deal_date,
        (5000 + floor(power(raw.r_amt, 2) * 75000))::bigint AS amount
      FROM raw JOIN g_first f ON f.k = raw.k
    )
    SELECT dated.*, ${bid('deal', 'deal_date', `${z.firstDeals} + i`)} AS deal_id FROM dated;

    CREATE TEMP TABLE g_pay AS
    WITH d AS MATERIALIZED (
      SELECT deal_id, deal_date, deal_date + interval '${o.firstDealDeferralDays} days' AS due_at, amount, am_idx, random() AS r_paid, random() AS r_when,
             row_number() OVER () AS n
      FROM (SELECT deal_id, deal_date, amount, am_idx FROM g_first UNION ALL SELECT deal_id, deal_date, amount, am_idx FROM g_later) x
    )
    SELECT deal_id, amount, am_idx,
      CASE WHEN due_at < ${now} THEN least(${now} - interval '1 minute', deal_date + (due_at - deal_date) * (1.3 * r_when))
           ELSE deal_date + (${now} - deal_date) * r_when END AS paid_at,
      ${bid('pay', 'deal_date', 'n')} AS id
    FROM d WHERE (due_at < ${now} AND r_paid < 0.9) OR (due_at >= ${now} AND r_paid < 0.4);

    -- Leads: an inbound contact from its first touch, taken by the first operator who answered it; a
    -- dial-list contact from its first callback or booked meeting, by that operator, in that campaign.
    CREATE TEMP TABLE g_lead_in AS
    SELECT DISTINCT ON (contact_idx) contact_idx AS idx, op_idx FROM g_in2 WHERE op_idx IS NOT NULL AND contact_idx IS NOT NULL ORDER BY contact_idx, n;
    CREATE TEMP TABLE g_lead_out AS
    SELECT DISTINCT ON (e) e, created_at AS at, op_idx, c FROM g_disp WHERE kind IN ('callback', 'meeting_booked') ORDER BY e, created_at;`,
  );

  await run(
    'contacts',
    `
    INSERT INTO contacts (id, name, company, status, hunter_id, account_manager_id, first_source_id, first_touch_at, created_by, created_at, updated_at,
                          category, credit_limit_minor, deferral_days, client_since, lead_at, lead_by, lead_campaign_id)
    SELECT c.id, 'Контакт ' || (c.idx + 1), CASE WHEN c.idx % 5 < 3 THEN 'ООО «Компания ' || (c.idx % 20000 + 1) || '»' END,
      CASE WHEN f.contact_id IS NOT NULL THEN 'active' WHEN m.held_at IS NOT NULL THEN 'potential' ELSE 'new' END,
      (${arr(hunters)})[m.hunter_idx + 1], (${arr(managers)})[f.am_idx + 1], (${arr(srcs)})[c.src_idx + 1], c.first_at, c.created_by, c.first_at,
      greatest(c.first_at, m.assigned_at, f.deal_date),
      CASE WHEN f.contact_id IS NOT NULL THEN 'C' END, CASE WHEN f.contact_id IS NOT NULL THEN ${o.firstDealCreditLimitMinor} END,
      CASE WHEN f.contact_id IS NOT NULL THEN ${o.firstDealDeferralDays} END, f.deal_date,
      c.lead_at, (${arr(ops)})[c.lead_op + 1], (${arr(camps)})[c.lead_c + 1]
    FROM (
      SELECT g.idx, g.id, g.first_at, g.src_idx, NULL::text AS created_by, g.first_at AS lead_at, l.op_idx AS lead_op, NULL::int AS lead_c
      FROM g_cin g LEFT JOIN g_lead_in l USING (idx)
      UNION ALL
      SELECT dc.idx, dc.contact_id, dc.imported_at, dc.src_idx, ${lit(ccAdmin)}, l.at, l.op_idx, l.c FROM g_dc dc LEFT JOIN g_lead_out l USING (e)
    ) c
    LEFT JOIN g_meet m ON m.contact_id = c.id
    LEFT JOIN g_first f ON f.contact_id = c.id
    ORDER BY c.first_at;`,
  );

  await run(
    'calls',
    `
    INSERT INTO calls (id, pbx, linkedid, direction, from_number, to_number, did, endpoint, started_at, answered_at, ended_at, wait_seconds, talk_seconds,
                       status, hangup_cause, hangup_cause_text, close_reason, source_id, attribution_method, repeat_caller, target, contact_id, operator_id,
                       campaign_id, captured_by, created_at, updated_at, queued_at, acd_outcome)
    SELECT * FROM (
      SELECT i.call_id, 'default', extract(epoch FROM i.started_at)::bigint || '.' || i.n, 'inbound',
        CASE WHEN i.contact_idx IS NOT NULL THEN ${phoneOf('i.contact_idx')} END, i.did, i.did,
        CASE WHEN i.op_idx IS NOT NULL THEN 'PJSIP/web' || (1001 + i.op_idx) END,
        i.started_at, i.answered_at, i.ended_at, i.wait_s, i.talk_s, i.outcome, 16, 'Normal Clearing', 'hangup',
        (${arr(srcs)})[i.src_idx + 1], i.method, NOT i.is_new AND i.contact_idx IS NOT NULL, i.target, i.contact_id, (${arr(ops)})[i.op_idx + 1],
        NULL::text, 'ari', i.started_at, i.ended_at, i.started_at + interval '1 second',
        CASE i.outcome WHEN 'answered' THEN 'answered' WHEN 'abandoned' THEN 'abandoned' ELSE 'timed_out' END
      FROM g_in2 i
      UNION ALL
      SELECT o.call_id, 'default', extract(epoch FROM o.started_at)::bigint || '.' || o.n, 'outbound', ${mainNumber}, dc.phone, NULL,
        'PJSIP/web' || (1001 + o.op_idx), o.started_at, o.answered_at, o.ended_at, o.wait_s, o.talk_s, o.outcome,
        CASE o.outcome WHEN 'busy' THEN 17 WHEN 'failed' THEN 34 WHEN 'missed' THEN 19 ELSE 16 END, NULL, 'hangup',
        (${arr(srcs)})[g.src_idx + 1], CASE WHEN g.src_idx IS NULL THEN 'unknown' ELSE 'campaign' END, false,
        o.outcome = 'answered' AND o.talk_s >= ${o.targetCallSeconds}, dc.contact_id, (${arr(ops)})[o.op_idx + 1], g.id, 'ari', o.started_at, o.ended_at, NULL, NULL
      FROM g_out o JOIN g_dc dc USING (e) JOIN g_camp g ON g.c = o.c
    ) k ORDER BY 9;`,
  );

  await run(
    'meetings, offers, deals, handoffs, tasks, payments',
    `
    INSERT INTO meetings (id, contact_id, booked_by, source_id, call_id, scheduled_at, duration_minutes, status, hunter_id, assigned_at, assigned_how,
                          outcome_reason, outcome_at, held_at, created_at, updated_at)
    SELECT m.id, m.contact_id, (${arr(ops)})[m.op_idx + 1], (${arr(srcs)})[m.src_idx + 1], m.call_id, m.scheduled_at, 60, x.status,
      (${arr(hunters)})[m.hunter_idx + 1], m.assigned_at, 'pool', x.reason, x.outcome_at, m.held_at, m.created_at, coalesce(x.outcome_at, m.held_at, m.assigned_at)
    FROM g_meet m LEFT JOIN g_first f ON f.meeting_id = m.id
    CROSS JOIN LATERAL (SELECT
      CASE WHEN f.meeting_id IS NOT NULL THEN 'won'
           WHEN m.status = 'held' AND m.r_lost < 0.3 AND m.held_at + interval '3 days' < ${now} THEN 'lost' ELSE m.status END AS status,
      CASE WHEN f.meeting_id IS NOT NULL THEN f.deal_date
           WHEN m.status = 'held' AND m.r_lost < 0.3 AND m.held_at + interval '3 days' < ${now} THEN m.held_at + interval '3 days'
           WHEN m.status = 'no_show' THEN m.scheduled_at + interval '1 hour'
           WHEN m.status = 'cancelled' THEN m.assigned_at + (m.scheduled_at - m.assigned_at) / 2 END AS outcome_at,
      CASE WHEN f.meeting_id IS NULL AND m.status = 'held' AND m.r_lost < 0.3 AND m.held_at + interval '3 days' < ${now} THEN 'Выбрали конкурента'
           WHEN m.status = 'cancelled' THEN 'Клиент отменил' END AS reason) x
    ORDER BY m.created_at;

    INSERT INTO meeting_offers (id, meeting_id, hunter_id, how, offered_at, expires_at, status, decline_reason, responded_at)
    SELECT ${bid('ofr', 'first_offered_at', 'm * 2')}, id, (${arr(hunters)})[(hunter_idx + 1) % ${z.hunters} + 1], 'pool', first_offered_at,
      first_offered_at + interval '${o.offerSeconds} seconds', first_offer, CASE WHEN first_offer = 'declined' THEN 'Занят' END,
      CASE WHEN first_offer = 'declined' THEN offered_at - interval '1 second' END
    FROM g_meet WHERE first_offer IS NOT NULL
    UNION ALL
    SELECT ${bid('ofr', 'offered_at', 'm * 2 + 1')}, id, (${arr(hunters)})[hunter_idx + 1], 'pool', offered_at, offered_at + interval '${o.offerSeconds} seconds',
      'accepted', NULL, assigned_at
    FROM g_meet ORDER BY 5;

    INSERT INTO deals (id, contact_id, amount_minor, currency, deal_date, due_at, is_first, created_by, commission_hunter_id, commission_percent, commission_minor, created_at)
    SELECT * FROM (
      SELECT deal_id, contact_id, amount, ${lit(o.currency)}, deal_date, deal_date + interval '${o.firstDealDeferralDays} days', true,
        (${arr(hunters)})[hunter_idx + 1], NULL, NULL::numeric, NULL::bigint, deal_date FROM g_first
      UNION ALL
      SELECT deal_id, contact_id, amount, ${lit(o.currency)}, deal_date, deal_date + interval '${o.firstDealDeferralDays} days', false,
        (${arr(managers)})[am_idx + 1], (${arr(hunters)})[hunter_idx + 1], ${o.commissionPercent}, round(amount * ${o.commissionPercent} / 100.0)::bigint, deal_date FROM g_later
    ) d ORDER BY 5;

    INSERT INTO handoffs (id, contact_id, deal_id, from_hunter_id, to_account_manager_id, at, reason)
    SELECT ${bid('hof', 'deal_date', 'k')}, contact_id, deal_id, (${arr(hunters)})[hunter_idx + 1], (${arr(managers)})[am_idx + 1], deal_date,
      '{"rule": "fewest active clients against the target, then longest since a handoff"}'::jsonb
    FROM g_first ORDER BY deal_date;

    -- The introduction after each handoff: a task for the account manager and one for the hunter.
    INSERT INTO tasks (id, kind, contact_id, assignee_id, deal_id, title, due_at, status, created_at, done_at)
    SELECT ${bid('task', 'f.deal_date', 'f.k * 2 + w.i')}, 'introduction', f.contact_id, w.who, f.deal_id, 'Introduction: ' || k.name, f.deal_date + interval '2 days',
      CASE WHEN w.done_at < ${now} THEN 'done' ELSE 'open' END, f.deal_date, CASE WHEN w.done_at < ${now} THEN w.done_at END
    FROM g_first f JOIN contacts k ON k.id = f.contact_id
    CROSS JOIN LATERAL (VALUES (0, (${arr(managers)})[f.am_idx + 1], f.deal_date + interval '20 hours'),
                               (1, (${arr(hunters)})[f.hunter_idx + 1], f.deal_date + interval '26 hours')) w(i, who, done_at)
    ORDER BY f.deal_date;

    INSERT INTO payments (id, deal_id, amount_minor, paid_at, created_by, created_at)
    SELECT id, deal_id, amount, paid_at, (${arr(managers)})[am_idx + 1], paid_at FROM g_pay ORDER BY paid_at;`,
  );

  await run(
    'dial entries, dispositions, do-not-call',
    `
    INSERT INTO dial_entries (id, campaign_id, list_id, contact_id, phone, timezone, line, status, next_at, attempts, last_disposition, outcome, created_at, updated_at)
    SELECT dc.entry_id, g.id, g.list_id, dc.contact_id, dc.phone, ${tz}, dc.e % ${perCampaign} + 2,
      CASE WHEN l.kind IN ${terminal} THEN 'done' ELSE 'pending' END,
      coalesce(l.created_at + interval '2 hours', dc.imported_at), coalesce(l.attempts, 0), l.kind, CASE WHEN l.kind IN ${terminal} THEN l.kind END,
      dc.imported_at, coalesce(l.created_at, dc.imported_at)
    FROM g_dc dc JOIN g_camp g USING (c)
    LEFT JOIN (SELECT DISTINCT ON (e) e, kind, created_at, attempts FROM g_disp ORDER BY e, started_at DESC) l USING (e)
    ORDER BY dc.imported_at, dc.e;

    INSERT INTO dispositions (id, entry_id, campaign_id, contact_id, operator_id, call_id, kind, reason, callback_at, meeting_id, created_at)
    SELECT d.id, d.entry_id, g.id, d.contact_id, (${arr(ops)})[d.op_idx + 1], d.call_id, d.kind, d.reason,
      CASE WHEN d.kind = 'callback' THEN d.created_at + make_interval(days => 1 + floor(d.r_reason * 3)::int) END, m.id, d.created_at
    FROM g_disp d JOIN g_camp g USING (c) LEFT JOIN g_meet m ON d.kind = 'meeting_booked' AND m.call_id = d.call_id
    ORDER BY d.created_at;

    INSERT INTO dnc_numbers (phone, reason, added_by, created_at)
    SELECT DISTINCT ON (dc.phone) dc.phone, 'do_not_call', (${arr(ops)})[d.op_idx + 1], d.created_at
    FROM g_disp d JOIN g_dc dc USING (e) WHERE d.kind = 'do_not_call' ORDER BY dc.phone, d.created_at;`,
  );

  // Operators' states: each working day's sign-in, breaks and sign-out, and (as the phone sets them) each
  // call's ringing, on a call, wrap-up and back to available.
  const shiftRows = `
      SELECT op, g.d, ev.status, ev.reason,
        g.day_start + make_interval(secs => CASE WHEN op < ${P} THEN 28800 ELSE 51600 END + ev.off + (op * 7919 + g.d * 104729) % 600) AS at
      FROM generate_series(0, ${2 * P - 1}) op CROSS JOIN g_days g
      CROSS JOIN LATERAL (VALUES ('available', NULL, -300), ('paused', ${lit(pauses[0]!)}, 7200), ('available', NULL, 8100),
                                 ('paused', ${lit(pauses[1]!)}, 14400), ('available', NULL, 16800),
                                 ('offline', NULL, CASE WHEN op < ${P} THEN 25800 ELSE 24600 END)) ev(status, reason, off)
      WHERE g.span_in > 0 AND ${works('g.d', `op % ${P}`)}`;
  const perCall = o.statePerCall
    ? `
      UNION ALL
      SELECT i.op_idx, i.n * 4 + s.k, s.status, NULL, s.at FROM g_in2 i
      CROSS JOIN LATERAL (VALUES (0, 'ringing', greatest(i.started_at + interval '1 second', i.answered_at - interval '8 seconds')), (1, 'on_call', i.answered_at),
                                 (2, 'wrap_up', i.ended_at), (3, 'available', i.ended_at + interval '${o.wrapUpSeconds} seconds')) s(k, status, at)
      WHERE i.op_idx IS NOT NULL
      UNION ALL
      SELECT o.op_idx, o.n * 4 + s.k, s.status, NULL, s.at FROM g_out o
      CROSS JOIN LATERAL (VALUES (0, 'on_call', o.started_at), (1, 'wrap_up', o.ended_at), (2, 'available', o.ended_at + interval '${o.wrapUpSeconds} seconds')) s(k, status, at)`
    : '';
  await run(
    "operators' state log",
    `
    INSERT INTO user_status_log (id, user_id, status, reason, at)
    SELECT ${bid('sts', 'at', 'seq')}, (${arr(ops)})[op + 1], status, reason, at FROM (
      SELECT op, ${4 * z.calls} + row_number() OVER () AS seq, status, reason, at FROM (${shiftRows}) sh WHERE at < ${now}
      ${perCall}
    ) l ORDER BY at;`,
  );
  if (deferChecks) {
    await gen.unsafe(`RESET session_replication_role`);
    const t = performance.now();
    await checkReferences(gen);
    steps.push(['foreign keys checked', performance.now() - t]);
  }
  return { steps, inboundContacts: inC, dialContacts: perCampaign * z.campaigns };
}

/** Every foreign key of the public schema holds: one anti-join per constraint; throws naming those that do not. */
async function checkReferences(gen: Sql) {
  const fks = (await gen.unsafe(`
    SELECT c.conname, c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent,
      array_agg(a.attname ORDER BY k.i) AS cols, array_agg(b.attname ORDER BY k.i) AS refs
    FROM pg_constraint c
    CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(col, ref, i)
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
    JOIN pg_attribute b ON b.attrelid = c.confrelid AND b.attnum = k.ref
    WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
    GROUP BY c.conname, c.conrelid, c.confrelid`)) as unknown as Array<{ conname: string; child: string; parent: string; cols: string[]; refs: string[] }>;
  const broken: string[] = [];
  for (const fk of fks) {
    const on = fk.cols.map((col, i) => `p.${fk.refs[i]} = c.${col}`).join(' AND ');
    const notNull = fk.cols.map((col) => `c.${col} IS NOT NULL`).join(' AND ');
    const [row] = (await gen.unsafe(`SELECT count(*)::int AS n FROM ${fk.child} c WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${fk.parent} p WHERE ${on})`)) as unknown as [{ n: number }];
    if (row.n) broken.push(`${fk.conname}: ${row.n} rows`);
  }
  if (broken.length) throw new Error(`generated rows break foreign keys: ${broken.join('; ')}`);
}

/** Row counts of the tables the reports read. */
export async function countRows(gen: Sql) {
  const tables = ['users', 'sources', 'campaigns', 'contacts', 'calls', 'dial_entries', 'dispositions', 'meetings', 'meeting_offers', 'deals', 'payments', 'handoffs', 'tasks', 'user_status_log'];
  const [row] = (await gen.unsafe(`SELECT ${tables.map((t) => `(SELECT count(*) FROM ${t})::int AS ${t}`).join(', ')}`)) as unknown as Array<Record<string, number>>;
  return row!;
}
