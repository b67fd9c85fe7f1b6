import type { User } from '../api/types';
import { useI18n } from '../i18n';
import { StatusControl } from '../presence/StatusControl';
import { reportsFor, wallboardRoles } from '../reports/api';
import { Link } from '../router/router';
import { signOut } from '../session/session';
import { ConnectionIndicator } from './ConnectionIndicator';
import { LanguageSwitch } from './LanguageSwitch';

export function Header({ user }: { user: User }) {
  const { t } = useI18n();
  return (
    <header class="topbar">
      <Link href="/" class="brand" aria-label={t('nav.home')}>
        <img src="/favicon.svg" alt="" width="24" height="24" />
        <span>{t('app.name')}</span>
      </Link>
      <nav class="topbar__nav">
        {(user.role === 'cc_admin' || user.role === 'admin') && (
          <Link href="/scripts" data-testid="nav-scripts">
            {t('scripts.nav')}
          </Link>
        )}
        {reportsFor(user.role).length > 0 && (
          <Link href="/reports" data-testid="nav-reports">
            {t('reports.nav')}
          </Link>
        )}
        {wallboardRoles.includes(user.role) && (
          <Link href="/wallboard" data-testid="nav-wallboard">
            {t('wallboard.nav')}
          </Link>
        )}
      </nav>
      <div class="topbar__user">
        <span class="topbar__name" data-testid="user-name">
          {user.name}
        </span>
        <span class="topbar__role" data-testid="user-role">
          {t(`role.${user.role}`)}
        </span>
      </div>
      <div class="topbar__tools">
        <StatusControl variant="compact" />
        <ConnectionIndicator />
        <LanguageSwitch />
        <button type="button" class="btn btn--ghost" data-testid="sign-out" onClick={() => void signOut()}>
          {t('header.signOut')}
        </button>
      </div>
    </header>
  );
}
