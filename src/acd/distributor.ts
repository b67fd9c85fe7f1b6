import type { Services } from '../services.js';
import type { Logger } from '../shared/logger.js';
import { AppError } from '../shared/errors.js';
import { transitionStatus } from '../users/service.js';
import type { ChannelEvent } from '../calls/records.js';
import { closeCallbacksReachedBy, countCallbackAttempt } from '../callbacks/service.js';
import type { PbxControl } from '../telephony/pbx.js';
import { isGone } from '../telephony/ari-control.js';
import {
  anyoneOnThePhones,
  claimAgent,
  claimLongestIdle,
  createCallbackTask,
  endAttempt,
  loadCall,
  markAnswered,
  markOutcome,
  markQueued,
  ownerOf,
  releaseFinishedWrapUps,
  resetPhoneStates,
  screenPop,
  setCallOperator,
  startAttempt,
  userByEndpointName,
  type Agent,
} from './store.js';

type Owner = Awaited<ReturnType<typeof ownerOf>>;

/** A caller waiting in the queue (held in Stasis, ringing or hearing music and their position). */
interface Waiting {
  callId: string;
  channelId: string;
  linkedid: string;
  owner: Owner;
  ownerTried: boolean;
  tried: Set<string>;
  ringing: { agent: Agent; channelId: string; attemptId: string; how: 'owner' | 'queue' } | null;
  answered: boolean;
  done: boolean;
  timers: NodeJS.Timeout[];
}

/** A caller bridged with the person who answered. */
interface Talking {
  callId: string;
  callerChannelId: string;
  agentChannelId: string;
  userId: string;
  bridgeId: string | null;
}

/** What the gateway knows about a stored event. */
export interface StoredEvent {
  callId: string;
  duplicate: boolean;
  closed: boolean;
}

const noAnswerCauses = new Set([16, 17, 18, 19, 21, 31]);

/**
 * Inbound distribution inside the Stasis app, plus the phone states of people on outbound calls.
 * A caller who is already a client rings their account manager first (a prospect, their hunter), then the
 * longest-idle available operator, one at a time for ACD_RING_SECONDS each; past ACD_ANNOUNCE_AFTER_SECONDS
 * they are answered and hear music and their position; past ACD_MAX_WAIT_SECONDS, a message and a callback
 * task. A caller who hangs up while waiting gets a callback task too. The waiting callers live in this
 * process (the one holding the ARI connection); the database mirrors them for every instance's queue view.
 */
