/**
 * What the app asks of the PBX: the call-control half of telephony. The ARI implementation is
 * ari-control.ts; the inbound distributor and click-to-call only see this interface.
 */
export interface OriginateRequest {
  /** The new channel's id, when the caller must know it before Asterisk answers (events may come first). */
  channelId?: string;
  /** e.g. PJSIP/web1001 */
  endpoint: string;
  /** Into the Stasis app with these arguments … */
  appArgs?: string[];
  /** … or into the dialplan at context/extension, priority 1. */
  context?: string;
  extension?: string;
  callerId?: string;
  timeoutSeconds: number;
  /** The channel this one is placed for: the new channel joins its call (same linkedid). */
  originator?: string;
  variables?: Record<string, string>;
}

export interface PbxControl {
  ring(channelId: string): Promise<void>;
  answer(channelId: string): Promise<void>;
  startMoh(channelId: string): Promise<void>;
  stopMoh(channelId: string): Promise<void>;
  /** Plays the media one after another; resolves when done (or failed: missing sounds are not fatal). */
  play(channelId: string, media: string[]): Promise<void>;
  originate(req: OriginateRequest): Promise<{ channelId: string }>;
  hangup(channelId: string, reason?: 'normal' | 'busy' | 'congestion' | 'no_answer'): Promise<void>;
  createBridge(): Promise<{ bridgeId: string }>;
  addToBridge(bridgeId: string, channelIds: string[]): Promise<void>;
  destroyBridge(bridgeId: string): Promise<void>;
  /** Records the bridge into the PBX's stored recordings under `name`. */
  recordBridge(bridgeId: string, name: string): Promise<void>;
  continueInDialplan(channelId: string, at?: { context: string; extension: string }): Promise<void>;
  /** A channel that hears both sides of `channelId`, placed into the app with `appArgs`. */
  snoop(channelId: string, appArgs: string[]): Promise<{ channelId: string }>;
}

/** An ARI call that failed, with the HTTP status Asterisk answered (404: the channel is gone). */
export class PbxError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'PbxError';
  }
}
