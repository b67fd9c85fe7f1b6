import { useEffect, useState } from 'preact/hooks';
import type { CallState, ScreenPop } from '../api/types';
import { useI18n } from '../i18n';
import { Link } from '../router/router';
import { useSocketEvent } from '../realtime/hooks';
import { useStore } from '../session/store';
import { FormError } from '../ui/Field';
import { Panel } from '../ui/bits';
import { problemMessage, fieldErrors } from '../ui/errors';
import { formatDateTime, formatPhone } from '../ui/format';
import { useSession } from '../session/session';
import { callOut } from './api';
import { ScriptRunner } from '../call-scripts/ScriptRunner';
import { phoneStore, softphone, startSoftphone } from './softphone';

/** Seconds as m:ss (h:mm:ss past an hour). */
export function clock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * The operator's phone: the browser softphone (or a note that calls ring their desk phone), the number to
 * dial, and the screen pop of the call ringing now.
 */
export function PhonePanel() {
  const { t } = useI18n();
  const phone = useStore(phoneStore);
  const [pop, setPop] = useState<ScreenPop | null>(null);
  const [number, setNumber] = useState('');
  const [dialing, setDialing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [, tick] = useState(0);

  useEffect(() => {
    void startSoftphone();
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);
  useSocketEvent<ScreenPop>('call:incoming', (p) => setPop(p));
  // After a reconnect: the call still ringing or in progress comes back (a pop already shown stays).
  useSocketEvent<CallState>('call:state', (st) => st.pop && setPop(st.pop));
  useSocketEvent<{ callId: string; reason: string }>('call:missed', (p) => {
    if (pop?.callId === p.callId) setNotice(t('phone.missed'));
  });

  const dial = async (e: Event) => {
    e.preventDefault();
    setDialing(true);
    setError(null);
    setNotice(null);
    try {
      const res = await callOut({ to: number });
      setNotice(t('phone.dialing', { number: formatPhone(res.to) }));
      setNumber('');
    } catch (err) {
      setError(err);
    } finally {
      setDialing(false);
    }
  };

  const call = phone.call;
  const numberError = error ? fieldErrors(error).to : undefined;
  return (
    <Panel title={t('phone.title')} testId="phone" actions={<span class={`reg reg--${phone.registration}`} data-testid="phone-registration">{t(`phone.reg.${phone.registration}`)}</span>}>
      {phone.registration === 'off' && phone.problem && <p class="muted small" data-testid="phone-problem">{t(`phone.off.${phone.problem}` as 'phone.off.no_extension')}</p>}
      {phone.registration === 'failed' && <p class="alert alert--error" role="alert">{t('phone.failed', { reason: phone.problem ?? '' })}</p>}

      {call && (
        <div class={`call-card call-card--${call.status}`} data-testid="phone-call" data-status={call.status}>
          <div class="call-card__who">
            <strong>{call.direction === 'incoming' ? t('phone.incoming') : t('phone.outgoing')}</strong> {formatPhone(call.party)}
            {call.answeredAt && <span class="call-card__timer" data-testid="phone-timer"> {clock((Date.now() - call.answeredAt) / 1000)}</span>}
          </div>
          <div class="call-card__actions">
            {call.status === 'ringing' && call.direction === 'incoming' && (
              <button type="button" class="btn btn--primary" data-testid="phone-answer" onClick={() => softphone.answer()}>
                {t('phone.answer')}
              </button>
            )}
            {call.status === 'active' && (
              <>
                <button type="button" class="btn" data-testid="phone-hold" aria-pressed={call.held} onClick={() => softphone.toggleHold()}>
                  {call.held ? t('phone.resume') : t('phone.hold')}
                </button>
                <button type="button" class="btn" data-testid="phone-mute" aria-pressed={call.muted} onClick={() => softphone.toggleMute()}>
                  {call.muted ? t('phone.unmute') : t('phone.mute')}
                </button>
              </>
            )}
            <button type="button" class="btn btn--danger" data-testid="phone-hangup" onClick={() => softphone.hangup()}>
              {call.status === 'ringing' && call.direction === 'incoming' ? t('phone.decline') : t('phone.hangup')}
            </button>
          </div>
        </div>
      )}

      <form class="dial" onSubmit={dial} data-testid="dial-form">
        <label class="field">
          <span class="field__label">{t('phone.number')}</span>
          <input name="to" type="tel" inputMode="tel" value={number} onInput={(e) => setNumber(e.currentTarget.value)} placeholder="+7 495 123-45-67" required />
          {numberError && <span class="field__error" data-testid="field-error">{t('phone.notAPhone')}</span>}
        </label>
        <button type="submit" class="btn btn--primary" disabled={dialing || !number.trim()} data-testid="dial-submit">
          {t('phone.call')}
        </button>
      </form>
      {notice && <p class="alert alert--ok" role="status" data-testid="phone-notice">{notice}</p>}
      <FormError message={error && !numberError ? problemMessage(error, t) : null} />

      {pop && <ScreenPopCard pop={pop} onClose={() => setPop(null)} />}
    </Panel>
  );
}

function ScreenPopCard({ pop, onClose }: { pop: ScreenPop; onClose: () => void }) {
  const { t, locale } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  const utm = pop.utm ? Object.entries(pop.utm).filter(([, v]) => v) : [];
  return (
    <section class="screen-pop" data-testid="screen-pop" data-call-id={pop.callId} aria-live="polite">
      <header class="screen-pop__head">
        <strong data-testid="screen-pop-name">{pop.contact && !pop.contact.name.startsWith('+') ? pop.contact.name : formatPhone(pop.from)}</strong>
        <button type="button" class="btn btn--small" onClick={onClose} aria-label={t('common.close')}>
          ×
        </button>
      </header>
      <dl class="details details--compact">
        <dt>{t('phone.pop.number')}</dt>
        <dd>{formatPhone(pop.from)}</dd>
        {pop.contact?.company && (
          <>
            <dt>{t('phone.pop.company')}</dt>
            <dd>{pop.contact.company}</dd>
          </>
        )}
        <dt>{t('phone.pop.source')}</dt>
        <dd data-testid="screen-pop-source">{pop.source?.name ?? t('phone.pop.unknownSource')}</dd>
        {utm.length > 0 && (
          <>
            <dt>UTM</dt>
            <dd class="small">{utm.map(([k, v]) => `${k}=${v}`).join(' · ')}</dd>
          </>
        )}
        {pop.owner && (
          <>
            <dt>{t('phone.pop.owner')}</dt>
            <dd data-testid="screen-pop-owner">
              {t(pop.owner.kind === 'account_manager' ? 'phone.pop.ownerAm' : 'phone.pop.ownerHunter', { name: pop.owner.name })}
              {pop.how === 'queue' && <span class="muted"> · {t('phone.pop.ownerBusy')}</span>}
            </dd>
          </>
        )}
      </dl>
      {pop.history.length > 0 && (
        <>
          <h3 class="small">{t('phone.pop.history')}</h3>
          <ul class="plain small" data-testid="screen-pop-history">
            {pop.history.map((h) => (
              <li key={h.id}>
                {formatDateTime(h.startedAt, locale, tz)} · {t(`calls.direction.${h.direction}`)} · {t(`calls.status.${h.status}`)}
              </li>
            ))}
          </ul>
        </>
      )}
      {pop.contact && (
        <Link href={`/contacts/${encodeURIComponent(pop.contact.id)}`} data-testid="screen-pop-contact">
          {t('phone.pop.openCard')}
        </Link>
      )}
      {pop.script && (
        <ScriptRunner
          key={`${pop.callId}-${pop.script.version}`}
          script={pop.script}
          context={{
            contact: pop.contact ? { ...pop.contact, name: pop.contact.name.startsWith('+') ? '' : pop.contact.name, email: null, phone: pop.from } : { phone: pop.from },
            operator: { name: session.state === 'signed-in' ? session.user.name : '' },
            source: pop.source,
          }}
          link={{ callId: pop.callId, contactId: pop.contact?.id ?? null }}
        />
      )}
    </section>
  );
}
