import type { Locale } from '../api/types';

const intlLocale = (l: Locale) => (l === 'ru' ? 'ru-RU' : 'en-GB');

/** A share (0..1) as a percentage with at most one decimal: "33,3 %" / "33.3%". */
export function formatPercent(share: number, locale: Locale): string {
  return new Intl.NumberFormat(intlLocale(locale), { style: 'percent', maximumFractionDigits: 1 }).format(share);
}

export function formatDateTime(iso: string | null, locale: Locale, timeZone?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: 'short', timeStyle: 'short', ...safeTz(timeZone) }).format(d);
}

/** Date and time to the second (call timelines, raw events). */
export function formatDateTimeSeconds(iso: string | null, locale: Locale, timeZone?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: 'short', timeStyle: 'medium', ...safeTz(timeZone) }).format(d);
}

export function formatTime(iso: string, locale: Locale, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameDay = new Date().toDateString() === d.toDateString();
  return new Intl.DateTimeFormat(intlLocale(locale), {
    ...(sameDay ? {} : { day: 'numeric', month: 'short' }),
    hour: '2-digit',
    minute: '2-digit',
    ...safeTz(timeZone),
  }).format(d);
}

function safeTz(timeZone?: string): { timeZone?: string } {
  if (!timeZone) return {};
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return { timeZone };
  } catch {
    return {};
  }
}

/** Digits after the decimal point for a currency (2 for RUB/USD, 0 for JPY…). */
export function currencyExponent(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export function formatMoney(minor: number | null, currency: string, locale: Locale): string {
  if (minor === null) return '—';
  const exp = currencyExponent(currency);
  try {
    const digits = minor % 10 ** exp === 0 ? 0 : exp;
    return new Intl.NumberFormat(intlLocale(locale), { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
      minor / 10 ** exp,
    );
  } catch {
    return `${minor / 10 ** exp} ${currency}`;
  }
}

/**
 * "15 000", "1500,50", "1 500.50", "1,500.50" → minor units as an integer, computed on the digits (no
 * float rounding). Spaces group thousands; the last "," or "." is the decimal mark and any earlier ones
 * group thousands. Null for anything else, or for more decimals than the currency has.
 */
export function parseMoney(text: string, exponent: number): number | null {
  const s = text.replace(/[\s\u00a0']/g, '');
  if (!/^\d[\d.,]*$/.test(s)) return null;
  const mark = Math.max(s.lastIndexOf(','), s.lastIndexOf('.'));
  const wholeRaw = mark < 0 ? s : s.slice(0, mark);
  const frac = mark < 0 ? '' : s.slice(mark + 1);
  if (mark >= 0 && !/^\d+$/.test(frac)) return null;
  if (!/^\d{1,3}([.,]\d{3})*$|^\d+$/.test(wholeRaw)) return null;
  if (frac.length > exponent) return null;
  const minor = Number(wholeRaw.replace(/[.,]/g, '') + frac.padEnd(exponent, '0'));
  return Number.isSafeInteger(minor) ? minor : null;
}

/** How far `timeZone`'s wall clock is ahead of UTC at `date`, in ms. */
function zoneOffsetMs(date: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(date);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - date.getTime();
}

/**
 * A `datetime-local` value read as wall-clock time in `timeZone` (the employee's zone, not the browser's),
 * as an ISO instant; null when empty or invalid.
 */
export function zonedInputToIso(value: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
  try {
    // Two passes settle the offset around daylight-saving changes.
    let t = wall - zoneOffsetMs(new Date(wall), timeZone);
    t = wall - zoneOffsetMs(new Date(t), timeZone);
    return new Date(t).toISOString();
  } catch {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
}

/** "+74951230001" → "+7 495 123-00-01"; other numbers are shown as stored. */
export function formatPhone(number: string | null | undefined): string {
  if (!number) return '—';
  const ru = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(number);
  if (ru) return `+7 ${ru[1]} ${ru[2]}-${ru[3]}-${ru[4]}`;
  return number;
}
