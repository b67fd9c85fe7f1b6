import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CallDetail, CallEvent, CallLeg, CallUpdated, Utm as UtmValues } from '../api/types';
import { useI18n, type Translate } from '../i18n';
import { useSocketEvent } from '../realtime/hooks';
import { Link } from '../router/router';
import { useSession } from '../session/session';
import { Empty } from '../ui/bits';
import { problemMessage, problemOf } from '../ui/errors';
import { formatDateTimeSeconds, formatPhone } from '../ui/format';
import { getCall } from './api';

/** The server returns at most this many raw events per call. */
const EVENTS_CAP = 500;

/**
 * One call: parties, timeline, attribution, the recording (when the PBX stored one), its legs and the raw
 * PBX events. A `call:updated` for this call re-fetches it, so a call in progress fills in while open.
 */
export function CallPage({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  const [call, setCall] = useState<CallDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Answers for an id the page has left, or older than one already shown, are dropped.
  const seq = useRef(0);

  const load = (reset: boolean) => {
    const mine = ++seq.current;
    if (reset) {
      setCall(null);
      setError(null);
    }
    getCall(id).then(
      (c) => {
        if (mine !== seq.current) return;
        setCall(c);
        setError(null);
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        // A failed live refresh keeps what is on screen; a failed first load shows why.
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

  useSocketEvent<CallUpdated>('call:updated', (e) => {
    if (e.id === id && call) load(false);
  });

  const time = (iso: string | null) => (iso ? formatDateTimeSeconds(iso, locale, tz) : null);
  const seconds = (n: number | null) => (n === null ? null : t('calls.seconds', { n }));
  const yesNo = (v: boolean) => (v ? t('common.yes') : t('common.no'));

  return (
    <section class="panel call-page" data-testid="call-page">
      <p class="back-link">
        <Link href="/">← {t('nav.home')}</Link>
      </p>
      {error ? (
        <div class="alert alert--error" role="alert" data-testid="call-error">
          {callErrorMessage(error, t)}
        </div>
      ) : null}
      {!call && !error && <p class="muted">{t('common.loading')}</p>}
      {call && (
        <>
          <h1 data-testid="call-title">
            {t('call.title', { direction: t(`calls.direction.${call.direction}`) })}{' '}
            <span class={`tag tag--call-${call.status}`} data-testid="call-detail-status">
              {t(`calls.status.${call.status}`)}
            </span>
          </h1>
          <p class="call-page__parties">
            {formatPhone(call.from)} → {formatPhone(call.did ?? call.to)}
          </p>

          <div class="call-page__grid">
            <div>
              <h2>{t('call.section.call')}</h2>
              <dl class="details" data-testid="call-facts">
                <Row label={t('calls.col.direction')} testId="call-direction">
                  {t(`calls.direction.${call.direction}`)}
                </Row>
                <Row label={t('call.from')} testId="call-from">
                  {call.from && formatPhone(call.from)}
                </Row>
                <Row label={t('call.to')} testId="call-to">
                  {call.to && formatPhone(call.to)}
                </Row>
                <Row label={t('call.did')} testId="call-did">
                  {call.did && formatPhone(call.did)}
                </Row>
                {call.endpoint && <Row label={t('call.endpoint')}>{call.endpoint}</Row>}
                <Row label={t('calls.col.status')}>{t(`calls.status.${call.status}`)}</Row>
                <Row label={t('call.startedAt')} testId="call-started">
                  {time(call.startedAt)}
                </Row>
                <Row label={t('call.answeredAt')} testId="call-answered">
                  {time(call.answeredAt)}
                </Row>
                <Row label={t('call.endedAt')} testId="call-ended">
                  {time(call.endedAt)}
                </Row>
                <Row label={t('call.wait')} testId="call-wait">
                  {seconds(call.waitSeconds)}
                </Row>
                <Row label={t('call.talk')} testId="call-talk">
                  {seconds(call.talkSeconds)}
                </Row>
                <Row label={t('call.hangupCause')}>{call.hangupCause === null ? null : String(call.hangupCause)}</Row>
                <Row label={t('call.closeReason')}>{call.closeReason}</Row>
                <Row label={t('call.capturedBy')}>{t(`call.capturedBy.${call.capturedBy}`)}</Row>
              </dl>
            </div>
            <div>
              <h2>{t('call.section.attribution')}</h2>
              <dl class="details" data-testid="call-attribution">
                <Row label={t('calls.col.source')} testId="call-source">
                  {call.source?.name}
                </Row>
                <Row label={t('call.method')} testId="call-method">
                  {t(`calls.method.${call.attribution.method}`)}
                </Row>
                <Row label={t('call.utm')} testId="call-utm">
                  {call.attribution.utm && Object.keys(call.attribution.utm).length > 0 ? <Utm utm={call.attribution.utm} /> : null}
                </Row>
                <Row label={t('call.ambiguous')} testId="call-ambiguous-flag">
                  <span title={call.attribution.ambiguous ? t('calls.ambiguousHint') : undefined}>{yesNo(call.attribution.ambiguous)}</span>
                </Row>
                <Row label={t('call.repeatCaller')} testId="call-repeat-flag">
                  {yesNo(call.repeatCaller)}
                </Row>
                <Row label={t('call.target')} testId="call-target">
                  <span title={t('call.targetHint')}>{yesNo(call.target)}</span>
                </Row>
                <Row label={t('call.contact')} testId="call-contact">
                  {call.contactId && (
                    <Link href={`/contacts/${encodeURIComponent(call.contactId)}`} data-testid="call-contact-link">
                      {t('call.openContact')}
                    </Link>
                  )}
                </Row>
              </dl>
            </div>
          </div>

          <h2 class="call-page__section">{t('call.recording')}</h2>
          <div data-testid="call-recording">
            {call.recordingUrl ? (
              <audio controls preload="none" src={call.recordingUrl} class="call-page__audio" data-testid="call-audio">
                <a href={call.recordingUrl}>{t('call.recordingDownload')}</a>
              </audio>
            ) : (
              <p class="muted" data-testid="call-no-recording">
                {t('call.noRecording')}
              </p>
            )}
          </div>

          {call.attempts.length > 0 && (
            <>
              <h2 class="call-page__section">{t('call.attempts')}</h2>
              <ol class="plain small" data-testid="call-attempts">
                {call.attempts.map((a) => (
                  <li key={`${a.userId}-${a.startedAt}`} data-testid="call-attempt" data-outcome={a.outcome ?? ''}>
                    {time(a.startedAt)} · {a.name} · {t(`call.attempt.how.${a.how}`)} · {a.outcome ? t(`call.attempt.${a.outcome}`) : t('call.attempt.ringing')}
                  </li>
                ))}
              </ol>
            </>
          )}

          <h2 class="call-page__section">{t('call.legs')}</h2>
          {call.legs.length ? <Legs legs={call.legs} time={time} /> : <Empty text={t('call.legs.none')} />}

          <h2 class="call-page__section">
            {t('call.events')} <span class="muted small">({call.events.length})</span>
          </h2>
          {call.events.length >= EVENTS_CAP && <p class="muted small">{t('call.events.capped', { n: EVENTS_CAP })}</p>}
          {call.events.length ? <Events events={call.events} time={time} /> : <Empty text={t('call.events.none')} />}
        </>
      )}
    </section>
  );
}

/** 404 (and an id that cannot be a call's) read "not found", 403 "not allowed"; anything else as usual. */
function callErrorMessage(err: unknown, t: Translate): string {
  const p = problemOf(err);
  if (p && (p.status === 404 || (p.status === 400 && p.code === 'validation_failed'))) return t('call.notFound');
  if (p && p.status === 403) return t('call.forbidden');
  return problemMessage(err, t);
}

function Row({ label, children, testId }: { label: string; children: ComponentChildren; testId?: string }) {
  const empty = children === null || children === undefined || children === '' || children === false;
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{empty ? <span class="muted">—</span> : children}</dd>
    </>
  );
}

function Utm({ utm }: { utm: UtmValues }) {
  return (
    <ul class="call-page__utm">
      {Object.entries(utm as Record<string, string | undefined>)
        .filter(([, v]) => v)
        .map(([k, v]) => (
          <li key={k}>
            <span class="muted">utm_{k}</span> {v}
          </li>
        ))}
    </ul>
  );
}

function Legs({ legs, time }: { legs: CallLeg[]; time: (iso: string | null) => string | null }) {
  const { t } = useI18n();
  const dash = <span class="muted">—</span>;
  return (
    <div class="table-wrap">
      <table class="table" data-testid="call-legs">
        <thead>
          <tr>
            <th scope="col">{t('call.leg.name')}</th>
            <th scope="col">{t('call.leg.caller')}</th>
            <th scope="col">{t('call.leg.created')}</th>
            <th scope="col">{t('call.leg.answered')}</th>
            <th scope="col">{t('call.leg.ended')}</th>
            <th scope="col" class="num">
              {t('call.leg.cause')}
            </th>
          </tr>
        </thead>
        <tbody>
          {legs.map((l) => (
            <tr key={l.channelId} data-testid="call-leg" data-channel-id={l.channelId}>
              <td>
                <div class="mono">{l.name}</div>
                <div class="muted small mono">{l.channelId}</div>
              </td>
              <td class="nowrap">{l.caller ? formatPhone(l.caller) : dash}</td>
              <td class="nowrap">{time(l.createdAt)}</td>
              <td class="nowrap">{time(l.answeredAt) ?? dash}</td>
              <td class="nowrap">{time(l.endedAt) ?? dash}</td>
              <td class="num">{l.cause ?? dash}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Events({ events, time }: { events: CallEvent[]; time: (iso: string | null) => string | null }) {
  const { t } = useI18n();
  return (
    <div class="table-wrap">
      <table class="table" data-testid="call-events">
        <thead>
          <tr>
            <th scope="col">{t('call.event.time')}</th>
            <th scope="col">{t('call.event.type')}</th>
            <th scope="col">{t('call.event.channel')}</th>
            <th scope="col">{t('call.event.payload')}</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e, i) => (
            <tr key={i} data-testid="call-event" data-type={e.type}>
              <td class="nowrap">{time(e.at)}</td>
              <td class="mono" data-testid="call-event-type">
                {e.type}
              </td>
              <td class="mono small">{e.channelId}</td>
              <td class="call-page__payload">
                <details>
                  <summary>{t('call.event.showPayload')}</summary>
                  <pre>{JSON.stringify(e.payload, null, 2)}</pre>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
