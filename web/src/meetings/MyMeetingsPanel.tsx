import { useEffect, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { ApiError } from '../api/client';
import { meetingOutcomes, type Meeting, type MeetingOutcome } from '../api/types';
import { useI18n } from '../i18n';
import { useOnConnected, useSocketEvent } from '../realtime/hooks';
import { Link } from '../router/router';
import { useSession } from '../session/session';
import { Empty, LoadMore, Panel } from '../ui/bits';
import { Field, FormError, Notice } from '../ui/Field';
import { fieldErrors, problemMessage } from '../ui/errors';
import { formatDateTime, formatPhone, zonedInputToIso } from '../ui/format';
import { usePaged } from '../ui/usePaged';
import { listMeetings, outcomeAllowedFrom, recordOutcome, type OutcomeInput } from './api';
import { MeetingStatusTag } from './MeetingStatusTag';

const PAGE = 20;
const REFRESH_DEBOUNCE_MS = 300;

/**
 * The hunter's meetings, newest bookings first, paged with "Load more". A `meeting:assigned` puts the
 * meeting on top; `refreshKey` changes (an offer accepted here) and reconnects re-fetch the first page.
 * Each meeting offers only the outcomes its status allows.
 */
export function MyMeetingsPanel({ refreshKey = 0 }: { refreshKey?: number }) {
  const { t } = useI18n();
  const list = usePaged('my-meetings', (cursor) => listMeetings({}, cursor, PAGE));
  const [refreshError, setRefreshError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const refreshRef = useRef<() => Promise<void>>(async () => {});

  refreshRef.current = async () => {
    try {
      const page = await listMeetings({}, null, PAGE);
      for (const m of [...page.items].reverse()) list.upsert(m, 'start');
      setRefreshError(null);
    } catch (err) {
      setRefreshError(err);
    }
  };
  const scheduleRefresh = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void refreshRef.current(), REFRESH_DEBOUNCE_MS);
  };
  useEffect(() => () => clearTimeout(timer.current), []);
  useEffect(() => {
    if (refreshKey) scheduleRefresh();
  }, [refreshKey]);
  useOnConnected(scheduleRefresh);
  useSocketEvent<Meeting>('meeting:assigned', (m) => list.upsert(m, 'start'));

  return (
    <Panel title={t('myMeetings.title')} testId="my-meetings">
      <FormError message={list.error ? problemMessage(list.error, t) : refreshError ? problemMessage(refreshError, t) : null} />
      <Notice message={saved} />
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table class="table meeting-table" data-testid="my-meetings-table">
            <thead>
              <tr>
                <th scope="col">{t('meetings.field.when')}</th>
                <th scope="col">{t('meetings.field.contact')}</th>
                <th scope="col">{t('meetings.field.location')}</th>
                <th scope="col">{t('meetings.field.status')}</th>
                <th scope="col">{t('myMeetings.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((m) => (
                <MeetingRow
                  key={m.id}
                  meeting={m}
                  onSaved={(updated) => {
                    list.upsert(updated);
                    setSaved(t('outcome.saved', { name: updated.contact.name, status: t(`meetings.status.${updated.status}`) }));
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!list.loading && !list.error && list.items.length === 0 && <Empty text={t('myMeetings.none')} />}
      <LoadMore visible={list.hasMore} loading={list.loading} onClick={list.loadMore} />
    </Panel>
  );
}

function MeetingRow({ meeting: m, onSaved }: { meeting: Meeting; onSaved: (m: Meeting) => void }) {
  const { t, locale } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  const [outcome, setOutcome] = useState<MeetingOutcome | null>(null);
  const allowed = meetingOutcomes.filter((o) => outcomeAllowedFrom[o].includes(m.status));
  return (
    <>
      <tr data-testid="my-meeting" data-meeting-id={m.id} data-status={m.status}>
        <td class="nowrap">
          <div>{formatDateTime(m.scheduledAt, locale, tz)}</div>
          <div class="muted small">{t('meetings.minutes', { n: m.durationMinutes })}</div>
          {m.rescheduledFrom && <div class="muted small">{t('meetings.rescheduledFrom', { time: formatDateTime(m.rescheduledFrom, locale, tz) })}</div>}
        </td>
        <td>
          <Link href={`/contacts/${encodeURIComponent(m.contact.id)}`} title={t('meetings.open')} data-testid="my-meeting-contact">
            {m.contact.name}
          </Link>
          {m.contact.company && <div class="muted small">{m.contact.company}</div>}
          {m.contact.phone && <div class="small nowrap">{formatPhone(m.contact.phone)}</div>}
        </td>
        <td>
          {m.location ?? <span class="muted">—</span>}
          {m.notes && <div class="muted small">{m.notes}</div>}
        </td>
        <td>
          <MeetingStatusTag status={m.status} />
          {m.outcomeReason && <div class="muted small" data-testid="my-meeting-reason">{m.outcomeReason}</div>}
        </td>
        <td class="outcome-buttons">
          {allowed.map((o) => (
            <button
              key={o}
              type="button"
              class={`btn btn--small${outcome === o ? ' is-active' : ''}${o === 'lost' || o === 'cancelled' ? ' btn--danger' : ''}`}
              data-testid={`outcome-${o}`}
              aria-expanded={outcome === o}
              onClick={() => setOutcome(outcome === o ? null : o)}
            >
              {t(`outcome.do.${o}`)}
            </button>
          ))}
        </td>
      </tr>
      {outcome && (
        <tr class="outcome-row">
          <td colSpan={5}>
            <OutcomeForm
              key={outcome}
              meeting={m}
              outcome={outcome}
              onCancel={() => setOutcome(null)}
              onSaved={(updated) => {
                setOutcome(null);
                onSaved(updated);
              }}
            />
          </td>
        </tr>
      )}
    </>
  );
}

/** The details an outcome needs: a new time to reschedule, a reason when lost, an optional comment otherwise. */
function OutcomeForm({ meeting, outcome, onCancel, onSaved }: { meeting: Meeting; outcome: MeetingOutcome; onCancel: () => void; onSaved: (m: Meeting) => void }) {
  const { t } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : 'UTC';
  const [reason, setReason] = useState('');
  const [when, setWhen] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const body: OutcomeInput = { outcome };
    if (reason.trim()) body.reason = reason.trim();
    if (outcome === 'lost' && !body.reason) return setError(localError('reason', t('outcome.reasonRequired')));
    if (outcome === 'rescheduled') {
      const iso = zonedInputToIso(when, tz);
      if (!iso) return setError(localError('rescheduledTo', t('outcome.newTimeRequired')));
      body.rescheduledTo = iso;
    }
    setBusy(true);
    setError(null);
    try {
      onSaved(await recordOutcome(meeting.id, body));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const fe = fieldErrors(error);
  return (
    <form class="outcome-form" onSubmit={submit} noValidate data-testid="outcome-form" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <h3>{t('outcome.title', { outcome: t(`meetings.status.${outcome}`) })}</h3>
      <div class="outcome-form__fields">
        {outcome === 'rescheduled' && (
          <Field label={t('outcome.newTime')} error={fe.rescheduledTo} hint={t('outcome.zone', { zone: tz })}>
            {(a) => <input {...a} type="datetime-local" name="rescheduledTo" required value={when} onInput={(e) => setWhen(e.currentTarget.value)} />}
          </Field>
        )}
        <Field label={outcome === 'lost' ? t('outcome.reason') : t('outcome.comment')} error={fe.reason} class="field--grow">
          {(a) => <input {...a} name="reason" maxLength={500} required={outcome === 'lost'} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
        </Field>
      </div>
      <FormError message={error && !Object.keys(fe).length ? problemMessage(error, t) : null} />
      <div class="offer__actions">
        <button type="submit" class="btn btn--primary" disabled={busy} data-testid="outcome-submit">
          {t('outcome.submit')}
        </button>
        <button type="button" class="btn btn--ghost" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

/** A client-side check shaped like the service's validation problem, so it renders the same way. */
function localError(path: string, message: string) {
  return new ApiError({ type: 'about:blank', title: '', status: 400, detail: message, code: 'validation_failed', errors: [{ path, message }] });
}
