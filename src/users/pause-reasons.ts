import { pauseReasons } from '../db/schema.js';
import { reasonList } from '../shared/reason-list.js';

/** The administrator's list of pause reasons; operators pause with one of them. */
export const pauseReasonList = reasonList({
  table: pauseReasons,
  idKind: 'pauseReason',
  prefix: 'pr',
  path: '/api/pause-reasons',
  tag: 'users',
  noun: 'pause reason',
  schemaName: 'PauseReason',
  purpose: 'Pause reasons operators choose from',
});
