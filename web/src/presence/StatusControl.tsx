import { useEffect, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { userStatuses, type PauseReason, type UserStatus } from '../api/types';
import { api } from '../api/client';
import { useI18n } from '../i18n';
import { problemMessage } from '../ui/errors';
import { useMyStatus } from './useMyStatus';

const reasonPresets = ['lunch', 'break', 'training', 'meeting'] as const;

/**
 * The user's own presence. `compact` is the header's select; `large` is the operator's big buttons.
 * Choosing "paused" asks for an optional reason before applying.
 */
export function StatusControl({ variant }: { variant: 'compact' | 'large' }) {
  const { t } = useI18n();
  const my = useMyStatus();
  const [pausing, setPausing] = useState(false);
  const [reason, setReason] = useState('');
  const listId = `pause-reasons-${variant}`;
  // The call-centre administrator's reasons; operators must pick one of them.
  const [reasons, setReasons] = useState<PauseReason[] | null>(null);
  useEffect(() => {
    if (!pausing || reasons) return;
    api<PauseReason[]>('/api/pause-reasons')
      .then(setReasons)
      .catch(() => setReasons([]));
  }, [pausing]);

  const pick = (s: UserStatus) => {
    if (s === 'paused') {
      setReason(my.status === 'paused' ? (my.reason ?? '') : '');
      setPausing(true);
      return;
    }
    setPausing(false);
    void my.setStatus(s);
  };

  const applyPause = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (await my.setStatus('paused', reason)) setPausing(false);
  };

  const pauseForm = pausing && (
    <form
      class={`pause-form pause-form--${variant}`}
      onSubmit={applyPause}
      onKeyDown={(e) => e.key === 'Escape' && setPausing(false)}
      data-testid="pause-form"
    >
      <label for={`pause-reason-${variant}`}>{t('status.reason')}</label>
      <input
        id={`pause-reason-${variant}`}
        list={listId}
        maxLength={200}
        placeholder={t('status.reasonPlaceholder')}
        value={reason}
        onInput={(e) => setReason(e.currentTarget.value)}
        autoFocus
      />
      <datalist id={listId}>
        {reasons?.length
          ? reasons.map((r) => <option key={r.id} value={r.label} />)
          : reasonPresets.map((r) => <option key={r} value={t(`status.preset.${r}`)} />)}
      </datalist>
      <div class="pause-form__actions">
        <button type="submit" class="btn btn--primary btn--small" disabled={my.busy}>
          {t('status.apply')}
        </button>
        <button type="button" class="btn btn--small" onClick={() => setPausing(false)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );

  const error = my.error ? (
    <small class="field__error" role="alert">
      {t('status.failed', { detail: problemMessage(my.error, t) })}
    </small>
  ) : null;

  if (variant === 'compact') {
    return (
      <div class="status-control status-control--compact">
        <label class="status-control__label" for="header-status">
          {t('status.label')}
        </label>
        <span class={`dot dot--${my.status}`} aria-hidden="true" />
        <select
          id="header-status"
          data-testid="status-select"
          value={pausing ? 'paused' : my.status}
          disabled={my.busy}
          onChange={(e) => pick(e.currentTarget.value as UserStatus)}
        >
          {/* Ringing, on a call and wrap-up are set by the phone: shown, not chosen. */}
          {!userStatuses.includes(my.status as (typeof userStatuses)[number]) && (
            <option value={my.status} disabled>
              {t(`status.${my.status}`)}
            </option>
          )}
          {userStatuses.map((s) => (
            <option key={s} value={s}>
              {t(`status.${s}`)}
            </option>
          ))}
        </select>
        {pauseForm && <div class="popover">{pauseForm}</div>}
        {error}
      </div>
    );
  }

  return (
    <div class="status-control status-control--large">
      <div class="status-buttons" role="group" aria-label={t('status.label')}>
        {userStatuses.map((s) => (
          <button
            key={s}
            type="button"
            class={`status-btn status-btn--${s}${my.status === s ? ' is-active' : ''}`}
            aria-pressed={my.status === s}
            // While the phone rings or a call is on, the status follows the call (wrap-up can be cut short).
            disabled={my.busy || my.status === 'ringing' || my.status === 'on_call'}
            onClick={() => pick(s)}
          >
            <span class="dot" aria-hidden="true" />
            {t(`status.${s}`)}
          </button>
        ))}
      </div>
      {pauseForm}
      {error}
    </div>
  );
}
