import { useEffect, useRef, useState } from 'preact/hooks';
import { Fragment, type TargetedSubmitEvent } from 'preact';
import type { Meeting, MeetingStatus, User } from '../api/types';
import { useI18n } from '../i18n';
import { useOnConnected, useSocketEvent } from '../realtime/hooks';
import { Link } from '../router/router';
import { useSession } from '../session/session';
import { Empty, Panel } from '../ui/bits';
import { Field, FormError } from '../ui/Field';
import { fieldErrors, problemMessage } from '../ui/errors';
import { formatDateTime, formatPhone } from '../ui/format';
import { assignMeeting, listActiveHunters, listMeetings, queueStatuses } from './api';
import { MeetingStatusTag } from './MeetingStatusTag';

/** Per status; the list endpoint filters by one status at a time. */
const PER_STATUS = 100;
const REFRESH_DEBOUNCE_MS = 300;
const rank: Partial<Record<MeetingStatus, number>> = { unassigned: 0, routing: 1, offered: 2 };

/**
 * Meetings still looking for a hunter (unassigned first, then by meeting time), each with a hand-assign
 * form and a link to its routing log. Re-fetched on `meeting:updated` / `meeting:unassigned` and reconnects.
 */
export function MeetingQueuePanel() {
  const { t, locale } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  const [items, setItems] = useState<Meeting[] | null>(null);
  const [truncated, setTruncated] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [hunters, setHunters] = useState<User[] | null>(null);
  const [huntersError, setHuntersError] = useState<unknown>(null);
  const [assigning, setAssigning] = useState<string | null>(null);
  const [assigned, setAssigned] = useState<Meeting | null>(null);
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = async () => {
    const mine = ++seq.current;
    try {
      const pages = await Promise.all(queueStatuses.map((status) => listMeetings({ status }, null, PER_STATUS)));
      if (mine !== seq.current) return;
      const all = pages.flatMap((p) => p.items);
      all.sort((a, b) => (rank[a.status] ?? 9) - (rank[b.status] ?? 9) || a.scheduledAt.localeCompare(b.scheduledAt));
      setItems(all);
      setTruncated(pages.some((p) => p.nextCursor !== null));
      setError(null);
    } catch (err) {
      if (mine === seq.current) setError(err);
    }
  };
  const loadHunters = () =>
    listActiveHunters().then(
      (p) => {
        setHunters([...p.items].sort((a, b) => a.name.localeCompare(b.name)));
        setHuntersError(null);
      },
      (err: unknown) => setHuntersError(err),
    );

  const scheduleRefresh = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(), REFRESH_DEBOUNCE_MS);
  };
  useEffect(() => {
    void load();
    void loadHunters();
    return () => {
      clearTimeout(timer.current);
      seq.current++;
    };
  }, []);
  useSocketEvent('meeting:updated', scheduleRefresh);
  useSocketEvent('meeting:unassigned', scheduleRefresh);
  // Events missed while offline are not replayed.
  useOnConnected(scheduleRefresh);

  return (
    <Panel title={t('queue.title')} testId="meeting-queue" actions={<span class="muted">{t('queue.live')}</span>}>
      <FormError message={error ? problemMessage(error, t) : null} />
      {assigned && (
        <div class="alert alert--ok" role="status" data-testid="queue-notice">
          {t('queue.assigned', { name: assigned.contact.name, hunter: assigned.hunter?.name ?? '' })}{' '}
          <Link href={`/meetings/${encodeURIComponent(assigned.id)}/routing`} data-testid="queue-notice-routing">
            {t('queue.routingLog')}
          </Link>
        </div>
      )}
      {items === null && !error && <p class="muted">{t('common.loading')}</p>}
      {items?.length === 0 && <Empty text={t('queue.none')} />}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table class="table meeting-table" data-testid="queue-table">
            <thead>
              <tr>
                <th scope="col">{t('meetings.field.when')}</th>
                <th scope="col">{t('meetings.field.contact')}</th>
                <th scope="col">{t('meetings.field.source')}</th>
                <th scope="col">{t('meetings.field.bookedBy')}</th>
                <th scope="col">{t('meetings.field.status')}</th>
                <th scope="col">
                  <span class="sr-only">{t('users.col.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <Fragment key={m.id}>
                  <tr
                    class={m.status === 'unassigned' ? 'queue-row queue-row--unassigned' : 'queue-row'}
                    data-testid="queue-row"
                    data-meeting-id={m.id}
                    data-status={m.status}
                  >
                    <td class="nowrap">
                      <div>{formatDateTime(m.scheduledAt, locale, tz)}</div>
                      <div class="muted small">{t('meetings.minutes', { n: m.durationMinutes })}</div>
                    </td>
                    <td>
                      <Link href={`/contacts/${encodeURIComponent(m.contact.id)}`}>{m.contact.name}</Link>
                      {m.contact.company && <div class="muted small">{m.contact.company}</div>}
                      {m.contact.phone && <div class="small nowrap">{formatPhone(m.contact.phone)}</div>}
                      {m.location && <div class="muted small">{m.location}</div>}
                    </td>
                    <td>{m.source?.name ?? <span class="muted">—</span>}</td>
                    <td>
                      <div>{m.bookedBy.name}</div>
                      <div class="muted small">{formatDateTime(m.createdAt, locale, tz)}</div>
                    </td>
                    <td>
                      <MeetingStatusTag status={m.status} />
                      {m.status === 'unassigned' && <div class="small queue-row__hint">{t('queue.unassignedHint')}</div>}
                    </td>
                    <td class="actions">
                      <button
                        type="button"
                        class={`btn btn--small${m.status === 'unassigned' ? ' btn--primary' : ''}`}
                        data-testid="queue-assign"
                        aria-expanded={assigning === m.id}
                        onClick={() => {
                          setAssigned(null);
                          setAssigning(assigning === m.id ? null : m.id);
                          if (!hunters) void loadHunters();
                        }}
                      >
                        {t('queue.assign')}
                      </button>
                      <div>
                        <Link href={`/meetings/${encodeURIComponent(m.id)}/routing`} class="small" data-testid="queue-routing-link">
                          {t('queue.routingLog')}
                        </Link>
                      </div>
                    </td>
                  </tr>
                  {assigning === m.id && (
                    <tr class="outcome-row">
                      <td colSpan={6}>
                        <AssignForm
                          meeting={m}
                          hunters={hunters}
                          huntersError={huntersError}
                          onCancel={() => setAssigning(null)}
                          onAssigned={(updated) => {
                            setAssigning(null);
                            setItems((prev) => prev && prev.filter((x) => x.id !== updated.id));
                            setAssigned(updated);
                            scheduleRefresh();
                          }}
                        />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {truncated && <p class="muted small">{t('queue.truncated', { n: PER_STATUS })}</p>}
    </Panel>
  );
}

function AssignForm({
  meeting,
  hunters,
  huntersError,
  onCancel,
  onAssigned,
}: {
  meeting: Meeting;
  hunters: User[] | null;
  huntersError: unknown;
  onCancel: () => void;
  onAssigned: (m: Meeting) => void;
}) {
  const { t } = useI18n();
  const [hunterId, setHunterId] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<{ hunterId?: string; reason?: string }>({});

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const problems = {
      ...(hunterId ? {} : { hunterId: t('queue.hunterRequired') }),
      ...(reason.trim() ? {} : { reason: t('queue.reasonRequired') }),
    };
    setLocal(problems);
    if (Object.keys(problems).length) return;
    setBusy(true);
    setError(null);
    try {
      onAssigned(await assignMeeting(meeting.id, hunterId, reason.trim()));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const fe = fieldErrors(error);
  return (
    <form class="outcome-form" onSubmit={submit} noValidate data-testid="assign-form" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <div class="outcome-form__fields">
        <Field label={t('queue.hunter')} error={local.hunterId ?? fe.hunterId}>
          {(a) => (
            <select {...a} name="hunterId" value={hunterId} onChange={(e) => setHunterId(e.currentTarget.value)}>
              <option value="">{hunters === null ? t('common.loading') : t('queue.pickHunter')}</option>
              {(hunters ?? []).map((h) => (
                <option key={h.id} value={h.id}>
                  {h.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('queue.reason')} error={local.reason ?? fe.reason} class="field--grow">
          {(a) => (
            <input
              {...a}
              name="reason"
              maxLength={300}
              required
              placeholder={t('queue.reasonPlaceholder')}
              value={reason}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
          )}
        </Field>
      </div>
      {hunters?.length === 0 && <p class="muted small">{t('queue.noHunters')}</p>}
      <FormError message={huntersError ? problemMessage(huntersError, t) : null} />
      <FormError message={error && !Object.keys(fe).length ? problemMessage(error, t) : null} />
      <div class="offer__actions">
        <button type="submit" class="btn btn--primary" disabled={busy} data-testid="assign-submit">
          {t('queue.assignSubmit')}
        </button>
        <button type="button" class="btn btn--ghost" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
