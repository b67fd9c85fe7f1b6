import { randomUUID } from 'node:crypto';
import type { Services } from '../services.js';
import type { Logger } from '../shared/logger.js';
import { AppError } from '../shared/errors.js';
import { toE164 } from '../shared/phone.js';
import { onStatusChange, transitionStatus } from '../users/service.js';
import type { UserStatus } from '../db/schema.js';
import type { ChannelEvent } from '../calls/records.js';
import { closeCallbacksReachedBy, countCallbackAttempt } from '../callbacks/service.js';
import type { PbxControl } from '../telephony/pbx.js';
import { isGone } from '../telephony/ari-control.js';
import {
  createCallbackTask,
  endAttempt,
  loadBoard,
  markAnswered,
  markOutcome,
  markQueued,
  ownerByPhone,
  ownerOf,
  releaseFinishedWrapUps,
  resetPhoneStates,
  screenPop,
  setCallOperator,
  setCallOwner,
  startAttempt,
  userByEndpointName,
  callOfLeg,
  type BoardEntry,
} from './store.js';

type Owner = Awaited<ReturnType<typeof ownerOf>>;
type RingOutcome = 'no_answer' | 'failed' | 'caller_gone';

/** A caller waiting in the queue (held in Stasis, ringing or hearing music and their position). */
interface Waiting {
  channelId: string;
  linkedid: string;
  fromNumber: string | null;
  /** The call record's id, once the call's lane has stored the caller's StasisStart. */
  callId: Promise<string | null>;
  owner: Owner | undefined;
  ownerTried: boolean;
  tried: Set<string>;
  ringing: { agent: BoardEntry; channelId: string; how: 'owner' | 'queue'; attemptId: Promise<string | null> } | null;
  answered: boolean;
  done: boolean;
  /** A phone is being chosen or dialed for them right now. */
  dialing: boolean;
  timers: NodeJS.Timeout[];
  /** The call's database writes, in order, off the path that rings phones. */
  book: Promise<unknown>;
}

/** A supervisor listening to a call: a snoop on the operator's channel bridged with the supervisor's phone. */
interface Listening {
  callId: string;
  snoopId: string;
  listenerId: string | null;
  bridgeId: string | null;
}

/** A caller bridged with the person who answered. */
interface Talking {
  callId: Promise<string | null>;
  callerChannelId: string;
  agentChannelId: string;
  userId: string;
  bridgeId: string | null;
  book: Promise<unknown>;
}

/** A channel as ARI lists it after a (re)connect. */
export type LiveChannel = ChannelEvent['channel'] & { dialplan?: { app_name?: string; app_data?: string } };
export interface LiveBridge {
  id: string;
  channels: string[];
}

/** What the gateway knows about a stored event. */
export interface StoredEvent {
  callId: string;
  duplicate: boolean;
  closed: boolean;
}

const noAnswerCauses = new Set([16, 17, 18, 19, 21, 31]);
const STORED_WAIT_MS = 10_000;

/**
 * Inbound distribution inside the Stasis app, plus the phone states of people on outbound calls.
 *
 * A caller who is already a client rings their account manager first (a prospect, their hunter), then the
 * longest-idle available operator, one phone at a time for ACD_RING_SECONDS each; past
 * ACD_ANNOUNCE_AFTER_SECONDS they are answered and hear music and their position; past
 * ACD_MAX_WAIT_SECONDS, a message and a callback task. A caller who hangs up while waiting gets a callback
 * task too.
 *
 * Phones are rung from an in-memory board of everyone with a phone (refreshed from the database every
 * tick, patched at once by this instance's state changes), so the operator's phone rings without waiting
 * on the database; the call's records follow in order behind. Waiting callers live in this process, the
 * one holding the ARI connection; the database mirrors them for every instance's queue view.
 */
