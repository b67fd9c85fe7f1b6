import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistributor } from '../../src/acd/distributor.js';
import { PbxError, type PbxControl } from '../../src/telephony/pbx.js';
import type { ChannelEvent } from '../../src/calls/records.js';
import { createLogger } from '../../src/shared/logger.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait.js';

/**
 * After hours (nobody signed in) a caller goes back to the PBX's dialplan. When Asterisk fails that
 * request (under load it times out), the caller must not be left ringing in the app for ever.
 */
describe('a caller handed back to the dialplan', () => {
  let h: Harness;
  const asked: string[] = [];
  /** How many times each channel's hand-back fails before it works (Infinity: never works). */
  const failures = new Map<string, number>();
  const pbx = new Proxy({} as PbxControl, {
    get: (_t, name: string) => async (channelId: string) => {
      asked.push(`${name} ${channelId}`);
      if (name !== 'continueInDialplan') return undefined;
      const left = failures.get(channelId) ?? 0;
      failures.set(channelId, left - 1);
      if (left > 0) throw new PbxError(`ARI POST /channels/${channelId}/continue: no answer within 5000 ms`, 0);
      return undefined;
    },
  });
  let acd: ReturnType<typeof startDistributor>;

  beforeAll(async () => {
    h = await startHarness();
    acd = startDistributor(h.services, pbx, createLogger('silent'));
  });
  afterAll(async () => {
    await acd?.stop();
    await h?.stop();
  });

  const arrive = (id: string) =>
    acd.onArrival({ type: 'StasisStart', args: ['inbound'], timestamp: new Date().toISOString(), channel: { id, name: `PJSIP/trunk-${id}`, caller: { number: '79160000000' }, channelvars: {} } } as unknown as ChannelEvent);

  it('is tried again when the PBX fails the request, and hung up when it keeps failing', async () => {
    failures.set('flaky', 2);
    failures.set('stuck', Infinity);
    arrive('flaky');
    arrive('stuck');
    await waitFor('both callers to be dealt with', async () => asked.includes('hangup stuck') && asked.filter((a) => a === 'continueInDialplan flaky').length === 3, 10_000);
    expect(asked.filter((a) => a.endsWith(' flaky'))).toEqual(['continueInDialplan flaky', 'continueInDialplan flaky', 'continueInDialplan flaky']);
    expect(asked.filter((a) => a.endsWith(' stuck'))).toEqual(['continueInDialplan stuck', 'continueInDialplan stuck', 'continueInDialplan stuck', 'hangup stuck']);
  });
});
