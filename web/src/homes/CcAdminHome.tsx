import { CallbacksPanel } from '../phone/CallbacksPanel';
import { QueuePanel } from '../phone/QueuePanel';
import { CallLogPanel } from '../calls/CallLogPanel';
import { PresenceBoard } from '../presence/PresenceBoard';
import { SourcesPanel } from '../sources/SourcesPanel';
import { TrackingNumbersPanel } from '../tracking/TrackingNumbersPanel';
import { HomeLayout } from './HomeLayout';

export function CcAdminHome() {
  return (
    <HomeLayout role="cc_admin" layout="split">
      <div class="span-all">
        <CallLogPanel />
      </div>
      <div class="column">
        <SourcesPanel />
        <TrackingNumbersPanel />
      </div>
      <div class="column">
        <PresenceBoard role="operator" title="presence.title.operators" />
        <QueuePanel />
        <CallbacksPanel />
      </div>
    </HomeLayout>
  );
}
