import { api } from '../api/client';
import { locales, type Locale } from '../api/types';
import { chooseLocale, useI18n } from '../i18n';
import { useSession } from '../session/session';

/** RU | EN toggle; remembered in this browser and, once signed in, saved to the user's profile. */
export function LanguageSwitch() {
  const { locale, t } = useI18n();
  const session = useSession();
  const choose = (l: Locale) => {
    chooseLocale(l);
    if (session.state === 'signed-in' && session.user.locale !== l) {
      void api('/api/me', { method: 'PATCH', body: { locale: l } }).catch(() => {});
    }
  };
  return (
    <div class="lang-switch" role="group" aria-label={t('lang.label')}>
      {locales.map((l) => (
        <button
          key={l}
          type="button"
          class={`lang-switch__btn${l === locale ? ' is-active' : ''}`}
          aria-pressed={l === locale}
          lang={l}
          title={t(`lang.${l}.full`)}
          data-testid={`lang-${l}`}
          onClick={() => choose(l)}
        >
          {t(`lang.${l}.short`)}
        </button>
      ))}
    </div>
  );
}
