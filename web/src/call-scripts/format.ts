import type { Locale } from '../api/types';

/** A share (0..1) as a percentage with at most one decimal: "33,3 %" / "33.3%". */
export function formatPercent(share: number, locale: Locale): string {
  return new Intl.NumberFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(share);
}