export function startDistributor(s: Services, pbx: PbxControl, log: Logger) {
  const cfg = s.config.acd;
  const board = new Map<string, BoardEntry>();
  /** People this process is ringing or has on a call (whatever the board says meanwhile). */
  const busy = new Set<string>();
  const waiting = new Map<string, Waiting>();
  const byAgentLeg = new Map<string, Waiting>();
  const talking = new Map<string, Talking>();
  const callIdOf = new Map<string, (id: string | null) => void>();
  const afterHours = new Set<string>();
  /** Outbound calls placed by someone on the phones: call id → user id. */
  const outboundBy = new Map<string, string>();
  /** Channels originated from the panel (click-to-call), until their call is known. */
  const originated = new Map<string, { userId: string; callbackId: string | null }>();
  /** Outbound calls placed for a callback task: call id → task id. */
  const callbackOf = new Map<string, string>();
  const wrapTimers = new Map<string, NodeJS.Timeout>();
  /** By snoop and listener channel id. */
  const listening = new Map<string, Listening>();
  let stopped = false;
  let resetDone = false;
  let boardLoaded: Promise<void> | null = null;

  const unsubscribe = onStatusChange(s, (c) => {
    const e = board.get(c.userId);
    if (e) Object.assign(e, { status: c.status, since: c.at.getTime() });
    if (c.status === 'available' && waiting.size) dispatch();
  });

  async function refreshBoard() {
    const rows = await loadBoard(s);
    board.clear();
    for (const r of rows) board.set(r.id, r);
  }
  const ensureBoard = () => (boardLoaded ??= refreshBoard().catch((err: Error) => {
    boardLoaded = null;
    throw err;
  }));

  /** Appends database work to a call's ordered book-keeping; failures are logged, not thrown. */
  function book(holder: { book: Promise<unknown> }, what: string, fn: () => Promise<unknown>) {
    holder.book = holder.book.then(fn).catch((err: Error) => log.error({ err }, `could not store ${what}`));
    return holder.book;
  }

  /** Each person's state changes, in the order this process decided them. */
  const agentBooks = new Map<string, Promise<unknown>>();
  function agentStep<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    const next = (agentBooks.get(userId) ?? Promise.resolve()).then(fn, fn);
    const tail = next.catch(() => {});
    agentBooks.set(userId, tail);
    void tail.then(() => agentBooks.get(userId) === tail && agentBooks.delete(userId));
    return next;
  }
  const setState = (userId: string, status: UserStatus, reason: string | null, from: readonly UserStatus[]) =>
    agentStep(userId, () => transitionStatus(s, userId, status, reason, from));

  const quiet = (what: string, channelId: string) => (err: unknown) => {
    if (!isGone(err)) log.warn({ err: (err as Error).message, channel: channelId }, `could not ${what}`);
  };

  function queueChanged() {
    s.realtime.toRoles(['cc_admin', 'admin', 'operator'], 'acd:queue', { waiting: waiting.size });
  }

  /** Offers every waiting caller who is not being rung a free phone (callers in arrival order). */
  function dispatch() {
    if (stopped) return;
    for (const w of waiting.values()) {
      if (w.done || w.ringing || w.dialing) continue;
      w.dialing = true;
      void ringNext(w)
        .catch((err: Error) => log.error({ err, channel: w.channelId }, 'could not ring a phone for the caller'))
        .finally(() => (w.dialing = false));
    }
  }

  const free = (e: BoardEntry) => e.status === 'available' && !busy.has(e.id);

  /** Rings the caller's owner when they are free, otherwise the longest-idle free operator not yet tried. */
  async function ringNext(w: Waiting) {
    for (let guard = 0; guard < 20 && !w.done && !w.ringing; guard++) {
      let agent: BoardEntry | undefined;
      let how: 'owner' | 'queue' = 'queue';
      // Only worth a lookup when someone who can own callers (not an operator) is free now.
      if (!w.ownerTried && [...board.values()].some((e) => e.role !== 'operator' && free(e))) {
        w.ownerTried = true;
        w.owner ??= await ownerByPhone(s, w.fromNumber);
        const e = w.owner ? board.get(w.owner.id) : undefined;
        if (e && free(e)) {
          agent = e;
          how = 'owner';
        }
      }
      if (!agent) {
        for (const e of board.values()) {
          if (e.role !== 'operator' || !free(e) || w.tried.has(e.id)) continue;
          if (!agent || e.since < agent.since || (e.since === agent.since && e.id < agent.id)) agent = e;
        }
      }
      if (!agent) return;
      w.tried.add(agent.id);
      busy.add(agent.id);
      // Known before dialing: the phone may answer before Asterisk has answered the request.
      const channelId = randomUUID();
      const ringing = { agent, channelId, how, attemptId: Promise.resolve<string | null>(null) };
      w.ringing = ringing;
      byAgentLeg.set(channelId, w);
      try {
        await pbx.originate({
          channelId,
          endpoint: agent.endpoint,
          appArgs: ['agent', w.channelId],
          callerId: w.fromNumber ?? undefined,
          timeoutSeconds: cfg.ringSeconds,
          originator: w.channelId,
        });
        void pbx.ring(w.channelId).catch(quiet('ring back', w.channelId));
        // The caller left while their operator's phone was being dialed.
        if (w.done) void pbx.hangup(channelId).catch(quiet('stop ringing', channelId));
        const a = agent;
        ringing.attemptId = book(w, 'the ring', async () => {
          // Free by this process's board: available, or just out of wrap-up.
          if (!(await setState(a.id, 'ringing', null, ['available', 'wrap_up']))) {
            // They paused (or signed out) elsewhere a moment ago: take the ring back.
            await pbx.hangup(channelId).catch(quiet('withdraw the ring', channelId));
          }
          const callId = await w.callId;
          if (!callId) return null;
          const id = await startAttempt(s, callId, a.id, how, channelId);
          const pop = await screenPop(s, callId, how, w.owner ?? null);
          if (pop) s.realtime.toUser(a.id, 'call:incoming', pop);
          queueChanged();
          return id;
        }) as Promise<string | null>;
      } catch (err) {
        log.warn({ err: (err as Error).message, user: agent.id, endpoint: agent.endpoint }, 'could not ring the phone');
        byAgentLeg.delete(channelId);
        if (w.ringing === ringing) w.ringing = null;
        const a = agent;
        agent.status = 'paused';
        busy.delete(a.id);
        void book(w, 'an unreachable phone', () => setState(a.id, 'paused', 'phone_unreachable', ['available', 'wrap_up', 'ringing']));
      }
    }
  }

  /**
   * Hands a channel back to the dialplan (a caller after hours, an outbound call on its way). A request
   * that fails (not for a channel already gone) is tried twice more; if the PBX still does not take the
   * channel back, it is hung up rather than left ringing in the app for ever.
   */
  async function handBack(channelId: string, at?: { context: string; extension: string }) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await pbx.continueInDialplan(channelId, at);
      } catch (err) {
        if (isGone(err)) return;
        if (attempt < 3) {
          log.warn({ err: (err as Error).message, channel: channelId, attempt }, 'could not continue the channel; trying again');
          await new Promise((r) => setTimeout(r, 500 * attempt));
          continue;
        }
        log.error({ err: (err as Error).message, channel: channelId }, 'could not hand the caller back to the dialplan; hanging up');
        return pbx.hangup(channelId).catch(quiet('hang up the caller', channelId));
      }
    }
  }

  /** A caller entered the app: called as soon as the event arrives, before it is stored. */
  async function admit(evt: ChannelEvent) {
    const channelId = evt.channel.id;
    await ensureBoard();
    if (![...board.values()].some((e) => e.status !== 'offline')) {
      // Nobody is signed in: the PBX's own after-hours path (voicemail, IVR) takes the call.
      afterHours.add(channelId);
      await handBack(channelId);
      return;
    }
    const raw = evt.channel.caller?.number;
    let resolveCallId!: (id: string | null) => void;
    const stored = new Promise<string | null>((r) => (resolveCallId = r));
    const timeout = setTimeout(() => resolveCallId(null), STORED_WAIT_MS);
    callIdOf.set(channelId, (id) => {
      clearTimeout(timeout);
      resolveCallId(id);
    });
    const w: Waiting = {
      channelId,
      linkedid: evt.channel.channelvars?.['CHANNEL(linkedid)'] || channelId,
      fromNumber: raw ? toE164(raw, s.config.phoneRegion) : null,
      callId: stored,
      owner: undefined,
      ownerTried: false,
      tried: new Set(),
      ringing: null,
      answered: false,
      done: false,
      dialing: false,
      timers: [],
      book: Promise.resolve(),
    };
    w.timers.push(setTimeout(() => void giveUp(w).catch(quiet('end the wait', w.channelId)), cfg.maxWaitSeconds * 1000));
    if (cfg.announceAfterSeconds > 0 && cfg.announceAfterSeconds < cfg.maxWaitSeconds) {
      w.timers.push(setTimeout(() => void announce(w), cfg.announceAfterSeconds * 1000));
    }
    waiting.set(channelId, w);
    dispatch();
    queueChanged();
  }

  /** The caller's StasisStart is stored: its call record exists, attributed to its source. */
  async function admitted(channelId: string, callId: string) {
    if (afterHours.delete(channelId)) return markOutcome(s, callId, 'after_hours');
    const resolve = callIdOf.get(channelId);
    callIdOf.delete(channelId);
    resolve?.(callId);
    const w = waiting.get(channelId);
    const contactId = await markQueued(s, callId);
    if (!w) return;
    // The owner, for the screen pop and the record, whether or not they can take the call now.
    w.owner ??= await ownerOf(s, contactId);
    if (w.owner) await setCallOwner(s, callId, w.owner.id);
  }

  function finish(w: Waiting) {
    w.done = true;
    for (const t of w.timers) clearTimeout(t);
    waiting.delete(w.channelId);
    queueChanged();
  }

  /** Answers a long-waiting caller and tells them their place, then music until the next time. */
  async function announce(w: Waiting) {
    if (w.done || stopped) return;
    try {
      if (!w.answered) {
        w.answered = true;
        await pbx.answer(w.channelId);
      } else {
        await pbx.stopMoh(w.channelId).catch(() => {});
      }
      const position = [...waiting.values()].filter((x) => !x.done).indexOf(w) + 1;
      if (position > 0) {
        const media = position === 1 ? ['sound:queue-youarenext'] : ['sound:queue-thereare', `number:${position - 1}`, 'sound:queue-callswaiting'];
        await pbx.play(w.channelId, media).catch(quiet('play the position', w.channelId));
      }
      if (!w.done) await pbx.startMoh(w.channelId).catch(quiet('start music on hold', w.channelId));
    } catch (err) {
      quiet('answer the waiting caller', w.channelId)(err);
    }
    if (!w.done && !stopped) w.timers.push(setTimeout(() => void announce(w), cfg.announceEverySeconds * 1000));
  }

  /** Nobody answered within the maximum wait: a message, a callback task, goodbye. */
  async function giveUp(w: Waiting) {
    if (w.done) return;
    finish(w);
    if (w.ringing) await pbx.hangup(w.ringing.channelId).catch(quiet('stop ringing', w.ringing.channelId));
    void book(w, 'the missed call', async () => {
      const callId = await w.callId;
      if (!callId) return;
      await markOutcome(s, callId, 'timed_out');
      await createCallbackTask(s, callId, 'missed_call');
    });
    void (async () => {
      if (!w.answered) await pbx.answer(w.channelId);
      else await pbx.stopMoh(w.channelId).catch(() => {});
      await pbx.play(w.channelId, ['sound:queue-thankyou', 'sound:vm-goodbye']).catch(() => {});
      await pbx.hangup(w.channelId);
    })().catch(quiet('say goodbye', w.channelId));
  }

  async function onAgentAnswered(agentLeg: string) {
    const w = byAgentLeg.get(agentLeg);
    if (!w || w.done || w.ringing?.channelId !== agentLeg) {
      await pbx.hangup(agentLeg).catch(quiet('hang up a late answer', agentLeg));
      return;
    }
    const { agent, attemptId } = w.ringing;
    byAgentLeg.delete(agentLeg);
    finish(w);
    const t: Talking = { callId: w.callId, callerChannelId: w.channelId, agentChannelId: agentLeg, userId: agent.id, bridgeId: null, book: w.book };
    talking.set(w.channelId, t);
    talking.set(agentLeg, t);
    try {
      t.bridgeId = (await pbx.createBridge()).bridgeId;
      await pbx.addToBridge(t.bridgeId, [w.channelId, agentLeg]);
      if (!w.answered) await pbx.answer(w.channelId);
      else await pbx.stopMoh(w.channelId).catch(() => {});
    } catch (err) {
      quiet('connect the caller with the operator', w.channelId)(err);
      await endTalk(t);
      return;
    }
    let recording: string | null = null;
    if (cfg.recordCalls) {
      recording = `call-${w.linkedid}`.replace(/[^\w.-]/g, '_');
      await pbx.recordBridge(t.bridgeId, recording).catch((err: Error) => {
        recording = null;
        quiet('record the call', w.channelId)(err);
      });
    }
    void book(t, 'the answer', async () => {
      const callId = await t.callId;
      const attempt = await attemptId;
      if (callId) await markAnswered(s, callId, agent.id, recording);
      if (attempt) await endAttempt(s, attempt, 'answered');
      await setState(agent.id, 'on_call', null, ['ringing', 'available', 'wrap_up']);
      if (callId) {
        s.realtime.toUser(agent.id, 'call:answered', { callId });
        s.realtime.toRoles(['admin', 'cc_admin'], 'call:updated', { id: callId, status: 'in_progress', direction: 'inbound' });
      }
    });
  }

  /** A ring ended without an answer: the phone is free again (or paused, when it could not be reached). */
  function ringEnded(w: Waiting, outcome: RingOutcome) {
    const r = w.ringing!;
    byAgentLeg.delete(r.channelId);
    w.ringing = null;
    busy.delete(r.agent.id);
    const agent = r.agent;
    if (outcome === 'failed') agent.status = 'paused';
    else if (outcome === 'caller_gone') Object.assign(agent, { status: 'available' });
    void book(w, 'the ring outcome', async () => {
      const attempt = await r.attemptId;
      if (attempt) await endAttempt(s, attempt, outcome);
      if (outcome === 'failed') await setState(agent.id, 'paused', 'phone_unreachable', ['ringing', 'available']);
      else await setState(agent.id, 'available', outcome === 'no_answer' ? 'no_answer' : null, ['ringing']);
      const callId = await w.callId;
      if (callId) s.realtime.toUser(agent.id, 'call:missed', { callId, reason: outcome });
      queueChanged();
      dispatch();
    });
  }

  /** A channel of ours is gone: a ring that ended, a caller who left the queue, or a finished conversation. */
  async function onChannelGone(channelId: string, cause: number | null) {
    const w = byAgentLeg.get(channelId);
    if (w && w.ringing?.channelId === channelId) {
      ringEnded(w, w.done ? 'caller_gone' : cause !== null && !noAnswerCauses.has(cause) ? 'failed' : 'no_answer');
      return;
    }
    const left = waiting.get(channelId);
    if (left) {
      finish(left);
      if (left.ringing) await pbx.hangup(left.ringing.channelId).catch(quiet('stop ringing', left.ringing.channelId));
      void book(left, 'the abandoned call', async () => {
        const callId = await left.callId;
        if (!callId) return;
        await markOutcome(s, callId, 'abandoned');
        await createCallbackTask(s, callId, 'abandoned_call');
      });
      return;
    }
    const t = talking.get(channelId);
    if (t) await endTalk(t);
    const l = listening.get(channelId);
    if (l) await stopListening(l);
  }

  async function stopListening(l: Listening) {
    if (!listening.has(l.snoopId) && (!l.listenerId || !listening.has(l.listenerId))) return;
    listening.delete(l.snoopId);
    if (l.listenerId) listening.delete(l.listenerId);
    for (const ch of [l.snoopId, l.listenerId]) if (ch) await pbx.hangup(ch).catch(quiet('end listening', ch));
    if (l.bridgeId) await pbx.destroyBridge(l.bridgeId).catch(quiet('destroy the listening bridge', l.bridgeId));
  }

  /** The supervisor picked up: they hear both sides of the call through the snoop channel. */
  async function onListenerAnswered(listenerId: string) {
    const l = listening.get(listenerId);
    if (!l) return void (await pbx.hangup(listenerId).catch(quiet('hang up a late listener', listenerId)));
    try {
      l.bridgeId = (await pbx.createBridge()).bridgeId;
      await pbx.addToBridge(l.bridgeId, [l.snoopId, listenerId]);
    } catch (err) {
      quiet('connect the listener', listenerId)(err);
      await stopListening(l);
    }
  }

  async function endTalk(t: Talking) {
    if (!talking.has(t.callerChannelId) && !talking.has(t.agentChannelId)) return;
    talking.delete(t.callerChannelId);
    talking.delete(t.agentChannelId);
    for (const ch of [t.callerChannelId, t.agentChannelId]) await pbx.hangup(ch).catch(quiet('hang up', ch));
    if (t.bridgeId) await pbx.destroyBridge(t.bridgeId).catch(quiet('destroy the bridge', t.bridgeId));
    const callId = await t.callId;
    for (const l of new Set(listening.values())) if (l.callId === callId) await stopListening(l);
    // Free on the board at once (wrap-up first, if any); the database follows.
    const entry = board.get(t.userId);
    if (entry) Object.assign(entry, { status: cfg.wrapUpSeconds > 0 ? 'wrap_up' : 'available', since: Date.now() });
    busy.delete(t.userId);
    void book(t, 'the wrap-up', () => wrapUp(t.userId, ['on_call', 'ringing']));
  }

  /** After a call: wrap-up for WRAP_UP_SECONDS, then available (the operator may end it early). */
  async function wrapUp(userId: string, from: readonly UserStatus[]) {
    if (!(await setState(userId, 'wrap_up', null, from))) return;
    clearTimeout(wrapTimers.get(userId));
    wrapTimers.set(
      userId,
      setTimeout(() => {
        wrapTimers.delete(userId);
        const entry = board.get(userId);
        if (entry?.status === 'wrap_up') Object.assign(entry, { status: 'available', since: Date.now() });
        if (waiting.size) dispatch();
        void setState(userId, 'available', null, ['wrap_up']).catch((err: Error) => log.error({ err, userId }, 'could not end wrap-up'));
      }, cfg.wrapUpSeconds * 1000),
    );
  }

  /**
   * Channels stay in the Stasis app when the process that held the ARI connection dies. Its waiting
   * callers are queued again here (their wait starts over), and the conversations it had bridged are
   * watched to their end, so that hanging up one side ends the other and frees the operator. An operator's
   * leg left in the app without its caller is hung up.
   */
  async function adopt(live: LiveChannel[], bridges: LiveBridge[], pbxName: string, app: string) {
    const bridgeOf = new Map<string, LiveBridge>();
    for (const b of bridges) for (const id of b.channels) bridgeOf.set(id, b);
    const known = (id: string) => waiting.has(id) || talking.has(id) || byAgentLeg.has(id) || listening.has(id);
    const callOfChannel = async (channelId: string) => (await callOfLeg(s, pbxName, channelId)) ?? null;
    let requeued = 0;
    let watched = 0;
    for (const ch of live) {
      if (ch.dialplan?.app_name !== 'Stasis' || known(ch.id)) continue;
      const [appName, kind, peer] = (ch.dialplan.app_data ?? '').split(',');
      if (appName !== app) continue;
      const bridge = bridgeOf.get(ch.id);
      if (kind === 'inbound' && !bridge) {
        await admit({ type: 'StasisStart', timestamp: new Date().toISOString(), channel: ch, args: ['inbound'] });
        const callId = await callOfChannel(ch.id);
        if (callId) {
          callIdOf.get(ch.id)?.(callId);
          callIdOf.delete(ch.id);
          await admitted(ch.id, callId);
        }
        requeued++;
      } else if (kind === 'agent' && peer) {
        const endpoint = /^PJSIP\/(.+)-[0-9a-f]+$/i.exec(ch.name)?.[1];
        const user = endpoint ? await userByEndpointName(s, endpoint) : null;
        if (!bridge || !bridge.channels.includes(peer) || !user || talking.has(peer)) {
          await pbx.hangup(ch.id).catch(quiet('hang up a leg left without its caller', ch.id));
          continue;
        }
        const t: Talking = { callId: callOfChannel(peer), callerChannelId: peer, agentChannelId: ch.id, userId: user.id, bridgeId: bridge.id, book: Promise.resolve() };
        talking.set(peer, t);
        talking.set(ch.id, t);
        busy.add(user.id);
        watched++;
      }
    }
    if (requeued || watched) log.info({ requeued, watched }, 'took over callers and conversations left in the app');
  }

  /** Someone on the phones started an outbound call (from their phone, or click-to-call). */
  async function outboundStarted(callId: string, userId: string) {
    if (outboundBy.has(callId)) return;
    outboundBy.set(callId, userId);
    await setCallOperator(s, callId, userId);
    await setState(userId, 'on_call', null, ['available', 'wrap_up', 'paused']);
  }

  return {
    /** Called for each event as it arrives, before it is stored: rings phones without waiting for the database. */
    onArrival(evt: ChannelEvent) {
      if (stopped || evt.type !== 'StasisStart') return;
      const kind = evt.args?.[0];
      if (kind === 'inbound') void admit(evt).catch((err: Error) => log.error({ err, channel: evt.channel.id }, 'could not queue the caller'));
      else if (kind === 'agent') void onAgentAnswered(evt.channel.id).catch((err: Error) => log.error({ err }, 'could not connect the call'));
      else if (kind === 'listener') void onListenerAnswered(evt.channel.id).catch((err: Error) => log.error({ err }, 'could not connect the listener'));
    },

    /** Called in the call's lane after each stored event. */
    async onEvent(evt: ChannelEvent, stored: StoredEvent) {
      if (stopped || stored.duplicate) return;
      const ch = evt.channel;
      if (evt.type === 'StasisStart') {
        const kind = evt.args?.[0];
        if (kind === 'inbound') return admitted(ch.id, stored.callId);
        if (kind === 'outbound') {
          const endpoint = /^PJSIP\/(.+)-[0-9a-f]+$/i.exec(ch.name)?.[1];
          const user = endpoint ? await userByEndpointName(s, endpoint) : null;
          if (user) await outboundStarted(stored.callId, user.id);
          const did = ch.channelvars?.SB_DID;
          await handBack(ch.id, did ? { context: 'sb-outbound', extension: did } : undefined);
        }
        return;
      }
      const placed = originated.get(ch.id);
      if (placed) {
        originated.delete(ch.id);
        await outboundStarted(stored.callId, placed.userId);
        if (placed.callbackId) {
          await countCallbackAttempt(s, placed.callbackId);
          callbackOf.set(stored.callId, placed.callbackId);
        }
      }
      if (evt.type === 'ChannelDestroyed') await onChannelGone(ch.id, evt.cause ?? null);
      if (stored.closed) {
        const userId = outboundBy.get(stored.callId);
        if (userId) {
          outboundBy.delete(stored.callId);
          await closeCallbacksReachedBy(s, stored.callId, callbackOf.get(stored.callId) ?? null);
          callbackOf.delete(stored.callId);
          await wrapUp(userId, ['on_call']);
        }
      }
    },

    /**
     * Click-to-call: rings the user's own phone first; when they pick up, the PBX dials `number` through
     * the trunk with the company's caller id.
     */
    async callOut(user: { id: string; status: string; endpoint: string }, number: string, callbackId: string | null) {
      if (user.status === 'ringing' || user.status === 'on_call' || busy.has(user.id)) throw new AppError('conflict', 'You are already on a call');
      const { channelId } = await pbx.originate({
        endpoint: user.endpoint,
        context: 'sb-outbound',
        extension: number,
        callerId: cfg.outboundCallerId ?? undefined,
        timeoutSeconds: 30,
        variables: { SB_DIRECTION: 'outbound', SB_DID: number },
      });
      originated.set(channelId, { userId: user.id, callbackId });
      return { channelId };
    },

    /**
     * A supervisor listens to a call in progress (ARI snoop on the operator's channel, both directions):
     * their phone rings, and when they pick up they hear the conversation without being heard.
     */
    async listen(supervisor: { id: string; endpoint: string }, callId: string) {
      let t: Talking | undefined;
      for (const x of new Set(talking.values())) if ((await x.callId) === callId) t = x;
      if (!t) throw new AppError('conflict', 'This call is not connected to an operator now; only calls in conversation can be listened to');
      const { channelId: snoopId } = await pbx.snoop(t.agentChannelId, ['snoop']);
      const l: Listening = { callId, snoopId, listenerId: null, bridgeId: null };
      listening.set(snoopId, l);
      try {
        const { channelId } = await pbx.originate({
          endpoint: supervisor.endpoint,
          appArgs: ['listener', snoopId],
          timeoutSeconds: 30,
          originator: t.callerChannelId,
        });
        l.listenerId = channelId;
        listening.set(channelId, l);
        return { channelId };
      } catch (err) {
        await stopListening(l);
        throw err;
      }
    },

    /**
     * After a (re)connect: forget what vanished meanwhile, take over what another process left in the app
     * (see `adopt`), and free phone states left from before a restart.
     */
    async resync(live: LiveChannel[], bridges: LiveBridge[], pbxName: string, app: string) {
      await refreshBoard();
      boardLoaded = Promise.resolve();
      const liveIds = new Set(live.map((c) => c.id));
      for (const id of [...byAgentLeg.keys(), ...waiting.keys(), ...talking.keys(), ...listening.keys()]) {
        if (!liveIds.has(id)) await onChannelGone(id, null);
      }
      await adopt(live, bridges, pbxName, app);
      // With several Asterisk servers, someone on a call through another one is not stuck: leave them.
      if (!resetDone && (s.config.telephony?.servers.length ?? 1) === 1) {
        resetDone = true;
        const n = await resetPhoneStates(s, [...busy]);
        if (n) log.info({ users: n }, 'phone states left over from before the restart were reset');
      }
      dispatch();
    },

    /** Periodic: the board from the database (changes made on other instances), wrap-ups that ended elsewhere. */
    async tick() {
      if (stopped) return;
      await releaseFinishedWrapUps(s);
      await refreshBoard();
      boardLoaded = Promise.resolve();
      if (waiting.size) dispatch();
    },

    async stop() {
      stopped = true;
      unsubscribe();
      for (const w of waiting.values()) for (const t of w.timers) clearTimeout(t);
      for (const t of wrapTimers.values()) clearTimeout(t);
      await Promise.all([...waiting.values(), ...talking.values()].map((x) => x.book));
    },
  };
}