export function startDistributor(s: Services, pbx: PbxControl, log: Logger) {
  const cfg = s.config.acd;
  const waiting = new Map<string, Waiting>();
  const byAgentLeg = new Map<string, Waiting>();
  const talking = new Map<string, Talking>();
  /** Outbound calls placed by someone on the phones: call id → user id. */
  const outboundBy = new Map<string, string>();
  /** Channels originated from the panel (click-to-call), until their call is known. */
  const originated = new Map<string, { userId: string; callbackId: string | null }>();
  /** Outbound calls placed for a callback task: call id → task id. */
  const callbackOf = new Map<string, string>();
  const wrapTimers = new Map<string, NodeJS.Timeout>();
  let chain: Promise<unknown> = Promise.resolve();
  let dispatchQueued = false;
  let stopped = false;
  let resetDone = false;

  /** Runs state changes one at a time, in order. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = chain.then(fn, fn);
    chain = next.catch(() => {});
    return next;
  }

  const quiet = (what: string, channelId: string) => (err: unknown) => {
    if (!isGone(err)) log.warn({ err: (err as Error).message, channel: channelId }, `could not ${what}`);
  };

  function queueChanged() {
    s.realtime.toRoles(['cc_admin', 'admin', 'operator'], 'acd:queue', { waiting: waiting.size });
  }

  function dispatch() {
    if (dispatchQueued || stopped) return;
    dispatchQueued = true;
    void serial(async () => {
      dispatchQueued = false;
      for (const w of [...waiting.values()]) {
        if (w.done || w.ringing) continue;
        await ringNext(w);
      }
    }).catch((err: Error) => log.error({ err }, 'distribution pass failed'));
  }

  /** Rings the owner, then the longest-idle operator not yet tried for this caller. */
  async function ringNext(w: Waiting) {
    for (let guard = 0; guard < 20 && !w.done && !w.ringing; guard++) {
      let agent: Agent | null = null;
      let how: 'owner' | 'queue' = 'queue';
      if (w.owner && !w.ownerTried) {
        w.ownerTried = true;
        agent = await claimAgent(s, w.owner.id);
        how = 'owner';
      }
      if (!agent) {
        agent = await claimLongestIdle(s, [...w.tried, ...(w.owner ? [w.owner.id] : [])]);
        how = 'queue';
      }
      if (!agent) return;
      w.tried.add(agent.id);
      const attemptId = await startAttempt(s, w.callId, agent.id, how, null);
      try {
        const { channelId } = await pbx.originate({
          endpoint: agent.endpoint,
          appArgs: ['agent', w.channelId],
          callerId: (await loadCall(s, w.callId))?.fromNumber ?? undefined,
          timeoutSeconds: cfg.ringSeconds,
          originator: w.channelId,
        });
        w.ringing = { agent, channelId, attemptId, how };
        byAgentLeg.set(channelId, w);
        const pop = await screenPop(s, w.callId, how, w.owner);
        s.realtime.toUser(agent.id, 'call:incoming', pop);
        queueChanged();
      } catch (err) {
        log.warn({ err: (err as Error).message, user: agent.id, endpoint: agent.endpoint }, 'could not ring the phone');
        await endAttempt(s, attemptId, 'failed');
        await transitionStatus(s, agent.id, 'paused', 'phone_unreachable', ['ringing']);
      }
    }
  }

  async function onInbound(evt: ChannelEvent, callId: string) {
    const channelId = evt.channel.id;
    if (!(await anyoneOnThePhones(s))) {
      // Nobody is signed in: the PBX's own after-hours path (voicemail, IVR) takes the call.
      await markOutcome(s, callId, 'after_hours');
      await pbx.continueInDialplan(channelId).catch(quiet('continue the channel', channelId));
      return;
    }
    const call = await loadCall(s, callId);
    const owner = await ownerOf(s, call?.contactId ?? null);
    await markQueued(s, callId, owner?.id ?? null);
    await pbx.ring(channelId).catch(quiet('ring back', channelId));
    const w: Waiting = {
      callId,
      channelId,
      linkedid: evt.channel.channelvars?.['CHANNEL(linkedid)'] || channelId,
      owner,
      ownerTried: false,
      tried: new Set(),
      ringing: null,
      answered: false,
      done: false,
      timers: [],
    };
    w.timers.push(setTimeout(() => void serial(() => giveUp(w)), cfg.maxWaitSeconds * 1000));
    if (cfg.announceAfterSeconds > 0 && cfg.announceAfterSeconds < cfg.maxWaitSeconds) {
      w.timers.push(setTimeout(() => void announce(w), cfg.announceAfterSeconds * 1000));
    }
    await serial(async () => {
      waiting.set(channelId, w);
    });
    queueChanged();
    dispatch();
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
    await markOutcome(s, w.callId, 'timed_out');
    await createCallbackTask(s, w.callId, 'missed_call');
    void (async () => {
      if (!w.answered) await pbx.answer(w.channelId);
      else await pbx.stopMoh(w.channelId).catch(() => {});
      await pbx.play(w.channelId, ['sound:queue-thankyou', 'sound:vm-goodbye']).catch(() => {});
      await pbx.hangup(w.channelId);
    })().catch(quiet('say goodbye', w.channelId));
  }

  async function onAgentAnswered(evt: ChannelEvent) {
    const agentLeg = evt.channel.id;
    const w = byAgentLeg.get(agentLeg);
    if (!w || w.done || w.ringing?.channelId !== agentLeg) {
      await pbx.hangup(agentLeg).catch(quiet('hang up a late answer', agentLeg));
      return;
    }
    const { agent, attemptId } = w.ringing;
    byAgentLeg.delete(agentLeg);
    finish(w);
    const t: Talking = { callId: w.callId, callerChannelId: w.channelId, agentChannelId: agentLeg, userId: agent.id, bridgeId: null };
    talking.set(w.channelId, t);
    talking.set(agentLeg, t);
    try {
      if (!w.answered) await pbx.answer(w.channelId);
      else await pbx.stopMoh(w.channelId).catch(() => {});
      t.bridgeId = (await pbx.createBridge()).bridgeId;
      await pbx.addToBridge(t.bridgeId, [w.channelId, agentLeg]);
      let recording: string | null = null;
      if (cfg.recordCalls) {
        recording = `call-${w.linkedid}`.replace(/[^\w.-]/g, '_');
        await pbx.recordBridge(t.bridgeId, recording).catch((err: Error) => {
          recording = null;
          quiet('record the call', w.channelId)(err);
        });
      }
      await markAnswered(s, w.callId, agent.id, recording);
      await endAttempt(s, attemptId, 'answered');
      await transitionStatus(s, agent.id, 'on_call', null, ['ringing']);
      s.realtime.toUser(agent.id, 'call:answered', { callId: w.callId });
      s.realtime.toRoles(['admin', 'cc_admin'], 'call:updated', { id: w.callId, status: 'in_progress', direction: 'inbound' });
    } catch (err) {
      log.warn({ err: (err as Error).message, call: w.callId }, 'could not connect the caller with the operator');
      await endTalk(t);
    }
  }

  /** A channel of ours is gone: a ring that ended, a caller who left the queue, or a finished conversation. */
  async function onChannelGone(channelId: string, cause: number | null) {
    const w = byAgentLeg.get(channelId);
    if (w && w.ringing?.channelId === channelId) {
      byAgentLeg.delete(channelId);
      const { agent, attemptId } = w.ringing;
      w.ringing = null;
      const outcome = w.done ? 'caller_gone' : cause !== null && !noAnswerCauses.has(cause) ? 'failed' : 'no_answer';
      await endAttempt(s, attemptId, outcome);
      if (outcome === 'failed') await transitionStatus(s, agent.id, 'paused', 'phone_unreachable', ['ringing']);
      else await transitionStatus(s, agent.id, 'available', outcome === 'no_answer' ? 'no_answer' : null, ['ringing']);
      s.realtime.toUser(agent.id, 'call:missed', { callId: w.callId, reason: outcome });
      queueChanged();
      dispatch();
      return;
    }
    const left = waiting.get(channelId);
    if (left) {
      finish(left);
      if (left.ringing) await pbx.hangup(left.ringing.channelId).catch(quiet('stop ringing', left.ringing.channelId));
      await markOutcome(s, left.callId, 'abandoned');
      await createCallbackTask(s, left.callId, 'abandoned_call');
      return;
    }
    const t = talking.get(channelId);
    if (t) await endTalk(t);
  }

  async function endTalk(t: Talking) {
    if (!talking.has(t.callerChannelId) && !talking.has(t.agentChannelId)) return;
    talking.delete(t.callerChannelId);
    talking.delete(t.agentChannelId);
    for (const ch of [t.callerChannelId, t.agentChannelId]) await pbx.hangup(ch).catch(quiet('hang up', ch));
    if (t.bridgeId) await pbx.destroyBridge(t.bridgeId).catch(quiet('destroy the bridge', t.bridgeId));
    await wrapUp(t.userId, ['on_call', 'ringing']);
  }

  /** After a call: wrap-up for WRAP_UP_SECONDS, then available (the operator may end it early). */
  async function wrapUp(userId: string, from: Parameters<typeof transitionStatus>[4]) {
    if (!(await transitionStatus(s, userId, 'wrap_up', null, from))) return;
    clearTimeout(wrapTimers.get(userId));
    wrapTimers.set(
      userId,
      setTimeout(() => {
        wrapTimers.delete(userId);
        void transitionStatus(s, userId, 'available', null, ['wrap_up'])
          .then((u) => u && dispatch())
          .catch((err: Error) => log.error({ err, userId }, 'could not end wrap-up'));
      }, cfg.wrapUpSeconds * 1000),
    );
  }

  /** Someone on the phones started an outbound call (from their phone, or click-to-call). */
  async function outboundStarted(callId: string, userId: string) {
    if (outboundBy.has(callId)) return;
    outboundBy.set(callId, userId);
    await setCallOperator(s, callId, userId);
    await transitionStatus(s, userId, 'on_call', null, ['available', 'wrap_up', 'paused']);
  }

  return {
    /** Called in the call's lane after each stored event. */
    async onEvent(evt: ChannelEvent, stored: StoredEvent) {
      if (stopped || stored.duplicate) return;
      const ch = evt.channel;
      if (evt.type === 'StasisStart') {
        const kind = evt.args?.[0];
        if (kind === 'inbound') return onInbound(evt, stored.callId);
        if (kind === 'agent') return serial(() => onAgentAnswered(evt));
        if (kind === 'outbound') {
          const endpoint = /^PJSIP\/(.+)-[0-9a-f]+$/i.exec(ch.name)?.[1];
          const user = endpoint ? await userByEndpointName(s, endpoint) : null;
          if (user) await outboundStarted(stored.callId, user.id);
          const did = ch.channelvars?.SB_DID;
          await pbx
            .continueInDialplan(ch.id, did ? { context: 'sb-outbound', extension: did } : undefined)
            .catch(quiet('continue the outbound call', ch.id));
          return;
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
      if (evt.type === 'ChannelDestroyed') await serial(() => onChannelGone(ch.id, evt.cause ?? null));
      if (stored.closed) {
        const userId = outboundBy.get(stored.callId);
        if (userId) {
          outboundBy.delete(stored.callId);
          await closeCallbacksReachedBy(s, stored.callId, callbackOf.get(stored.callId) ?? null);
          callbackOf.delete(stored.callId);
          await serial(() => wrapUp(userId, ['on_call']));
        }
      }
    },

    /**
     * Click-to-call: rings the user's own phone first; when they pick up, the PBX dials `number` through
     * the trunk with the company's caller id.
     */
    async callOut(user: { id: string; status: string; endpoint: string }, number: string, callbackId: string | null) {
      if (user.status === 'ringing' || user.status === 'on_call') throw new AppError('conflict', 'You are already on a call');
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

    /** After a (re)connect: forget what vanished meanwhile, and free phone states left from before a restart. */
    async resync(live: Set<string>) {
      await serial(async () => {
        for (const id of [...byAgentLeg.keys(), ...waiting.keys(), ...talking.keys()]) {
          if (!live.has(id)) await onChannelGone(id, null);
        }
        if (!resetDone) {
          resetDone = true;
          const keep = [...talking.values()].map((t) => t.userId).concat([...byAgentLeg.values()].flatMap((w) => (w.ringing ? [w.ringing.agent.id] : [])));
          const n = await resetPhoneStates(s, keep);
          if (n) log.info({ users: n }, 'phone states left over from before the restart were reset');
        }
      });
      dispatch();
    },

    /** Periodic: wrap-ups that ended elsewhere or before a restart, and callers still waiting. */
    async tick() {
      if (stopped) return;
      const released = await releaseFinishedWrapUps(s);
      if (released.length || waiting.size) dispatch();
    },

    waitingCount: () => waiting.size,

    async stop() {
      stopped = true;
      for (const w of waiting.values()) for (const t of w.timers) clearTimeout(t);
      for (const t of wrapTimers.values()) clearTimeout(t);
      await chain;
    },
  };
}

export type Distributor = ReturnType<typeof startDistributor>;
