import type { RTCSession } from 'jssip/lib/RTCSession';
import type { UA } from 'jssip';
import { api } from '../api/client';
import type { MyPhone } from '../api/types';
import { createStore } from '../session/store';

/**
 * The browser softphone: registers the signed-in user's PJSIP endpoint over SIP-over-WebSocket (JsSIP),
 * rings, answers, holds, mutes and hangs up inside the page. One per tab; JsSIP loads only for people
 * who use it.
 */
export type Registration = 'off' | 'connecting' | 'registered' | 'failed';

export interface PhoneCall {
  direction: 'incoming' | 'outgoing';
  /** The other party's number as the PBX presents it. */
  party: string;
  status: 'ringing' | 'connecting' | 'active';
  held: boolean;
  muted: boolean;
  answeredAt: number | null;
}

export interface PhoneState {
  registration: Registration;
  /** Why the softphone is off or failed, for the panel to say. */
  problem: string | null;
  call: PhoneCall | null;
}

export const phoneStore = createStore<PhoneState>({ registration: 'off', problem: null, call: null });

let ua: UA | null = null;
let session: RTCSession | null = null;
let audio: HTMLAudioElement | null = null;
let starting: Promise<void> | null = null;

const patch = (p: Partial<PhoneState>) => phoneStore.set({ ...phoneStore.get(), ...p });
const patchCall = (p: Partial<PhoneCall>) => {
  const call = phoneStore.get().call;
  if (call) patch({ call: { ...call, ...p } });
};

/** Reads the user's phone settings and, for a softphone user, registers. Safe to call again. */
export function startSoftphone(): Promise<void> {
  starting ??= (async () => {
    let phone: MyPhone;
    try {
      phone = await api<MyPhone>('/api/me/phone');
    } catch (err) {
      patch({ registration: 'failed', problem: (err as Error).message });
      return;
    }
    if (!phone.softphone) {
      patch({ registration: 'off', problem: phone.reason });
      return;
    }
    patch({ registration: 'connecting', problem: null });
    const JsSIP = (await import('jssip')).default;
    const sp = phone.softphone;
    const socket = new JsSIP.WebSocketInterface(sp.wsUrl);
    ua = new JsSIP.UA({
      sockets: [socket],
      uri: sp.uri,
      authorization_user: sp.authorizationUser,
      password: sp.password,
      display_name: sp.displayName,
      register: true,
      session_timers: false,
      user_agent: 'Switchboard softphone',
    });
    ua.on('registered', () => patch({ registration: 'registered', problem: null }));
    ua.on('unregistered', () => patch({ registration: 'connecting' }));
    ua.on('registrationFailed', (e: { cause?: string }) => patch({ registration: 'failed', problem: e.cause ?? 'registration failed' }));
    ua.on('disconnected', () => {
      if (phoneStore.get().registration === 'registered') patch({ registration: 'connecting' });
    });
    ua.on('newRTCSession', (e: { session: RTCSession; originator: 'local' | 'remote' }) => {
      if (session) {
        // One call at a time: a second call while busy is refused as busy.
        if (e.originator === 'remote') e.session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
        return;
      }
      adopt(e.session, e.originator === 'remote' ? 'incoming' : 'outgoing');
    });
    ua.start();
  })();
  return starting;
}

function adopt(s: RTCSession, direction: 'incoming' | 'outgoing') {
  session = s;
  const remote = s.remote_identity;
  const party = remote?.uri?.user ?? remote?.display_name ?? '';
  patch({ call: { direction, party, status: direction === 'incoming' ? 'ringing' : 'connecting', held: false, muted: false, answeredAt: null } });
  const attachAudio = () => {
    const pc = s.connection;
    if (!pc) return;
    pc.addEventListener('track', (ev: RTCTrackEvent) => {
      audio ??= Object.assign(document.createElement('audio'), { autoplay: true });
      audio.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
    });
  };
  if (s.connection) attachAudio();
  else s.on('peerconnection', attachAudio);
  s.on('accepted', () => patchCall({ status: 'active', answeredAt: Date.now() }));
  s.on('confirmed', () => patchCall({ status: 'active' }));
  s.on('hold', () => patchCall({ held: true }));
  s.on('unhold', () => patchCall({ held: false }));
  s.on('muted', () => patchCall({ muted: true }));
  s.on('unmuted', () => patchCall({ muted: false }));
  const end = () => {
    if (session === s) session = null;
    if (audio) audio.srcObject = null;
    patch({ call: null });
  };
  s.on('ended', end);
  s.on('failed', end);
}

export const softphone = {
  answer() {
    if (session && phoneStore.get().call?.status === 'ringing') {
      patchCall({ status: 'connecting' });
      session.answer({ mediaConstraints: { audio: true, video: false } });
    }
  },
  hangup() {
    if (!session) return;
    try {
      session.terminate();
    } catch {
      /* already ended */
    }
  },
  toggleHold() {
    if (!session) return;
    if (phoneStore.get().call?.held) session.unhold();
    else session.hold();
  },
  toggleMute() {
    if (!session) return;
    if (phoneStore.get().call?.muted) session.unmute({ audio: true });
    else session.mute({ audio: true });
  },
};

/** Unregisters and closes the WebSocket (sign-out). */
export function stopSoftphone() {
  softphone.hangup();
  ua?.stop();
  ua = null;
  starting = null;
  phoneStore.set({ registration: 'off', problem: null, call: null });
}
