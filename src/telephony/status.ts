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
