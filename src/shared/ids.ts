import { randomFillSync } from 'node:crypto';
import { ulid } from 'ulid';

/** Readable prefixes; a ulid after the prefix keeps ids sortable by creation time. */
export const idPrefixes = {
  user: 'usr',
  absence: 'abs',
  contact: 'cnt',
  source: 'src',
  statusChange: 'sts',
  trackingNumber: 'tn',
  trackSession: 'ts',
  call: 'call',
  webRequest: 'req',
  callback: 'cb',
  meeting: 'mtg',
  offer: 'ofr',
  deal: 'deal',
  payment: 'pay',
  handoff: 'hof',
  task: 'task',
  pauseReason: 'pr',
  acdAttempt: 'att',
  campaign: 'cmp',
  dialList: 'dl',
  importJob: 'imp',
  dialEntry: 'de',
  disposition: 'dsp',
  refusalReason: 'rr',
  callScript: 'scr',
  scriptRun: 'run',
} as const;

export type IdKind = keyof typeof idPrefixes;

// ulid's default generator asks the OS for one random byte per character; call capture creates ids at
// hundreds per second, so draw them from a pooled buffer of cryptographic randomness instead.
const pool = new Uint8Array(4096);
let poolAt = pool.length;
function pooledRandom(): number {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return pool[poolAt++]! / 256;
}

export function newId(kind: IdKind): string {
  return `${idPrefixes[kind]}_${ulid(undefined, pooledRandom)}`;
}
