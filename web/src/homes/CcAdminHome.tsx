import { CallbacksPanel } from '../phone/CallbacksPanel';
import { QueuePanel } from '../phone/QueuePanel';
import { CallLogPanel } from '../calls/CallLogPanel';
import { ScriptsPanel } from '../call-scripts/ScriptsPanel';
import { CampaignsPanel } from '../dialer/CampaignsPanel';
import { DncPanel } from '../dialer/DncPanel';
import { RefusalReasonsPanel } from '../dialer/RefusalReasonsPanel';
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
      <div class="span-all">
        <CampaignsPanel />
      </div>
      <div class="column">
        <ScriptsPanel />
        <SourcesPanel />
        <TrackingNumbersPanel />
        <RefusalReasonsPanel />
      </div>
      <div class="column">
        <PresenceBoard role="operator" title="presence.title.operators" />
        <QueuePanel />
        <CallbacksPanel />
        <DncPanel />
      </div>
    </HomeLayout>
  );
}
