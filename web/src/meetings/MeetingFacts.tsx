import type { Meeting } from '../api/types';
import { useI18n } from '../i18n';
import { useSession } from '../session/session';
import { formatDateTime, formatPhone } from '../ui/format';

/** When, how long, where, the phone, the source and the operator's notes of one meeting. */
export function MeetingFacts({ meeting: m }: { meeting: Meeting }) {
  const { t, locale } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  return (
    <dl class="details details--compact" data-testid="meeting-facts">
      <dt>{t('meetings.field.when')}</dt>
      <dd data-testid="meeting-when">
        {formatDateTime(m.scheduledAt, locale, tz)}
        {m.rescheduledFrom && <span class="muted small"> · {t('meetings.rescheduledFrom', { time: formatDateTime(m.rescheduledFrom, locale, tz) })}</span>}
      </dd>
      <dt>{t('meetings.field.duration')}</dt>
      <dd data-testid="meeting-duration">{t('meetings.minutes', { n: m.durationMinutes })}</dd>
      {m.contact.phone && (
        <>
          <dt>{t('meetings.field.phone')}</dt>
          <dd>
            <a href={`tel:${m.contact.phone}`} data-testid="meeting-phone">
              {formatPhone(m.contact.phone)}
            </a>
          </dd>
        </>
      )}
      {m.location && (
        <>
          <dt>{t('meetings.field.location')}</dt>
          <dd data-testid="meeting-location">{m.location}</dd>
        </>
      )}
      {m.source && (
        <>
          <dt>{t('meetings.field.source')}</dt>
          <dd data-testid="meeting-source">{m.source.name}</dd>
        </>
      )}
      {m.notes && (
        <>
          <dt>{t('meetings.field.notes')}</dt>
          <dd data-testid="meeting-notes">{m.notes}</dd>
        </>
      )}
      <dt>{t('meetings.field.bookedBy')}</dt>
      <dd>{m.bookedBy.name}</dd>
    </dl>
  );
}
