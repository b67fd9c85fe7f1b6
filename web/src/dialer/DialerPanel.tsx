import { useEffect, useState } from 'preact/hooks';
import { Fragment, type TargetedSubmitEvent } from 'preact';
import { useI18n } from '../i18n';
import { useSession } from '../session/session';
import { Panel } from '../ui/bits';
import { Field, FormError } from '../ui/Field';
import { fieldErrors, problemMessage } from '../ui/errors';
import { formatDateTime, formatPhone, zonedInputToIso } from '../ui/format';
import { callOut } from '../phone/api';
import { useMyStatus } from '../presence/useMyStatus';
import { ScriptRunner } from '../call-scripts/ScriptRunner';
import type { OutcomeKind } from '../call-scripts/api';
import { dispose, dispositionKinds, listRefusalReasons, nextEntry, releaseEntry, type DialEntry, type DispositionKind } from './api';

/**
 * The operator's outbound work: the next contact of their campaigns (held for them), a call to it from
 * their phone, and the disposition that must follow every call before the next contact comes.
 */
export function DialerPanel() {
  const { t, locale } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : 'Europe/Moscow';
  const [entry, setEntry] = useState<DialEntry | null>(null);
  const [empty, setEmpty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reasons, setReasons] = useState<Array<{ id: string; label: string }>>([]);
  const [kind, setKind] = useState<DispositionKind>('no_answer');
  const [reason, setReason] = useState('');
  const [when, setWhen] = useState('');
  const [location, setLocation] = useState('');
  const [note, setNote] = useState('');
  // The disposition the script's outcome pre-selected (the operator may still change it).
  const [fromScript, setFromScript] = useState<DispositionKind | null>(null);
  // Progressive mode: after each outcome, once wrap-up is over, the next contact is taken and dialled.
  const [progressive, setProgressive] = useState(false);
  const [dialNext, setDialNext] = useState(false);
  const my = useMyStatus();

  useEffect(() => {
    listRefusalReasons().then(setReasons, () => setReasons([]));
  }, []);
  useEffect(() => {
    if (!dialNext || busy || ['wrap_up', 'on_call', 'ringing'].includes(my.status)) return;
    setDialNext(false);
    void (async () => {
      const taken = await take();
      if (taken) await call(taken);
    })();
  }, [dialNext, busy, my.status]);

  const reset = () => {
    setKind('no_answer');
    setReason('');
    setWhen('');
    setLocation('');
    setNote('');
    setFromScript(null);
  };

  const scriptOutcome = (outcome: OutcomeKind) => {
    if (outcome === 'completed') return;
    setKind(outcome);
    setFromScript(outcome);
  };

  const take = async (): Promise<DialEntry | null> => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const res = await nextEntry();
      setEntry(res.entry);
      setEmpty(!res.entry);
      if (res.held) setNotice(t('dialer.held'));
      reset();
      return res.entry;
    } catch (err) {
      setError(err);
      return null;
    } finally {
      setBusy(false);
    }
  };

  const call = async (target: DialEntry | null = entry) => {
    if (!target) return;
    setError(null);
    try {
      const res = await callOut({ to: target.phone });
      setNotice(t('phone.dialing', { number: formatPhone(res.to) }));
    } catch (err) {
      setError(err);
    }
  };

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!entry) return;
    setBusy(true);
    setError(null);
    const iso = when ? zonedInputToIso(when, tz) : null;
    try {
      await dispose(entry.id, {
        kind,
        ...(kind === 'not_interested' ? { reason } : {}),
        ...(kind === 'callback' && iso ? { callbackAt: iso } : {}),
        ...(kind === 'meeting_booked' && iso ? { meeting: { scheduledAt: iso, ...(location.trim() ? { location: location.trim() } : {}) } } : {}),
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      setNotice(t('dialer.saved', { name: entry.contact.name, kind: t(`dialer.kind.${kind}`) }));
      setEntry(null);
      reset();
      if (progressive) setDialNext(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const release = async () => {
    if (!entry) return;
    try {
      await releaseEntry(entry.id);
      setEntry(null);
      setNotice(t('dialer.released'));
    } catch (err) {
      setError(err);
    }
  };

  const fe = fieldErrors(error);
  const fieldKeys = ['reason', 'callbackAt', 'meeting', 'meeting.scheduledAt', 'note'];
  const needsWhen = kind === 'callback' || kind === 'meeting_booked';
  return (
    <Panel
      title={t('dialer.title')}
      testId="dialer"
      actions={
        <>
          <label class="check small" title={t('dialer.progressiveHint')}>
            <input type="checkbox" checked={progressive} onChange={(e) => setProgressive(e.currentTarget.checked)} data-testid="dialer-progressive" />{' '}
            {t('dialer.progressive')}
          </label>
          {!entry && (
            <button type="button" class="btn btn--primary" onClick={() => void take()} disabled={busy} data-testid="dialer-next">
              {t('dialer.next')}
            </button>
          )}
        </>
      }
    >
      {notice && <p class="alert alert--ok" role="status" data-testid="dialer-notice">{notice}</p>}
      <FormError message={error && !Object.keys(fe).some((k) => fieldKeys.includes(k)) ? problemMessage(error, t) : null} />
      {!entry && empty && <p class="muted" data-testid="dialer-empty">{t('dialer.none')}</p>}
      {entry && (
        <div class="dialer" data-testid="dialer-entry" data-entry-id={entry.id}>
          <div class="dialer__card">
            <div class="dialer__who">
              <strong data-testid="dialer-name">{entry.contact.name}</strong>
              {entry.contact.company && <span class="muted"> · {entry.contact.company}</span>}
              {entry.personalCallback && <span class="tag tag--warn"> {t('dialer.yourCallback')}</span>}
            </div>
            <div class="dialer__phone">
              <span data-testid="dialer-phone">{formatPhone(entry.phone)}</span>{' '}
              <button type="button" class="btn btn--small btn--primary" onClick={() => void call(entry)} data-testid="dialer-call">
                {t('phone.call')}
              </button>
            </div>
            <div class="small muted">
              {t('dialer.meta', { campaign: entry.campaign.name, attempts: entry.attempts, zone: entry.timezone })}
            </div>
            {entry.fields && Object.keys(entry.fields).length > 0 && (
              <dl class="details details--compact" data-testid="dialer-fields">
                {Object.entries(entry.fields).map(([k, v]) => (
                  <Fragment key={k}>
                    <dt>{k}</dt>
                    <dd>{v || '—'}</dd>
                  </Fragment>
                ))}
              </dl>
            )}
            {entry.history.length > 0 && (
              <ul class="plain small" data-testid="dialer-history">
                {entry.history.map((h) => (
                  <li key={h.at}>
                    {formatDateTime(h.at, locale, tz)} · {t(`dialer.kind.${h.kind}`)}
                    {h.reason ? ` · ${h.reason}` : ''}
                    {h.note ? ` · ${h.note}` : ''}
                  </li>
                ))}
              </ul>
            )}
            {entry.script && (
              <ScriptRunner
                key={`${entry.id}-${entry.script.version}`}
                script={entry.script}
                context={{
                  contact: { ...entry.contact, phone: entry.phone },
                  fields: entry.fields,
                  operator: { name: session.state === 'signed-in' ? session.user.name : '' },
                  campaign: entry.campaign,
                  source: null,
                }}
                link={{ entryId: entry.id, contactId: entry.contact.id }}
                onOutcome={scriptOutcome}
              />
            )}
          </div>
          <form class="form-grid form-grid--1" onSubmit={submit} noValidate data-testid="disposition-form">
            <Field label={t('dialer.outcome')}>
              {(a) => (
                <select
                  {...a}
                  name="kind"
                  value={kind}
                  onChange={(e) => {
                    setKind(e.currentTarget.value as DispositionKind);
                    setFromScript(null);
                  }}
                >
                  {dispositionKinds.map((k) => (
                    <option key={k} value={k}>
                      {t(`dialer.kind.${k}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {fromScript && fromScript === kind && (
              <p class="small muted" data-testid="dialer-script-outcome">
                {t('scripts.dialer.outcomeSet', { kind: t(`dialer.kind.${fromScript}`) })}
              </p>
            )}
            {kind === 'not_interested' && (
              <Field label={t('dialer.reason')} error={fe.reason}>
                {(a) => (
                  <select {...a} name="reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
                    <option value="">{t('dialer.chooseReason')}</option>
                    {reasons.map((r) => (
                      <option key={r.id} value={r.label}>
                        {r.label}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            )}
            {needsWhen && (
              <Field label={kind === 'callback' ? t('dialer.callbackAt') : t('dialer.meetingAt')} error={fe.callbackAt ?? fe.meeting ?? fe['meeting.scheduledAt']}>
                {(a) => <input {...a} name="when" type="datetime-local" value={when} onInput={(e) => setWhen(e.currentTarget.value)} />}
              </Field>
            )}
            {kind === 'meeting_booked' && (
              <Field label={t('dialer.location')}>
                {(a) => <input {...a} name="location" maxLength={300} value={location} onInput={(e) => setLocation(e.currentTarget.value)} />}
              </Field>
            )}
            <Field label={t('dialer.note')} error={fe.note}>
              {(a) => <textarea {...a} name="note" rows={2} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />}
            </Field>
            <div class="form-actions">
              <button type="button" class="btn" onClick={() => void release()} data-testid="dialer-release">
                {t('dialer.release')}
              </button>
              <button type="submit" class="btn btn--primary" disabled={busy} data-testid="disposition-submit">
                {t('dialer.save')}
              </button>
            </div>
          </form>
        </div>
      )}
    </Panel>
  );
}
