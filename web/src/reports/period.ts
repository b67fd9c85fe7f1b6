import type { Locale } from '../api/types';
import type { PeriodQuery } from './api';

/** Report periods: whole days (`YYYY-MM-DD`, `to` inclusive) counted in the company's zone. */

export const presets = ['today', 'week', 'month', 'lastMonth'] as const;
export type Preset = (typeof presets)[number];

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

export const isDay = (s: string | null | undefined): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && Number.isFinite(dayMs(s));

/** Today's date on the wall calendar of `timeZone` (the browser's if the zone is unknown). */
export function todayIn(timeZone: string | undefined, now = Date.now()): string {
  try {
    // en-CA writes dates as YYYY-MM-DD.
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  } catch {
    return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  }
}

/** A preset's days, weeks starting on Monday. */
export function presetPeriod(preset: Preset, today: string): PeriodQuery {
  const t = dayMs(today);
  const [y, m] = today.split('-').map(Number) as [number, number];
  switch (preset) {
    case 'today':
      return { from: today, to: today };
    case 'week': {
      const weekday = (new Date(t).getUTCDay() + 6) % 7;
      return { from: isoDay(t - weekday * DAY_MS), to: today };
    }
    case 'month':
      return { from: isoDay(Date.UTC(y, m - 1, 1)), to: today };
    case 'lastMonth':
      return { from: isoDay(Date.UTC(y, m - 2, 1)), to: isoDay(Date.UTC(y, m - 1, 1) - DAY_MS) };
  }
}

/** Which preset a period is, if any. */
export function presetOf(p: PeriodQuery, today: string): Preset | null {
  return presets.find((k) => {
    const q = presetPeriod(k, today);
    return q.from === p.from && q.to === p.to;
  }) ?? null;
}

/** Every day from `from` to `to` inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = dayMs(from); t <= dayMs(to) && out.length < 1000; t += DAY_MS) out.push(isoDay(t));
  return out;
}

const intlLocale = (l: Locale) => (l === 'ru' ? 'ru-RU' : 'en-GB');

/** "2026-11-05" → "5 нояб." / "5 Nov" (a calendar day: no zone conversion). */
export function formatDay(day: string, locale: Locale, withYear = false): string {
  const t = dayMs(day);
  if (!Number.isFinite(t)) return day;
  return new Intl.DateTimeFormat(intlLocale(locale), { day: 'numeric', month: 'short', ...(withYear ? { year: 'numeric' } : {}), timeZone: 'UTC' }).format(t);
}

/** 3725 s → "1:02:05"; under an hour "12:05"; null → "—". */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return h ? `${h}:${mmss}` : mmss;
}
