import { useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { ApiError } from '../api/client';
import { useI18n } from '../i18n';
import { signIn, useSession } from '../session/session';
import { LanguageSwitch } from '../shell/LanguageSwitch';
import { FormError, Notice } from '../ui/Field';
import { problemMessage } from '../ui/errors';

export function LoginPage() {
  const { t } = useI18n();
  const session = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t('login.wrong'));
      else if (err instanceof ApiError && err.status === 400) setError(t('login.invalid'));
      else setError(problemMessage(err, t));
      setBusy(false);
    }
  };

  const expired = session.state === 'anonymous' && session.notice === 'expired';
  return (
    <main class="login" data-testid="login-page">
      <div class="login__card">
        <div class="login__top">
          <div class="brand">
            <img src="/favicon.svg" alt="" width="28" height="28" />
            <span>{t('app.name')}</span>
          </div>
          <LanguageSwitch />
        </div>
        <h1>{t('login.title')}</h1>
        {expired && !error && <Notice message={t('login.expired')} />}
        <form onSubmit={submit} noValidate>
          <div class="field">
            <label for="login-email">{t('login.email')}</label>
            <input
              id="login-email"
              name="email"
              type="email"
              autoComplete="username"
              autoFocus
              required
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="login-password">{t('login.password')}</label>
            <input
              id="login-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </div>
          <FormError message={error} />
          <button type="submit" class="btn btn--primary btn--block" disabled={busy || !email || !password}>
            {busy ? t('login.submitting') : t('login.submit')}
          </button>
        </form>
      </div>
    </main>
  );
}
