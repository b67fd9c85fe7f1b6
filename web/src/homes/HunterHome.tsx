import { useState } from 'preact/hooks';
import type { User } from '../api/types';
import { CommissionPanel } from '../clients/CommissionPanel';
import { RecordSalePanel } from '../clients/RecordSalePanel';
import { ContactList } from '../contacts/ContactList';
import { ContactSearch } from '../contacts/ContactSearch';
import { useI18n } from '../i18n';
import { useSocketEvent } from '../realtime/hooks';
import { MyMeetingsPanel } from '../meetings/MyMeetingsPanel';
import { OffersPanel } from '../meetings/OffersPanel';
import { Panel } from '../ui/bits';
import { HomeLayout } from './HomeLayout';

export function HunterHome({ user }: { user: User }) {
  const { t } = useI18n();
  // A meeting that became mine (accepted here, or assigned by the head) re-fetches "My meetings" and the
  // prospects: the contact is mine now too.
  const [assigned, setAssigned] = useState(0);
  const bump = () => setAssigned((n) => n + 1);
  useSocketEvent('meeting:assigned', bump);
  // A sale recorded (here or in another tab) turns a prospect into a client: the lists follow.
  const [sales, setSales] = useState(0);
  const sold = () => setSales((n) => n + 1);
  useSocketEvent('client:handed-over', sold);
  return (
    <HomeLayout role="hunter">
      <OffersPanel onAccepted={bump} />
      <MyMeetingsPanel refreshKey={assigned} />
      <RecordSalePanel hunterId={user.id} refreshKey={`${assigned}:${sales}`} onRecorded={sold} />
      <CommissionPanel refreshKey={sales} />
      <Panel title={t('hunter.prospects')} testId="my-prospects">
        <ContactList key={`${assigned}:${sales}`} filter={{ hunterId: user.id }} empty={t('hunter.none')} />
      </Panel>
      <ContactSearch />
    </HomeLayout>
  );
}
