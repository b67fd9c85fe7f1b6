import { ContactSearch } from '../contacts/ContactSearch';
import { PresenceBoard } from '../presence/PresenceBoard';
import { HomeLayout } from './HomeLayout';

export function SalesHeadHome() {
  return (
    <HomeLayout role="sales_head" layout="split">
      <ContactSearch />
      <PresenceBoard role="hunter" title="presence.title.hunters" />
    </HomeLayout>
  );
}
