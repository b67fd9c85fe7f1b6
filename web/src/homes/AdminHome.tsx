import { CallLogPanel } from '../calls/CallLogPanel';
import { UsersAdmin } from '../users/UsersAdmin';
import { HomeLayout } from './HomeLayout';

export function AdminHome() {
  return (
    <HomeLayout role="admin" layout="wide">
      <UsersAdmin />
      <div class="span-all">
        <CallLogPanel />
      </div>
    </HomeLayout>
  );
}
