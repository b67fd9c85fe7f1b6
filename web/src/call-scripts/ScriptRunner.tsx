import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useI18n, type Translate } from '../i18n';
import { FormError } from '../ui/Field';
import { problemMessage } from '../ui/errors';
import { saveRun, type AnswerValue, type OutcomeKind, type ScriptField, type ScriptGraph, type ScriptRun, type ScriptStep } from './api';
import { mergeText, type ScriptContext } from './merge';
import './call-scripts.css';

export interface RunnerScript {
  scriptId: string;
  name: string;
  version: number;
  graph: ScriptGraph;
}

interface Props {
  script: RunnerScript;
  context: ScriptContext;
  /** What the run is tied to, when known. */
  link?: { callId?: string | null; entryId?: string | null; contactId?: string | null };
  /** Reaching an outcome step (the run is being saved; in preview nothing is saved). */
  onOutcome?: (kind: OutcomeKind) => void;
  /** Called once the run is stored. */
  onSaved?: (run: ScriptRun) => void;
  /** The administrator's preview: walks the script without storing a run. */
  preview?: boolean;
  /** A heading above the runner (the script name by default). */
  title?: string | null;
}

type SaveState = { state: 'idle' } | { state: 'saving' } | { state: 'saved'; run: ScriptRun } | { state: 'failed'; error: unknown };

/** Converts what the operator typed into the answer the service stores; undefined = not answered. */
function answerOf(field: ScriptField, raw: string | undefined): AnswerValue | undefined | 'invalid' {
  const v = (raw ?? '').trim();
  if (!v) return undefined;
  switch (field.type) {
    case 'number': {
      const n = Number(v.replace(',', '.').replace(/\s/g, ''));
      return Number.isFinite(n) ? n : 'invalid';
    }
    case 'yes_no':
      return v === 'yes';
    default:
      return v;
  }
}

/**
 * The operator's call script: the current step's text with merge fields filled in (as text, never as
 * HTML), the fields to capture, and the answers that lead on. Keeps the path walked; at an outcome the
 * run is stored (`POST /api/script-runs`) and `onOutcome` is told which one.
 */
