import { describe, expect, it } from 'vitest';
import type { ScriptGraph, ScriptStep } from '../../src/db/schema.js';
import { validateGraph } from '../../src/call-scripts/validate.js';

const say = (id: string, options: Array<[string, string]>, extra: Partial<ScriptStep> = {}): ScriptStep => ({
  id,
  kind: 'say',
  title: id,
  text: '',
  fields: [],
  options: options.map(([oid, next]) => ({ id: oid, label: `to ${next}`, next })),
  outcome: null,
  ...extra,
});
const end = (id: string, kind: NonNullable<ScriptStep['outcome']>['kind'] = 'completed'): ScriptStep => ({
  id,
  kind: 'outcome',
  title: id,
  text: '',
  fields: [],
  options: [],
  outcome: { kind },
});
/** Issue codes with their step, in a stable order. */
const codes = (g: ScriptGraph) => validateGraph(g).map((i) => `${i.code}@${i.stepId ?? '-'}`).sort();

describe('script validation before publishing', () => {
  it('accepts a graph whose every path ends in an outcome, loops included', () => {
    const g: ScriptGraph = {
      start: 'hello',
      steps: [
        say('hello', [['yes', 'pitch'], ['busy', 'later']], { text: 'Hello {{contact.name}} from {{ contact.company }}, I am {{operator.name}}' }),
        say('pitch', [['ok', 'meet'], ['pricey', 'obj']], { fields: [{ key: 'need', label: 'Need', type: 'text', choices: [], required: true }] }),
        { ...say('obj', [['back', 'pitch'], ['no', 'refuse']]), kind: 'objection', text: 'You said {{answers.need}}; floor {{fields.floor}}' },
        end('meet', 'meeting_booked'),
        end('later', 'callback'),
        end('refuse', 'not_interested'),
      ],
    };
    expect(validateGraph(g)).toEqual([]);
  });

  it('names the step of a dangling edge, a dead end, an unreachable step and a missing start', () => {
    expect(codes({ start: 'a', steps: [say('a', [['x', 'ghost']]), end('b')] })).toEqual(['dangling_edge@a', 'no_outcome@a', 'unreachable@b']);
    expect(codes({ start: 'a', steps: [say('a', [['x', 'b']]), say('b', []), end('c')] })).toEqual(['dead_end@b', 'no_outcome@a', 'unreachable@c']);
    expect(codes({ start: 'nope', steps: [end('a')] })).toEqual(['start_missing@-']);
    const issue = validateGraph({ start: 'a', steps: [say('a', [['x', 'ghost']], { title: 'Приветствие' }), end('b')] })[0]!;
    expect(issue).toMatchObject({ stepId: 'a', path: 'steps.0.options.0.next' });
    expect(issue.message).toContain('Приветствие');
    expect(issue.message).toContain('ghost');
  });

  it('finds a loop that never reaches an outcome', () => {
    const g: ScriptGraph = { start: 'a', steps: [say('a', [['x', 'b'], ['y', 'done']]), say('b', [['x', 'c']]), say('c', [['x', 'b']]), end('done')] };
    expect(codes(g)).toEqual(['no_outcome@b', 'no_outcome@c']);
  });

  it('rejects unknown merge fields, answers not captured, and duplicate ids', () => {
    const g: ScriptGraph = {
      start: 'a',
      steps: [
        say('a', [['x', 'b'], ['x', 'b']], { text: '{{contact.age}} {{answers.budget}} {{weather}} {{fields.regiON_1}}', fields: [{ key: 'need', label: 'N', type: 'choice', choices: [], required: false }] }),
        say('b', [['x', 'c']], { fields: [{ key: 'need', label: 'N again', type: 'text', choices: [], required: false }] }),
        end('c'),
        end('c'),
      ],
    };
    expect(codes(g)).toEqual(
      ['duplicate_step@c', 'duplicate_field@b', 'choices_missing@a', 'duplicate_option@a', 'unknown_merge_field@a', 'unknown_merge_field@a', 'unknown_merge_field@a'].sort(),
    );
  });

  it('requires an outcome step to say which outcome it is', () => {
    expect(codes({ start: 'a', steps: [say('a', [['x', 'b']]), { ...end('b'), outcome: null }] })).toEqual(['outcome_missing@b']);
  });
});
