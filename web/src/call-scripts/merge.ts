import type { AnswerValue } from './api';

/** What the runner merges into a step's text. */
export interface ScriptContext {
  contact?: { id?: string | null; name?: string | null; company?: string | null; email?: string | null; phone?: string | null } | null;
  /** Custom columns of the dial-list entry. */
  fields?: Record<string, string> | null;
  operator?: { name?: string | null } | null;
  campaign?: { name?: string | null } | null;
  source?: { name?: string | null } | null;
}

export const MERGE_RE = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/** A text piece: plain text, or a merged value (rendered highlighted; always as text, never as HTML). */
export type Piece = { text: string; merged?: string };

function lookup(name: string, ctx: ScriptContext, answers: Record<string, AnswerValue>, yesNo: (v: boolean) => string): string {
  const [head, ...rest] = name.split('.');
  const key = rest.join('.');
  const str = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'boolean' ? yesNo(v) : String(v));
  switch (head) {
    case 'contact':
      return ctx.contact ? str((ctx.contact as Record<string, unknown>)[key]) : '';
    case 'operator':
      return key === 'name' ? str(ctx.operator?.name) : '';
    case 'campaign':
      return key === 'name' ? str(ctx.campaign?.name) : '';
    case 'source':
      return key === 'name' ? str(ctx.source?.name) : '';
    case 'fields':
      return str(ctx.fields?.[key]);
    case 'answers':
      return str(answers[key]);
    default:
      return '';
  }
}

/** Splits a step's text into pieces with merge fields filled in; unknown values are empty. */
export function mergeText(text: string, ctx: ScriptContext, answers: Record<string, AnswerValue>, yesNo: (v: boolean) => string): Piece[] {
  const out: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(MERGE_RE)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ text: text.slice(last, at) });
    out.push({ text: lookup(m[1]!, ctx, answers, yesNo), merged: m[1]! });
    last = at + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

/** The names of the merge fields a text uses. */
export function mergeNames(text: string): string[] {
  return [...text.matchAll(MERGE_RE)].map((m) => m[1]!);
}
