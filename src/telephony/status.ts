export type TelephonyState = 'off' | 'connecting' | 'connected' | 'reconnecting';

export interface TelephonyStatus {
  state: TelephonyState;
  detail: string;
  since: string;
}

export interface TelephonyStatusSource {
  status(): TelephonyStatus;
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
