import { z } from '@hono/zod-openapi';
import { outcomeKinds } from '../db/schema.js';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, "_" or "-", at most 40');

const FieldSchema = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'a lower-case name such as "budget"'),
    label: z.string().trim().min(1).max(120),
    type: z.enum(['text', 'number', 'yes_no', 'choice']),
    choices: z.array(z.string().trim().min(1).max(120)).max(30).default([]),
    required: z.boolean().default(false),
  })
  .strict()
  .openapi('ScriptField', { description: 'A value the operator captures at this step (need, budget, decision maker, …)' });

const OptionSchema = z
  .object({ id, label: z.string().trim().min(1).max(200), next: id.openapi({ description: 'The step this answer leads to' }) })
  .strict()
  .openapi('ScriptOption');

const StepSchema = z
  .object({
    id,
    kind: z.enum(['say', 'objection', 'outcome']).openapi({ description: '`objection`: an objection-handling branch; `outcome`: where the call ends' }),
    title: z.string().trim().min(1).max(120),
    text: z.string().max(5000).default('').openapi({ description: 'What the operator says; merge fields such as {{contact.name}}' }),
    fields: z.array(FieldSchema).max(20).default([]),
    options: z.array(OptionSchema).max(20).default([]),
    outcome: z
      .object({ kind: z.enum(outcomeKinds), reason: z.string().trim().min(1).max(200).optional() })
      .strict()
      .nullable()
      .default(null),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.kind === 'outcome' && s.options.length) ctx.addIssue({ code: 'custom', path: ['options'], message: 'an outcome ends the script: no answers' });
    if (s.kind === 'outcome' && s.fields.length) ctx.addIssue({ code: 'custom', path: ['fields'], message: 'capture fields before the outcome' });
    if (s.kind !== 'outcome' && s.outcome) ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'only outcome steps have an outcome' });
  })
  .openapi('ScriptStep');

export const GraphSchema = z
  .object({ start: id, steps: z.array(StepSchema).min(1).max(200) })
  .strict()
  .openapi('ScriptGraph', { description: 'Steps with answer options leading to next steps, ending in outcomes' });

export const IssueSchema = z
  .object({ stepId: z.string().nullable(), path: z.string(), code: z.string(), message: z.string() })
  .openapi('ScriptIssue');

const Person = z.object({ id: z.string(), name: z.string() }).nullable();

export const ScriptSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    inbound: z.boolean().openapi({ description: 'Shown to operators on inbound calls' }),
    publishedVersion: z.number().int().nullable(),
    publishedAt: z.string().nullable(),
    draftChanged: z.boolean().openapi({ description: 'The draft differs from the published version' }),
    draftUpdatedAt: z.string(),
    createdAt: z.string(),
  })
  .openapi('CallScriptSummary');

export const ScriptSchema = ScriptSummarySchema.extend({
  draft: GraphSchema,
  issues: z.array(IssueSchema).openapi({ description: 'What keeps the draft from being published now' }),
  versions: z.array(z.object({ version: z.number().int(), publishedAt: z.string(), publishedBy: Person })),
}).openapi('CallScript');

export const VersionSchema = z
  .object({ scriptId: z.string(), name: z.string(), version: z.number().int(), graph: GraphSchema, publishedAt: z.string(), publishedBy: Person })
  .openapi('CallScriptVersion');

export const ScriptInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    description: z.string().trim().max(2000).nullable().optional(),
    inbound: z.boolean().default(false),
    graph: GraphSchema.optional().openapi({ description: 'Without it, a starter graph' }),
  })
  .strict()
  .openapi('CallScriptInput');

export const ScriptPatch = z
  .object({ name: z.string().trim().min(1).max(120), description: z.string().trim().max(2000).nullable(), inbound: z.boolean() })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change')
  .openapi('CallScriptPatch');

export const ScriptListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional(),
  q: z.string().trim().max(120).optional().openapi({ description: 'Part of the name' }),
});

const runId = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `must be a ${prefix}_… id`);

export const RunInput = z
  .object({
    scriptId: runId('scr'),
    version: z.number().int().min(1),
    callId: runId('call').optional(),
    entryId: runId('de').optional(),
    contactId: runId('cnt').optional(),
    path: z
      .array(z.object({ stepId: id, optionId: id.optional() }).strict())
      .min(1)
      .max(500)
      .openapi({ description: 'The steps walked from the start; `optionId` is the answer chosen at that step (none at the last)' }),
    answers: z.record(z.string().max(40), z.union([z.string().max(2000), z.number().finite(), z.boolean()])).default({}),
  })
  .strict()
  .openapi('ScriptRunInput');

export const RunSchema = z
  .object({
    id: z.string(),
    scriptId: z.string(),
    version: z.number().int(),
    callId: z.string().nullable(),
    entryId: z.string().nullable(),
    contactId: z.string().nullable(),
    operatorId: z.string(),
    path: z.array(z.string()),
    choices: z.array(z.string()),
    answers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    outcome: z.enum(outcomeKinds).nullable(),
    createdAt: z.string(),
  })
  .openapi('ScriptRun');

export const StatsQuery = z.object({
  version: z.coerce.number().int().min(1).optional().openapi({ description: 'Default: the published version' }),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

const Counted = { passed: z.number().int(), meetings: z.number().int() };
export const StatsSchema = z
  .object({
    version: z.number().int(),
    runs: z.number().int(),
    meetings: z.number().int(),
    steps: z.array(
      z.object({
        stepId: z.string(),
        title: z.string(),
        kind: z.string(),
        ...Counted,
        options: z.array(z.object({ optionId: z.string(), label: z.string(), next: z.string(), chosen: z.number().int(), meetings: z.number().int() })),
      }),
    ),
    outcomes: z.array(z.object({ kind: z.enum(outcomeKinds), count: z.number().int() })),
  })
  .openapi('CallScriptStats', { description: 'Per step and answer: runs that passed it and how many of them ended in a meeting' });
