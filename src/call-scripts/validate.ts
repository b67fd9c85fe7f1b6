import type { ScriptGraph, ScriptStep } from '../db/schema.js';

/** One reason a draft cannot be published, naming the step it is about. */
export interface ScriptIssue {
  stepId: string | null;
  path: string;
  code:
    | 'start_missing'
    | 'duplicate_step'
    | 'duplicate_option'
    | 'duplicate_field'
    | 'dangling_edge'
    | 'dead_end'
    | 'no_outcome'
    | 'unreachable'
    | 'unknown_merge_field'
    | 'outcome_missing'
    | 'choices_missing';
  message: string;
}

/** What a script's text may refer to; `fields.*` are the dial list's own columns, `answers.*` the script's fields. */
export const mergeRoots = {
  contact: ['name', 'company', 'email', 'phone'],
  operator: ['name'],
  campaign: ['name'],
  source: ['name'],
} as const;

const MERGE = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function mergeFieldsOf(text: string): string[] {
  return [...text.matchAll(MERGE)].map((m) => m[1]!);
}

function mergeFieldProblem(name: string, answerKeys: Set<string>): string | null {
  const [root, key, ...rest] = name.split('.');
  if (!root || !key || rest.length) return `"{{${name}}}" is not a merge field (use e.g. {{contact.name}})`;
  if (root === 'fields') return /^[A-Za-z0-9_\-\p{L}]+$/u.test(key) ? null : `"{{${name}}}": a column name of letters, digits, "_" or "-"`;
  if (root === 'answers') return answerKeys.has(key) ? null : `"{{${name}}}": no field "${key}" is captured in this script`;
  const known = mergeRoots[root as keyof typeof mergeRoots] as readonly string[] | undefined;
  if (!known) return `"{{${name}}}": unknown merge field (known: contact.*, operator.name, campaign.name, source.name, fields.*, answers.*)`;
  return known.includes(key) ? null : `"{{${name}}}": unknown merge field (${root}.${known.join(`, ${root}.`)})`;
}

/**
 * Everything that keeps a draft from being published: the start step exists, ids are unique, every answer
 * leads to an existing step, no step except an outcome is a dead end, an outcome can be reached from every
 * step (so every path can end), every step is reachable from the start, and merge fields are known.
 */
export function validateGraph(graph: ScriptGraph): ScriptIssue[] {
  const issues: ScriptIssue[] = [];
  const byId = new Map<string, ScriptStep>();
  const label = (s: ScriptStep) => `Step "${s.title || s.id}"`;

  graph.steps.forEach((step, i) => {
    if (byId.has(step.id)) issues.push({ stepId: step.id, path: `steps.${i}.id`, code: 'duplicate_step', message: `Two steps have the id "${step.id}"` });
    else byId.set(step.id, step);
  });
  if (!byId.has(graph.start)) issues.push({ stepId: null, path: 'start', code: 'start_missing', message: `The start step "${graph.start}" does not exist` });

  const answerKeys = new Set<string>();
  const fieldOwner = new Map<string, string>();
  graph.steps.forEach((step, i) => {
    step.fields.forEach((f, j) => {
      const owner = fieldOwner.get(f.key);
      if (owner !== undefined) {
        issues.push({ stepId: step.id, path: `steps.${i}.fields.${j}.key`, code: 'duplicate_field', message: `${label(step)}: the field "${f.key}" is captured already at step "${owner}"` });
      } else fieldOwner.set(f.key, step.id);
      answerKeys.add(f.key);
      if (f.type === 'choice' && f.choices.length === 0) {
        issues.push({ stepId: step.id, path: `steps.${i}.fields.${j}.choices`, code: 'choices_missing', message: `${label(step)}: the field "${f.key}" offers no choices` });
      }
    });
  });

  graph.steps.forEach((step, i) => {
    const at = `steps.${i}`;
    if (step.kind === 'outcome') {
      if (!step.outcome) issues.push({ stepId: step.id, path: `${at}.outcome`, code: 'outcome_missing', message: `${label(step)}: an outcome step must say which outcome it is` });
    } else if (step.options.length === 0) {
      issues.push({ stepId: step.id, path: `${at}.options`, code: 'dead_end', message: `${label(step)} has no answer options and is not an outcome: the call would end nowhere` });
    }
    const optionIds = new Set<string>();
    step.options.forEach((o, j) => {
      if (optionIds.has(o.id)) issues.push({ stepId: step.id, path: `${at}.options.${j}.id`, code: 'duplicate_option', message: `${label(step)}: two answers have the id "${o.id}"` });
      optionIds.add(o.id);
      if (!byId.has(o.next)) {
        issues.push({ stepId: step.id, path: `${at}.options.${j}.next`, code: 'dangling_edge', message: `${label(step)}: the answer "${o.label}" leads to step "${o.next}", which does not exist` });
      }
    });
    for (const name of mergeFieldsOf(step.text)) {
      const problem = mergeFieldProblem(name, answerKeys);
      if (problem) issues.push({ stepId: step.id, path: `${at}.text`, code: 'unknown_merge_field', message: `${label(step)}: ${problem}` });
    }
  });

  // Reachable from the start, following answers.
  const reachable = new Set<string>();
  const walk = [graph.start].filter((id) => byId.has(id));
  while (walk.length) {
    const id = walk.pop()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    for (const o of byId.get(id)!.options) if (byId.has(o.next)) walk.push(o.next);
  }
  // Steps from which some outcome can be reached: grow backwards from the outcomes.
  const canEnd = new Set<string>([...byId.values()].filter((s) => s.kind === 'outcome').map((s) => s.id));
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of byId.values()) {
      if (!canEnd.has(s.id) && s.options.some((o) => canEnd.has(o.next))) {
        canEnd.add(s.id);
        grew = true;
      }
    }
  }
  graph.steps.forEach((step, i) => {
    if (byId.get(step.id) !== step) return;
    if (byId.has(graph.start) && !reachable.has(step.id)) {
      issues.push({ stepId: step.id, path: `steps.${i}`, code: 'unreachable', message: `${label(step)} cannot be reached from the start` });
    }
    if (!canEnd.has(step.id) && step.options.length > 0) {
      issues.push({ stepId: step.id, path: `steps.${i}.options`, code: 'no_outcome', message: `${label(step)}: no path from here ends in an outcome` });
    }
  });
  return issues;
}
