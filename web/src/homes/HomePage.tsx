import type { User } from '../api/types';
import { AccountManagerHome } from './AccountManagerHome';
import { AdminHome } from './AdminHome';
import { CcAdminHome } from './CcAdminHome';
import { ClientHeadHome } from './ClientHeadHome';
import { HunterHome } from './HunterHome';
import { OperatorHome } from './OperatorHome';
import { SalesHeadHome } from './SalesHeadHome';

export function HomePage({ user }: { user: User }) {
  switch (user.role) {
    case 'admin':
      return <AdminHome />;
    case 'cc_admin':
      return <CcAdminHome />;
    case 'operator':
      return <OperatorHome />;
    case 'sales_head':
      return <SalesHeadHome />;
    case 'hunter':
      return <HunterHome user={user} />;
    case 'client_head':
      return <ClientHeadHome />;
    case 'account_manager':
      return <AccountManagerHome />;
  }
}
