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
} as const;

export type IdKind = keyof typeof idPrefixes;

export function newId(kind: IdKind): string {
  return `${idPrefixes[kind]}_${ulid()}`;
}