export function ScriptRunner({ script, context, link, onOutcome, onSaved, preview = false, title }: Props) {
  const { t } = useI18n();
  const graph = script.graph;
  const byId = useMemo(() => new Map(graph.steps.map((s) => [s.id, s])), [graph]);
  const [visited, setVisited] = useState<string[]>([graph.start]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [raw, setRaw] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [save, setSave] = useState<SaveState>({ state: 'idle' });
  const reported = useRef<string | null>(null);

  const currentId = visited[visited.length - 1]!;
  const step: ScriptStep | undefined = byId.get(currentId);

  /** The answers of the steps on the path, converted; used for `{{answers.x}}` and the stored run. */
  const answers = useMemo(() => {
    const out: Record<string, AnswerValue> = {};
    for (const id of visited) {
      for (const f of byId.get(id)?.fields ?? []) {
        const a = answerOf(f, raw[f.key]);
        if (a !== undefined && a !== 'invalid') out[f.key] = a;
      }
    }
    return out;
  }, [visited, raw, byId]);

  const store = async () => {
    setSave({ state: 'saving' });
    try {
      const run = await saveRun({
        scriptId: script.scriptId,
        version: script.version,
        ...(link?.callId ? { callId: link.callId } : {}),
        ...(link?.entryId ? { entryId: link.entryId } : {}),
        ...(link?.contactId ? { contactId: link.contactId } : {}),
        path: visited.map((stepId, i) => (i < chosen.length ? { stepId, optionId: chosen[i]! } : { stepId })),
        answers,
      });
      setSave({ state: 'saved', run });
      onSaved?.(run);
    } catch (error) {
      setSave({ state: 'failed', error });
    }
  };

  // Arriving at an outcome: tell the host and store the run (once per arrival).
  useEffect(() => {
    if (step?.kind !== 'outcome' || !step.outcome) return;
    const mark = visited.join('>');
    if (reported.current === mark) return;
    reported.current = mark;
    onOutcome?.(step.outcome.kind);
    if (!preview) void store();
  }, [step, visited.length]);

  const choose = (optionId: string, next: string) => {
    if (!step) return;
    const errs: Record<string, string> = {};
    for (const f of step.fields) {
      const a = answerOf(f, raw[f.key]);
      if (a === 'invalid') errs[f.key] = t('scripts.run.notANumber');
      else if (a === undefined && f.required) errs[f.key] = t('scripts.run.required');
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setChosen([...chosen, optionId]);
    setVisited([...visited, next]);
  };

  const back = () => {
    if (visited.length < 2) return;
    setErrors({});
    setVisited(visited.slice(0, -1));
    setChosen(chosen.slice(0, -1));
    reported.current = null;
  };

  const restart = () => {
    setVisited([graph.start]);
    setChosen([]);
    setRaw({});
    setErrors({});
    setSave({ state: 'idle' });
    reported.current = null;
  };

  const yesNo = (v: boolean) => (v ? t('common.yes') : t('common.no'));
  const locked = save.state === 'saving' || save.state === 'saved';
  const heading = title === undefined ? script.name : title;
  return (
    <section class={`runner${preview ? ' runner--preview' : ''}`} data-testid="script-runner" data-step-id={currentId} data-version={script.version}>
      {heading && (
        <div class="runner__head">
          <strong>{heading}</strong>
          <span class="muted small"> · {t('scripts.versionN', { version: script.version })}</span>
        </div>
      )}
      {visited.length > 1 && (
        <ol class="runner__path small muted" data-testid="runner-path" aria-label={t('scripts.run.path')}>
          {visited.slice(0, -1).map((id, i) => {
            const s = byId.get(id);
            const o = s?.options.find((x) => x.id === chosen[i]);
            return (
              <li key={`${i}-${id}`}>
                {s?.title ?? id}
                {o ? ` → ${o.label}` : ''}
              </li>
            );
          })}
        </ol>
      )}
      {!step ? (
        <p class="alert alert--error" role="alert" data-testid="runner-missing">
          {t('scripts.run.missingStep', { id: currentId })}
        </p>
      ) : (
        <div class={`runner__step runner__step--${step.kind}`} data-testid="runner-step" data-kind={step.kind}>
          <h3 class="runner__title" data-testid="runner-title">
            {step.kind === 'objection' && <span class="tag tag--warn">{t('scripts.kind.objection')}</span>} {step.title}
          </h3>
          <p class="runner__text" data-testid="runner-text">
            {mergeText(step.text, context, answers, yesNo).map((p, i) =>
              p.merged ? (
                <span key={i} class="runner__merge" title={`{{${p.merged}}}`}>
                  {p.text}
                </span>
              ) : (
                p.text
              ),
            )}
          </p>
          {step.fields.length > 0 && (
            <div class="runner__fields">
              {step.fields.map((f) => (
                <RunnerField
                  key={f.key}
                  field={f}
                  value={raw[f.key] ?? ''}
                  error={errors[f.key]}
                  disabled={locked}
                  t={t}
                  onChange={(v) => {
                    setRaw({ ...raw, [f.key]: v });
                    if (errors[f.key]) setErrors({ ...errors, [f.key]: '' });
                  }}
                />
              ))}
            </div>
          )}
          {Object.values(errors).some(Boolean) && (
            <p class="field__error" role="alert" data-testid="runner-blocked">
              {t('scripts.run.fillRequired')}
            </p>
          )}
          {step.kind === 'outcome' ? (
            <div class="runner__outcome" data-testid="runner-outcome" data-outcome={step.outcome?.kind ?? ''}>
              <strong>{step.outcome ? t(`scripts.outcome.${step.outcome.kind}`) : t('scripts.run.noOutcome')}</strong>
              {step.outcome?.reason && <span class="muted"> · {step.outcome.reason}</span>}
              {preview && <p class="muted small">{t('scripts.run.previewNotSaved')}</p>}
              {save.state === 'saving' && <p class="muted small">{t('common.saving')}</p>}
              {save.state === 'saved' && (
                <p class="alert alert--ok small" role="status" data-testid="runner-saved" data-run-id={save.run.id}>
                  {t('scripts.run.saved')}
                </p>
              )}
              {save.state === 'failed' && (
                <>
                  <FormError message={problemMessage(save.error, t)} />
                  <button type="button" class="btn btn--small" onClick={() => void store()} data-testid="runner-retry">
                    {t('scripts.run.retry')}
                  </button>
                </>
              )}
            </div>
          ) : (
            <div class="runner__options" data-testid="runner-options">
              {step.options.map((o) => (
                <button
                  key={o.id}
                  type="button"
                  class="btn runner__option"
                  data-testid="runner-option"
                  data-option-id={o.id}
                  disabled={locked}
                  onClick={() => choose(o.id, o.next)}
                >
                  {o.label}
                </button>
              ))}
              {step.options.length === 0 && <p class="muted small">{t('scripts.run.noOptions')}</p>}
            </div>
          )}
        </div>
      )}
      <div class="runner__nav">
        <button type="button" class="btn btn--small btn--ghost" onClick={back} disabled={visited.length < 2 || locked} data-testid="runner-back">
          ← {t('scripts.run.back')}
        </button>
        {(preview || !step) && visited.length > 1 && (
          <button type="button" class="btn btn--small btn--ghost" onClick={restart} data-testid="runner-restart">
            {t('scripts.run.restart')}
          </button>
        )}
      </div>
    </section>
  );
}

function RunnerField({
  field,
  value,
  error,
  disabled,
  onChange,
  t,
}: {
  field: ScriptField;
  value: string;
  error: string | undefined;
  disabled: boolean;
  onChange: (v: string) => void;
  t: Translate;
}) {
  const id = `runner-${field.key}`;
  const label = (
    <>
      {field.label || field.key}
      {field.required && <span class="runner__req" aria-hidden="true"> *</span>}
    </>
  );
  const invalid = error ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-error` } : {};
  return (
    <div class={`field${error ? ' field--invalid' : ''}`} data-testid="runner-field" data-key={field.key}>
      {field.type === 'yes_no' ? (
        <fieldset class="runner__yesno" {...invalid}>
          <legend>{label}</legend>
          {(['yes', 'no'] as const).map((v) => (
            <label key={v} class="toggle">
              <input type="radio" name={field.key} value={v} checked={value === v} disabled={disabled} onChange={() => onChange(v)} />{' '}
              {t(v === 'yes' ? 'common.yes' : 'common.no')}
            </label>
          ))}
        </fieldset>
      ) : (
        <>
          <label for={id}>{label}</label>
          {field.type === 'choice' ? (
            <select id={id} name={field.key} value={value} disabled={disabled} onChange={(e) => onChange(e.currentTarget.value)} {...invalid}>
              <option value="">{t('scripts.run.choose')}</option>
              {field.choices.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          ) : (
            <input
              id={id}
              name={field.key}
              inputMode={field.type === 'number' ? 'decimal' : undefined}
              value={value}
              disabled={disabled}
              required={field.required}
              onInput={(e) => onChange(e.currentTarget.value)}
              {...invalid}
            />
          )}
        </>
      )}
      {error && (
        <small class="field__error" id={`${id}-error`} data-testid="field-error">
          {error}
        </small>
      )}
    </div>
  );
}
