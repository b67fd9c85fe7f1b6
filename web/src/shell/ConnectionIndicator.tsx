import { useI18n } from '../i18n';
import { useConnection } from '../realtime/hooks';

/** The state of the real-time socket: without it presence and pushed events do not arrive. */
export function ConnectionIndicator() {
  const { t } = useI18n();
  const state = useConnection();
  return (
    <span
      class={`conn conn--${state}`}
      data-testid="connection"
      data-state={state}
      role="status"
      title={t('conn.title')}
      aria-label={`${t('conn.title')}: ${t(`conn.${state}`)}`}
    >
      <span class="dot" aria-hidden="true" />
      <span class="conn__label">{t(`conn.${state}`)}</span>
    </span>
  );
}
