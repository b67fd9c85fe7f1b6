import { useEffect, useState } from 'preact/hooks';
import type { User, UserStatus } from '../api/types';
import { useI18n } from '../i18n';
import { formatCountdown, useServerNow } from '../realtime/clock';
import { useConnection, useOnConnected, useSocketEvent } from '../realtime/hooks';
import { request } from '../realtime/socket';
import { formatPercent } from '../ui/format';
import { wallboardRoles, type Wallboard, type WallboardHunter, type WallboardOperator } from './api';
import { reportError } from './ReportFrame';
import './reports.css';

const order: Record<UserStatus, number> = { on_call: 0, ringing: 1, wrap_up: 2, available: 3, paused: 4, offline: 5 };
const byState = <T extends { status: UserStatus; name: string }>(a: T, b: T) => order[a.status] - order[b.status] || a.name.localeCompare(b.name);

/** The newer of two boards: a snapshot answered late must not undo a pushed update. */
const newer = (prev: Wallboard | null, next: Wallboard) => (!prev || Date.parse(next.at) >= Date.parse(prev.at) ? next : prev);

/**
 * `/wallboard`: the call centre at a glance, for a wall screen. A snapshot on every (re)connect, then
 * `wallboard:updated` pushes; time in state and the longest wait tick here, every second.
 */
export function WallboardPage({ user }: { user: User }) {
  const { t } = useI18n();
  if (!wallboardRoles.includes(user.role)) {
    return (
      <section class="panel" data-testid="wallboard-forbidden">
        <p class="empty">{t('wallboard.forbidden')}</p>
      </section>
    );
  }
  return <Board />;
}

function Board() {
  const { t, locale } = useI18n();
  const conn = useConnection();
  const [board, setBoard] = useState<Wallboard | null>(null);
  const [error, setError] = useState<unknown>(null);
  const now = useServerNow(true);

  useOnConnected(() => {
    request<Wallboard>('wallboard:snapshot').then(
      (b) => {
        setBoard((prev) => newer(prev, b));
        setError(null);
      },
      (err) => setError(err),
    );
  });
  useSocketEvent<Wallboard>('wallboard:updated', (b) => {
    setBoard((prev) => newer(prev, b));
    setError(null);
  });

  const clock = new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    ...(board ? { timeZone: board.timeZone } : {}),
  }).format(now);

  return (
    <div class="wallboard" data-testid="wallboard" data-at={board?.at ?? ''}>
      <header class="wallboard__head">
        <h1>{t('wallboard.title')}</h1>
        <span class={`wallboard__live wallboard__live--${conn}`} data-testid="wallboard-live" role="status">
          <span class="dot" aria-hidden="true" />
          {conn === 'connected' ? t('wallboard.live') : t(`conn.${conn}`)}
        </span>
        <span class="wallboard__clock" aria-label={t('wallboard.clock')}>
          {clock}
        </span>
        <FullScreenButton />
      </header>
      {error ? (
        <div class="alert alert--error" role="alert" data-testid="wallboard-error">
          {reportError(error, t)}
        </div>
      ) : null}
      {!board && !error && (
        <p class="muted wallboard__waiting" role="status">
          {conn === 'connected' ? t('common.loading') : t('wallboard.waiting')}
        </p>
      )}
      {board && (
        <>
          <Tiles board={board} now={now} />
          <div class="wallboard__people">
            <section class="wallboard__section" aria-labelledby="wb-operators">
              <h2 id="wb-operators">{t('wallboard.operators')}</h2>
              <OperatorsGrid operators={board.operators} now={now} />
            </section>
            <section class="wallboard__section wallboard__section--hunters" aria-labelledby="wb-hunters">
              <h2 id="wb-hunters">{t('wallboard.hunters')}</h2>
              <HuntersList hunters={board.hunters} now={now} />
            </section>
          </div>
        </>
      )}
    </div>
  );
}

type Tone = 'ok' | 'warn' | 'bad' | '';

function Tile({ id, label, value, sub, tone = '' }: { id: string; label: string; value: string; sub?: string; tone?: Tone }) {
  return (
    <div class={`wb-tile${tone ? ` wb-tile--${tone}` : ''}`} data-testid={`wb-${id}`}>
      <div class="wb-tile__label">{label}</div>
      <div class="wb-tile__value" data-testid={`wb-${id}-value`}>
        {value}
      </div>
      {sub && <div class="wb-tile__sub">{sub}</div>}
    </div>
  );
}

