import { DialerPanel } from '../dialer/DialerPanel';
import { CallbacksPanel } from '../phone/CallbacksPanel';
import { PhonePanel } from '../phone/PhonePanel';
import { ContactForm } from '../contacts/ContactForm';
import { ContactSearch } from '../contacts/ContactSearch';
import { useI18n } from '../i18n';
import { StatusControl } from '../presence/StatusControl';
import { useMyStatus } from '../presence/useMyStatus';
import { useSession } from '../session/session';
import { Panel, StatusBadge } from '../ui/bits';
import { formatTime } from '../ui/format';
import { HomeLayout } from './HomeLayout';

export function OperatorHome() {
  return (
    <HomeLayout role="operator">
      <div class="columns">
        <MyStatusPanel />
        <PhonePanel />
      </div>
      <DialerPanel />
      <CallbacksPanel />
      <div class="columns">
        <ContactSearch />
        <ContactForm />
      </div>
    </HomeLayout>
  );
}

function MyStatusPanel() {
  const { t, locale } = useI18n();
  const session = useSession();
  const my = useMyStatus();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  return (
    <Panel title={t('operator.myStatus')} testId="my-status">
      <div class={`my-status my-status--${my.status}`}>
        <div class="my-status__now">
          <StatusBadge status={my.status} reason={my.reason} />
          {my.since && <span class="muted">{t('presence.since', { time: formatTime(my.since, locale, tz) })}</span>}
        </div>
        <StatusControl variant="large" />
      </div>
    </Panel>
  );
}
