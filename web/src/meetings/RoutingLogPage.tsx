import { Fragment, type ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import {
  ineligibilityReasons,
  meetingStatuses,
  offerStatuses,
  routingDecisionKinds,
  type Ineligibility,
  type Meeting,
  type MeetingStatus,
  type OfferStatus,
  type Page,
  type RoutingCandidate,
  type RoutingDecision,
  type RoutingDecisionKind,
  type RoutingLog,
  type User,
} from '../api/types';
import { useI18n, type Translate } from '../i18n';
import { useSocketEvent } from '../realtime/hooks';
import { Link } from '../router/router';
import { useSession } from '../session/session';
import { Empty } from '../ui/bits';
import { problemMessage, problemOf } from '../ui/errors';
import { formatDateTime, formatDateTimeSeconds } from '../ui/format';
import { getMeeting, getRoutingLog } from './api';
import { MeetingStatusTag } from './MeetingStatusTag';

/**
 * Why a meeting went where it went: every routing decision in order — for each offer the hunters that
 * were considered (eligible or not and why, counts, weight, load) with the chosen one highlighted — and
 * every offer with its result. Re-fetched on `meeting:updated` for this meeting.
 */
export function RoutingLogPage({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  const [meeting, setMeeting] = useState<Meeting | null>(null);
  const [log, setLog] = useState<RoutingLog | null>(null);
  const [people, setPeople] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState<unknown>(null);
  const seq = useRef(0);

  const load = (reset: boolean) => {
    const mine = ++seq.current;
    if (reset) {
      setMeeting(null);
      setLog(null);
      setError(null);
    }
    Promise.all([getMeeting(id), getRoutingLog(id)]).then(
      ([m, l]) => {
        if (mine !== seq.current) return;
        setMeeting(m);
        setLog(l);
        setError(null);
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        if (reset) setError(err);
      },
    );
  };

  useEffect(() => {
    load(true);
    return () => {
      seq.current++;
    };
  }, [id]);

  // Names for actor ids (the head who assigned by hand): the log has ids only. Hunters' names come with
  // the candidates; heads and admins may list the people involved, others see the id.
  const role = session.state === 'signed-in' ? session.user.role : null;
  useEffect(() => {
    if (role !== 'sales_head' && role !== 'admin') return;
    api<Page<User>>('/api/users', { query: { limit: 200 } }).then(
      (p) => setPeople(new Map(p.items.map((u) => [u.id, u.name]))),
      () => {},
    );
  }, [role]);

  useSocketEvent<{ meetingId: string }>('meeting:updated', (e) => {
    if (e.meetingId === id && log) load(false);
  });

  const names = new Map(people);
  if (meeting) {
    names.set(meeting.bookedBy.id, meeting.bookedBy.name);
    if (meeting.hunter) names.set(meeting.hunter.id, meeting.hunter.name);
  }
  for (const d of log?.decisions ?? []) for (const c of candidatesOf(d)) names.set(c.id, c.name);
  const nameOf = (userId: string | null) => (userId ? (names.get(userId) ?? userId) : null);
  const time = (iso: string) => formatDateTimeSeconds(iso, locale, tz);

  return (
    <section class="panel routing-page" data-testid="routing-page">
      <p class="back-link">
        <Link href="/">← {t('nav.home')}</Link>
      </p>
      <h1>{t('routing.title')}</h1>
      {error ? (
        <div class="alert alert--error" role="alert" data-testid="routing-error">
          {routingErrorMessage(error, t)}
        </div>
      ) : null}
      {!log && !error && <p class="muted">{t('common.loading')}</p>}
      {meeting && (
        <p class="routing-page__meeting" data-testid="routing-meeting">
          {t('routing.meeting', { name: meeting.contact.name, time: formatDateTime(meeting.scheduledAt, locale, tz) })} <MeetingStatusTag status={meeting.status} />
          {meeting.hunter && (
            <span class="muted">
              {' '}
              · {meeting.hunter.name}
              {meeting.assignedHow && ` (${t(`meetings.how.${meeting.assignedHow}`)})`}
            </span>
          )}
        </p>
      )}
      {log && (
        <>
          <h2 class="call-page__section">{t('routing.decisions')}</h2>
          {log.decisions.length === 0 && <Empty text={t('routing.none')} />}
          <ol class="decision-list">
            {log.decisions.map((d, i) => (
              <li key={i} class="decision" data-testid="routing-decision" data-kind={d.kind}>
                <div class="decision__head">
                  <span class="decision__time muted">{time(d.at)}</span>
                  <strong data-testid="routing-decision-kind">{kindLabel(d.kind, t)}</strong>
                  {d.hunterId && <span>→ {nameOf(d.hunterId)}</span>}
                  {d.actorId && d.actorId !== d.hunterId && (
                    <span class="muted">
                      {t('routing.by')}: {nameOf(d.actorId)}
                    </span>
                  )}
                </div>
                <DecisionBody decision={d} nameOf={nameOf} time={time} />
              </li>
            ))}
          </ol>

          <h2 class="call-page__section">{t('routing.offers')}</h2>
          {log.offers.length === 0 ? (
            <Empty text={t('routing.offers.none')} />
          ) : (
            <div class="table-wrap">
              <table class="table" data-testid="routing-offers">
                <thead>
                  <tr>
                    <th scope="col">{t('routing.offer.hunter')}</th>
                    <th scope="col">{t('routing.offer.how')}</th>
                    <th scope="col">{t('routing.offer.offeredAt')}</th>
                    <th scope="col">{t('routing.offer.expiresAt')}</th>
                    <th scope="col">{t('routing.offer.status')}</th>
                    <th scope="col">{t('routing.offer.respondedAt')}</th>
                    <th scope="col">{t('routing.offer.reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {log.offers.map((o) => (
                    <tr key={o.id} data-testid="routing-offer" data-status={o.status}>
                      <td>{nameOf(o.hunterId)}</td>
                      <td>{o.how === 'sticky' || o.how === 'pool' ? t(`meetings.how.${o.how}`) : o.how}</td>
                      <td class="nowrap">{time(o.offeredAt)}</td>
                      <td class="nowrap">{time(o.expiresAt)}</td>
                      <td>
                        <span class={`tag tag--offer-${o.status}`} data-testid="routing-offer-status">
                          {offerStatusLabel(o.status, t)}
                        </span>
                      </td>
                      <td class="nowrap">{o.respondedAt ? time(o.respondedAt) : <span class="muted">—</span>}</td>
                      <td>{o.declineReason ?? <span class="muted">—</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function DecisionBody({ decision: d, nameOf, time }: { decision: RoutingDecision; nameOf: (id: string | null) => string | null; time: (iso: string) => string }) {
  const { t, locale } = useI18n();
  const detail = asRecord(d.detail);
  const str = (k: string) => (typeof detail[k] === 'string' ? (detail[k] as string) : null);
  const rows: Array<[string, ComponentChildren]> = [];

  if (d.kind === 'offer' || d.kind === 'no_candidates') {
    const trigger = str('trigger');
    if (trigger) rows.push([t('routing.trigger'), isTrigger(trigger) ? t(`routing.trigger.${trigger}`) : trigger]);
    const how = str('how');
    if (how === 'sticky' || how === 'pool') rows.push([t('routing.how'), t(`meetings.how.${how}`)]);
    const owner = asRecord(detail.owner);
    const ownerId = typeof owner.id === 'string' ? owner.id : null;
    rows.push([
      t('routing.owner'),
      ownerId ? (
        <span data-testid="routing-owner">
          {nameOf(ownerId)} — {owner.eligible === true ? t('routing.ownerEligible') : t('routing.ownerIneligible', { reasons: reasonsText(asReasons(owner.reasons), t) })}
        </span>
      ) : (
        t('routing.noOwner')
      ),
    ]);
    const expiresAt = str('expiresAt');
    if (expiresAt) rows.push([t('routing.expiresAt'), time(expiresAt)]);
  } else if (d.kind === 'accepted') {
    const s = detail.secondsToAccept;
    if (typeof s === 'number') rows.push([t('routing.secondsToAccept'), t('calls.seconds', { n: s })]);
  } else if (d.kind === 'declined' || d.kind === 'withdrawn' || d.kind === 'manual') {
    const reason = str('reason');
    if (reason) rows.push([t('routing.reason'), <span data-testid="routing-decision-reason">{reason}</span>]);
    const previous = str('previousHunterId');
    if (previous) rows.push([t('routing.previous'), nameOf(previous)]);
  } else if (d.kind === 'expired') {
    const expiresAt = str('expiresAt');
    if (expiresAt) rows.push([t('routing.expiresAt'), time(expiresAt)]);
  } else if (d.kind === 'outcome') {
    const from = str('from');
    const to = str('outcome');
    if (to) rows.push([t('routing.outcome'), `${from ? `${statusLabel(from, t)} → ` : ''}${statusLabel(to, t)}`]);
    const reason = str('reason');
    if (reason) rows.push([t('routing.reason'), reason]);
    const moved = str('rescheduledTo');
    if (moved) rows.push([t('routing.rescheduledTo'), formatDateTime(moved, locale)]);
  }

  const candidates = candidatesOf(d);
  const chosen = str('chosen');
  return (
    <>
      {rows.length > 0 && (
        <dl class="details details--compact">
          {rows.map(([label, value], i) => (
            <Fragment key={i}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </Fragment>
          ))}
        </dl>
      )}
      {d.kind === 'no_candidates' && <p class="alert alert--error">{t('routing.nobody')}</p>}
      {candidates.length > 0 && <Candidates candidates={candidates} chosen={chosen} />}
    </>
  );
}

function Candidates({ candidates, chosen }: { candidates: RoutingCandidate[]; chosen: string | null }) {
  const { t, locale } = useI18n();
  const load = new Intl.NumberFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { maximumFractionDigits: 2 });
  return (
    <div class="table-wrap">
      <table class="table candidates" data-testid="routing-candidates">
        <thead>
          <tr>
            <th scope="col">{t('routing.col.name')}</th>
            <th scope="col">{t('routing.col.eligible')}</th>
            <th scope="col">{t('routing.col.reasons')}</th>
            <th scope="col" class="num">
              {t('routing.col.assigned')}
            </th>
            <th scope="col" class="num">
              {t('routing.col.openOffers')}
            </th>
            <th scope="col" class="num">
              {t('routing.col.weight')}
            </th>
            <th scope="col" class="num" title={t('routing.loadHint')}>
              {t('routing.col.load')}
            </th>
          </tr>
        </thead>
        <tbody>
          {candidates.map((c) => (
            <tr
              key={c.id}
              class={c.id === chosen ? 'candidate candidate--chosen' : 'candidate'}
              data-testid="routing-candidate"
              data-hunter-id={c.id}
              data-eligible={c.eligible ? 'true' : 'false'}
              data-chosen={c.id === chosen ? 'true' : 'false'}
            >
              <td>
                {c.name}
                {c.id === chosen && <span class="tag tag--chosen candidate__chosen">{t('routing.chosen')}</span>}
              </td>
              <td>
                <span class={c.eligible ? 'yes' : 'no'} role="img" aria-label={c.eligible ? t('routing.eligible') : t('routing.ineligible')}>
                  {c.eligible ? '✓' : '✗'}
                </span>
              </td>
              <td data-testid="routing-candidate-reasons">{c.reasons.length ? reasonsText(c.reasons, t) : <span class="muted">—</span>}</td>
              <td class="num">{c.assigned}</td>
              <td class="num">{c.openOffers}</td>
              <td class="num">{c.weight.toLocaleString(locale)}</td>
              <td class="num">{load.format(c.load)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function asReasons(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The candidates of an `offer` / `no_candidates` decision; anything malformed is skipped. */
function candidatesOf(d: RoutingDecision): RoutingCandidate[] {
  const list = asRecord(d.detail).candidates;
  if (!Array.isArray(list)) return [];
  return list.flatMap((raw) => {
    const c = asRecord(raw);
    if (typeof c.id !== 'string') return [];
    const n = (k: string) => (typeof c[k] === 'number' ? (c[k] as number) : 0);
    return [
      {
        id: c.id,
        name: typeof c.name === 'string' ? c.name : c.id,
        eligible: c.eligible === true,
        reasons: asReasons(c.reasons) as Ineligibility[],
        weight: n('weight'),
        assigned: n('assigned'),
        openOffers: n('openOffers'),
        credit: n('credit'),
        load: n('load'),
        lastAssignedAt: typeof c.lastAssignedAt === 'string' ? c.lastAssignedAt : null,
      },
    ];
  });
}

function reasonsText(reasons: string[], t: Translate) {
  return reasons.map((r) => (isOneOf<Ineligibility>(ineligibilityReasons, r) ? t(`routing.reason.${r}`) : r)).join(', ');
}

const isOneOf = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);

function kindLabel(kind: string, t: Translate) {
  return isOneOf<RoutingDecisionKind>(routingDecisionKinds, kind) ? t(`routing.kind.${kind}`) : kind;
}

const triggers = ['booked', 'declined', 'expired'] as const;
const isTrigger = (v: string): v is (typeof triggers)[number] => isOneOf(triggers, v);

function offerStatusLabel(status: string, t: Translate) {
  return isOneOf<OfferStatus>(offerStatuses, status) ? t(`offer.status.${status}`) : status;
}

function statusLabel(status: string, t: Translate) {
  return isOneOf<MeetingStatus>(meetingStatuses, status) ? t(`meetings.status.${status}`) : status;
}

/** 404 (and an id that cannot be a meeting's) read "not found", 403 "not allowed"; anything else as usual. */
function routingErrorMessage(err: unknown, t: Translate): string {
  const p = problemOf(err);
  if (p && (p.status === 404 || (p.status === 400 && p.code === 'validation_failed'))) return t('routing.notFound');
  if (p && p.status === 403) return t('routing.forbidden');
  return problemMessage(err, t);
}
