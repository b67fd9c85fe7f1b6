import { ContactSearch } from '../contacts/ContactSearch';
import { DistributionPanel } from '../meetings/DistributionPanel';
import { MeetingQueuePanel } from '../meetings/MeetingQueuePanel';
import { PresenceBoard } from '../presence/PresenceBoard';
import { HomeLayout } from './HomeLayout';

export function SalesHeadHome() {
  return (
    <HomeLayout role="sales_head" layout="split">
      <div class="span-all">
        <MeetingQueuePanel />
      </div>
      <div class="span-all">
        <DistributionPanel />
      </div>
      <ContactSearch />
      <PresenceBoard role="hunter" title="presence.title.hunters" />
    </HomeLayout>
  );
}
