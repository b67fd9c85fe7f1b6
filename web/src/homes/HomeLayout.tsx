import type { ComponentChildren } from 'preact';
import type { User } from '../api/types';
import { useI18n } from '../i18n';

/** Every home: one root carrying `data-testid="home-<role>"` and a distinct heading. */
export function HomeLayout({ role, children, layout = 'stack' }: { role: User['role']; children: ComponentChildren; layout?: 'stack' | 'split' | 'wide' }) {
  const { t } = useI18n();
  return (
    <div class={`home home--${layout}`} data-testid={`home-${role}`}>
      <div class="home__head">
        <h1 data-testid="home-heading">{t(`home.${role}.title`)}</h1>
        <p class="muted">{t(`home.${role}.lead`)}</p>
      </div>
      <div class="home__body">{children}</div>
    </div>
  );
}
