import { UsersAdmin } from '../users/UsersAdmin';
import { HomeLayout } from './HomeLayout';

export function AdminHome() {
  return (
    <HomeLayout role="admin" layout="wide">
      <UsersAdmin />
    </HomeLayout>
  );
}
