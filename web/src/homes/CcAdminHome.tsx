import { PresenceBoard } from '../presence/PresenceBoard';
import { SourcesPanel } from '../sources/SourcesPanel';
import { HomeLayout } from './HomeLayout';

export function CcAdminHome() {
  return (
    <HomeLayout role="cc_admin" layout="split">
      <SourcesPanel />
      <PresenceBoard role="operator" title="presence.title.operators" />
    </HomeLayout>
  );
}