function Tiles({ board, now }: { board: Wallboard; now: number }) {
  const { t, locale } = useI18n();
  const { queue, today } = board;
  const pct = (v: number | null) => (v === null ? '—' : formatPercent(v, locale));
  // While someone waits the longest wait grows between pushes; the service's figure is the floor.
  const waitedMs = queue.waiting > 0 && queue.oldestQueuedAt ? Math.max(queue.longestWaitSeconds * 1000, now - Date.parse(queue.oldestQueuedAt)) : queue.longestWaitSeconds * 1000;
  const waitTone: Tone = queue.waiting === 0 ? 'ok' : waitedMs > board.serviceLevelSeconds * 1000 ? 'bad' : 'warn';
  const slTone: Tone = today.serviceLevel === null ? '' : today.serviceLevel >= 0.8 ? 'ok' : today.serviceLevel >= 0.6 ? 'warn' : 'bad';
  const abTone: Tone = today.abandonedRate === null ? '' : today.abandonedRate <= 0.05 ? 'ok' : today.abandonedRate <= 0.1 ? 'warn' : 'bad';
  return (
    <div class="wb-tiles">
      <Tile id="waiting" label={t('wallboard.waitingCalls')} value={String(queue.waiting)} tone={queue.waiting > 0 ? 'warn' : 'ok'} />
      <Tile id="longest-wait" label={t('wallboard.longestWait')} value={formatCountdown(waitedMs)} tone={waitTone} />
      <Tile
        id="service-level"
        label={t('wallboard.serviceLevel', { seconds: board.serviceLevelSeconds })}
        value={pct(today.serviceLevel)}
        sub={t('wallboard.serviceLevelSub', { answered: today.answered, within: today.answeredWithinSl })}
        tone={slTone}
      />
      <Tile
        id="abandoned"
        label={t('wallboard.abandonedRate')}
        value={pct(today.abandonedRate)}
        sub={t('wallboard.abandonedSub', { abandoned: today.abandoned })}
        tone={abTone}
      />
      <Tile
        id="calls-today"
        label={t('wallboard.callsToday')}
        value={String(today.inbound + today.outbound)}
        sub={t('wallboard.callsTodaySub', { inbound: today.inbound, outbound: today.outbound })}
      />
      <Tile id="meetings-today" label={t('wallboard.meetingsToday')} value={String(today.meetingsBooked)} />
      <Tile id="open-offers" label={t('wallboard.openOffers')} value={String(board.openOffers)} />
    </div>
  );
}

function OperatorsGrid({ operators, now }: { operators: WallboardOperator[]; now: number }) {
  const { t } = useI18n();
  if (operators.length === 0) return <p class="empty">{t('wallboard.noOperators')}</p>;
  return (
    <ul class="wb-operators">
      {[...operators].sort(byState).map((o) => (
        <li
          key={o.id}
          class={`wb-op wb-op--${o.status}${o.connected ? '' : ' wb-op--disconnected'}`}
          data-testid="wb-operator"
          data-user-id={o.id}
          data-status={o.status}
        >
          <div class="wb-op__name">{o.name}</div>
          <div class="wb-op__state">
            <span class="wb-op__status" data-testid="wb-operator-status">
              {t(`status.${o.status}`)}
            </span>
            {o.status === 'paused' && o.reason && (
              <span class="wb-op__reason" data-testid="wb-operator-reason">
                {o.reason}
              </span>
            )}
          </div>
          <div class="wb-op__timer" data-testid="wb-operator-timer" aria-label={t('wallboard.timeInState')}>
            {formatCountdown(now - Date.parse(o.since))}
          </div>
          {!o.connected && o.status !== 'offline' && <div class="wb-op__conn">{t('presence.notConnected')}</div>}
        </li>
      ))}
    </ul>
  );
}

function HuntersList({ hunters, now }: { hunters: WallboardHunter[]; now: number }) {
  const { t } = useI18n();
  if (hunters.length === 0) return <p class="empty">{t('wallboard.noHunters')}</p>;
  return (
    <ul class="wb-hunters">
      {[...hunters].sort(byState).map((h) => (
        <li key={h.id} class={`wb-hunter wb-hunter--${h.status}`} data-testid="wb-hunter" data-user-id={h.id} data-status={h.status}>
          <span class={`dot dot--${h.status}`} aria-hidden="true" />
          <span class="wb-hunter__name">{h.name}</span>
          <span class="wb-hunter__status">
            {t(`status.${h.status}`)} · {formatCountdown(now - Date.parse(h.since))}
          </span>
          <span class={`wb-hunter__offers${h.openOffers > 0 ? ' has-offers' : ''}`} data-testid="wb-hunter-offers" title={t('wallboard.openOffers')}>
            {t('wallboard.offersN', { n: h.openOffers })}
          </span>
        </li>
      ))}
    </ul>
  );
}

function FullScreenButton() {
  const { t } = useI18n();
  const [full, setFull] = useState(() => !!document.fullscreenElement);
  // Esc leaves full screen without the button.
  useEffect(() => {
    const follow = () => setFull(!!document.fullscreenElement);
    document.addEventListener('fullscreenchange', follow);
    return () => document.removeEventListener('fullscreenchange', follow);
  }, []);
  if (!document.fullscreenEnabled) return null;
  const toggle = () => void (document.fullscreenElement ? document.exitFullscreen() : document.documentElement.requestFullscreen()).catch(() => {});
  return (
    <button type="button" class="btn btn--small wallboard__full" onClick={toggle} aria-pressed={full}>
      {full ? t('wallboard.exitFullScreen') : t('wallboard.fullScreen')}
    </button>
  );
}
