import type { MeetingStatus } from '../api/types';
import { useI18n } from '../i18n';

export function MeetingStatusTag({ status }: { status: MeetingStatus }) {
  const { t } = useI18n();
  return (
    <span class={`tag tag--meeting-${status}`} data-testid="meeting-status">
      {t(`meetings.status.${status}`)}
    </span>
  );
}
