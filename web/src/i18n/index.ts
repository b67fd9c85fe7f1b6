import type { Locale } from '../api/types';
import { createStore, useStore } from '../session/store';
import { en } from './en';
import { ru, type Messages } from './ru';

export type MessageKey = keyof Messages;
type Params = Record<string, string | number>;

const dictionaries: Record<Locale, Messages> = { ru, en };
const STORAGE_KEY = 'sb.locale';

function storedLocale(): Locale | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'ru' || v === 'en' ? v : null;
  } catch {
    return null;
  }
}

/** Russian until someone signs in (or picks a language, which is remembered in this browser). */
export const localeStore = createStore<Locale>(storedLocale() ?? 'ru');

localeStore.subscribe((l) => {
  document.documentElement.lang = l;
});
document.documentElement.lang = localeStore.get();

/** An explicit choice from the language switch; it wins over the user's profile locale from now on. */
export function chooseLocale(locale: Locale) {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  localeStore.set(locale);
}

/** After sign-in: the user's own locale, unless a language was picked in this browser. */
export function applyUserLocale(userLocale: Locale) {
  localeStore.set(storedLocale() ?? userLocale);
}

export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const text = dictionaries[locale][key] ?? ru[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export type Translate = (key: MessageKey, params?: Params) => string;

/** The current locale and a translate function bound to it; components re-render when the locale changes. */
export function useI18n(): { locale: Locale; t: Translate } {
  const locale = useStore(localeStore);
  return { locale, t: (key, params) => translate(locale, key, params) };
}
