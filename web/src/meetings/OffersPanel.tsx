import { useEffect, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import type { Meeting, MeetingOffer, MeetingOfferClosed } from '../api/types';
import { useI18n } from '../i18n';
import { formatCountdown, useServerNow } from '../realtime/clock';
import { useOnConnected, useSocketEvent } from '../realtime/hooks';
import { request } from '../realtime/socket';
import { Empty, Panel } from '../ui/bits';
import { Field, FormError, Notice } from '../ui/Field';
import { problemMessage, problemOf } from '../ui/errors';
import { acceptOffer, declineOffer } from './api';
import { MeetingFacts } from './MeetingFacts';

/** Under this many seconds left the countdown turns red. */
const URGENT_MS = 30_000;
/** An offer past its deadline stays (as "time is up") this long for the service's `offer-closed` to arrive. */
const EXPIRED_GRACE_MS = 5_000;

type Message = { kind: 'ok' | 'error'; text: string };

/**
 * The hunter's open offers, each with a live countdown to its deadline, Accept and Decline (with a reason).
 * Offers arrive as `meeting:offered` (the service re-sends the open ones on every connect) and leave on
 * `meeting:offer-closed`; on every (re)connect the list is also fetched (`meeting:offers`) so that offers
 * closed while the socket was down do not linger.
 */
export function OffersPanel({ onAccepted }: { onAccepted?: (meetingId: string) => void }) {
  const { t } = useI18n();
  const [offers, setOffers] = useState<MeetingOffer[]>([]);
  const [message, setMessage] = useState<Message | null>(null);
  const [syncError, setSyncError] = useState<unknown>(null);
  // Offers known to be closed: a list fetched a moment earlier must not bring them back.
  const closed = useRef(new Set<string>());
  // Offers pushed while a fetch is in flight: its answer may predate them.
  const pushedDuringSync = useRef<Set<string> | null>(null);
  // Offers this panel is answering: their `offer-closed` is our own doing, not news.
  const answering = useRef(new Set<string>());
  const now = useServerNow(offers.length > 0);
  const offersRef = useRef(offers);
  offersRef.current = offers;

  const upsert = (o: MeetingOffer) => {
    if (closed.current.has(o.offerId)) return;
    pushedDuringSync.current?.add(o.offerId);
    setOffers((prev) => sortOffers([...prev.filter((p) => p.offerId !== o.offerId), o]));
  };
  const remove = (offerId: string) => setOffers((prev) => prev.filter((p) => p.offerId !== offerId));
  const drop = (offerId: string) => {
    closed.current.add(offerId);
    remove(offerId);
  };

  useSocketEvent<MeetingOffer>('meeting:offered', upsert);
  useSocketEvent<MeetingOfferClosed>('meeting:offer-closed', (e) => {
    const shown = offersRef.current.find((o) => o.offerId === e.offerId);
    drop(e.offerId);
    if (!shown || answering.current.has(e.offerId)) return;
    if (e.status === 'expired' || e.status === 'withdrawn') {
      setMessage({ kind: 'error', text: t(`offers.closed.${e.status}`, { name: shown.meeting.contact.name }) });
    }
  });
  useOnConnected(() => {
    const pushed = new Set<string>();
    pushedDuringSync.current = pushed;
    request<MeetingOffer[]>('meeting:offers', {})
      .then((list) => {
        setSyncError(null);
        setOffers((prev) => {
          const fresh = list.filter((o) => !closed.current.has(o.offerId));
          const later = prev.filter((p) => pushed.has(p.offerId) && !fresh.some((o) => o.offerId === p.offerId));
          return sortOffers([...fresh, ...later]);
        });
      })
      .catch(setSyncError)
      .finally(() => {
        if (pushedDuringSync.current === pushed) pushedDuringSync.current = null;
      });
  });

  // A deadline passed and no word from the service (socket down?): stop showing the offer.
  useEffect(() => {
    for (const o of offers) if (Date.parse(o.expiresAt) + EXPIRED_GRACE_MS < now) remove(o.offerId);
  }, [now]);

  const answer = async (o: MeetingOffer, reply: { accept: true } | { accept: false; reason: string }) => {
    answering.current.add(o.offerId);
    setMessage(null);
    const name = o.meeting.contact.name;
    try {
      if (reply.accept) await acceptOffer(o.offerId);
      else await declineOffer(o.offerId, reply.reason);
      drop(o.offerId);
      setMessage({ kind: 'ok', text: t(reply.accept ? 'offers.accepted' : 'offers.declined', { name }) });
      if (reply.accept) onAccepted?.(o.meeting.id);
      return true;
    } catch (err) {
      const status = problemOf(err)?.status;
      // 410: too late, the meeting moved on; 409/404: someone (or something) closed it first.
      if (status === 410 || status === 409 || status === 404) {
        drop(o.offerId);
        setMessage({ kind: 'error', text: t(status === 410 ? 'offers.error.expired' : 'offers.error.closed', { name }) });
      } else {
        setMessage({ kind: 'error', text: problemMessage(err, t) });
      }
      return false;
    } finally {
      answering.current.delete(o.offerId);
    }
  };

  return (
    <Panel title={t('offers.title')} testId="offers" actions={<span class="muted">{t('offers.live')}</span>}>
      <div aria-live="polite" data-testid="offers-message">
        {message?.kind === 'ok' && <Notice message={message.text} />}
        {message?.kind === 'error' && <FormError message={message.text} />}
      </div>
      <FormError message={syncError ? problemMessage(syncError, t) : null} />
      {offers.length === 0 && <Empty text={t('offers.none')} />}
      {offers.length > 0 && (
        <ul class="offer-list">
          {offers.map((o) => (
            <OfferCard key={o.offerId} offer={o} now={now} onAnswer={(reply) => answer(o, reply)} />
          ))}
        </ul>
      )}
    </Panel>
  );
}

function sortOffers(list: MeetingOffer[]) {
  return [...list].sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
}

function OfferCard({
  offer,
  now,
  onAnswer,
}: {
  offer: MeetingOffer;
  now: number;
  onAnswer: (reply: { accept: true } | { accept: false; reason: string }) => Promise<boolean>;
}) {
  const { t } = useI18n();
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const m: Meeting = offer.meeting;
  const left = Date.parse(offer.expiresAt) - now;
  const timeUp = left <= 0;
  const urgent = left < URGENT_MS;

  const run = async (reply: Parameters<typeof onAnswer>[0]) => {
    setBusy(true);
    const ok = await onAnswer(reply);
    // On success (or a closed offer) the card is gone; otherwise it stays for another try.
    if (!ok) setBusy(false);
  };

  const submitDecline = (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const r = reason.trim();
    if (!r) {
      setReasonError(t('offers.reasonRequired'));
      return;
    }
    setReasonError(null);
    void run({ accept: false, reason: r });
  };

  return (
    <li class={`offer${offer.how === 'sticky' ? ' offer--sticky' : ''}`} data-testid="offer-card" data-offer-id={offer.offerId} data-meeting-id={m.id}>
      <div class="offer__head">
        <div>
          <div class="offer__contact" data-testid="offer-contact">
            {m.contact.name}
            {offer.how === 'sticky' && (
              <span class="tag tag--own offer__badge" title={t('offers.yourClientHint')} data-testid="offer-own">
                {t('offers.yourClient')}
              </span>
            )}
          </div>
          {m.contact.company && <div class="muted">{m.contact.company}</div>}
        </div>
        <div class={`offer__countdown${urgent ? ' offer__countdown--urgent' : ''}`} role="timer" aria-label={t('offers.timeLeft')}>
          <span class="muted small">{t('offers.timeLeft')}</span>
          <span class="offer__clock" data-testid="offer-countdown" data-urgent={urgent ? 'true' : 'false'}>
            {timeUp ? t('offers.timeUp') : formatCountdown(left)}
          </span>
        </div>
      </div>
      <MeetingFacts meeting={m} />
      {!declining && (
        <div class="offer__actions">
          <button type="button" class="btn btn--primary" data-testid="offer-accept" disabled={busy || timeUp} onClick={() => void run({ accept: true })}>
            {t('offers.accept')}
          </button>
          <button type="button" class="btn" data-testid="offer-decline" disabled={busy || timeUp} onClick={() => setDeclining(true)}>
            {t('offers.decline')}
          </button>
        </div>
      )}
      {declining && (
        <form class="offer__decline" onSubmit={submitDecline} noValidate data-testid="offer-decline-form" onKeyDown={(e) => e.key === 'Escape' && setDeclining(false)}>
          <Field label={t('offers.declineReason')} error={reasonError ?? undefined} class="field--grow">
            {(a) => (
              <input
                {...a}
                name="reason"
                required
                maxLength={300}
                autoFocus
                placeholder={t('offers.declineReasonPlaceholder')}
                value={reason}
                onInput={(e) => setReason(e.currentTarget.value)}
              />
            )}
          </Field>
          <div class="offer__actions">
            <button type="submit" class="btn btn--danger" data-testid="offer-decline-submit" disabled={busy || timeUp}>
              {t('offers.declineSubmit')}
            </button>
            <button type="button" class="btn btn--ghost" disabled={busy} onClick={() => setDeclining(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
