import { api } from '../api/client';
import type { Page } from '../api/types';

/** Call scripts: the administrator's editor and the operator's runner (contract: /api/call-scripts, /api/script-runs). */

export const stepKinds = ['say', 'objection', 'outcome'] as const;
export type StepKind = (typeof stepKinds)[number];

export const fieldTypes = ['text', 'number', 'yes_no', 'choice'] as const;
export type FieldType = (typeof fieldTypes)[number];

export const outcomeKinds = ['meeting_booked', 'callback', 'not_interested', 'wrong_number', 'do_not_call', 'completed'] as const;
export type OutcomeKind = (typeof outcomeKinds)[number];

export interface ScriptOption {
  id: string;
  label: string;
  /** The step this answer leads to. */
  next: string;
}

export interface ScriptField {
  key: string;
  label: string;
  type: FieldType;
  choices: string[];
  required: boolean;
}

export interface ScriptStep {
  id: string;
  kind: StepKind;
  title: string;
  text: string;
  fields: ScriptField[];
  options: ScriptOption[];
  outcome: { kind: OutcomeKind; reason?: string } | null;
}

export interface ScriptGraph {
  start: string;
  steps: ScriptStep[];
}

export const issueCodes = [
  'start_missing',
  'duplicate_step',
  'duplicate_option',
  'duplicate_field',
  'dangling_edge',
  'dead_end',
  'no_outcome',
  'unreachable',
  'unknown_merge_field',
  'outcome_missing',
  'choices_missing',
] as const;

export interface ScriptIssue {
  stepId: string | null;
  /** e.g. `steps.3.options.0.next` */
  path: string;
  code: string;
  /** English, names the step. */
  message: string;
}

export interface ScriptSummary {
  id: string;
  name: string;
  description: string | null;
  inbound: boolean;
  publishedVersion: number | null;
  publishedAt: string | null;
  draftChanged: boolean;
  draftUpdatedAt: string;
  createdAt: string;
}

export interface VersionInfo {
  version: number;
  publishedAt: string;
  publishedBy: { id: string; name: string } | null;
}

export interface Script extends ScriptSummary {
  draft: ScriptGraph;
  issues: ScriptIssue[];
  versions: VersionInfo[];
}

export interface ScriptVersion {
  scriptId: string;
  name: string;
  version: number;
  graph: ScriptGraph;
  publishedAt: string;
  publishedBy: { id: string; name: string } | null;
}

export type AnswerValue = string | number | boolean;

export interface NewRun {
  scriptId: string;
  version: number;
  callId?: string;
  entryId?: string;
  contactId?: string;
  path: Array<{ stepId: string; optionId?: string }>;
  answers: Record<string, AnswerValue>;
}

export interface ScriptRun {
  id: string;
  scriptId: string;
  version: number;
  outcome: OutcomeKind | null;
  [k: string]: unknown;
}

export interface ScriptStats {
  version: number | null;
  runs: number;
  meetings: number;
  steps: Array<{
    stepId: string;
    title: string;
    kind: StepKind;
    passed: number;
    meetings: number;
    options: Array<{ optionId: string; label: string; next: string; chosen: number; meetings: number }>;
  }>;
  outcomes: Array<{ kind: OutcomeKind; count: number }>;
}

const base = '/api/call-scripts';
const one = (id: string) => `${base}/${encodeURIComponent(id)}`;

export const listScripts = (cursor: string | null, q?: string, limit = 50) => api<Page<ScriptSummary>>(base, { query: { limit, cursor, q } });

export const createScript = (body: { name: string; description?: string; inbound?: boolean; graph?: ScriptGraph }) => api<Script>(base, { body });

export const getScript = (id: string) => api<Script>(one(id));

export const patchScript = (id: string, body: { name?: string; description?: string | null; inbound?: boolean }) =>
  api<Script>(one(id), { method: 'PATCH', body });

export const saveDraft = (id: string, graph: ScriptGraph) => api<Script>(`${one(id)}/draft`, { method: 'PUT', body: { graph } });

export const publishScript = (id: string) => api<ScriptVersion>(`${one(id)}/publish`, { method: 'POST' });

export const getVersion = (id: string, version: number) => api<ScriptVersion>(`${one(id)}/versions/${version}`);

export const getStats = (id: string, query: { version?: number | null; from?: string; to?: string } = {}) =>
  api<ScriptStats>(`${one(id)}/stats`, { query });

export const saveRun = (body: NewRun) => api<ScriptRun>('/api/script-runs', { body });

/** Merge fields the runner fills in; `fields.<key>` and `answers.<key>` take any identifier. */
export const mergeFields = ['contact.name', 'contact.company', 'contact.email', 'contact.phone', 'operator.name', 'campaign.name', 'source.name'] as const;
