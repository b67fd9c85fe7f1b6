import type { ComponentChildren } from 'preact';
import type { UserStatus } from '../api/types';
import { useI18n } from '../i18n';

export function StatusBadge({ status, reason }: { status: UserStatus; reason?: string | null }) {
  const { t } = useI18n();
  return (
    <span class={`badge badge--${status}`}>
      <span class="dot" aria-hidden="true" />
      {t(`status.${status}`)}
      {status === 'paused' && reason ? <span class="badge__reason"> · {reason}</span> : null}
    </span>
  );
}

export function Panel({ title, children, actions, testId }: { title: string; children: ComponentChildren; actions?: ComponentChildren; testId?: string }) {
  return (
    <section class="panel" data-testid={testId}>
      <header class="panel__head">
        <h2>{title}</h2>
        {actions && <div class="panel__actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function LoadMore({ visible, loading, onClick }: { visible: boolean; loading: boolean; onClick: () => void }) {
  const { t } = useI18n();
  if (!visible) return null;
  return (
    <div class="load-more">
      <button type="button" class="btn" onClick={onClick} disabled={loading}>
        {loading ? t('common.loading') : t('common.loadMore')}
      </button>
    </div>
  );
}

export function Empty({ text }: { text: string }) {
  return <p class="empty">{text}</p>;
}
