import { useEffect } from 'preact/hooks';
import { LoginPage } from './auth/LoginPage';
import { useI18n } from './i18n';
import { navigate, usePath } from './router/router';
import { rememberReturnTo, restoreSession, useSession } from './session/session';
import { Shell } from './shell/Shell';

export function App() {
  const session = useSession();
  const path = usePath();
  const { t, locale } = useI18n();

  useEffect(() => {
    void restoreSession();
  }, []);

  useEffect(() => {
    if (session.state === 'anonymous' && path !== '/login') {
      rememberReturnTo(path);
      navigate('/login', { replace: true });
    }
    if (session.state === 'signed-in' && path === '/login') navigate('/', { replace: true });
  }, [session.state, path]);

  useEffect(() => {
    document.title = t('app.name');
  }, [locale]);

  if (session.state === 'loading') {
    return (
      <div class="splash" role="status" aria-live="polite">
        {t('common.loading')}
      </div>
    );
  }
  if (session.state === 'anonymous') return <LoginPage />;
  return <Shell user={session.user} />;
}
