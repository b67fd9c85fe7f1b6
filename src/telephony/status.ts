export type TelephonyState = 'off' | 'connecting' | 'connected' | 'reconnecting';

export interface TelephonyStatus {
  state: TelephonyState;
  detail: string;
  since: string;
}

export interface TelephonyStatusSource {
  status(): TelephonyStatus;
  /**
   * Click-to-call through the PBX: rings the user's phone, then dials `number` (absent when telephony is
   * off). Rejects with AppError when the call cannot be placed.
   */
  callOut?(user: { id: string; status: string; endpoint: string }, number: string, callbackId: string | null): Promise<{ channelId: string }>;
  /** A supervisor's phone rings and, picked up, hears the call `callId` in progress. */
  listen?(supervisor: { id: string; endpoint: string }, callId: string, pbx?: string): Promise<{ channelId: string }>;
  /** Where the PBX actions for `pbx` (default: the one that places the panel's calls) run. */
  placement?(pbx?: string): import('./telephony.js').Placement;
}

/** Without ARI_URL the service runs everything but calls, and says so. */
export function telephonyOff(since: Date): TelephonyStatusSource {
  const status: TelephonyStatus = {
    state: 'off',
    detail: 'Telephony is off: ARI_URL is not set. Calls can be logged by hand; nothing is captured from a PBX.',
    since: since.toISOString(),
  };
  return { status: () => status };
}

/** A mutable status the gateway updates as it connects, drops and reconnects. */
export function telephonyStatusCell(since: Date) {
  let status: TelephonyStatus = { state: 'connecting', detail: 'Connecting to Asterisk', since: since.toISOString() };
  return {
    status: () => status,
    set(state: TelephonyState, detail: string, at: Date) {
      if (status.state !== state || status.detail !== detail) status = { state, detail, since: at.toISOString() };
    },
  };
}
